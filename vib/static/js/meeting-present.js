// The presentation of a progress meeting (meetings/present.html): one slide at a time, moved by keys,
// on-screen buttons or touch. An item's slide plays its span of the clip from the pre-roll to the
// post-roll and holds the last frame. Of the two <video> elements one is on screen; the other loads the
// next item and waits on its first frame, so moving on never waits. The pure helpers (keys, Esc, which
// player shows what, when to stop) are exported for node --test; the page starts only in a browser.

import { setTrack, toggles } from "./captions.js";

const DEFAULT_FRAME_S = 0.04; // 25 frames a second until two frames on screen tell otherwise
const EPSILON_S = 0.0005;
export const ESC_GRACE_MS = 600;

// -- pure -----------------------------------------------------------------------------------------

const LETTERS = { p: "play", t: "notes", s: "stills", f: "fullscreen", c: "captions" };

// What a key press asks for, or null. With Ctrl, Alt or Meta it is the browser's (Ctrl+F, Alt+←).
export function actionForKey({ key, shiftKey = false, ctrlKey = false, altKey = false, metaKey = false }) {
  if (ctrlKey || altKey || metaKey) return null;
  switch (key) {
    case "ArrowRight":
    case "PageDown": // a presentation clicker's "next"
      return "next";
    case "ArrowLeft":
    case "PageUp":
      return "previous";
    case " ":
    case "Spacebar":
      return shiftKey ? "previous" : "next";
    case "Home":
      return "first";
    case "End":
      return "last";
    case "Escape":
    case "Esc":
      return "leave";
    default:
      return key.length === 1 ? (LETTERS[key.toLowerCase()] ?? null) : null;
  }
}

// Esc in the browser's full screen only ends the full screen: the browser keeps that press to itself,
// or the page sees it while still full screen. A press the page sees just after the full screen ended
// is that same press. Only another Esc leaves.
export function escapeAction(inFullscreen, msSinceFullscreenEnded) {
  if (inFullscreen) return "exit-fullscreen";
  return msSinceFullscreenEnded < ESC_GRACE_MS ? "ignore" : "leave";
}

// The first item slide after slide `index` (isItem: per slide, whether it is an item's), else -1.
export function nextItemSlide(isItem, index) {
  for (let i = index + 1; i < isItem.length; i += 1) if (isItem[i]) return i;
  return -1;
}

// Which of the two players shows slide `target` (holding: the slide each has loaded) and which loads
// `next`: the one that already holds the target, else the one that does not hold `next`.
export function assignPlayers(holding, target, next) {
  let shown = holding.indexOf(target);
  if (shown === -1) shown = holding[0] === next ? 1 : 0;
  return { shown, waiting: 1 - shown };
}

// The time between the two last frames on screen, when it is a plausible one; else what it was.
export function frameGap(previousS, nowS, gapS = DEFAULT_FRAME_S) {
  const gap = previousS === null ? 0 : nowS - previousS;
  return gap > 0.001 && gap < 0.25 ? gap : gapS;
}

// Whether to stop now to hold the span's end `toS`: the next frame (or look, frameS from now) would be
// at or past it.
export function reachedEnd(mediaS, toS, frameS = DEFAULT_FRAME_S) {
  return mediaS + frameS >= toS - EPSILON_S;
}

// -- a player: one <video>, one span ------------------------------------------------------------------

const once = (video, type) =>
  new Promise((resolve) => {
    video.addEventListener(type, resolve, { once: true });
    video.addEventListener("error", resolve, { once: true });
  });

class Player {
  constructor(video, onChange) {
    Object.assign(this, { video, onChange, slide: -1, fromS: 0, toS: 0, state: "empty", token: 0 });
    this.frameS = DEFAULT_FRAME_S;
    this.lastMediaS = null;
    this.watch();
    for (const type of ["play", "pause", "playing"]) video.addEventListener(type, () => onChange());
  }

  // Load a slide's span and wait, paused, on its first frame. False when another cue came first.
  async cue(slide, index) {
    const { video } = this;
    const token = ++this.token;
    this.slide = index;
    this.fromS = Number(slide.dataset.fromMs) / 1000;
    this.toS = Number(slide.dataset.toMs) / 1000;
    this.state = "cueing";
    video.pause();
    if (video.getAttribute("src") !== slide.dataset.media) {
      video.src = slide.dataset.media;
      // The item's clip's captions (its transcript), on or off as the Captions button says.
      const captions = slide.dataset.captionsSrc
        ? { src: slide.dataset.captionsSrc, language: slide.dataset.captionsLanguage, label: slide.dataset.captionsLabel }
        : null;
      setTrack(video, captions, toggles[0]?.on ?? false);
      await once(video, "loadedmetadata");
    } else if (video.readyState < 1) {
      await once(video, "loadedmetadata");
    }
    if (token !== this.token) return false;
    if (Math.abs(video.currentTime - this.fromS) > EPSILON_S) {
      video.currentTime = this.fromS;
      await once(video, "seeked");
      if (token !== this.token) return false;
    }
    this.state = "ready";
    return true;
  }

  // Play: from the start of the span, or on from where it was paused.
  async play() {
    const { video } = this;
    if (this.state === "held" || this.state === "idle") video.currentTime = this.fromS;
    this.state = "playing";
    this.lastMediaS = null;
    try {
      await video.play();
    } catch {
      if (this.state === "playing") this.state = "paused"; // no gesture yet: P or the button plays
      this.onChange();
    }
  }

  pause() {
    if (this.state === "playing") this.state = "paused";
    this.video.pause();
  }

  toggle() {
    if (this.state === "cueing") return; // it plays once it is there
    if (this.state === "playing") this.pause();
    else this.play();
  }

  // Left: paused; shown again, it plays from the start.
  stop() {
    if (this.state !== "empty" && this.state !== "cueing") this.state = "idle";
    this.video.pause();
  }

  // The end of the span: pause and show the frame at it, as long as the slide shows.
  hold() {
    this.state = "held";
    this.video.pause();
    this.video.currentTime = this.toS;
  }

  // Stop at the span's end: on the frame before it (frame callbacks), else as soon as the clock is there.
  watch() {
    const { video } = this;
    if ("requestVideoFrameCallback" in video) {
      const onFrame = (_now, frame) => {
        if (this.state === "playing") {
          this.frameS = frameGap(this.lastMediaS, frame.mediaTime, this.frameS);
          this.lastMediaS = frame.mediaTime;
          if (reachedEnd(frame.mediaTime, this.toS, this.frameS)) this.hold();
        }
        video.requestVideoFrameCallback(onFrame);
      };
      video.requestVideoFrameCallback(onFrame);
    } else {
      const look = () => {
        if (this.state !== "playing") return;
        if (reachedEnd(video.currentTime, this.toS, 1 / 60)) this.hold();
        else requestAnimationFrame(look);
      };
      video.addEventListener("playing", () => requestAnimationFrame(look));
    }
    video.addEventListener("timeupdate", () => {
      if (this.state === "playing" && reachedEnd(video.currentTime, this.toS, 0)) this.hold();
    });
    video.addEventListener("ended", () => {
      if (this.state === "playing") this.hold();
    });
  }
}

// -- the presentation -----------------------------------------------------------------------------

const scrollsSideways = (element) => element !== null && element.scrollWidth > element.clientWidth;

class Presentation {
  constructor(root) {
    this.root = root;
    this.slides = [...root.querySelectorAll(".slide")];
    this.isItem = this.slides.map((slide) => slide.classList.contains("slide-item"));
    this.stage = root.querySelector(".stage");
    this.park = root.querySelector(".stage-park");
    this.players = [...this.stage.querySelectorAll("video")].map((video) => new Player(video, () => this.refreshButtons()));
    this.shown = 0;
    this.index = -1;
    this.fullscreenEndedAt = -Infinity;
    this.status = root.querySelector(".present-status");
    this.counter = root.querySelector(".counter-now");
    this.buttons = Object.fromEntries([...root.querySelectorAll(".present-controls [data-action]")].map((b) => [b.dataset.action, b]));

    document.addEventListener("keydown", (event) => this.onKey(event));
    root.querySelector(".present-controls").addEventListener("click", (event) => {
      const button = event.target.closest("button[data-action]");
      if (!button) return;
      // Clicked with a mouse or a finger: let go of the focus, so that Space goes on to the next slide
      // instead of pressing this button again (from the keyboard, detail is 0 and the focus stays).
      if (event.detail > 0) button.blur();
      this.act(button.dataset.action);
    });
    this.stage.addEventListener("click", (event) => {
      if (event.target === this.players[this.shown].video) this.act("play");
    });
    if (!document.fullscreenEnabled) this.buttons.fullscreen.hidden = true;
    this.fullscreen = false; // as the last fullscreenchange said: a key event can come before that event does
    document.addEventListener("fullscreenchange", () => {
      this.fullscreen = Boolean(document.fullscreenElement);
      if (!this.fullscreen) this.fullscreenEndedAt = performance.now();
      this.buttons.fullscreen.setAttribute("aria-pressed", String(this.fullscreen));
    });
    this.show(0, false);
  }

  onKey(event) {
    if (event.defaultPrevented || event.repeat) return;
    const action = actionForKey(event);
    if (!action) return;
    const target = event.target instanceof Element ? event.target : document.body;
    if (target.closest("input, select, textarea, [contenteditable]")) return;
    if ((event.key === " " || event.key === "Enter") && target.closest("button, summary")) return; // it presses the button
    if (event.key.startsWith("Arrow") && scrollsSideways(target.closest("[tabindex]"))) return; // the figures table scrolls
    event.preventDefault();
    this.act(action);
  }

  act(action) {
    const player = this.players[this.shown];
    switch (action) {
      case "next":
        return this.show(this.index + 1);
      case "previous":
        return this.show(this.index - 1);
      case "first":
        return this.show(0);
      case "last":
        return this.show(this.slides.length - 1);
      case "play":
        if (this.isItem[this.index] && !this.stillsOnly) player.toggle();
        return this.refreshButtons();
      case "notes":
        return this.toggle("notes-hidden", "notes", (on) => !on);
      case "stills":
        if (this.toggle("stills-only", "stills", (on) => on)) player.pause();
        return this.refreshButtons();
      case "fullscreen":
        if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
        else document.documentElement.requestFullscreen?.().catch(() => {});
        return undefined;
      case "captions":
        return toggles[0]?.button.click();
      case "leave":
        return this.leave();
      default:
        return undefined;
    }
  }

  // A display option: a class on the presentation, its button pressed or not. True when now on.
  toggle(className, button, pressed) {
    const on = this.root.classList.toggle(className);
    this.buttons[button].setAttribute("aria-pressed", String(pressed(on)));
    return on;
  }

  get stillsOnly() {
    return this.root.classList.contains("stills-only");
  }

  leave() {
    const inFullscreen = Boolean(document.fullscreenElement) || this.fullscreen;
    const what = escapeAction(inFullscreen, performance.now() - this.fullscreenEndedAt);
    if (what === "exit-fullscreen" && document.fullscreenElement) document.exitFullscreen().catch(() => {});
    if (what === "leave") window.location.assign(this.root.dataset.leave);
  }

  show(index, announce = true) {
    const to = Math.min(Math.max(index, 0), this.slides.length - 1);
    if (to === this.index) return;
    if (this.index >= 0) this.slides[this.index].hidden = true;
    this.index = to;
    const slide = this.slides[to];
    slide.hidden = false;
    this.counter.textContent = String(to + 1);
    if (announce) this.status.textContent = slide.dataset.announce;
    for (const player of this.players) player.stop();
    const next = nextItemSlide(this.isItem, to);
    if (this.isItem[to]) this.enterItem(slide, to, next);
    else {
      this.park.append(this.stage);
      if (next !== -1) {
        const { shown } = assignPlayers(this.players.map((p) => p.slide), next, -1);
        this.players[shown].cue(this.slides[next], next);
      }
    }
    this.refreshButtons();
  }

  async enterItem(slide, index, next) {
    const { shown, waiting } = assignPlayers(this.players.map((p) => p.slide), index, next);
    this.shown = shown;
    const player = this.players[shown];
    this.players.forEach((p, i) => {
      p.video.classList.toggle("on-screen", i === shown);
      if (i === shown) {
        p.video.removeAttribute("aria-hidden");
        p.video.setAttribute("aria-label", slide.querySelector("h2").textContent.trim());
      } else {
        p.video.setAttribute("aria-hidden", "true");
        p.video.removeAttribute("aria-label");
      }
    });
    slide.querySelector(".stage-slot").append(this.stage);
    if (next !== -1) this.players[waiting].cue(this.slides[next], next);
    const cued = await player.cue(slide, index);
    if (cued && this.index === index && !this.stillsOnly) await player.play();
    this.refreshButtons();
  }

  refreshButtons() {
    const { previous, next, play } = this.buttons;
    previous.setAttribute("aria-disabled", String(this.index === 0));
    next.setAttribute("aria-disabled", String(this.index === this.slides.length - 1));
    const player = this.players[this.shown];
    const playable = this.isItem[this.index] && !this.stillsOnly;
    play.setAttribute("aria-disabled", String(!playable));
    const playing = playable && !player.video.paused;
    play.querySelector(".play-label").textContent = playing ? this.root.dataset.msgPause : this.root.dataset.msgPlay;
  }
}

const root = globalThis.document?.getElementById("present");
if (root) new Presentation(root);
