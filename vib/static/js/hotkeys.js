// The coding page's keyboard, as in BORIS/ELAN: a code's hotkey marks the frame on screen (a point);
// held down while playing it marks a span from the keydown frame to the keyup frame; Shift+hotkey
// opens a span that the next press of that hotkey closes (frame-by-frame coding while paused).
// Transport: Space, ←/→ (frame), Shift+←/→ (second), J/K/L, [ ] (moments), Delete, Ctrl+Z/Y.
// Keys are left alone while the user types in a field. Moments and the selection are the page's: the
// keys call its commands (which apply its editable policy); the transport keys drive the playback.
const TYPING = "input, textarea, select, [contenteditable], [contenteditable] *";
const HOLD_MS = 350;

export class Hotkeys {
  constructor({ page, playback, timeline, codes, readOnly }) {
    Object.assign(this, { page, playback, timeline, readOnly });
    this.byKey = new Map(codes.filter((c) => c.hotkey).map((c) => [c.hotkey.toLowerCase(), c]));
    this.held = new Map(); // hotkey -> {code, startMs, downAt} while the key is down during play
    this.open = null; // {key, code, startMs}: a span opened with Shift+hotkey
    document.addEventListener("keydown", (e) => this.down(e));
    document.addEventListener("keyup", (e) => this.up(e));
    // A key released outside the page never sends keyup: what was held counts as a point.
    window.addEventListener("blur", () => {
      for (const [key, held] of this.held) this.mark(held.code, held.startMs, null);
      this.held.clear();
    });
  }

  // The hotkey a key event means: the character typed, or else the physical key (Shift+1 types "!").
  hotkeyOf(e) {
    const typed = e.key.length === 1 ? e.key.toLowerCase() : null;
    if (typed && this.byKey.has(typed)) return typed;
    const physical = /^(?:Key|Digit|Numpad)([A-Z0-9])$/.exec(e.code)?.[1]?.toLowerCase();
    return physical && this.byKey.has(physical) ? physical : typed;
  }

  down(e) {
    if (e.defaultPrevented || e.target.closest?.(TYPING)) return;
    // AltGr (Ctrl+Alt on Windows) types [ and ] on many keyboards: that is typing, not a command.
    const altGr = e.getModifierState?.("AltGraph");
    if (e.altKey && !altGr) return;
    if ((e.ctrlKey || e.metaKey) && !altGr) { this.command(e); return; }
    if (this.transport(e)) { e.preventDefault(); return; }
    const key = this.hotkeyOf(e);
    const code = this.byKey.get(key);
    if (!code) return;
    e.preventDefault();
    if (this.readOnly || e.repeat) return; // auto-repeat while held must not add moments
    const frame = this.playback.frameMs();
    if (this.open?.key === key) {
      const { startMs } = this.open;
      this.closeSpan();
      this.mark(code, Math.min(startMs, frame), frame === startMs ? null : Math.max(startMs, frame));
    } else if (e.shiftKey) {
      this.open = { key, code, startMs: frame };
      this.page.showOpenSpan(this.open);
    } else if (this.playback.playing) {
      this.held.set(key, { code, startMs: frame, downAt: performance.now() });
    } else {
      this.mark(code, frame, null);
    }
  }

  up(e) {
    const key = this.hotkeyOf(e);
    const held = this.held.get(key);
    if (!held) return;
    this.held.delete(key);
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

  // Returns true when the key was a transport or editing key.
  transport(e) {
    const playback = this.playback;
    switch (e.key) {
      case " ": playback.toggle(); break; // also on a focused button: Space is play/pause on this page
      case "ArrowLeft": if (e.shiftKey) playback.stepSeconds(-1); else playback.stepFrames(-1); break;
      case "ArrowRight": if (e.shiftKey) playback.stepSeconds(1); else playback.stepFrames(1); break;
      case "j": case "J": playback.shuttleBackward(); break;
      case "k": case "K": playback.pause(); break;
      case "l": case "L": playback.shuttleForward(); break;
      case "Home": playback.seek(0); break;
      case "End": playback.seek(playback.durationMs); break;
      case "[": this.page.neighbour(-1); break;
      case "]": this.page.neighbour(1); break;
      case "+": case "=": this.timeline.zoomBy(2); break;
      case "-": case "_": this.timeline.zoomBy(0.5); break;
      case "Delete": case "Backspace":
        if (this.readOnly || !this.page.selected) return false;
        this.page.remove(this.page.selected);
        break;
      case "Escape":
        if (this.timeline.cancelDrag()) break;
        if (this.open) this.closeSpan();
        else this.page.select(null);
        break;
      default: return false;
    }
    return true;
  }
}
