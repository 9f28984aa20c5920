// The coding page (/clips/<id>/coding): wires the player, the timeline, the moment list, the side
// panel and the keyboard to one moment store, and shows whether every change is saved.
// The review page (/reviews/<id>) is the same page with the supervision feedback panel beside it
// (feedback.js, loaded only there); both show feedback in the timeline's "Feedback" lane.
import { getJSON } from "./api.js";
import { FeedbackStore } from "./feedback-store.js";
import { Frames } from "./frames.js";
import { Hotkeys } from "./hotkeys.js";
import { MomentList } from "./moment-list.js";
import { MomentPanel } from "./moment-panel.js";
import { MomentStore } from "./moments.js";
import { Playback } from "./playback.js";
import { Timeline } from "./timeline.js";
import { fill, formatTime } from "./util.js";

const root = document.querySelector(".coding");
const PROBLEM_SHOWN_MS = 12000;

function problemArea() {
  const element = root.querySelector(".coding-problem");
  let timer = 0;
  return (message) => {
    element.textContent = message;
    element.hidden = false;
    clearTimeout(timer);
    timer = setTimeout(() => { element.hidden = true; }, PROBLEM_SHOWN_MS);
  };
}

async function loadFrames(url) {
  for (;;) {
    const { status, body } = await getJSON(url);
    if (status !== 202 && body.times_ms) return new Frames(body.times_ms);
    await new Promise((resolve) => setTimeout(resolve, 2000)); // still being measured
  }
}

function wireTransport(playback, timeline, messages) {
  const video = playback.video;
  const play = root.querySelector("[data-transport=play]");
  const showState = () => {
    const playing = playback.playing;
    play.textContent = playing ? "❚❚" : "▶";
    play.setAttribute("aria-label", playing ? messages.pause : messages.play);
    play.title = play.getAttribute("aria-label");
  };
  video.addEventListener("play", showState);
  video.addEventListener("pause", showState);
  showState();
  play.addEventListener("click", () => playback.toggle());
  video.addEventListener("click", () => playback.toggle());
  root.querySelector("[data-transport=back]").addEventListener("click", () => playback.stepFrames(-1));
  root.querySelector("[data-transport=forward]").addEventListener("click", () => playback.stepFrames(1));
  const mute = root.querySelector("[data-transport=mute]");
  mute.addEventListener("click", () => { video.muted = !video.muted; mute.setAttribute("aria-pressed", String(video.muted)); });
  const speed = root.querySelector("select[name=speed]");
  speed.addEventListener("change", () => playback.setRate(Number(speed.value)));
  video.addEventListener("ratechange", () => { speed.value = String(video.playbackRate); });
  const zoom = (name) => root.querySelector(`[data-zoom=${name}]`);
  zoom("in").addEventListener("click", () => timeline.zoomBy(2));
  zoom("out").addEventListener("click", () => timeline.zoomBy(0.5));
  zoom("fit").addEventListener("click", () => timeline.zoomToFit());
  timeline.addEventListener("zoom", ({ detail }) => {
    zoom("out").disabled = detail.fitted;
    zoom("fit").disabled = detail.fitted;
    zoom("in").disabled = detail.max;
  });
  zoom("out").disabled = zoom("fit").disabled = timeline.fitted;
}

// A link such as the review screen's ".../coding#t=61240" opens the page at that time, with the
// moment that starts there selected.
function openLinkedMoment(page, store, playback) {
  const t = Number(/(?:^#|&)t=(\d+)/.exec(window.location.hash)?.[1] ?? NaN);
  if (!Number.isFinite(t)) return;
  const moment = store.sorted.find((m) => m.start_ms === t);
  if (moment) page.select(moment.key, { seek: true });
  else playback.seek(t);
}

async function start() {
  const data = JSON.parse(document.getElementById("coding-data").textContent);
  const messages = JSON.parse(document.getElementById("coding-messages").textContent);
  const scheme = data.scheme;
  const readOnly = !data.may_code;
  const showProblem = problemArea();
  let frames;
  let list;
  try {
    [frames, { body: list }] = await Promise.all([loadFrames(data.urls.frames), getJSON(data.urls.moments)]);
  } catch (error) {
    showProblem(fill(messages.loadFailed, { error: error.message }));
    return;
  }
  root.querySelectorAll("[data-colour]").forEach((swatch) => { swatch.style.background = swatch.dataset.colour; });

  const playback = new Playback(root.querySelector("video"), frames);
  const store = new MomentStore({ listUrl: data.urls.moments, momentUrl: (id) => `${data.urls.moment}${id}`, scheme, messages });
  // Another author's moment (the worker's, for a supervisor) is shown, not changed.
  const removeMoment = store.remove.bind(store);
  store.remove = (key) => (store.get(key)?.editable === false ? showProblem(messages.notYours) : removeMoment(key));
  const feedback = data.feedback ? new FeedbackStore(data.feedback.items, data.feedback.kind_labels) : null;
  const timeline = new Timeline(root.querySelector(".timeline"), { store, frames, lanes: scheme.actors.map((a) => a.id), readOnly, feedback });
  const momentList = new MomentList(root.querySelector(".moment-list"), {
    store, actorLabels: Object.fromEntries(scheme.actors.map((a) => [a.id, a.label])), feedback,
  });
  const panel = new MomentPanel(root.querySelector(".moment-panel"), { store, scheme, playback, readOnly, messages, onProblem: showProblem, feedback });

  const openSpan = root.querySelector(".open-span");
  const page = Object.assign(new EventTarget(), {
    selected: null,
    // Selecting on the timeline must not scroll it (the pointer may be about to drag an edge).
    select(key, { seek = false, reveal = false } = {}) {
      const moment = key ? store.get(key) : null;
      page.selected = moment ? key : null;
      timeline.setSelected(page.selected);
      momentList.setSelected(page.selected);
      panel.show(page.selected);
      if (moment && seek) playback.seek(moment.start_ms); // seeking reveals it
      else if (moment && reveal) timeline.reveal(moment.start_ms);
      page.dispatchEvent(new CustomEvent("select", { detail: page.selected }));
    },
    // A feedback item chosen on the timeline or in the feedback panel: its moment (if it is still
    // there and shown) is selected, else the player goes to its time.
    showFeedback(id) {
      const item = feedback?.get(id);
      if (!item) return;
      timeline.setFeedbackSelected(id);
      const moment = store.withId(item.moment_id);
      if (moment) page.select(moment.key, { seek: true });
      else if (item.start_ms !== null) playback.seek(item.start_ms);
      page.dispatchEvent(new CustomEvent("feedback", { detail: id }));
    },
    travel(direction) {
      const key = store[direction]();
      if (key === null) showProblem(direction === "undo" ? messages.nothingToUndo : messages.nothingToRedo);
      else page.select(store.get(key) ? key : null, { reveal: true });
    },
    // [ and ]: the moment before or after the selected one, or else before/after the playhead.
    neighbour(direction) {
      const sorted = store.sorted;
      const selected = page.selected && store.get(page.selected);
      const frame = playback.frameMs();
      let i;
      if (selected && selected.start_ms === frame) i = sorted.indexOf(selected) + direction;
      else if (direction > 0) i = sorted.findIndex((m) => m.start_ms > frame);
      else i = sorted.findLastIndex((m) => m.start_ms < frame);
      if (i >= 0 && i < sorted.length) page.select(sorted[i].key, { seek: true });
    },
    showOpenSpan(open) {
      openSpan.hidden = !open;
      if (open) openSpan.textContent = fill(messages.spanOpen, { code: open.code.label, time: formatTime(open.startMs), key: open.key });
    },
  });

  const saveStatus = root.querySelector(".save-status");
  store.addEventListener("status", ({ detail }) => {
    saveStatus.dataset.state = detail;
    saveStatus.textContent = messages[detail];
  });
  store.addEventListener("problem", ({ detail }) => showProblem(detail));
  store.addEventListener("change", ({ detail }) => {
    if (detail.kind === "remove" && detail.moment.key === page.selected) page.select(null);
  });
  window.addEventListener("beforeunload", (e) => {
    if (!store.pending) return;
    e.preventDefault();
    e.returnValue = ""; // browsers show their own "leave page?" text
  });

  timeline.addEventListener("select", ({ detail }) => page.select(detail));
  timeline.addEventListener("seek", ({ detail }) => playback.seek(detail));
  timeline.addEventListener("edit", ({ detail }) => store.update(detail.key, detail.changes));
  timeline.addEventListener("feedback", ({ detail }) => page.showFeedback(detail));
  momentList.addEventListener("choose", ({ detail }) => page.select(detail, { seek: true }));

  const timeNow = root.querySelector(".time-now");
  const frameNow = root.querySelector(".frame-now");
  playback.addEventListener("tick", ({ detail: ms }) => {
    const playing = playback.playing;
    timeline.setPlayhead(ms, playing);
    momentList.setCurrent(store.keyAt(ms), playing);
    const frame = frames.at(ms);
    timeNow.textContent = formatTime(frame);
    frameNow.textContent = fill(messages.frameOf, { n: frames.indexAt(frame) + 1, count: frames.count });
  });
  playback.addEventListener("seek", ({ detail }) => timeline.reveal(detail));

  wireTransport(playback, timeline, messages);
  new Hotkeys({ page, playback, store, timeline, codes: scheme.codes, readOnly });
  store.load(list);
  playback.dispatchEvent(new CustomEvent("tick", { detail: frames.at(playback.video.currentTime * 1000) }));
  openLinkedMoment(page, store, playback);
  window.addEventListener("hashchange", () => openLinkedMoment(page, store, playback));
  if (data.review) {
    const { FeedbackPanel } = await import("./feedback.js");
    new FeedbackPanel(document.querySelector(".feedback-panel"), {
      page, store, feedback, playback, review: data.review, ui: data.review_ui, onProblem: showProblem,
    });
  }
  root.dataset.ready = "true"; // for tests and for styles that wait for the script
}

if (root) start();
