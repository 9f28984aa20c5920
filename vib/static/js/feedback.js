// The review page's feedback panel (/reviews/<id>), beside the coding page's player and timeline.
//
// The supervisor (while the review is requested or in review) writes drafts anchored on the selected
// moment, on the current frame or on a range, picks a kind, inserts sentence starters, sees an
// advisory hint when a text reads as a list of faults (it never stops a save), writes the overall
// summary and sends it all. The worker (once it is sent) reads the items in time order, answers them
// one by one or as a whole and records a next learning goal. (Withdrawing and closing are plain page
// forms, see supervision/_review_head.html.)
//
// The panel extends the coding page through its controller (coding-page.js): it reads the page's
// stores, follows its "select" and "feedback" events and asks it to show an item (showFeedback).
//
// Feedback, questions and answers are people's words: they are shown with textContent, never as HTML.
import { getJSON, sendJSON as send } from "./api.js";
import { faultPattern, faultWordsIn, insertStarter } from "./feedback-language.js";
import { fill, formatTime } from "./util.js";

function element(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined && text !== null) e.textContent = text;
  return e;
}

function button(label, action, className = "") {
  const b = element("button", className, label);
  b.type = "button";
  b.dataset.action = action;
  return b;
}

export class FeedbackPanel {
  constructor(root, { page, review, ui }) {
    Object.assign(this, { root, page, store: page.store, feedback: page.feedback, playback: page.playback, review, ui });
    this.messages = JSON.parse(document.getElementById("feedback-messages").textContent);
    this.pattern = faultPattern(ui.fault_words);
    this.list = root.querySelector(".feedback-items");
    this.empty = root.querySelector(".feedback-empty");
    this.status = root.querySelector(".feedback-status");
    this.anchor = null; // {momentKey} or {start_ms, end_ms}
    this.editing = null; // id of the draft in the composer
    this.compose = root.querySelector(".feedback-compose");
    this.summaryForm = root.querySelector(".summary-form");
    this.overall = root.querySelector(".overall-answer");
    if (this.compose) this.startComposer();
    if (this.summaryForm) this.startSummary();
    if (this.overall) this.startOverallAnswer();
    this.list.addEventListener("click", (e) => this.itemClicked(e));
    this.list.addEventListener("submit", (e) => this.itemAnswered(e));
    root.querySelector("[data-action=send]")?.addEventListener("click", () => this.sendFeedback());
    this.feedback.addEventListener("change", () => this.render());
    page.addEventListener("feedback", ({ detail }) => this.highlight(detail, true));
    this.render();
  }

  get may() { return this.review.may ?? {}; }

  say(message, problem = false) {
    if (problem) { this.page.problem(message); return; }
    if (!this.status) return;
    this.status.textContent = message;
    this.status.hidden = !message;
    clearTimeout(this.statusTimer);
    this.statusTimer = setTimeout(() => { this.status.hidden = true; }, 5000);
  }

  // -- the list of items -------------------------------------------------------------------------

  anchorText(item) {
    const moment = this.store.withId(item.moment_id);
    const time = item.end_ms !== null && item.end_ms !== undefined
      ? `${formatTime(item.start_ms)}–${formatTime(item.end_ms)}`
      : formatTime(item.start_ms);
    return moment ? `${time} · ${moment.code_label}` : time;
  }

  answersTo(feedbackId) {
    return (this.review.answers ?? []).filter((answer) => (answer.feedback_id ?? null) === feedbackId);
  }

  render() {
    const items = this.feedback.items;
    this.list.replaceChildren(...items.map((item) => this.itemRow(item)));
    this.empty.hidden = items.length > 0 || Boolean(this.feedback.summary);
    const count = this.root.querySelector(".feedback-count");
    if (count) count.textContent = items.length ? `(${items.length})` : "";
    this.renderSummary();
    this.renderOverallAnswers();
    const sendButton = this.root.querySelector("[data-action=send]");
    if (sendButton) sendButton.disabled = !this.feedback.all().length;
    if (this.highlighted) this.highlight(this.highlighted, false);
  }

  itemRow(item) {
    const li = element("li", "feedback-item");
    li.dataset.id = item.id;
    li.dataset.kind = item.kind;
    const head = element("p", "item-head");
    head.append(element("span", "kind-chip", this.feedback.label(item.kind)));
    const at = button(this.anchorText(item), "show", "link anchor-time");
    at.title = this.messages.showOnTimeline;
    head.append(at);
    if (item.draft) head.append(element("span", "badge draft-badge", this.messages.draft));
    li.append(head);
    li.append(element("p", "feedback-text", item.text));
    if (item.hint && this.may.write) li.append(element("p", "language-hint", item.hint.message));
    if (this.review.my_part === "worker" && item.author?.name) li.append(element("p", "author muted", fill(this.messages.by, { name: item.author.name })));
    if (this.may.write && item.draft) {
      const actions = element("p", "item-actions");
      actions.append(button(this.messages.edit, "edit"), button(this.messages.remove, "delete", "danger"));
      li.append(actions);
    }
    const answers = this.answersTo(item.id);
    if (answers.length) li.append(this.answerList(answers));
    if (this.may.answer) li.append(this.answerForm(item));
    return li;
  }

  answerList(answers) {
    const ul = element("ul", "answers");
    for (const answer of answers) {
      const li = element("li", "answer");
      li.append(element("span", "answer-by", `${answer.author?.name ?? ""}: `), element("span", "answer-text", answer.text));
      if (answer.next_goal) li.append(element("span", "answer-goal", fill(this.messages.nextGoalIs, { goal: answer.next_goal })));
      ul.append(li);
    }
    return ul;
  }

  answerForm(item) {
    const details = element("details", "answer-item");
    details.append(element("summary", "", this.messages.answer));
    const form = element("form", "answer-form");
    form.dataset.feedbackId = item.id;
    const label = element("label", "", this.messages.yourAnswer);
    const textarea = element("textarea");
    textarea.name = "text";
    textarea.rows = 2;
    textarea.required = true;
    textarea.maxLength = 5000;
    label.append(textarea);
    const submit = element("button", "primary", this.messages.sendAnswer);
    submit.type = "submit";
    form.append(label, submit);
    details.append(form);
    return details;
  }

  highlight(id, reveal) {
    this.highlighted = id;
    for (const li of this.list.children) li.classList.toggle("chosen", Number(li.dataset.id) === id);
    const row = this.list.querySelector(`li[data-id="${id}"]`);
    if (row && reveal) row.scrollIntoView({ block: "nearest" });
  }

  itemClicked(e) {
    const action = e.target.closest("[data-action]")?.dataset.action;
    const li = e.target.closest("li.feedback-item");
    if (!action || !li) return;
    const id = Number(li.dataset.id);
    if (action === "show") this.page.showFeedback(id);
    else if (action === "edit") this.edit(id);
    else if (action === "delete") this.remove(id);
  }

  // -- composing (the supervisor) ----------------------------------------------------------------

  startComposer() {
    const form = this.compose;
    this.text = form.elements.namedItem("text");
    this.hint = form.querySelector(".language-hint");
    this.anchorLabel = form.querySelector(".anchor-text");
    this.anchorNote = form.querySelector(".anchor-note");
    form.addEventListener("submit", (e) => { e.preventDefault(); this.save(); });
    form.addEventListener("change", (e) => { if (e.target.name === "kind") this.showStarters(); });
    form.querySelector(".starters").addEventListener("click", (e) => {
      const starter = e.target.closest("[data-starter]");
      if (starter) insertStarter(this.text, starter.dataset.starter);
    });
    this.text.addEventListener("input", () => this.showHint(this.text, this.hint));
    form.querySelector("[data-anchor=frame]").addEventListener("click", () => this.setAnchor({ start_ms: this.playback.frameMs(), end_ms: null }));
    form.querySelector("[data-anchor=end]").addEventListener("click", () => this.extendAnchor());
    form.querySelector("[data-action=cancel]").addEventListener("click", () => this.resetComposer());
    this.page.addEventListener("select", ({ detail }) => { if (detail) this.setAnchor({ momentKey: detail }); });
    this.store.addEventListener("change", () => this.showAnchor());
    if (this.page.selected) this.anchor = { momentKey: this.page.selected };
    this.showStarters();
    this.showAnchor();
  }

  get kind() { return this.compose.elements.namedItem("kind").value || "strength"; }

  showStarters() {
    this.fillStarters(this.compose.querySelector(".starters"), this.ui.starters?.[this.kind] ?? []);
  }

  fillStarters(container, starters) {
    container.replaceChildren(...starters.map((starter) => {
      const b = button(starter, "starter", "starter");
      b.dataset.starter = starter;
      b.title = this.messages.insertStarter;
      return b;
    }));
  }

  showHint(textarea, hint) {
    const words = faultWordsIn(textarea.value, this.pattern);
    hint.hidden = words.length === 0;
    if (words.length) hint.textContent = fill(this.ui.hint, { words: words.join(", ") });
  }

  setAnchor(anchor) {
    this.anchor = anchor;
    this.showAnchor();
  }

  // The anchor as it will be saved: a moment (its id) or a time range. A moment that is not saved
  // yet, or has an analysis-only code (never feedback), is anchored on its time instead.
  resolvedAnchor() {
    if (!this.anchor) return null;
    if (!("momentKey" in this.anchor)) return { moment: null, start_ms: this.anchor.start_ms, end_ms: this.anchor.end_ms ?? null };
    const moment = this.store.get(this.anchor.momentKey);
    if (!moment) return null;
    const byTime = !moment.id || moment.analysis_only;
    return { moment, byTime, start_ms: moment.start_ms, end_ms: moment.end_ms ?? null };
  }

  showAnchor() {
    if (!this.compose) return;
    const anchor = this.resolvedAnchor();
    const m = this.messages;
    let text = m.anchorNone;
    if (anchor?.moment) {
      text = fill(m.anchorMoment, { code: anchor.moment.code_label, time: this.timeText(anchor) });
    } else if (anchor) {
      text = fill(anchor.end_ms === null ? m.anchorPoint : m.anchorRange, { time: this.timeText(anchor) });
    }
    this.anchorLabel.textContent = text;
    this.anchorNote.textContent = anchor?.moment?.analysis_only ? m.analysisOnly : "";
    this.anchorNote.hidden = !this.anchorNote.textContent;
    this.compose.querySelector("[data-anchor=end]").disabled = !anchor;
  }

  timeText(anchor) {
    return anchor.end_ms === null ? formatTime(anchor.start_ms) : `${formatTime(anchor.start_ms)}–${formatTime(anchor.end_ms)}`;
  }

  // "Up to the current frame": the anchor becomes a range from its start to the frame on screen.
  extendAnchor() {
    const anchor = this.resolvedAnchor();
    if (!anchor) return;
    const frame = this.playback.frameMs();
    if (frame <= anchor.start_ms) { this.say(this.messages.rangeNeedsLaterFrame, true); return; }
    this.setAnchor({ start_ms: anchor.start_ms, end_ms: frame });
  }

  anchorFields() {
    const anchor = this.resolvedAnchor();
    if (!anchor) return null;
    if (anchor.moment && !anchor.byTime) return { moment_id: anchor.moment.id };
    const fields = { start_ms: anchor.start_ms };
    if (anchor.end_ms !== null) fields.end_ms = anchor.end_ms;
    return fields;
  }

  async save() {
    const text = this.text.value.trim();
    if (!text) { this.say(this.messages.textNeeded, true); this.text.focus(); return; }
    const anchor = this.anchorFields();
    if (!anchor) { this.say(this.messages.anchorNone, true); return; }
    const submit = this.compose.querySelector("button[type=submit]");
    submit.disabled = true;
    try {
      let item;
      if (this.editing) {
        const changes = { kind: this.kind, text, ...("moment_id" in anchor ? anchor : { moment_id: null, end_ms: null, ...anchor }) };
        item = await send("PATCH", `${this.ui.urls.feedback}/${this.editing}`, changes);
      } else {
        item = await send("POST", this.ui.urls.feedback, { kind: this.kind, text, ...anchor });
      }
      this.feedback.put(item);
      this.resetComposer();
      this.say(item.hint ? this.messages.savedWithHint : this.messages.saved);
      this.highlight(item.id, true);
    } catch (error) {
      this.say(error.message, true);
    } finally {
      submit.disabled = false;
    }
  }

  edit(id) {
    const item = this.feedback.get(id);
    if (!item) return;
    this.editing = id;
    const moment = this.store.withId(item.moment_id);
    this.anchor = moment ? { momentKey: moment.key } : { start_ms: item.start_ms, end_ms: item.end_ms ?? null };
    const kinds = this.compose.elements.namedItem("kind");
    kinds.value = item.kind;
    this.text.value = item.text;
    this.compose.classList.add("editing");
    this.compose.querySelector(".compose-title").textContent = this.messages.changeTitle;
    this.compose.querySelector("[data-action=cancel]").hidden = false;
    this.showStarters();
    this.showAnchor();
    this.showHint(this.text, this.hint);
    this.compose.scrollIntoView({ block: "nearest" });
    this.text.focus();
  }

  resetComposer() {
    this.editing = null;
    this.text.value = "";
    this.hint.hidden = true;
    this.compose.classList.remove("editing");
    this.compose.querySelector(".compose-title").textContent = this.messages.addTitle;
    this.compose.querySelector("[data-action=cancel]").hidden = true;
    this.anchor = this.page.selected ? { momentKey: this.page.selected } : this.anchor;
    this.showAnchor();
  }

  async remove(id) {
    if (!window.confirm(this.messages.confirmDelete)) return;
    try {
      await send("DELETE", `${this.ui.urls.feedback}/${id}`);
      this.feedback.remove(id);
      if (this.editing === id) this.resetComposer();
    } catch (error) {
      this.say(error.message, true);
    }
  }

  // -- the overall summary -----------------------------------------------------------------------

  startSummary() {
    const form = this.summaryForm;
    const textarea = form.elements.namedItem("summary");
    const hint = form.querySelector(".language-hint");
    textarea.value = this.feedback.summary?.text ?? "";
    this.fillStarters(form.querySelector(".starters"), this.ui.starters?.summary ?? []);
    form.querySelector(".starters").addEventListener("click", (e) => {
      const starter = e.target.closest("[data-starter]");
      if (starter) insertStarter(textarea, starter.dataset.starter);
    });
    textarea.addEventListener("input", () => this.showHint(textarea, hint));
    this.showHint(textarea, hint);
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const text = textarea.value.trim();
      const summary = this.feedback.summary;
      const submit = form.querySelector("button[type=submit]");
      submit.disabled = true;
      try {
        if (summary && !text) {
          await send("DELETE", `${this.ui.urls.feedback}/${summary.id}`);
          this.feedback.remove(summary.id);
        } else if (summary) {
          this.feedback.put(await send("PATCH", `${this.ui.urls.feedback}/${summary.id}`, { text }));
        } else if (text) {
          this.feedback.put(await send("POST", this.ui.urls.feedback, { kind: "summary", text }));
        }
        this.say(this.messages.summarySaved);
      } catch (error) {
        this.say(error.message, true);
      } finally {
        submit.disabled = false;
      }
    });
  }

  renderSummary() {
    const shown = this.root.querySelector(".summary-shown");
    if (!shown) return;
    const summary = this.feedback.summary;
    shown.hidden = !summary;
    shown.querySelector(".summary-text").textContent = summary?.text ?? "";
  }

  async sendFeedback() {
    if (this.summaryForm) {
      const typed = this.summaryForm.elements.namedItem("summary").value.trim();
      if (typed !== (this.feedback.summary?.text ?? "")) { this.say(this.messages.summaryUnsaved, true); return; }
    }
    if (this.text?.value.trim()) { this.say(this.messages.composerUnsaved, true); return; }
    if (!window.confirm(fill(this.messages.confirmSend, { name: this.review.worker?.name ?? "" }))) return;
    try {
      await send("POST", this.ui.urls.send);
      window.location.reload();
    } catch (error) {
      this.say(error.message, true);
    }
  }

  // -- answers (the worker) ----------------------------------------------------------------------

  async itemAnswered(e) {
    const form = e.target.closest("form.answer-form");
    if (!form) return;
    e.preventDefault();
    const text = form.elements.namedItem("text").value.trim();
    if (!text) return;
    await this.answer({ feedback_id: Number(form.dataset.feedbackId), text }, form);
  }

  startOverallAnswer() {
    this.overall.addEventListener("submit", async (e) => {
      e.preventDefault();
      const text = this.overall.elements.namedItem("text").value.trim();
      const goal = this.overall.elements.namedItem("next_goal").value.trim();
      if (!text && !goal) { this.say(this.messages.textNeeded, true); return; }
      const body = { text };
      if (goal) body.next_goal = goal;
      if (await this.answer(body, this.overall)) this.overall.reset();
    });
  }

  async answer(body, form) {
    const submit = form.querySelector("button[type=submit]");
    submit.disabled = true;
    try {
      const answer = await send("POST", this.ui.urls.answers, body);
      this.review.answers = [...(this.review.answers ?? []), answer];
      if (answer.next_goal) this.showGoal(answer.next_goal);
      this.render();
      this.say(this.messages.answerSent);
      this.refreshState();
      return true;
    } catch (error) {
      this.say(error.message, true);
      return false;
    } finally {
      submit.disabled = false;
    }
  }

  renderOverallAnswers() {
    const box = this.root.querySelector(".overall-answers");
    if (!box) return;
    const answers = this.answersTo(null);
    box.replaceChildren(...(answers.length ? [this.answerList(answers)] : []));
  }

  showGoal(goal) {
    const shown = document.querySelector(".next-goal");
    if (!shown) return;
    shown.hidden = false;
    shown.querySelector(".goal-text").textContent = goal;
  }

  // After an answer the review may have moved on (feedback sent → answered): show its state.
  async refreshState() {
    try {
      const { body } = await getJSON(this.ui.urls.review);
      this.review = { ...this.review, state: body.state, may: body.may };
      const steps = document.querySelector(".review-steps");
      if (steps) {
        steps.dataset.state = body.state;
        for (const li of steps.children) li.classList.toggle("current", li.dataset.state === body.state);
      }
      const label = document.querySelector(".review-state");
      if (label && this.ui.state_labels?.[body.state]) label.textContent = this.ui.state_labels[body.state];
    } catch { /* the state shows after a reload */ }
  }
}
