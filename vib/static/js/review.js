// The review screen: filter the moment cards (the filters live in the URL, so a link keeps them),
// play a moment in the page's player (a span stops at its end), and print the cards with their stills.
import { formatTime } from "./util.js";

const review = document.querySelector(".review");
const cards = [...document.querySelectorAll(".moment-card")];
// Supervision feedback on a time range has a row of its own between the moments: it plays like one,
// and steps aside while a filter picks moments.
const feedbackCards = [...document.querySelectorAll(".feedback-card")];
const filters = document.querySelector(".review-filters");
const count = document.querySelector(".moment-count");
const noMatch = document.querySelector(".no-match");
const activeFilters = document.querySelector(".active-filters");
const player = document.querySelector(".review-player");
const video = player?.querySelector("video");
const nowPlaying = player?.querySelector(".now-playing");
const printButton = document.querySelector(".print-button");
const FILTERS = ["code", "actor", "tag"];

const message = (name, values) =>
  Object.entries(values).reduce((text, [key, value]) => text.replaceAll(`{${key}}`, value), review.dataset[name] ?? "");

// -- filters ---------------------------------------------------------------------------------------

function matches(card, wanted) {
  const words = (name) => (card.dataset[name] || "").split(" ");
  return (!wanted.code || words("codes").includes(wanted.code))
    && (!wanted.actor || card.dataset.actor === wanted.actor)
    && (!wanted.tag || words("tags").includes(wanted.tag));
}

function wantedNow() {
  return Object.fromEntries(FILTERS.map((name) => [name, filters.elements[name].value]));
}

function applyFilters() {
  const wanted = wantedNow();
  let shown = 0;
  for (const card of cards) {
    card.hidden = !matches(card, wanted);
    if (!card.hidden) shown += 1;
  }
  count.textContent = message("msgCount", { shown, total: cards.length });
  // On paper, say which filters made the selection.
  activeFilters.textContent = FILTERS.filter((name) => wanted[name]).map((name) => {
    const select = filters.elements[name];
    return `${select.closest("label").firstChild.textContent.trim()}: ${select.selectedOptions[0].textContent.trim()}`;
  }).join(" · ");
  noMatch.hidden = shown > 0;
  const filtering = FILTERS.some((name) => wanted[name]);
  for (const card of feedbackCards) card.hidden = filtering;
  return wanted;
}

function keepInUrl(wanted) {
  const url = new URL(window.location.href);
  for (const name of FILTERS) {
    if (wanted[name]) url.searchParams.set(name, wanted[name]);
    else url.searchParams.delete(name);
  }
  window.history.replaceState(window.history.state, "", url);
}

function startFilters() {
  const params = new URLSearchParams(window.location.search);
  for (const name of FILTERS) {
    const select = filters.elements[name];
    const value = params.get(name);
    if (value && [...select.options].some((option) => option.value === value)) select.value = value;
  }
  filters.hidden = false;
  filters.addEventListener("change", () => keepInUrl(applyFilters()));
  filters.addEventListener("submit", (event) => event.preventDefault());
  filters.querySelector(".show-all").addEventListener("click", () => {
    for (const name of FILTERS) filters.elements[name].value = "";
    keepInUrl(applyFilters());
  });
  applyFilters();
}

// -- playing a moment ------------------------------------------------------------------------------

let stopAt = null; // seconds: where a playing span ends
let seekingForMoment = false;

function markPlaying(card) {
  for (const other of [...cards, ...feedbackCards]) other.classList.toggle("playing", other === card);
}

function playMoment(card) {
  const start = Number(card.dataset.startMs);
  const end = card.dataset.endMs ? Number(card.dataset.endMs) : null;
  stopAt = end === null ? null : end / 1000;
  seekingForMoment = true;
  video.currentTime = start / 1000;
  video.play().catch(() => {}); // refused only without a user gesture; the picture is there anyway
  markPlaying(card);
  nowPlaying.textContent = message("msgPlaying", { time: formatTime(start) });
  if (player.getBoundingClientRect().bottom < 0) player.scrollIntoView({ block: "nearest" });
}

function stopAtSpanEnd(mediaTime) {
  if (stopAt !== null && mediaTime >= stopAt) {
    video.pause();
    video.currentTime = stopAt; // show the span's last frame
    stopAt = null;
  }
}

function startPlayer() {
  for (const button of document.querySelectorAll(".moment-card .play")) button.hidden = false;
  for (const card of [...cards, ...feedbackCards]) {
    card.classList.add("playable");
    card.addEventListener("click", (event) => {
      if (event.target.closest("a")) return; // "open in coding page" goes there
      playMoment(card);
    });
  }
  // A seek the user makes (controls, keys) ends "play this span".
  video.addEventListener("seeking", () => {
    if (!seekingForMoment) stopAt = null;
    seekingForMoment = false;
  });
  video.addEventListener("timeupdate", () => stopAtSpanEnd(video.currentTime));
  if ("requestVideoFrameCallback" in video) {
    // Frame-accurate: the frame on screen, not the coarse timeupdate clock.
    const onFrame = (_now, frame) => {
      stopAtSpanEnd(frame.mediaTime);
      video.requestVideoFrameCallback(onFrame);
    };
    video.requestVideoFrameCallback(onFrame);
  }
}

// -- printing --------------------------------------------------------------------------------------

function eagerImages() {
  const images = cards.filter((card) => !card.hidden).flatMap((card) => [...card.querySelectorAll("img")]);
  for (const image of images) image.loading = "eager";
  return images;
}

async function printCards() {
  const label = printButton.textContent;
  printButton.disabled = true;
  printButton.textContent = review.dataset.msgPreparing;
  try {
    // Lazy images below the fold are not loaded yet: load them all before the print dialog opens.
    await Promise.all(eagerImages().map((image) => image.decode().catch(() => {})));
  } finally {
    printButton.disabled = false;
    printButton.textContent = label;
  }
  window.print();
}

// -- start -----------------------------------------------------------------------------------------

for (const card of cards) {
  if (card.dataset.colour) card.style.setProperty("--code-colour", card.dataset.colour);
}
if (filters) startFilters();
if (video) startPlayer();
if (printButton) {
  printButton.hidden = false;
  printButton.addEventListener("click", printCards);
}
window.addEventListener("beforeprint", eagerImages); // Ctrl+P: as many stills as the browser waits for
