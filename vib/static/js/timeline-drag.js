// Pointer work on the timeline: click a moment to select it, drag a span's start or end edge, drag a
// point's tick to move it or its grip to make it a span, click or drag on the ruler to seek. Times
// snap to frame starts from the frames list; the time shows beside the pointer; the change is handed
// on (one "edit" event, one undo step) only on pointerup.
import { formatTime } from "./util.js";

const TOLERANCE_PX = 6;
const DRAG_FROM_PX = 3; // less than this is a click, not a drag
const AUTOSCROLL_PX = 24;

export class TimelineDrag {
  static GROW_OFFSET = 12; // px right of a selected point: its "make a span" grip

  constructor(timeline, { readOnly, mayEdit }) {
    this.tl = timeline;
    this.readOnly = readOnly;
    this.mayEdit = mayEdit;
    this.draft = null; // the dragged moment as it would be after the drop
    this.pending = null;
    this.scrubbing = false;
    this.tip = timeline.content.querySelector(".timeline-tip");
    const canvas = timeline.canvas;
    canvas.addEventListener("pointerdown", (e) => this.down(e));
    canvas.addEventListener("pointermove", (e) => this.move(e));
    canvas.addEventListener("pointerup", () => this.up());
    canvas.addEventListener("pointercancel", () => this.cancel());
    canvas.addEventListener("pointerleave", () => { if (!this.pending) canvas.style.cursor = ""; });
  }

  get active() { return this.pending !== null || this.scrubbing; }

  // Whether the selected moment stays as it is (a read-only page, or another author's moment). A
  // press selects what it hit before the drag decides.
  get locked() {
    const selected = this.tl.selected && this.tl.store.get(this.tl.selected);
    return selected ? !this.mayEdit(selected) : this.readOnly;
  }

  point(e) {
    const box = this.tl.canvas.getBoundingClientRect();
    return { x: e.clientX - box.left, y: e.clientY - box.top };
  }

  emit(type, detail) { this.tl.dispatchEvent(new CustomEvent(type, { detail })); }

  partOf(m, x, isSelected) {
    const tl = this.tl;
    const xs = tl.xOf(m.start_ms);
    if (m.end_ms === null) {
      if (isSelected && !this.locked && Math.abs(x - (xs + TimelineDrag.GROW_OFFSET)) <= 5) return "grow";
      return Math.abs(x - xs) <= TOLERANCE_PX ? "move" : null;
    }
    const xe = tl.xOf(m.end_ms);
    const nearStart = Math.abs(x - xs) <= TOLERANCE_PX;
    const nearEnd = Math.abs(x - xe) <= TOLERANCE_PX;
    if (nearStart && nearEnd) return x < (xs + xe) / 2 ? "start" : "end"; // a very short span
    if (nearStart) return "start";
    if (nearEnd) return "end";
    return x > xs && x < xe ? "body" : null;
  }

  hit(x, y) {
    const tl = this.tl;
    if (y < tl.ruler) return { area: "ruler" };
    const lane = Math.floor((y - tl.ruler) / tl.lane);
    const selected = tl.selected && tl.store.get(tl.selected);
    if (selected && tl.laneOf(selected) === lane) {
      const part = this.partOf(selected, x, true);
      if (part) return { key: selected.key, part };
    }
    // Later moments are drawn on top; an edge or a tick wins over the inside of a span.
    const t = tl.msAt(x);
    const slack = TOLERANCE_PX / tl.pxPerMs;
    let best = null;
    for (const m of tl.store.between(t - tl.maxSpanMs - slack, t + slack)) {
      if (tl.laneOf(m) !== lane) continue;
      const part = this.partOf(m, x, false);
      if (part && (!best || part !== "body" || best.part === "body")) best = { key: m.key, part };
    }
    return best ?? { area: "lane" };
  }

  frameAt(x) {
    const tl = this.tl;
    return tl.frames.nearest(Math.min(Math.max(tl.msAt(x), 0), tl.durationMs));
  }

  down(e) {
    if (e.button !== 0) return;
    const { x, y } = this.point(e);
    const hit = this.hit(x, y);
    this.tl.canvas.setPointerCapture(e.pointerId);
    if (hit.area === "ruler") {
      this.scrubbing = true;
      this.emit("seek", this.frameAt(x));
    } else if (hit.area === "lane") {
      this.emit("select", null);
      this.emit("seek", this.frameAt(x));
    } else {
      this.emit("select", hit.key);
      if (!this.locked && hit.part !== "body") {
        this.pending = { key: hit.key, part: hit.part, x0: x, moment: { ...this.tl.store.get(hit.key) } };
      }
    }
  }

  move(e) {
    const { x, y } = this.point(e);
    if (this.scrubbing) { this.emit("seek", this.frameAt(x)); return; }
    if (!this.pending) { this.hover(x, y); return; }
    if (!this.draft && Math.abs(x - this.pending.x0) < DRAG_FROM_PX) return;
    const tl = this.tl;
    if (x < AUTOSCROLL_PX) tl.scroller.scrollLeft -= AUTOSCROLL_PX / 2;
    else if (x > tl.viewWidth - AUTOSCROLL_PX) tl.scroller.scrollLeft += AUTOSCROLL_PX / 2;
    const { part, moment } = this.pending;
    const t = this.frameAt(x);
    const draft = { ...moment };
    let shown;
    if (part === "move") {
      shown = draft.start_ms = t;
    } else if (part === "start") {
      shown = draft.start_ms = Math.min(t, tl.frames.step(moment.end_ms, -1));
    } else { // "end", or "grow": the point becomes a span ending here (at least one frame long)
      shown = draft.end_ms = Math.max(t, tl.frames.step(moment.start_ms, 1));
    }
    this.draft = draft;
    this.tip.textContent = formatTime(shown);
    this.tip.hidden = false;
    this.tip.style.transform = `translateX(${shown * tl.pxPerMs}px)`;
    tl.invalidate();
  }

  hover(x, y) {
    const hit = this.hit(x, y);
    const part = hit.part;
    let cursor = hit.area ? (hit.area === "ruler" ? "col-resize" : "") : "pointer";
    if (!this.locked && part === "move") cursor = "grab";
    if (!this.locked && ["start", "end", "grow"].includes(part)) cursor = "ew-resize";
    this.tl.canvas.style.cursor = cursor;
  }

  up() {
    const draft = this.draft;
    const moment = this.pending?.moment;
    this.cancel();
    if (!draft) return;
    const changes = {};
    for (const field of ["start_ms", "end_ms"]) if (draft[field] !== moment[field]) changes[field] = draft[field];
    if (Object.keys(changes).length) this.emit("edit", { key: draft.key, changes });
  }

  cancel() {
    this.scrubbing = false;
    this.pending = null;
    this.draft = null;
    this.tip.hidden = true;
    this.tl.invalidate();
  }
}
