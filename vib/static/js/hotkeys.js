// The coding page's keyboard, as in BORIS/ELAN: a code's hotkey marks the frame on screen (a point);
// held down while playing it marks a span from the keydown frame to the keyup frame; Shift+hotkey
// opens a span that the next press of that hotkey closes (frame-by-frame coding while paused).
// Transport: Space, ←/→ (frame), Shift+←/→ (second), J/K/L, [ ] (moments), Delete, Ctrl+Z/Y.
// The selected moment moves by keys: Alt+←/→ its start by a frame, Alt+Shift+←/→ its end by a frame,
// Alt+PageDown/PageUp and Alt+Shift+PageDown/PageUp the same by a second (earlier/later).
//
// A code key on a cue of the transcript panel codes the cue: a span from its start to its end (the
// panel's `cueSpan`, snapped to frames). N / Shift+N go to the next / previous suggestion from the
// sound, a code key then accepts it and X dismisses it (sound.js).
//
// Where the keys act (WCAG 2.1.4): the page's keys act only with the focus on the player, its
// transport bar, the timeline, the moment list, the transcript panel or nowhere in particular (the page itself); never in
// a field, and never on another link or button (Space and Enter on any button press that button).
// Ctrl/Cmd combinations (undo, redo, zoom) and Esc act wherever the user is not typing.
// Single-character shortcuts (code keys, J/K/L, [ ], + −) can be turned off per user: then they need
// Alt (Alt+key always works). The user may give a code another key (shortcut-settings.js).
// Moments and the selection are the page's: the keys call its commands (which apply its editable
// policy); the transport keys drive the playback.
import { clamp } from "./util.js";

const TYPING = "input, textarea, select, [contenteditable], [contenteditable] *";
const PRESSABLE = "button, a[href], summary, label, [role=button], [role=link], [role=checkbox], [role=switch], [role=tab], [role=menuitem], [role=option]";
const ZONES = ".player, .transport, .timeline, .moment-list, .transcript-panel";
const HOLD_MS = 350;
// With Alt held, e.key is whatever the layout types with Alt (on a Mac Option+J types ∆): the
// physical key says which shortcut it was.
const PHYSICAL = { BracketLeft: "[", BracketRight: "]", Equal: "+", Minus: "-", NumpadAdd: "+", NumpadSubtract: "-" };

// Where a key event happened, for the rules above: "typing" (a field), "page" (nothing focused),
// "zone" (the player, transport, timeline or moment list), "zone-button" (a button in one of them),
// or "other" (a link or button elsewhere, the moment panel, the settings).
export function focusScope(target) {
  if (!target?.closest || target.matches("body, html")) return "page";
  if (target.closest(TYPING)) return "typing";
  const pressable = Boolean(target.closest(PRESSABLE));
  if (target.closest(ZONES)) return pressable ? "zone-button" : "zone";
  return "other";
}

// The code each key marks: the scheme's hotkeys with the user's own keys instead ({code id: key}).
export function keyMap(codes, own = {}) {
  const map = new Map();
  for (const code of codes) {
    const key = (own[code.id] ?? code.hotkey ?? "").toLowerCase();
    if (key && !map.has(key)) map.set(key, code);
  }
  return map;
}

// The start or end of a moment moved by whole frames (steps) or seconds, on the clip's frame times;
// null when it would not change. A span keeps at least one frame; a point's end only moves later
// (it becomes a span), never before its start.
export function movedEdge(moment, frames, edge, { steps = 0, seconds = 0 }) {
  const last = frames.times[frames.count - 1];
  const to = (from) => (steps ? frames.step(from, steps) : frames.at(clamp(from + seconds * 1000, 0, last)));
  if (edge === "start") {
    let t = to(moment.start_ms);
    if (moment.end_ms !== null) t = Math.min(t, frames.step(moment.end_ms, -1));
    return t === moment.start_ms ? null : { start_ms: t };
  }
  if (moment.end_ms === null && (steps < 0 || seconds < 0)) return null;
  const t = Math.max(to(moment.end_ms ?? moment.start_ms), frames.step(moment.start_ms, 1));
  return t === moment.end_ms || t <= moment.start_ms ? null : { end_ms: t };
}

export class Hotkeys {
  constructor({ page, playback, timeline, codes, readOnly, settings = {} }) {
    Object.assign(this, { page, playback, timeline, readOnly, codes });
    this.configure(settings);
    this.held = new Map(); // hotkey -> {code, startMs, downAt} while the key is down during play
    this.open = null; // {key, code, startMs}: a span opened with Shift+hotkey
    this.cueSpan = () => null; // the transcript panel's: the span of the cue a key event is on, or null
    this.suggestions = null; // the sound panel (sound.js): step(direction), accept(code), dismiss()
    document.addEventListener("keydown", (e) => this.down(e));
    document.addEventListener("keyup", (e) => this.up(e));
    // A key released outside the page never sends keyup: what was held counts as a point.
    window.addEventListener("blur", () => {
      for (const [, held] of this.held) this.mark(held.code, held.startMs, null);
      this.held.clear();
    });
  }

  // The user's shortcuts: {single_keys, keys: {code id: key}}.
  configure({ single_keys: singleKeys = true, keys = {} }) {
    this.singleKeys = singleKeys;
    this.byKey = keyMap(this.codes, keys);
  }

  // The hotkey a key event means: the character typed, or else the physical key (Shift+1 types "!").
  hotkeyOf(e) {
    const typed = e.key.length === 1 ? e.key.toLowerCase() : null;
    if (typed && this.byKey.has(typed)) return typed;
    const physical = /^(?:Key|Digit|Numpad)([A-Z0-9])$/.exec(e.code)?.[1]?.toLowerCase();
    return physical && this.byKey.has(physical) ? physical : typed;
  }

  // The character shortcut of a key event: with Alt, that of the physical key.
  characterOf(e, alt) {
    if (!alt) return e.key.length === 1 && e.key !== " " ? e.key : null;
    return PHYSICAL[e.code] ?? /^(?:Key|Digit)([A-Z0-9])$/.exec(e.code)?.[1]?.toLowerCase() ?? null;
  }

  down(e) {
    if (e.defaultPrevented) return;
    const scope = focusScope(e.target);
    if (scope === "typing") return;
    // Space and Enter on a button or link press it (Mute, Zoom, Delete, a moment's row, …).
    if ((e.key === " " || e.key === "Enter") && (scope === "zone-button" || scope === "other")) return;
    // AltGr (Ctrl+Alt on Windows) types [ and ] on many keyboards: that is typing, not a command.
    const altGr = e.getModifierState?.("AltGraph");
    const alt = e.altKey && !altGr;
    if ((e.ctrlKey || e.metaKey) && !altGr && !e.altKey) { this.command(e); return; }
    if (e.key === "Escape") { this.escape(); return; }
    if (scope === "other" || e.ctrlKey || e.metaKey) return;
    if (alt && this.move(e)) { e.preventDefault(); return; }
    const character = this.characterOf(e, alt);
    // A character alone acts only while single-key shortcuts are on; with Alt it always does.
    if (character !== null && !alt && !this.singleKeys) return;
    if (this.transport(e, character)) { e.preventDefault(); return; }
    if (character === null) return;
    const key = alt ? character : this.hotkeyOf(e);
    const code = this.byKey.get(key);
    if (!code) return;
    e.preventDefault();
    if (this.readOnly || e.repeat) return; // auto-repeat while held must not add moments
    if (!e.shiftKey && this.suggestions?.accept(code)) return; // the suggestion N went to
    const cue = this.cueSpan(e.target);
    if (cue) { this.mark(code, cue.start_ms, cue.end_ms); return; }
    const frame = this.playback.frameMs();
    if (this.open?.key === key) {
      const { startMs } = this.open;
      this.closeSpan();
      this.mark(code, Math.min(startMs, frame), frame === startMs ? null : Math.max(startMs, frame));
    } else if (e.shiftKey) {
      this.open = { key, code, startMs: frame };
      this.page.showOpenSpan(this.open);
    } else {
      this.press(key, code);
    }
  }

  up(e) {
    // Alt may be let go before the key: the held key is found by what it typed or by the physical key.
    const key = [this.hotkeyOf(e), this.characterOf(e, true)].find((k) => this.held.has(k));
    if (key !== undefined) this.release(key);
  }

  // A code pressed, by its key or on the touch palette (`id` tells the presses apart): paused, it
  // marks the frame on screen at once; playing, the release decides (a tap: a point at the press's
  // frame; held HOLD_MS or longer: a span up to the release's frame).
  press(id, code) {
    if (this.readOnly) return;
    const frame = this.playback.frameMs();
    if (this.playback.playing) this.held.set(id, { code, startMs: frame, downAt: performance.now() });
    else this.mark(code, frame, null);
  }

  release(id) {
    const held = this.held.get(id);
    if (!held) return;
    this.held.delete(id);
    const end = this.playback.frameMs();
    const long = performance.now() - held.downAt >= HOLD_MS && end > held.startMs;
    this.mark(held.code, held.startMs, long ? end : null);
  }

  mark(code, startMs, endMs) {
    const fields = { start_ms: startMs, end_ms: endMs, code: code.id };
    if (code.actor) fields.actor = code.actor;
    this.page.create(fields);
  }

  closeSpan() {
    this.open = null;
    this.page.showOpenSpan(null);
  }

  escape() {
    if (this.timeline.cancelDrag()) return;
    if (this.open) this.closeSpan();
    else this.page.select(null);
  }

  // Ctrl/Cmd combinations: undo, redo, zoom. Everything else (copy, find, ...) stays the browser's.
  command(e) {
    const key = e.key.toLowerCase();
    if (key === "z" && !this.readOnly) this.page.travel(e.shiftKey ? "redo" : "undo");
    else if (key === "y" && !this.readOnly) this.page.travel("redo");
    else if (key === "+" || key === "=") this.timeline.zoomBy(2);
    else if (key === "-") this.timeline.zoomBy(0.5);
    else return;
    e.preventDefault();
  }

  // Alt+arrows and Alt+PageUp/PageDown: the selected moment's start (with Shift its end) by a frame
  // or a second. True when the key was one of them (also when there was nothing to move).
  move(e) {
    const by = { ArrowLeft: { steps: -1 }, ArrowRight: { steps: 1 }, PageDown: { seconds: -1 }, PageUp: { seconds: 1 } }[e.key];
    if (!by) return false;
    if (!this.readOnly) this.page.nudge(e.shiftKey ? "end" : "start", by);
    return true;
  }

  // Returns true when the key was a transport or editing key. character: the key's character
  // shortcut (null for Space, arrows and other named keys).
  transport(e, character) {
    const playback = this.playback;
    switch (character === null ? e.key : character.toLowerCase()) {
      case " ": playback.toggle(); break;
      case "ArrowLeft": if (e.shiftKey) playback.stepSeconds(-1); else playback.stepFrames(-1); break;
      case "ArrowRight": if (e.shiftKey) playback.stepSeconds(1); else playback.stepFrames(1); break;
      case "j": playback.shuttleBackward(); break;
      case "k": playback.pause(); break;
      case "l": playback.shuttleForward(); break;
      case "Home": playback.seek(0); break;
      case "End": playback.seek(playback.durationMs); break;
      case "[": this.page.neighbour(-1); break;
      case "]": this.page.neighbour(1); break;
      case "n": if (!this.suggestions) return false; this.suggestions.step(e.shiftKey ? -1 : 1); break;
      case "x": if (!this.suggestions) return false; this.suggestions.dismiss(); break;
      case "+": case "=": this.timeline.zoomBy(2); break;
      case "-": case "_": this.timeline.zoomBy(0.5); break;
      case "Delete": { // only Delete: Backspace on a moment's row deleted it by accident
        if (this.readOnly) return false;
        const key = this.page.list.keyOf(e.target) ?? this.page.selected;
        if (!key) return false;
        this.page.remove(key);
        break;
      }
      default: return false;
    }
    return true;
  }
}
