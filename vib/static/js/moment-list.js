// The list of moments beside the timeline. Built once; afterwards only the rows that change are
// touched, so thousands of rows stay cheap, and the row at the playhead is marked by a class (and
// aria-current="time"; the selected row's button has aria-current="true"). The list is the timeline's
// text alternative: a row says all the timeline shows, the tags included.
// Notes and feedback are people's words about a family: always text, never HTML.
// A moment with supervision feedback anchored on it gets a line with the feedback's kind and words.
// Each row contains its own layout and paint (coding.css), so a row added near the top moves the rows
// after it without laying out their insides again (bench/timeline_browser.py).
import { formatTime } from "./util.js";

const NOTE_EXCERPT = 80;

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
    this.rows = new Map();
    this.selected = null;
    this.current = null;
    store.addEventListener("change", (e) => this.change(e.detail));
    feedback?.addEventListener("change", () => {
      for (const [key, row] of this.rows) this.fillFeedback(row, store.get(key));
    });
    this.list.addEventListener("click", (e) => {
      const row = e.target.closest("li[data-key]");
      if (row) this.dispatchEvent(new CustomEvent("choose", { detail: row.dataset.key }));
    });
  }

  change({ kind, moment }) {
    if (kind === "load") this.build();
    else if (kind === "add") this.place(this.makeRow(moment), moment);
    else if (kind === "remove") {
      this.rows.get(moment.key)?.remove();
      this.rows.delete(moment.key);
    } else if (kind === "update") {
      const row = this.rows.get(moment.key);
      if (!row) return;
      this.fill(row, moment);
      this.place(row, moment);
    }
    this.counted();
  }

  build() {
    const fragment = document.createDocumentFragment();
    this.rows.clear();
    for (const moment of this.store.sorted) fragment.append(this.makeRow(moment));
    this.list.replaceChildren(fragment);
    this.counted();
  }

  counted() {
    const n = this.store.sorted.length;
    this.count.textContent = String(n);
    this.empty.hidden = n > 0;
  }

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
    }
  }

  // Put the row where the moment now is in time order (only moves it when it is out of place).
  place(row, moment) {
    const sorted = this.store.sorted;
    const i = sorted.indexOf(moment);
    const next = i >= 0 && i + 1 < sorted.length ? this.rows.get(sorted[i + 1].key) : null;
    if (row.nextElementSibling !== next || !row.isConnected) this.list.insertBefore(row, next);
  }

  setSelected(key) {
    this.rows.get(this.selected)?.classList.remove("selected");
    this.rows.get(this.selected)?.firstElementChild.removeAttribute("aria-current");
    this.selected = key;
    const row = this.rows.get(key);
    if (!row) return;
    row.classList.add("selected");
    row.firstElementChild.setAttribute("aria-current", "true");
    this.keepInView(row);
  }

  // The moment at the playhead: called on every shown frame, so it only touches two rows.
  setCurrent(key, follow) {
    if (key === this.current) return;
    this.rows.get(this.current)?.classList.remove("at-playhead");
    this.rows.get(this.current)?.removeAttribute("aria-current");
    this.current = key;
    const row = this.rows.get(key);
    if (!row) return;
    row.classList.add("at-playhead");
    row.setAttribute("aria-current", "time");
    if (follow) this.keepInView(row);
  }

  // The moment whose row holds the element (the focus), or null.
  keyOf(element) {
    return element && this.list.contains(element) ? element.closest("li[data-key]")?.dataset.key ?? null : null;
  }

  // Focus a moment's row (after a delete took the focus away), or the list when it has none.
  focusRow(key) {
    const row = key ? this.rows.get(key) : null;
    (row?.firstElementChild ?? this.list).focus();
    if (row) this.keepInView(row);
  }

  // Scroll the list itself (never the page) so the row is visible.
  keepInView(row) {
    const top = row.offsetTop;
    const bottom = top + row.offsetHeight;
    if (top < this.list.scrollTop || bottom > this.list.scrollTop + this.list.clientHeight) {
      this.list.scrollTop = top - this.list.clientHeight / 3;
    }
  }
}
