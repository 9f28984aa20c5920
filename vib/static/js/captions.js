// Captions on every player of a clip (the clip page, the coding page, the review screen, the meeting
// page and its presentation): the clip's transcript is a <track kind="captions"> (WebVTT, same
// origin), off until the "Captions" button beside the player turns it on (aria-pressed). The choice
// is remembered on this device, so the next player starts the way the user left the last one.
const REMEMBERED = "vib.captions";

function rememberedOn() {
  try { return localStorage.getItem(REMEMBERED) === "on"; } catch { return false; }
}

function remember(on) {
  try { localStorage.setItem(REMEMBERED, on ? "on" : "off"); } catch { /* private mode: not remembered */ }
}

// Show or hide a video's captions. "disabled", not "hidden": a track that is off is not even fetched.
export function showCaptions(video, on) {
  for (const track of video.textTracks) {
    if (track.kind === "captions") track.mode = on ? "showing" : "disabled";
  }
}

// Give a video the captions of another clip (`captions`: {src, language, label}, or null for none),
// as the presentation does when it moves to the next item. Answers whether it has captions now.
export function setTrack(video, captions, on) {
  video.querySelectorAll("track").forEach((track) => track.remove());
  if (!captions) return false;
  const track = Object.assign(document.createElement("track"), { kind: "captions", src: captions.src, srclang: captions.language, label: captions.label });
  video.append(track);
  showCaptions(video, on);
  return true;
}

// A "Captions" toggle: its aria-controls names the video (or videos) it turns captions on for.
export class CaptionsToggle {
  constructor(button) {
    this.button = button;
    this.button.addEventListener("click", () => this.set(!this.on));
    this.set(rememberedOn(), false);
  }

  get on() { return this.button.getAttribute("aria-pressed") === "true"; }

  get videos() {
    return (this.button.getAttribute("aria-controls") ?? "").split(/\s+/).map((id) => document.getElementById(id)).filter(Boolean);
  }

  set(on, byUser = true) {
    this.button.setAttribute("aria-pressed", String(on));
    for (const video of this.videos) showCaptions(video, on);
    if (byUser) remember(on);
  }
}

// (Node's unit tests import the presentation, and with it this module, without a page.)
export const toggles = [...(globalThis.document?.querySelectorAll("button[data-captions]") ?? [])].map((button) => new CaptionsToggle(button));
