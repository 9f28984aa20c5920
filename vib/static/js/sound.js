// The sound of a clip on the coding page (coding/_sound_panel.html, opened by coding.js): two lanes
// under the timeline's moments, the loudness (one bar per 20 ms, the loudest under each pixel) and
// the suggestions (speech of voice A and B in two shades, pauses hatched, turns as marks), and the
// keyboard walk through them: N / Shift+N go to the next / previous open suggestion (the video seeks
// to its start), a code key accepts the suggestion on screen as a moment with that code (the server
// puts it on the frames), X dismisses it for good. Suggestions are never moments until accepted.
import { getJSON, sendJSON } from "./api.js";
import { fill, formatTime } from "./util.js";

const POLL_MS = 4000; // while the sound is still being analysed
export const SHADES = { A: "#1f5f8b", B: "#d98c00", none: "#6c7a86" }; // the voices' shades: dark blue, amber
const PAUSE = "#9aa5ad";
const SELECTED = "#10171c";

// The suggestion N (direction 1) or Shift+N (-1) goes to: the next open one after `current` (in the
// list's order, so that suggestions starting together are each visited), or without one after the
// time `fromMs`; null when there is none that way. Pure: unit-tested in tests/js/sound.test.mjs.
export function nextOpen(suggestions, fromMs, direction, current = null) {
  const at = current ? suggestions.indexOf(current) : -1;
  if (at >= 0) {
    for (let i = at + direction; i >= 0 && i < suggestions.length; i += direction) if (suggestions[i].state === "open") return suggestions[i];
    return null;
  }
  const open = suggestions.filter((s) => s.state === "open");
  if (direction > 0) return open.find((s) => s.start_ms > fromMs) ?? null;
  return open.findLast((s) => s.start_ms < fromMs) ?? null;
}

// The loudest value under each pixel column: envelope values (one per stepMs) between the times of the
// column's edges. Pure: unit-tested.
export function columnPeaks(values, stepMs, msAt, width) {
  const peaks = new Uint8Array(Math.max(0, Math.ceil(width)));
  for (let x = 0; x < peaks.length; x++) {
    const from = Math.max(0, Math.floor(msAt(x) / stepMs));
    const to = Math.min(values.length, Math.max(from + 1, Math.ceil(msAt(x + 1) / stepMs)));
    let peak = 0;
    for (let i = from; i < to; i++) if (values[i] > peak) peak = values[i];
    peaks[x] = peak;
  }
  return peaks;
}

export class SoundPanel {
  constructor(root, { page, suggestionUrl, mayAnswer }) {
    Object.assign(this, { root, page, suggestionUrl, mayAnswer });
    this.msg = root.dataset;
    this.roles = JSON.parse(root.dataset.roles);
    this.status = root.querySelector(".sound-status");
    this.form = root.querySelector(".voices-form");
    this.envelope = null; // {state, step_ms, values, voices}
    this.suggestions = [];
    this.current = null; // the suggestion N went to: a code key accepts it while the video shows its start frame
    this.lanes = 2;
    page.timeline.addLayer(this);
    document.querySelectorAll(".lanes .sound-lane, .lanes .suggestion-lane").forEach((label) => { label.hidden = false; });
    if (mayAnswer) {
      page.hotkeys.suggestions = this;
      page.timeline.canvas.addEventListener("pointerdown", (e) => this.click(e));
    }
    this.form?.addEventListener("change", (e) => this.nameVoice(e.target));
    this.load();
  }

  async load() {
    try {
      const { body } = await getJSON(this.msg.envelope);
      this.envelope = body;
      if (body.state === "pending") {
        this.say(this.msg.msgPending);
        setTimeout(() => this.load(), POLL_MS);
        return;
      }
      if (body.state === "done" && this.mayAnswer) this.suggestions = (await getJSON(this.msg.suggestions)).body;
    } catch (error) {
      this.say(fill(this.msg.msgNotAnswered, { error: error.message }));
      return;
    }
    this.show();
  }

  // The lanes, the labels, the legend, the voices form and the status line, after loading.
  show() {
    const { state, voices, voice_count: voiceCount } = this.envelope;
    const heard = state === "done";
    this.root.querySelector(".sound-legend").hidden = !heard || !this.mayAnswer || !this.suggestions.length;
    this.root.dataset.state = state;
    if (this.form) {
      this.form.hidden = !heard || voiceCount < 1;
      for (const voice of ["A", "B"]) this.form.elements.namedItem(voice).value = voices[voice] ?? "";
    }
    this.nameLegend();
    this.page.timeline.invalidate();
    if (state === "no_audio") this.say(this.msg.msgNoAudio);
    else if (state === "failed") this.say(this.msg.msgFailed);
    else if (!this.mayAnswer) this.say("");
    else if (!this.suggestions.some((s) => s.kind === "speech")) this.say(this.msg.msgNone);
    else this.sayCount();
  }

  say(text) { this.status.textContent = text; }

  sayCount() {
    const open = this.suggestions.filter((s) => s.state === "open").length;
    this.say(fill(this.msg.msgCount, { open, count: this.suggestions.length }));
  }

  voiceWords(voice) {
    const role = this.envelope?.voices?.[voice];
    const name = fill(this.msg.msgVoice, { voice });
    return role ? `${name} (${this.roles[role]})` : name;
  }

  describe(s) {
    if (s.kind === "pause") return this.msg.msgPause;
    if (!s.voice) return s.kind === "turn" ? this.msg.msgTurnAny : this.msg.msgSpeechAny; // one voice heard
    const voice = this.voiceWords(s.voice);
    return fill(s.kind === "turn" ? this.msg.msgTurn : this.msg.msgSpeech, { voice });
  }

  nameLegend() {
    for (const voice of ["A", "B"]) {
      const label = this.root.querySelector(`.legend-${voice.toLowerCase()}`);
      if (label) label.textContent = this.voiceWords(voice);
    }
  }

  // -- the keyboard (Hotkeys calls these) -----------------------------------------------------------

  // N and Shift+N.
  step(direction) {
    if (!this.suggestions.length) return;
    const current = this.current && this.onScreen(this.current) ? this.current : null;
    const next = nextOpen(this.suggestions, this.page.playback.frameMs(), direction, current);
    if (next) this.goTo(next);
    else this.say(direction > 0 ? this.msg.msgNoNext : this.msg.msgNoPrevious);
  }

  // The video to the suggestion's frame, and the status line says what it is.
  goTo(suggestion) {
    this.current = suggestion;
    this.page.playback.seek(this.page.frames.at(suggestion.start_ms)); // the frame it falls in
    this.page.timeline.reveal(suggestion.start_ms);
    this.page.timeline.invalidate();
    const n = this.suggestions.indexOf(suggestion) + 1;
    // The frames it would become (as the server puts an accepted suggestion on them).
    const [from, to] = [this.page.frames.at(suggestion.start_ms), this.page.frames.at(suggestion.end_ms)];
    const time = suggestion.end_ms > suggestion.start_ms ? `${formatTime(from)}–${formatTime(Math.max(to, from))}` : formatTime(from);
    this.say(fill(this.msg.msgCurrent, { n, count: this.suggestions.length, what: this.describe(suggestion), time }));
  }

  // A click in the suggestions lane: the open suggestion under the pointer (a turn's mark, else the
  // span it falls in), after the timeline's own handler moved the video to the pointer.
  click(e) {
    const { timeline } = this.page;
    const box = timeline.canvas.getBoundingClientRect();
    const top = timeline.layerTop + timeline.lane;
    if (e.button !== 0 || e.clientY - box.top < top || e.clientY - box.top > top + timeline.lane) return;
    const t = timeline.msAt(e.clientX - box.left);
    const slack = 6 / timeline.pxPerMs;
    const open = this.suggestions.filter((s) => s.state === "open");
    const hit = open.find((s) => s.kind === "turn" && Math.abs(s.start_ms - t) <= slack)
      ?? open.find((s) => s.kind !== "turn" && s.start_ms <= t && t <= s.end_ms);
    if (hit) this.goTo(hit);
  }

  // Whether the video still shows the suggestion's start: the frame it falls in. Once the user moves
  // on (a click, an arrow key), a code key marks the frame on screen as always.
  onScreen(suggestion) {
    const frame = this.page.playback.frameMs();
    return frame === this.page.frames.at(suggestion.start_ms);
  }

  // A code key: true when it answered the current suggestion (then it marks nothing else).
  accept(code) {
    const suggestion = this.current;
    if (!suggestion || !this.onScreen(suggestion)) return false;
    this.current = null;
    suggestion.state = "accepted";
    this.page.timeline.invalidate();
    sendJSON("POST", `${this.suggestionUrl}${suggestion.id}/accept`, { code: code.id }).then(
      (moment) => {
        const key = this.page.store.adopt(moment);
        this.page.select(key);
        this.page.announce(this.msg.msgAccepted, this.page.store.get(key));
        this.sayCount();
      },
      (error) => {
        suggestion.state = "open";
        this.page.timeline.invalidate();
        this.page.problem(fill(this.msg.msgNotAnswered, { error: error.message }));
      },
    );
    return true;
  }

  // X: the suggestion on screen is dismissed for good; nothing happens without one.
  dismiss() {
    const suggestion = this.current;
    if (!suggestion || !this.onScreen(suggestion)) return false;
    this.current = null;
    suggestion.state = "dismissed";
    this.page.timeline.invalidate();
    sendJSON("POST", `${this.suggestionUrl}${suggestion.id}/dismiss`).then(
      () => { this.sayCount(); this.say(`${this.msg.msgDismissed} ${this.status.textContent}`); },
      (error) => {
        suggestion.state = "open";
        this.page.timeline.invalidate();
        this.page.problem(fill(this.msg.msgNotAnswered, { error: error.message }));
      },
    );
    return true;
  }

  async nameVoice(select) {
    const status = this.form.querySelector(".voices-status");
    try {
      const voices = await sendJSON("PATCH", this.msg.voices, { [select.name]: select.value || null });
      this.envelope.voices = voices;
      for (const s of this.suggestions) s.actor = s.voice ? voices[s.voice] ?? null : null;
      this.nameLegend();
      status.textContent = this.msg.msgVoicesSaved;
    } catch (error) {
      status.textContent = error.message;
    }
  }

  // -- drawing (the timeline calls this with the top of the first of our lanes) ---------------------

  draw(timeline, top, fromMs, toMs, width) {
    const { ctx } = timeline;
    const lane = timeline.lane;
    ctx.fillStyle = "#f7f8fa";
    ctx.fillRect(0, top, width, lane * 2);
    ctx.fillStyle = "#c9d0d6";
    ctx.fillRect(0, top, width, 1);
    ctx.fillRect(0, top + lane, width, 1);
    if (this.envelope?.state !== "done") return;
    const { values, step_ms: stepMs } = this.envelope;
    const peaks = columnPeaks(values, stepMs, (x) => (x + timeline.drawnLeft) / timeline.pxPerMs, width);
    ctx.fillStyle = "#5d6b76";
    const middle = top + lane / 2;
    for (let x = 0; x < peaks.length; x++) {
      const h = (peaks[x] / 100) * (lane - 4);
      if (h >= 1) ctx.fillRect(x, middle - h / 2, 1, h);
    }
    const row = top + lane;
    for (const s of this.suggestions) {
      if (s.end_ms < fromMs || s.start_ms > toMs || s.state === "dismissed") continue;
      this.drawSuggestion(timeline, s, row + 4, lane - 8);
    }
  }

  drawSuggestion(timeline, s, top, height) {
    const { ctx } = timeline;
    const x = timeline.drawX(s.start_ms);
    const w = Math.max(timeline.drawX(s.end_ms) - x, 0);
    ctx.globalAlpha = s.state === "accepted" ? 0.35 : 1;
    if (s.kind === "turn") {
      ctx.fillStyle = SHADES[s.voice] ?? SHADES.none;
      ctx.beginPath();
      ctx.moveTo(x, top);
      ctx.lineTo(x + 6, top + height / 2);
      ctx.lineTo(x, top + height);
      ctx.closePath();
      ctx.fill();
    } else if (s.kind === "pause") {
      ctx.strokeStyle = PAUSE;
      ctx.setLineDash([3, 3]);
      ctx.strokeRect(x + 0.5, top + 3.5, Math.max(w - 1, 1), height - 7);
      ctx.setLineDash([]);
    } else {
      ctx.fillStyle = SHADES[s.voice] ?? SHADES.none;
      ctx.fillRect(x, top + 2, Math.max(w, 2), height - 4);
    }
    ctx.globalAlpha = 1;
    if (s === this.current) {
      ctx.strokeStyle = SELECTED;
      ctx.lineWidth = 2;
      ctx.strokeRect(x - 2, top, Math.max(w, 6) + 4, height);
      ctx.lineWidth = 1;
    }
  }
}
