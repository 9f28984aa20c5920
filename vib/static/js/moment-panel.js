// The side panel: the selected moment's code, actor, note and tags, edited in place. Each change is
// one "edit" event (the page makes it one store update: saved at once, one undo step); there is no
// save button. Also "remove", "seek" (Go to start) and "problem".
import { codeTree, optionLabel } from "./code-tree.js";
import { formatTime } from "./util.js";

const NOTE_IDLE_MS = 1500; // a note is also saved after this long without typing, not only on leaving the field

export class MomentPanel extends EventTarget {
  // playback: only read, for the frame on screen. mayEdit(moment): the page's policy.
  constructor(root, { store, scheme, playback, readOnly, mayEdit, messages, feedback = null }) {
    super();
    this.root = root;
    this.store = store;
    this.playback = playback;
    this.messages = messages;
    this.codes = new Map(scheme.codes.map((c) => [c.id, c]));
    this.mayEdit = mayEdit;
    this.key = null;
    this.form = root.querySelector("form");
    this.emptyHint = root.querySelector(".panel-empty");
    this.field = (name) => this.form.elements.namedItem(name);
    this.noteTimer = 0;
    this.feedback = feedback;
    this.feedbackList = root.querySelector(".panel-feedback");
    feedback?.addEventListener("change", () => this.showFeedback(this.key && this.store.get(this.key)));

    const select = this.field("code");
    for (const entry of codeTree(scheme.codes)) select.append(new Option(optionLabel(entry), entry.code.id));
    this.lock(readOnly);
    this.form.addEventListener("submit", (e) => e.preventDefault());
    this.form.addEventListener("change", (e) => this.changed(e.target));
    this.field("note").addEventListener("input", () => {
      clearTimeout(this.noteTimer);
      this.noteTimer = setTimeout(() => this.changed(this.field("note")), NOTE_IDLE_MS);
    });
    this.form.addEventListener("click", (e) => {
      const action = e.target.closest("[data-action]")?.dataset.action;
      if (action) this.act(action);
    });
    store.addEventListener("change", ({ detail }) => {
      if (detail.moment?.key === this.key || detail.kind === "load") this.show(this.key);
    });
  }

  emit(type, detail) { this.dispatchEvent(new CustomEvent(type, { detail })); }
  edit(changes) { this.emit("edit", { key: this.key, changes }); }

  // Fields of a moment the user may not change (read-only page, or another author's moment) are
  // disabled; only "Go to start" stays.
  lock(locked) {
    if (this.locked === locked) return;
    this.locked = locked;
    for (const element of this.form.elements) if (element.dataset.action !== "seek") element.disabled = locked;
    this.form.querySelectorAll("[data-edit]").forEach((e) => { e.hidden = locked; });
  }

  show(key) {
    // Selecting another moment happens before the note field loses focus: what was typed belongs
    // to the moment it was typed for, so save it there first.
    const switching = key !== this.key;
    if (switching) this.flushNote();
    const moment = key ? this.store.get(key) : null;
    this.key = moment ? key : null;
    this.form.hidden = !moment;
    this.emptyHint.hidden = Boolean(moment);
    this.showFeedback(moment);
    if (!moment) {
      this.root.querySelector(".panel-time").textContent = "";
      this.root.querySelector(".panel-kind").textContent = "";
      return;
    }
    const span = moment.end_ms !== null;
    const locked = !this.mayEdit(moment);
    this.lock(locked);
    this.root.querySelector(".panel-time").textContent = span
      ? `${formatTime(moment.start_ms)} – ${formatTime(moment.end_ms)}`
      : formatTime(moment.start_ms);
    const kind = span
      ? this.messages.spanLength.replace("{seconds}", ((moment.end_ms - moment.start_ms) / 1000).toFixed(3))
      : this.messages.point;
    const author = moment.author?.name ? this.messages.codedBy.replace("{name}", moment.author.name) : "";
    this.root.querySelector(".panel-kind").textContent = author ? `${kind} · ${author}` : kind;
    const select = this.field("code");
    if (![...select.options].some((o) => o.value === moment.code)) {
      select.append(new Option(moment.code_label, moment.code)); // coded with another scheme (version)
    }
    select.value = moment.code;
    const definition = this.root.querySelector(".code-definition");
    definition.textContent = this.codes.get(moment.code)?.definition ?? "";
    definition.title = definition.textContent; // shown in two lines at most; all of it on hover
    this.field("actor").value = moment.actor;
    const note = this.field("note");
    if (switching || document.activeElement !== note) note.value = moment.note ?? ""; // else never under the cursor
    this.form.querySelectorAll("input[name=tags]").forEach((box) => { box.checked = (moment.tags ?? []).includes(box.value); });
    this.form.querySelector("[data-action=span]").hidden = span || locked;
    this.form.querySelector("[data-action=point]").hidden = !span || locked;
  }

  // The supervisor's feedback on this moment, in full (the list shows one line of it).
  showFeedback(moment) {
    if (!this.feedbackList) return;
    const items = moment && this.feedback ? this.feedback.forMoment(moment.id) : [];
    this.feedbackList.replaceChildren(...items.map((item) => {
      const li = document.createElement("li");
      li.dataset.kind = item.kind;
      const kind = document.createElement("strong");
      kind.className = "kind";
      kind.textContent = this.feedback.label(item.kind);
      const who = document.createElement("span");
      who.className = "muted";
      who.textContent = item.author?.name ? ` · ${item.author.name}` : "";
      const text = document.createElement("span");
      text.className = "text";
      text.textContent = item.text;
      li.append(kind, who, text);
      return li;
    }));
    this.feedbackList.hidden = items.length === 0;
  }

  flushNote() {
    clearTimeout(this.noteTimer);
    const moment = this.key && this.store.get(this.key);
    const typed = this.field("note").value;
    if (moment && !this.locked && typed !== (moment.note ?? "")) this.edit({ note: typed });
  }

  changed(target) {
    const moment = this.key && this.store.get(this.key);
    if (!moment) return;
    if (target.name === "code") {
      const changes = { code: target.value };
      // The actor follows the code unless the user chose another one than the old code's default.
      const oldDefault = this.codes.get(moment.code)?.actor;
      const newDefault = this.codes.get(target.value)?.actor;
      if (newDefault && moment.actor === oldDefault) changes.actor = newDefault;
      this.edit(changes);
    } else if (target.name === "actor") {
      this.edit({ actor: target.value });
    } else if (target.name === "note") {
      clearTimeout(this.noteTimer);
      this.edit({ note: target.value });
    } else if (target.name === "tags") {
      const tags = [...this.form.querySelectorAll("input[name=tags]:checked")].map((box) => box.value);
      this.edit({ tags });
    }
  }

  act(action) {
    const moment = this.key && this.store.get(this.key);
    if (!moment) return;
    if (action === "seek") {
      this.emit("seek", moment.start_ms);
    } else if (action === "span") {
      const end = this.playback.frameMs();
      if (end <= moment.start_ms) this.emit("problem", this.messages.spanNeedsLaterFrame);
      else this.edit({ end_ms: end });
    } else if (action === "point") {
      this.edit({ end_ms: null });
    } else if (action === "delete") {
      this.emit("remove", this.key);
    }
  }
}
