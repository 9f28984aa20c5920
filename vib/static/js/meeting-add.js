// "Add to a progress meeting" on the coding page and the review screen: the chosen moment of this
// clip, or three seconds from the playhead, posted as an item of the chosen meeting. Like the
// library's tool it follows the page only through its DOM (its video, the selected moment card).
import { getJSON, sendJSON } from "./api.js";
import { say } from "./form-status.js";
import { fill } from "./util.js";

const root = document.getElementById("add-to-meeting");
const form = root?.querySelector(".add-to-meeting-form");
const PLAYHEAD_SPAN_MS = 3000;
const clock = (ms) => `${Math.floor(ms / 60000)}:${String(Math.floor(ms / 1000) % 60).padStart(2, "0")}.${String(ms % 1000).padStart(3, "0")}`;

if (form) {
  const msg = root.dataset;
  const field = (name) => form.elements.namedItem(name);
  const video = document.querySelector(".coding video, .review-player video, video");

  field("moment").addEventListener("focus", async () => {
    const select = field("moment");
    const chosen = select.value;
    let moments;
    try {
      ({ body: moments } = await getJSON(msg.moments));
    } catch {
      return;
    }
    select.replaceChildren(select.options[0]);
    for (const moment of moments) {
      const time = moment.end_ms == null ? clock(moment.start_ms) : `${clock(moment.start_ms)}–${clock(moment.end_ms)}`;
      select.append(new Option(fill(msg.msgMoment, { time, code: moment.code_label }), String(moment.id)));
    }
    select.value = chosen;
  });

  // The review screen: the moment card last played is the one to add.
  document.addEventListener("click", (event) => {
    const card = event.target.closest?.(".moment-card[data-start-ms]");
    const id = card?.id.replace(/^moment-/, "");
    if (!id) return;
    if (![...field("moment").options].some((option) => option.value === id)) field("moment").append(new Option(card.dataset.code ?? id, id));
    field("moment").value = id;
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const meeting = field("meeting").selectedOptions[0];
    const body = { clip_id: Number(msg.clipId), talking_point: field("talking_point").value };
    if (field("moment").value) body.moment_id = Number(field("moment").value);
    else {
      const at = Math.round((video?.currentTime ?? 0) * 1000);
      body.start_ms = Math.min(at, Number(msg.durationMs) - 40);
      body.end_ms = Math.min(Number(msg.durationMs), at + PLAYHEAD_SPAN_MS);
    }
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const item = await sendJSON("POST", meeting.value, body);
      say(form, fill(msg.msgAdded, { meeting: meeting.textContent, n: item.position + 1 }));
      const link = Object.assign(document.createElement("a"), { href: `${meeting.dataset.page}#item-${item.id}`, textContent: msg.msgOpen });
      form.querySelector(".form-status").append(" ", link);
      field("talking_point").value = "";
    } catch (error) {
      say(form, error.message, true);
    } finally {
      button.disabled = false;
    }
  });
}
