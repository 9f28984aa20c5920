// "Propose for the library" on the coding page and the review screen: a span of the clip (a moment,
// the selected one, or the playhead ± 5 s) with pre- and post-roll, posted to the library's API.
// It follows the page through its DOM: the coding page's moment panel (.panel-time) and the review
// screen's moment cards; it knows nothing of their modules.
import { getJSON, sendJSON } from "./api.js";
import { fill } from "./util.js";

const root = document.getElementById("propose-fragment");
const form = root?.querySelector(".propose-form");
const PLAYHEAD_ROLL_S = 5;
// m:ss.mmm, as the pages show times (util.js formatTime).
const clock = (ms) => `${Math.floor(ms / 60000)}:${String(Math.floor(ms / 1000) % 60).padStart(2, "0")}.${String(ms % 1000).padStart(3, "0")}`;
const parseClock = (text) => {
  const found = /(\d+):(\d{2})(?:\.(\d{1,3}))?/.exec(text);
  return found ? Number(found[1]) * 60000 + Number(found[2]) * 1000 + Number((found[3] ?? "0").padEnd(3, "0")) : null;
};
const seconds = (ms) => String(Math.round(ms / 100) / 10);

if (form) setUp();

function setUp() {
  const msg = root.dataset;
  const durationMs = Number(msg.durationMs);
  const field = (name) => form.elements.namedItem(name);
  const select = field("moment");
  const status = form.querySelector(".form-status");
  const summary = form.querySelector(".span-summary");
  const video = document.querySelector(".coding video, .review-player video, video");
  let moments = [];

  function say(message, isError = false, link = null) {
    status.replaceChildren(message);
    if (link) {
      const a = Object.assign(document.createElement("a"), { href: link, textContent: msg.msgFollow });
      status.append(" ", a);
    }
    status.classList.toggle("error", isError);
  }

  function span() {
    const number = (name) => Number(field(name).value || 0) * 1000;
    const from = number("from"), to = Math.max(number("to"), from);
    const start = Math.max(0, Math.round(from - number("pre")));
    const end = Math.min(durationMs, Math.round(to + number("post")));
    return { start_ms: start, end_ms: end };
  }

  function showSpan() {
    if (field("from").value === "") {
      summary.textContent = "";
      return;
    }
    const { start_ms: start, end_ms: end } = span();
    let text = fill(msg.msgSpan, { from: clock(start), to: clock(end), seconds: seconds(end - start) });
    if (end - start < Number(msg.minMs)) text += ` ${msg.msgTooShort}`;
    if (end - start > Number(msg.maxMs)) text += ` ${msg.msgTooLong}`;
    summary.textContent = text;
  }

  function useSpan(startMs, endMs, code) {
    field("from").value = seconds(startMs);
    field("to").value = seconds(endMs ?? startMs);
    if (code) form.querySelectorAll("input[name=codes]").forEach((box) => { box.checked = box.checked || box.value === code; });
    showSpan();
  }

  function usePlayhead() {
    const at = Math.round((video?.currentTime ?? 0) * 1000);
    field("pre").value = PLAYHEAD_ROLL_S;
    field("post").value = PLAYHEAD_ROLL_S;
    useSpan(at, at);
  }

  // The moments to choose from: library candidates first, then the others in time order.
  async function loadMoments() {
    try {
      ({ body: moments } = await getJSON(msg.moments));
    } catch {
      return;
    }
    const chosen = select.value;
    const candidate = (m) => m.tags.includes("library_candidate");
    const ordered = [...moments].sort((a, b) => (candidate(b) - candidate(a)) || a.start_ms - b.start_ms);
    select.replaceChildren(select.options[0]);
    for (const moment of ordered) {
      const time = moment.end_ms == null ? clock(moment.start_ms) : `${clock(moment.start_ms)}–${clock(moment.end_ms)}`;
      const option = new Option(fill(candidate(moment) ? msg.msgCandidate : msg.msgMoment, { time, code: moment.code_label }), String(moment.id));
      select.append(option);
    }
    select.value = chosen;
  }

  select.addEventListener("focus", loadMoments);
  select.addEventListener("change", () => {
    const moment = moments.find((m) => String(m.id) === select.value);
    if (moment) useSpan(moment.start_ms, moment.end_ms, moment.code);
  });
  form.querySelector(".use-playhead").addEventListener("click", () => {
    select.value = "";
    usePlayhead();
  });
  for (const name of ["from", "to", "pre", "post"]) field(name).addEventListener("input", showSpan);

  // The coding page: the moment panel shows the selected moment's time.
  const panelTime = document.querySelector(".moment-panel .panel-time");
  if (panelTime) {
    new MutationObserver(() => {
      const [start, end] = panelTime.textContent.split("–").map(parseClock);
      if (start == null) return;
      const moment = moments.find((m) => m.start_ms === start && (m.end_ms ?? null) === (end ?? null));
      select.value = moment ? String(moment.id) : "";
      useSpan(start, end, moment?.code);
    }).observe(panelTime, { childList: true, characterData: true, subtree: true });
  }
  // The review screen: the moment card last played.
  document.addEventListener("click", (event) => {
    const card = event.target.closest?.(".moment-card[data-start-ms]");
    if (!card) return;
    const end = card.dataset.endMs === undefined ? null : Number(card.dataset.endMs);
    select.value = card.id.replace(/^moment-/, "");
    useSpan(Number(card.dataset.startMs), end, card.dataset.code);
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (field("from").value === "") usePlayhead();
    form.querySelectorAll("[aria-invalid]").forEach((element) => element.removeAttribute("aria-invalid"));
    const data = new FormData(form);
    const body = {
      ...span(),
      title: data.get("title"),
      description: data.get("description"),
      learning_points: data.get("learning_points"),
      codes: data.getAll("codes"),
    };
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const made = await sendJSON("POST", msg.api, body);
      say(msg.msgProposed, false, made.urls.page);
      for (const name of ["title", "description", "learning_points"]) field(name).value = "";
    } catch (error) {
      say(error.message, true);
      const names = { start_ms: "from", end_ms: "to" };
      const wrong = error.field && form.querySelector(`[name=${names[error.field] ?? error.field}]`);
      if (wrong) {
        wrong.setAttribute("aria-invalid", "true");
        if (wrong.closest("details")) wrong.closest("details").open = true;
        wrong.focus();
      }
    } finally {
      button.disabled = false;
    }
  });
  loadMoments();
}
