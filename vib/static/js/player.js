// The filmstrip under the player: tiles from one sprite, a playhead that follows the video, a
// frame preview where the pointer is, and click (or arrow keys, or a finger's swipe) to go there.
import { getJSON } from "./api.js";
import { fill, formatTime, lastAtOrBefore } from "./util.js";

const player = document.querySelector(".player");
const video = player?.querySelector("video");
const strip = player?.querySelector(".filmstrip");
const durationMs = Number(player?.dataset.durationMs || 0);

function tileStyle(element, index, i, scale) {
  const col = i % index.columns;
  const row = Math.floor(i / index.columns);
  element.style.backgroundImage = `url("${index.sprite_url}")`;
  element.style.backgroundSize = `${index.columns * index.tile_width * scale}px auto`;
  element.style.backgroundPosition = `${-col * index.tile_width * scale}px ${-row * index.tile_height * scale}px`;
}

// The last tile at or before ms: the frame that is on screen there (before the first: the first).
const tileAt = (index, ms) => Math.max(0, lastAtOrBefore(index.times_ms, ms));

function layout(index) {
  const tiles = strip.querySelector(".tiles");
  const height = strip.clientHeight;
  const scale = height / index.tile_height;
  const tileWidth = index.tile_width * scale;
  const count = Math.max(1, Math.ceil(strip.clientWidth / tileWidth));
  tiles.replaceChildren();
  for (let k = 0; k < count; k++) {
    const tile = document.createElement("div");
    tile.className = "tile";
    tile.style.width = `${tileWidth}px`;
    tileStyle(tile, index, tileAt(index, (k * durationMs) / count), scale);
    tiles.append(tile);
  }
}

function msAt(event) {
  const box = strip.getBoundingClientRect();
  const x = Math.min(Math.max(event.clientX - box.left, 0), box.width);
  return Math.round((x / box.width) * durationMs);
}

function showPreview(index, ms) {
  const preview = strip.querySelector(".preview");
  preview.hidden = false;
  tileStyle(preview.querySelector(".frame"), index, tileAt(index, ms), 1);
  preview.querySelector(".frame").style.width = `${index.tile_width}px`;
  preview.querySelector(".frame").style.height = `${index.tile_height}px`;
  preview.querySelector(".time").textContent = formatTime(ms);
  const x = (ms / durationMs) * strip.clientWidth;
  preview.style.left = `${Math.min(Math.max(x - index.tile_width / 2, 0), strip.clientWidth - index.tile_width)}px`;
}

function followVideo() {
  const ms = video.currentTime * 1000;
  strip.querySelector(".playhead").style.left = `${(ms / durationMs) * 100}%`;
  strip.setAttribute("aria-valuenow", String(Math.round(ms)));
  // "0:01.240 of 0:04.000" (the template, translated, is the element's data-valuetext)
  strip.setAttribute("aria-valuetext", fill(strip.dataset.valuetext || "{time}", { time: formatTime(ms), duration: formatTime(durationMs) }));
}

async function loadFilmstrip() {
  const { status, body } = await getJSON(player.dataset.filmstripApi);
  if (status === 202) return setTimeout(loadFilmstrip, 2000); // still being made
  strip.querySelector(".filmstrip-wait").remove();
  layout(body);
  new ResizeObserver(() => layout(body)).observe(strip);
  strip.addEventListener("pointermove", (e) => showPreview(body, msAt(e)));
  strip.addEventListener("pointerleave", () => { strip.querySelector(".preview").hidden = true; });
}

let started = false;

export function startPlayer() {
  if (started) return;
  started = true;
  strip.addEventListener("click", (e) => { video.currentTime = msAt(e) / 1000; });
  // A finger swiped along the filmstrip scrubs: the video follows it (one seek a frame).
  let scrubbing = null;
  strip.addEventListener("pointerdown", (e) => {
    if (e.pointerType !== "touch") return;
    strip.setPointerCapture?.(e.pointerId);
    scrubbing = { id: e.pointerId, ms: msAt(e), frame: 0 };
  });
  strip.addEventListener("pointermove", (e) => {
    if (scrubbing?.id !== e.pointerId) return;
    scrubbing.ms = msAt(e);
    scrubbing.frame ||= requestAnimationFrame(() => {
      if (!scrubbing) return;
      scrubbing.frame = 0;
      video.currentTime = scrubbing.ms / 1000;
    });
  });
  const stopScrubbing = (e) => {
    if (scrubbing?.id !== e.pointerId) return;
    video.currentTime = msAt(e) / 1000;
    scrubbing = null;
  };
  strip.addEventListener("pointerup", stopScrubbing);
  strip.addEventListener("pointercancel", (e) => { if (scrubbing?.id === e.pointerId) scrubbing = null; });
  strip.addEventListener("keydown", (e) => {
    const step = e.shiftKey ? 10 : 1;
    if (e.key === "ArrowRight") video.currentTime = Math.min(video.duration, video.currentTime + step);
    else if (e.key === "ArrowLeft") video.currentTime = Math.max(0, video.currentTime - step);
    else return;
    e.preventDefault();
  });
  video.addEventListener("timeupdate", followVideo);
  video.addEventListener("seeked", followVideo);
  loadFilmstrip().catch((error) => { strip.querySelector(".filmstrip-wait").textContent = error.message; });
}

if (player && !player.hidden) startPlayer();
