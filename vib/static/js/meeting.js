// Preparing a progress meeting (meetings/meeting.html): save an item's talking point and rolls, move
// and remove items, add moments of the case's clips (filtered by code, cycle, "better than usual"),
// and play two items side by side from their starts (before and after). A change that reorders the
// list reloads the page, which the server renders; what happened is said after the reload.
import { sendJSON } from "./api.js";
import { setTrack, toggles } from "./captions.js";
import { markField, say } from "./form-status.js";
import { fill } from "./util.js";

const root = document.getElementById("meeting");
const NOTICE_KEY = "vib-meeting-notice";

if (root) {
  const msg = root.dataset;
  const status = root.querySelector(".meeting-status");
  const notice = JSON.parse(sessionStorage.getItem(NOTICE_KEY) ?? "null");
  if (notice) {
    sessionStorage.removeItem(NOTICE_KEY);
    status.textContent = notice.text;
    const target = document.getElementById(notice.focusId);
    if (target) {
      target.setAttribute("tabindex", "-1");
      target.focus();
    }
  }
  // Say what happened, and put the focus where it happened, once the page has reloaded.
  const reloadSaying = (text, focusId) => {
    sessionStorage.setItem(NOTICE_KEY, JSON.stringify({ text, focusId }));
    window.location.reload();
  };

  // -- items ---------------------------------------------------------------------------------------
  for (const item of root.querySelectorAll(".meeting-item")) {
    const form = item.querySelector(".item-form");
    const api = item.dataset.itemApi;
    const seconds = (name) => Math.round(Number(form.elements.namedItem(name).value || 0) * 1000);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        await sendJSON("PATCH", api, {
          talking_point: form.elements.namedItem("talking_point").value,
          pre_roll_ms: seconds("pre_roll"),
          post_roll_ms: seconds("post_roll"),
        });
        say(form, msg.msgSaved);
      } catch (error) {
        say(form, error.message, true);
        markField(form, { field: { pre_roll_ms: "pre_roll", post_roll_ms: "post_roll" }[error.field] ?? error.field });
      }
    });
    const move = async (by) => {
      const position = Number(item.dataset.position) + by;
      try {
        await sendJSON("PATCH", api, { position });
        reloadSaying(fill(msg.msgMoved, { n: position + 1 }), item.id);
      } catch (error) {
        say(form, error.message, true);
      }
    };
    item.querySelector(".move-up").addEventListener("click", () => move(-1));
    item.querySelector(".move-down").addEventListener("click", () => move(1));
    item.querySelector(".remove").addEventListener("click", async () => {
      try {
        await sendJSON("DELETE", api);
        reloadSaying(msg.msgRemoved, "items-heading");
      } catch (error) {
        say(form, error.message, true);
      }
    });
  }

  // -- picking moments -----------------------------------------------------------------------------
  const filters = root.querySelector(".moment-filters");
  const rows = [...root.querySelectorAll(".moment-picker li")];
  const count = root.querySelector(".picker-count");
  const applyFilters = () => {
    const code = filters.elements.namedItem("code").value;
    const cycle = filters.elements.namedItem("cycle").value;
    const strength = filters.elements.namedItem("strength").checked;
    let shown = 0;
    for (const row of rows) {
      const visible = (!code || row.dataset.code === code) && (!cycle || row.dataset.cycle === cycle)
        && (!strength || row.dataset.strength === "true");
      row.hidden = !visible;
      shown += visible;
    }
    count.textContent = fill(msg.msgShown, { n: shown, total: rows.length });
  };
  filters?.addEventListener("change", applyFilters);
  filters?.addEventListener("submit", (event) => event.preventDefault());
  for (const row of rows) {
    row.querySelector(".add-moment").addEventListener("click", async () => {
      try {
        const item = await sendJSON("POST", msg.itemsApi, { clip_id: Number(row.dataset.clip), moment_id: Number(row.dataset.moment) });
        reloadSaying(fill(msg.msgAdded, { n: item.position + 1 }), `item-${item.id}`);
      } catch (error) {
        status.textContent = error.message;
      }
    });
  }

  // -- before and after ----------------------------------------------------------------------------
  const compare = root.querySelector(".before-after");
  if (compare) setUpComparison(compare, JSON.parse(document.getElementById("meeting-items").textContent));
}

// Two items side by side: each video shows its item's span (from its start, without pre-roll, so
// both begin at the moment that matters) and stops at its end; "Play both" starts them together.
function setUpComparison(section, items) {
  const form = section.querySelector(".compare-form");
  const sides = [...section.querySelectorAll(".compare-side")];
  const clock = (ms) => `${Math.floor(ms / 60000)}:${String(Math.floor(ms / 1000) % 60).padStart(2, "0")}.${String(ms % 1000).padStart(3, "0")}`;

  function show(side, item) {
    const video = side.querySelector("video");
    video.dataset.start = item.start_ms;
    video.dataset.end = item.end_ms;
    if (!video.src.endsWith(item.media_url)) {
      video.src = item.media_url;
      setTrack(video, item.captions, toggles.find((t) => t.videos.includes(video))?.on ?? false); // its clip's transcript
    }
    video.addEventListener("loadedmetadata", () => { video.currentTime = item.start_ms / 1000; }, { once: true });
    if (video.readyState >= 1) video.currentTime = item.start_ms / 1000;
    const code = item.moment ? `${item.moment.code_label}, ` : "";
    side.querySelector("figcaption").textContent =
      `${code}${fill(form.dataset.msgCycle, { n: item.cycle })} · ${clock(item.start_ms)}–${clock(item.end_ms)} · ${item.clip_title}`;
    const stills = side.querySelector(".stills");
    stills.replaceChildren(...item.stills.map((still) => Object.assign(document.createElement("img"), {
      src: still.url, alt: clock(still.t_ms), loading: "lazy",
    })));
  }

  function choose() {
    show(sides[0], items[Number(form.elements.namedItem("before").value)]);
    show(sides[1], items[Number(form.elements.namedItem("after").value)]);
  }

  for (const side of sides) {
    const video = side.querySelector("video");
    video.addEventListener("timeupdate", () => {
      if (video.currentTime * 1000 >= Number(video.dataset.end)) {
        video.pause();
        video.currentTime = Number(video.dataset.end) / 1000;
      }
    });
  }
  form.addEventListener("change", choose);
  form.querySelector(".play-both").addEventListener("click", () => {
    for (const side of sides) {
      const video = side.querySelector("video");
      video.currentTime = Number(video.dataset.start) / 1000;
    }
    Promise.all(sides.map((side) => side.querySelector("video").play())).catch(() => { /* a player refused: its own controls remain */ });
  });
  choose();
}
