// The coding page's controller (/clips/<id>/coding; /reviews/<id> is the same page with the feedback
// panel beside it). It owns the stores (the clip's frames, the playback, the moments and their save
// queue, the feedback) and the selection. The views (timeline, moment list, side panel) read the
// stores and report what the user did as events; the page decides what follows, applying the
// editable policy it was given, and announces the selection in its own events ("select",
// "feedback") for whoever extends the page, such as the feedback panel.
import { FeedbackStore } from "./feedback-store.js";
import { Hotkeys, movedEdge } from "./hotkeys.js";
import { MomentList } from "./moment-list.js";
import { MomentPanel } from "./moment-panel.js";
import { MomentStore } from "./moments.js";
import { Playback } from "./playback.js";
import { SaveQueue } from "./save-queue.js";
import { Timeline } from "./timeline.js";
import { wireTransport } from "./transport.js";
import { fill, formatTime } from "./util.js";

export class CodingPage extends EventTarget {
  // readOnly: the viewer may not code this clip (no new moments, no undo). editable(moment): whether
  // the viewer may change that moment, decided by whoever opens the page. onProblem(message): shows
  // a problem to the user. feedback: the clip's supervision feedback ({items, kind_labels}) or null.
  // shortcuts: the user's keyboard settings ({single_keys, keys}, GET /api/account/shortcuts).
  constructor(root, { scheme, urls, messages, frames, feedback = null, readOnly, editable, onProblem, shortcuts = {} }) {
    super();
    this.root = root;
    this.messages = messages;
    this.readOnly = readOnly;
    this.mayEdit = (moment) => !readOnly && editable(moment);
    this.actorLabels = Object.fromEntries(scheme.actors.map((a) => [a.id, a.label]));
    this.problem = onProblem;
    this.selected = null;
    root.querySelectorAll("[data-colour]").forEach((swatch) => { swatch.style.background = swatch.dataset.colour; });

    this.frames = frames;
    this.playback = new Playback(root.querySelector("video"), frames);
    this.saves = new SaveQueue();
    this.store = new MomentStore({ listUrl: urls.moments, momentUrl: (id) => `${urls.moment}${id}`, scheme, messages, queue: this.saves });
    this.feedback = feedback ? new FeedbackStore(feedback.items, feedback.kind_labels) : null;
    const { store, playback, mayEdit } = this;
    this.timeline = new Timeline(root.querySelector(".timeline"), {
      store, frames, lanes: scheme.actors.map((a) => a.id), readOnly, mayEdit, feedback: this.feedback,
    });
    this.list = new MomentList(root.querySelector(".moment-list"), {
      store, actorLabels: this.actorLabels, feedback: this.feedback,
      tagLabels: Object.fromEntries((scheme.tags ?? []).map((t) => [t.id, t.label])),
    });
    this.panel = new MomentPanel(root.querySelector(".moment-panel"), { store, scheme, playback, readOnly, mayEdit, messages, feedback: this.feedback });
    this.openSpan = root.querySelector(".open-span");
    this.announcement = root.querySelector(".announcement");
    this.undoButton = root.querySelector(".announce-undo");
    this.undoButton?.addEventListener("click", () => this.travel("undo"));

    this.listenToStore();
    this.listenToViews();
    this.followPlayback();
    wireTransport(root, playback, this.timeline, messages);
    this.hotkeys = new Hotkeys({ page: this, playback, timeline: this.timeline, codes: scheme.codes, readOnly, settings: shortcuts });
  }

  // The moments as the server listed them; then the clock, and the moment a link points at.
  start(moments) {
    this.store.load(moments);
    this.playback.announce();
    this.openLinkedMoment();
    window.addEventListener("hashchange", () => this.openLinkedMoment());
  }

  emit(type, detail) { this.dispatchEvent(new CustomEvent(type, { detail })); }

  listenToStore() {
    const saveStatus = this.root.querySelector(".save-status");
    this.store.addEventListener("status", ({ detail }) => {
      saveStatus.dataset.state = detail;
      saveStatus.textContent = this.messages[detail];
    });
    this.store.addEventListener("problem", ({ detail }) => this.problem(detail));
    this.store.addEventListener("change", ({ detail }) => {
      if (detail.kind === "remove" && detail.moment.key === this.selected) this.select(null);
    });
    window.addEventListener("beforeunload", (e) => {
      if (!this.store.pending) return;
      e.preventDefault();
      e.returnValue = ""; // browsers show their own "leave page?" text
    });
  }

  listenToViews() {
    const { timeline, list, panel, playback } = this;
    timeline.addEventListener("select", ({ detail }) => this.select(detail));
    timeline.addEventListener("seek", ({ detail }) => playback.seek(detail));
    timeline.addEventListener("edit", ({ detail }) => this.edit(detail.key, detail.changes));
    timeline.addEventListener("feedback", ({ detail }) => this.showFeedback(detail));
    list.addEventListener("choose", ({ detail }) => this.select(detail, { seek: true }));
    panel.addEventListener("edit", ({ detail }) => this.edit(detail.key, detail.changes));
    panel.addEventListener("remove", ({ detail }) => this.remove(detail));
    panel.addEventListener("seek", ({ detail }) => playback.seek(detail));
    panel.addEventListener("problem", ({ detail }) => this.problem(detail));
  }

  // The playhead, the moment at it, the clock and the frame number follow every shown frame.
  followPlayback() {
    const { playback, timeline, list, store, frames, messages } = this;
    const timeNow = this.root.querySelector(".time-now");
    const frameNow = this.root.querySelector(".frame-now");
    playback.addEventListener("tick", ({ detail: ms }) => {
      const playing = playback.playing;
      timeline.setPlayhead(ms, playing);
      list.setCurrent(store.keyAt(ms), playing);
      const frame = frames.at(ms);
      timeNow.textContent = formatTime(frame);
      frameNow.textContent = fill(messages.frameOf, { n: frames.indexAt(frame) + 1, count: frames.count });
    });
    playback.addEventListener("seek", ({ detail }) => timeline.reveal(detail));
  }

  // -- commands (from the views' events and the keyboard) -----------------------------------------

  // Selecting on the timeline must not scroll it (the pointer may be about to drag an edge).
  select(key, { seek = false, reveal = false } = {}) {
    const moment = key ? this.store.get(key) : null;
    const previous = this.selected;
    // The panel hides without a moment: focus in it goes to that moment's row (or the list), never
    // to the page's start.
    const rescue = !moment && this.panel.root.contains(document.activeElement);
    this.selected = moment ? key : null;
    this.timeline.setSelected(this.selected);
    this.list.setSelected(this.selected);
    this.panel.show(this.selected);
    if (rescue) this.list.focusRow(previous);
    if (moment && seek) this.playback.seek(moment.start_ms); // seeking reveals it
    else if (moment && reveal) this.timeline.reveal(moment.start_ms);
    this.emit("select", this.selected);
  }

  // A new moment (a code key): it becomes the selection.
  create(fields) {
    const key = this.store.create(fields);
    this.select(key);
    this.announce(this.messages.added, this.store.get(key));
  }

  // "Initiative, Client, 0:06.000": a moment in words, for the announcements.
  describe(moment) {
    const time = moment.end_ms === null ? formatTime(moment.start_ms) : `${formatTime(moment.start_ms)}–${formatTime(moment.end_ms)}`;
    return fill(this.messages.momentWords, { code: moment.code_label, actor: this.actorLabels[moment.actor] ?? moment.actor ?? "", time });
  }

  // Says what a command did, in the status line that screen readers read out (and an Undo beside it).
  announce(template, moment, values = {}) {
    if (!this.announcement || !moment) return;
    const text = fill(template, { moment: this.describe(moment), ...values });
    // The same words twice in a row are read again only if the region was emptied in between.
    this.announcement.textContent = "";
    clearTimeout(this.announceTimer);
    this.announceTimer = setTimeout(() => { this.announcement.textContent = text; }, 50);
    if (this.undoButton) this.undoButton.hidden = this.readOnly;
  }

  // A moment the policy does not let the viewer change is shown, not changed: the views lock it, and
  // what still asks to change it (the Delete key) gets a word why.
  edit(key, changes) {
    const moment = this.store.get(key);
    if (!moment) return;
    if (this.mayEdit(moment)) this.store.update(key, changes); else this.problem(this.messages.notYours);
  }

  // Delete (the key or the panel's button). Focus that was on the moment's row or in the panel goes
  // to the next row (else the one before, else the list).
  remove(key) {
    const moment = this.store.get(key);
    if (!moment) return;
    if (!this.mayEdit(moment)) { this.problem(this.messages.notYours); return; }
    const active = document.activeElement;
    const refocus = this.panel.root.contains(active) || this.list.keyOf(active) === key;
    const sorted = this.store.sorted;
    const i = sorted.indexOf(moment);
    const next = sorted[i + 1] ?? sorted[i - 1] ?? null;
    const words = { ...moment };
    this.store.remove(key);
    if (refocus) this.list.focusRow(next?.key ?? null);
    this.announce(this.messages.deleted, words);
  }

  travel(direction) {
    const entry = (direction === "undo" ? this.store.undoStack : this.store.redoStack).at(-1);
    const key = this.store[direction]();
    if (key === null) { this.problem(direction === "undo" ? this.messages.nothingToUndo : this.messages.nothingToRedo); return; }
    const moment = this.store.get(key);
    this.select(moment ? key : null, { reveal: true });
    // A moment the step took away is told by what it was.
    const gone = moment ? null : entry?.moment ?? entry?.fields ?? null;
    const words = gone && { ...gone, code_label: gone.code_label ?? this.store.codes.get(gone.code)?.label ?? gone.code };
    this.announce(direction === "undo" ? this.messages.undone : this.messages.redone, moment ?? words);
  }

  // Alt+arrows (a frame) and Alt+PageUp/PageDown (a second): the selected moment's start or end, on
  // the clip's frames; one change (one undo step) per key, saved like a drag. The video shows the
  // frame the edge is now on.
  nudge(edge, by) {
    const moment = this.selected && this.store.get(this.selected);
    if (!moment) { this.problem(this.messages.selectFirst); return; }
    if (!this.mayEdit(moment)) { this.problem(this.messages.notYours); return; }
    const changes = movedEdge(moment, this.frames, edge, by);
    if (!changes) return;
    this.edit(moment.key, changes);
    const time = changes.start_ms ?? changes.end_ms;
    this.playback.seek(time);
    this.announce(edge === "start" ? this.messages.movedStart : this.messages.movedEnd, moment, { time: formatTime(time) });
  }

  // [ and ]: the moment before or after the selected one, or else before/after the playhead.
  neighbour(direction) {
    const sorted = this.store.sorted;
    const selected = this.selected && this.store.get(this.selected);
    const frame = this.playback.frameMs();
    let i;
    if (selected && selected.start_ms === frame) i = sorted.indexOf(selected) + direction;
    else if (direction > 0) i = sorted.findIndex((m) => m.start_ms > frame);
    else i = sorted.findLastIndex((m) => m.start_ms < frame);
    if (i >= 0 && i < sorted.length) this.select(sorted[i].key, { seek: true });
  }

  showOpenSpan(open) {
    this.openSpan.hidden = !open;
    if (open) this.openSpan.textContent = fill(this.messages.spanOpen, { code: open.code.label, time: formatTime(open.startMs), key: open.key });
  }

  // A feedback item chosen on the timeline or in the feedback panel: its moment (if it is still
  // there and shown) is selected, else the player goes to its time.
  showFeedback(id) {
    const item = this.feedback?.get(id);
    if (!item) return;
    this.timeline.setFeedbackSelected(id);
    const moment = this.store.withId(item.moment_id);
    if (moment) this.select(moment.key, { seek: true });
    else if (item.start_ms !== null) this.playback.seek(item.start_ms);
    this.emit("feedback", id);
  }

  // A link such as the review screen's ".../coding#t=61240" opens the page at that time, with the
  // moment that starts there selected.
  openLinkedMoment() {
    const t = Number(/(?:^#|&)t=(\d+)/.exec(window.location.hash)?.[1] ?? NaN);
    if (!Number.isFinite(t)) return;
    const moment = this.store.sorted.find((m) => m.start_ms === t);
    if (moment) this.select(moment.key, { seek: true });
    else this.playback.seek(t);
  }
}
