// The coding page's transcript panel (coding/_transcript_panel.html), opened by coding.js with the page:
// the clip's cues in order, each a button with its time and speaker; the cue being said is marked
// (aria-current="time") as the video plays; a click or Enter goes to the cue's start (snapped to its
// frame); the search box filters the cues and says politely how many it shows. A code key pressed on
// a cue codes the cue: the page's Hotkeys ask `cueSpan` for the focused cue's span (snapped to frames)
// and mark it the way every code key marks, so there is one path that makes a moment.
// The owner adds, replaces or deletes the transcript here; the player's captions follow (captions.js).
// What people said is text, never HTML.
import { csrfToken, getJSON, sendJSON } from "./api.js";
import { setTrack, toggles } from "./captions.js";
import { fill, formatTime, partitionPoint } from "./util.js";

const SEARCH_DELAY_MS = 250;
const folded = (text) => text.normalize("NFD").replace(/\p{Diacritic}/gu, "").toLowerCase();

export class TranscriptPanel {
  constructor(root, { page }) {
    Object.assign(this, { root, page, msg: root.dataset });
    this.body = root.querySelector(".transcript-body");
    this.list = root.querySelector("ol.cues");
    this.count = root.querySelector(".transcript-count");
    this.empty = root.querySelector(".transcript-empty");
    this.search = root.querySelector("input[name=q]");
    this.form = root.querySelector(".transcript-upload form");
    this.cues = [];
    this.buttons = [];
    this.current = -1;
    this.video = page.playback.video;
    this.toggle = toggles.find((t) => t.videos.includes(this.video)) ?? null;

    this.list.addEventListener("click", (e) => {
      const button = e.target.closest("button[data-cue]");
      if (button) this.goTo(Number(button.dataset.cue));
    });
    let timer = 0;
    this.search.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(() => this.filter(), SEARCH_DELAY_MS);
    });
    page.playback.addEventListener("tick", (e) => this.follow(e.detail));
    page.playback.addEventListener("seek", (e) => this.follow(e.detail));
    page.hotkeys.cueSpan = (target) => this.cueSpan(target);
    this.form?.addEventListener("submit", (e) => { e.preventDefault(); this.upload(); });
    root.querySelector(".transcript-delete")?.addEventListener("click", () => this.remove());
    if (this.msg.has === "true") this.load();
  }

  async load() {
    try {
      const { body } = await getJSON(this.msg.json);
      this.show(body);
    } catch (error) {
      this.count.textContent = error.message;
    }
  }

  show(transcript) {
    this.cues = transcript?.cues ?? [];
    this.starts = this.cues.map((cue) => cue.start_ms);
    this.buttons = this.cues.map((cue, index) => this.makeRow(cue, index));
    this.list.replaceChildren(...this.buttons.map((button) => {
      const item = document.createElement("li");
      item.append(button);
      return item;
    }));
    this.current = -1;
    this.body.hidden = !transcript;
    this.empty.hidden = Boolean(transcript);
    this.search.value = "";
    this.count.textContent = transcript ? fill(this.msg.msgAll, { count: this.cues.length }) : "";
    this.follow(this.page.playback.frameMs());
  }

  makeRow(cue, index) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "cue";
    button.dataset.cue = String(index);
    const time = Object.assign(document.createElement("span"), { className: "cue-time", textContent: formatTime(cue.start_ms) });
    button.append(time);
    if (cue.speaker) button.append(" ", Object.assign(document.createElement("span"), { className: "cue-speaker", textContent: cue.speaker }));
    button.append(" ", Object.assign(document.createElement("span"), { className: "cue-text", textContent: cue.text }));
    return button;
  }

  // Go to the cue's start: the frame on screen at that time.
  goTo(index) {
    const cue = this.cues[index];
    if (!cue) return;
    this.page.playback.pause();
    this.page.playback.seek(this.page.frames.at(cue.start_ms));
  }

  // The cue being said at ms: the last that starts at or before it, if it has not ended.
  follow(ms) {
    if (!this.cues.length) return;
    const index = partitionPoint(this.starts, (start) => start <= ms) - 1;
    const at = index >= 0 && ms < this.cues[index].end_ms ? index : -1;
    if (at === this.current) return;
    this.buttons[this.current]?.removeAttribute("aria-current");
    this.current = at;
    const button = this.buttons[at];
    if (!button) return;
    button.setAttribute("aria-current", "time");
    // Keep it in sight inside the list, without scrolling the page.
    const item = button.parentElement;
    if (item.hidden) return;
    const { offsetTop: top, offsetHeight: height } = item;
    if (top < this.list.scrollTop || top + height > this.list.scrollTop + this.list.clientHeight) {
      this.list.scrollTop = top - this.list.clientHeight / 3;
    }
  }

  filter() {
    const words = folded(this.search.value.trim());
    let shown = 0;
    this.cues.forEach((cue, index) => {
      const match = !words || folded(`${cue.speaker ?? ""} ${cue.text}`).includes(words);
      this.buttons[index].parentElement.hidden = !match;
      if (match) shown += 1;
    });
    this.count.textContent = words
      ? fill(this.msg.msgCount, { shown, count: this.cues.length })
      : fill(this.msg.msgAll, { count: this.cues.length });
  }

  // The span a code key codes when the focus is on a cue: from the frame on screen at its start to
  // the frame on screen at its end (at least one frame long; a point if the clip ends first).
  cueSpan(target) {
    const button = target?.closest?.("button[data-cue]");
    if (!button || !this.list.contains(button)) return null;
    const cue = this.cues[Number(button.dataset.cue)];
    if (!cue) return null;
    const frames = this.page.frames;
    const start = frames.at(cue.start_ms);
    let end = frames.at(cue.end_ms);
    if (end <= start) end = frames.step(start, 1);
    return { start_ms: start, end_ms: end > start ? end : null };
  }

  say(text, isError = false) {
    const status = this.form.querySelector(".form-status");
    status.replaceChildren();
    for (const line of [].concat(text)) {
      status.append(Object.assign(document.createElement("p"), { textContent: line }));
    }
    status.classList.toggle("error", isError);
  }

  async upload() {
    const file = this.form.elements.namedItem("file").files[0];
    if (!file) {
      this.say(this.msg.msgChooseFile, true);
      this.form.elements.namedItem("file").focus();
      return;
    }
    const body = new FormData(this.form);
    this.say(this.msg.msgSending);
    let response;
    let answer;
    try {
      response = await fetch(this.msg.upload, {
        method: "POST", body, credentials: "same-origin", headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
      });
      answer = await response.json().catch(() => ({}));
    } catch (error) {
      this.say(error.message, true);
      return;
    }
    if (!response.ok) {
      this.say(answer.error || response.statusText, true);
      const field = this.form.elements.namedItem(answer.field);
      field?.focus?.();
      return;
    }
    const lines = [fill(this.msg.msgUploaded, { cues: answer.cues })];
    if (answer.skipped.length) {
      lines.push(fill(this.msg.msgSkipped, { n: answer.skipped.length }));
      lines.push(...answer.skipped.map((s) => fill(this.msg.msgSkipLine, s)));
    }
    this.say(lines);
    this.form.reset();
    this.form.elements.namedItem("language").value = answer.transcript.language;
    this.changed(answer.transcript);
  }

  async remove() {
    if (!window.confirm(this.msg.msgConfirmDelete)) return;
    try {
      await sendJSON("DELETE", this.msg.json);
    } catch (error) {
      this.say(error.message, true);
      return;
    }
    this.say(this.msg.msgDeleted);
    this.changed(null);
  }

  // A new transcript (or none): the list, the player's track and the Captions button follow.
  changed(transcript) {
    this.show(transcript);
    this.msg.has = transcript ? "true" : "false";
    const captions = transcript && { src: this.msg.json.replace(/\/transcript$/, "/transcript.vtt") + `?v=${Date.now()}`, language: transcript.language, label: transcript.label };
    setTrack(this.video, captions, this.toggle?.on ?? false);
    if (this.toggle) this.toggle.button.hidden = !transcript;
    const remove = this.root.querySelector(".transcript-delete");
    if (remove) remove.hidden = !transcript;
    const summary = this.root.querySelector(".transcript-upload summary");
    if (summary) summary.textContent = transcript ? this.msg.msgReplace : this.msg.msgAdd;
  }
}
