// Follow clips that are still processing, without reloading the page: the progress bar on the clip
// page (which turns into the player when the clip is ready) and the state in a case's clip list.
import { getJSON } from "./api.js";
import { startPlayer } from "./player.js";

const POLL_MS = 1500;

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
  if (clip.status === "ready" && placeholder) {
    const img = document.createElement("img");
    Object.assign(img, { className: "poster", alt: "", width: 160, src: item.dataset.poster });
    placeholder.replaceWith(img);
  }
}

async function follow(element, finish) {
  try {
    const { body: clip } = await getJSON(element.dataset.api);
    if (clip.status !== "processing") return finish(element, clip);
    showProgress(element, clip);
  } catch { /* a missed poll is retried */ }
  setTimeout(() => follow(element, finish), POLL_MS);
}

document.querySelectorAll("[data-clip-status][data-status=processing]").forEach((e) => follow(e, finishClipPage));
document.querySelectorAll(".clip-card[data-status=processing]").forEach((e) => follow(e, finishListItem));
