// Follow clips that are still processing, without reloading: the progress on the clip page and
// the state in the case's clip list. The page reloads once a clip is ready (to show the player).
import { getJSON } from "./api.js";

const POLL_MS = 1500;
const watched = [...document.querySelectorAll("[data-clip-status], .clip-card[data-status=processing]")];

async function poll(element) {
  try {
    const { body: clip } = await getJSON(element.dataset.api);
    if (clip.status !== "processing") return window.location.reload();
    const progress = element.querySelector("progress");
    if (progress) progress.value = clip.progress;
    const status = element.querySelector(".status");
    if (status) status.textContent = status.textContent.replace(/\s*\d+%$/, "") + (clip.progress ? ` ${clip.progress}%` : "");
  } catch { /* a missed poll is retried */ }
  setTimeout(() => poll(element), POLL_MS);
}

watched.forEach((element) => setTimeout(() => poll(element), POLL_MS));
