// The list of moments beside the timeline. Only the rows in (and just around) the list's scroll view
// are in the page; two empty boxes stand in for the rest, so 10,000 moments cost what 40 rows
// cost. Each row says its place (aria-posinset of aria-setsize), so a screen reader still tells
// "345 of 10,000". Row heights differ (a note, tags, a feedback line): each row's height is measured
// when it is shown, and rows never shown count as the average of those measured.
// The row at the playhead is marked by a class (and aria-current="time"; the selected row's button
// has aria-current="true"). The list is the timeline's text alternative: a row says all the timeline
// shows, the tags included.
// Notes and feedback are people's words about a family: always text, never HTML.
// A moment with supervision feedback anchored on it gets a line with the feedback's kind and words.
import { formatTime, partitionPoint } from "./util.js";

const NOTE_EXCERPT = 80;
const OVERSCAN_PX = 400; // rows drawn beyond the view, so that scrolling a little shows no gap
const FIRST_GUESS_PX = 30; // a one-line row, until a row was measured
const PADDING_PX = 5; // coding.css: keeps the first and last row's focus ring inside the scroll box

export class MomentList extends EventTarget {
  constructor(root, { store, actorLabels, tagLabels = {}, feedback = null }) {
    super();
    this.root = root;
    this.list = root.querySelector("ol");
    this.count = root.querySelector(".moment-count");
    this.empty = root.querySelector(".moment-empty");
    this.store = store;
    this.actorLabels = actorLabels;
    this.tagLabels = tagLabels;
    this.feedback = feedback;
    this.rows = new Map(); // key -> row, of the rows in the page
    this.heights = new Map(); // key -> measured height in px
    this.measuredTotal = 0;
    this.offsets = null; // offsets[i]: the top of store.sorted[i]'s row; null when it must be counted again
    this.selected = null;
    this.current = null;
    this.frame = 0;
    store.addEventListener("change", (e) => this.change(e.detail));
    feedback?.addEventListener("change", () => {
      for (const [key, row] of this.rows) this.fillFeedback(row, store.get(key));
      this.render();
    });
    this.list.addEventListener("click", (e) => {
      const row = e.target.closest("li[data-key]");
      if (row) this.dispatchEvent(new CustomEvent("choose", { detail: row.dataset.key }));
    });
    this.list.addEventListener("scroll", () => {
      if (!this.frame) this.frame = requestAnimationFrame(() => { this.frame = 0; this.render(); });
    });
    // The list's height follows the window and the moment panel above it (shown on selecting, after
    // the list scrolled to the selected row): keep that row in view.
    if (typeof ResizeObserver === "function") {
      new ResizeObserver(() => { if (this.selected) this.reveal(this.selected); else this.render(); }).observe(this.list);
    }
  }

  change({ kind, moment }) {
    if (kind === "load") {
      for (const row of this.rows.values()) row.remove();
      this.rows.clear();
      this.heights.clear();
      this.measuredTotal = 0;
    } else if (kind === "remove") {
      this.rows.get(moment.key)?.remove();
      this.rows.delete(moment.key);
      this.forget(moment.key);
    } else if (kind === "update") {
      const row = this.rows.get(moment.key);
      if (row) this.fill(row, moment);
      this.forget(moment.key); // its note or tags may have changed its height
    }
    this.offsets = null;
    this.render();
    this.counted();
  }

  counted() {
    const n = this.store.sorted.length;
    this.count.textContent = String(n);
    this.empty.hidden = n > 0;
  }

  // -- which rows are in the page ------------------------------------------------------------------

  forget(key) {
    if (!this.heights.has(key)) return;
    this.measuredTotal -= this.heights.get(key);
    this.heights.delete(key);
  }

  get guess() {
    return this.heights.size ? this.measuredTotal / this.heights.size : FIRST_GUESS_PX;
  }

  countOffsets() {
    const sorted = this.store.sorted;
    const guess = this.guess;
    const offsets = new Float64Array(sorted.length + 1);
    for (let i = 0; i < sorted.length; i++) offsets[i + 1] = offsets[i] + (this.heights.get(sorted[i].key) ?? guess);
    this.offsets = offsets;
  }

  // Put the rows that the view shows in the page, in time order, and the padding for the rest. A
  // row keeps its element while it stays in view (a focused row is never taken out and put back,
  // which would lose the focus), and the focused row stays even when scrolled away.
  render() {
    const sorted = this.store.sorted;
    if (!this.offsets || this.offsets.length !== sorted.length + 1) this.countOffsets();
    const offsets = this.offsets;
    const top = Math.max(0, this.list.scrollTop - PADDING_PX - OVERSCAN_PX);
    const bottom = this.list.scrollTop + (this.list.clientHeight || 600) + OVERSCAN_PX;
    const from = Math.max(0, partitionPoint(offsets, (y) => y <= top) - 1);
    const to = Math.min(sorted.length, partitionPoint(offsets, (y) => y < bottom));
    const wanted = new Set();
    for (let i = from; i < to; i++) wanted.add(sorted[i].key);
    const focusedKey = this.keyOf(document.activeElement);
    if (focusedKey && this.store.get(focusedKey)) wanted.add(focusedKey);
    for (const [key, row] of this.rows) {
      if (!wanted.has(key)) { row.remove(); this.rows.delete(key); }
    }
    let previous = null;
    for (const key of this.inOrder(wanted, from, to, focusedKey)) {
      const row = this.rows.get(key) ?? this.makeRow(this.store.get(key));
      const next = previous ? previous.nextElementSibling : this.list.firstElementChild;
      if (row !== next) this.list.insertBefore(row, next);
      previous = row;
    }
    for (const [key, row] of this.rows) {
      row.setAttribute("aria-posinset", String(this.indexOf(key) + 1));
      row.setAttribute("aria-setsize", String(sorted.length));
    }
    if (this.measure()) this.countOffsets();
    // Two empty boxes before and after the rows (the list's ::before and ::after, coding.css) stand
    // for the rows not in the page; a focused row kept outside the window takes its height from them.
    const total = this.offsets[sorted.length];
    let above = this.offsets[from];
    let below = total - this.offsets[to];
    if (focusedKey && !(this.indexOf(focusedKey) >= from && this.indexOf(focusedKey) < to)) {
      const height = this.heights.get(focusedKey) ?? this.guess;
      if (this.indexOf(focusedKey) < from) above = Math.max(0, above - height);
      else below = Math.max(0, below - height);
    }
    this.list.style.setProperty("--rows-above", `${above}px`);
    this.list.style.setProperty("--rows-below", `${below}px`);
  }

  // The wanted keys in time order: the window's, with the focused row before or after it.
  *inOrder(wanted, from, to, focusedKey) {
    const sorted = this.store.sorted;
    const focusedAt = focusedKey ? this.indexOf(focusedKey) : -1;
    if (focusedAt >= 0 && focusedAt < from) yield focusedKey;
    for (let i = from; i < to; i++) yield sorted[i].key;
    if (focusedAt >= to) yield focusedKey;
  }

  indexOf(key) {
    const moment = this.store.get(key);
    if (!moment) return -1;
    const sorted = this.store.sorted;
    // Moments are in time order: find the first with its start, then step to it (equal starts are few).
    let i = partitionPoint(sorted, (m) => m.start_ms < moment.start_ms);
    while (i < sorted.length && sorted[i] !== moment) i++;
    return i < sorted.length ? i : -1;
  }

  // Note the height of the rows in the page not measured yet (new, or changed since); true when one
  // differs from what was counted for it.
  measure() {
    let changed = false;
    const guess = this.guess;
    for (const [key, row] of this.rows) {
      if (this.heights.has(key)) continue;
      const height = row.offsetHeight;
      if (!height) continue;
      if (height !== guess) changed = true;
      this.heights.set(key, height);
      this.measuredTotal += height;
    }
    return changed;
  }

  // Scroll the list so the moment's row is in view, and put the row in the page. Where the row will
  // be is known from the counted heights; once it is in the page its real place is checked (rows
  // measured on the way may have moved it).
  reveal(key) {
    const i = this.indexOf(key);
    if (i < 0) return null;
    if (!this.offsets || this.offsets.length !== this.store.sorted.length + 1) this.countOffsets();
    for (let attempt = 0; attempt < 3; attempt++) {
      const row = this.rows.get(key);
      const top = row ? row.offsetTop : this.offsets[i] + PADDING_PX;
      const bottom = row ? top + row.offsetHeight : this.offsets[i + 1] + PADDING_PX;
      if (row && top >= this.list.scrollTop && bottom <= this.list.scrollTop + this.list.clientHeight) break;
      if (top < this.list.scrollTop || bottom > this.list.scrollTop + this.list.clientHeight) {
        this.list.scrollTop = top - this.list.clientHeight / 3;
      }
      this.render();
    }
    return this.rows.get(key) ?? null;
  }

  // -- one row -----------------------------------------------------------------------------------

  makeRow(moment) {
    const row = document.createElement("li");
    row.dataset.key = moment.key;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "moment-row";
    for (const part of ["when", "dot", "what", "who", "tags", "note", "feedback"]) {
      const span = document.createElement("span");
      span.className = part;
      button.append(span);
    }
    button.querySelector(".dot").setAttribute("aria-hidden", "true");
    row.append(button);
    this.rows.set(moment.key, row);
    this.fill(row, moment);
    if (moment.key === this.current) { row.classList.add("at-playhead"); row.setAttribute("aria-current", "time"); }
    if (moment.key === this.selected) button.setAttribute("aria-current", "true");
    return row;
  }

  fill(row, moment) {
    const button = row.firstElementChild;
    const end = moment.end_ms === null ? "" : `–${formatTime(moment.end_ms)}`;
    button.querySelector(".when").textContent = formatTime(moment.start_ms) + end;
    button.querySelector(".dot").style.background = moment.colour;
    button.querySelector(".what").textContent = (moment.tags?.includes("better_than_usual") ? "★ " : "") + moment.code_label;
    button.querySelector(".who").textContent = this.actorLabels[moment.actor] ?? moment.actor ?? "";
    button.querySelector(".tags").textContent = (moment.tags ?? []).map((tag) => this.tagLabels[tag] ?? tag).join(" · ");
    const note = (moment.note ?? "").trim();
    button.querySelector(".note").textContent = note.length > NOTE_EXCERPT ? `${note.slice(0, NOTE_EXCERPT)}…` : note;
    row.classList.toggle("selected", moment.key === this.selected);
    this.fillFeedback(row, moment);
  }

  fillFeedback(row, moment) {
    if (!this.feedback || !moment) return;
    const items = this.feedback.forMoment(moment.id);
    const part = row.firstElementChild.querySelector(".feedback");
    const first = items[0];
    let text = "";
    if (first) {
      const words = first.text.trim();
      text = `${this.feedback.label(first.kind)}: ${words.length > NOTE_EXCERPT ? `${words.slice(0, NOTE_EXCERPT)}…` : words}`;
      if (items.length > 1) text += ` (+${items.length - 1})`;
    }
    if (part.textContent !== text) {
      part.textContent = text;
      part.title = items.map((item) => `${this.feedback.label(item.kind)}: ${item.text}`).join("\n");
      part.dataset.kind = first?.kind ?? "";
      row.classList.toggle("has-feedback", Boolean(first));
      this.forget(moment.key);
    }
  }

  // -- selection, playhead, focus ------------------------------------------------------------------

  setSelected(key) {
    this.rows.get(this.selected)?.classList.remove("selected");
    this.rows.get(this.selected)?.firstElementChild.removeAttribute("aria-current");
    this.selected = key;
    const row = key ? this.reveal(key) : null;
    if (!row) return;
    row.classList.add("selected");
    row.firstElementChild.setAttribute("aria-current", "true");
  }

  // The moment at the playhead: called on every shown frame, so it only touches two rows (and,
  // while following the playback, scrolls only when the row leaves the view).
  setCurrent(key, follow) {
    if (key === this.current) return;
    this.rows.get(this.current)?.classList.remove("at-playhead");
    this.rows.get(this.current)?.removeAttribute("aria-current");
    this.current = key;
    const row = key && follow ? this.reveal(key) : this.rows.get(key);
    if (!row) return;
    row.classList.add("at-playhead");
    row.setAttribute("aria-current", "time");
  }

  // The moment whose row holds the element (the focus), or null.
  keyOf(element) {
    return element && this.list.contains(element) ? element.closest("li[data-key]")?.dataset.key ?? null : null;
  }

  // Focus a moment's row (after a delete took the focus away), or the list when it has none.
  focusRow(key) {
    const row = key ? this.reveal(key) : null;
    (row?.firstElementChild ?? this.list).focus();
  }
}
