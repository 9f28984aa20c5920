// Follow clips that are still processing, without reloading the page: the progress bar on the clip
// page (which turns into the player when the clip is ready), the state in a case's clip list, and
// a clip just uploaded from the case page.
import { getJSON } from "./api.js";
import { startPlayer } from "./player.js";

const POLL_MS = 1500;

// Calls onProgress(clip) while the clip is processing, then onDone(clip) once, ready or failed.
export async function followClip(apiUrl, onProgress, onDone) {
  try {
    const { body: clip } = await getJSON(apiUrl);
    if (clip.status !== "processing") return onDone(clip);
    onProgress(clip);
  } catch { /* a missed poll is retried */ }
  setTimeout(() => followClip(apiUrl, onProgress, onDone), POLL_MS);
}

function showProgress(element, clip) {
  const progress = element.querySelector("progress");
  if (progress) progress.value = clip.progress;
  const status = element.querySelector(".status");
  if (status) status.textContent = status.textContent.replace(/\s*\d+%$/, "") + (clip.progress ? ` ${clip.progress}%` : "");
}

function finishClipPage(card, clip) {
  if (clip.status === "failed") {
    card.querySelector(".error").textContent = clip.error;
    card.querySelector(".error").hidden = false;
    card.querySelectorAll("progress, .status, .muted").forEach((e) => e.remove());
    return;
  }
  card.remove();
  const player = document.querySelector(".player");
  if (!player) return; // consent withdrawn meanwhile: the page says why
  const video = player.querySelector("video");
  video.poster = video.dataset.poster;
  video.src = video.dataset.src;
  player.hidden = false;
  startPlayer();
}

function finishListItem(item, clip) {
  const status = item.querySelector(".status");
  status.className = `status status-${clip.status}`;
  status.textContent = clip.status === "ready" ? item.dataset.labelReady : item.dataset.labelFailed;
  item.dataset.status = clip.status;
  const placeholder = item.querySelector(".placeholder");
  if (clip.status === "ready" && placeholder && !clip.media_refusal) {
    const img = document.createElement("img");
    Object.assign(img, { className: "poster", alt: "", width: 160, src: item.dataset.poster });
    placeholder.replaceWith(img);
  }
}

document.querySelectorAll("[data-clip-status][data-status=processing]").forEach((card) =>
  followClip(card.dataset.api, (clip) => showProgress(card, clip), (clip) => finishClipPage(card, clip)));
document.querySelectorAll(".clip-card[data-status=processing]").forEach((item) =>
  followClip(item.dataset.api, (clip) => showProgress(item, clip), (clip) => finishListItem(item, clip)));
