// The zoomable timeline: a ruler and one lane per actor, moments as ticks (points) and bars (spans),
// and, when the clip has supervision feedback, a "Feedback" lane with a marker per feedback item.
//
// Smooth with thousands of moments on a long clip: the canvas is only as wide as the view and is
// redrawn (once per animation frame at most) when moments, zoom, scroll or selection change, drawing
// only what is in view (binary search by time). The playhead is a separate element moved with a
// transform on every video frame; it never causes a redraw.
import { formatTime } from "./util.js";
import { KIND_COLOURS } from "./feedback-store.js";
import { TimelineDrag } from "./timeline-drag.js";

export const RULER = 20; // px; coding.css gives the lane labels the same sizes
export const LANE = 24;
const MAX_PX_PER_MS = 1.2; // about 40 px per frame at 30 fps
const MAX_WIDTH_PX = 8_000_000; // browsers stop laying out wider elements
const STEPS_MS = [10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 15000, 30000, 60000, 120000, 300000, 600000, 1800000];
const FOLLOW_PAUSE_MS = 2000; // after the user scrolls, the view stops following the playhead this long

export class Timeline extends EventTarget {
  // readOnly: the viewer may not code; mayEdit(moment): whether they may change that one (the page's policy).
  constructor(root, { store, frames, lanes, readOnly, mayEdit, feedback = null }) {
    super();
    this.store = store;
    this.frames = frames;
    this.lanes = lanes; // actor ids, top to bottom
    this.durationMs = Math.max(frames.times[frames.count - 1], 1);
    this.scroller = root.querySelector(".timeline-scroll");
    this.content = root.querySelector(".timeline-content");
    this.canvas = root.querySelector("canvas");
    this.playhead = root.querySelector(".timeline-playhead");
    this.ctx = this.canvas.getContext("2d");
    this.pxPerMs = 0;
    this.fitted = true;
    this.selected = null;
    this.playheadMs = 0;
    this.maxSpanMs = 0;
    this.userScrolledAt = -Infinity;
    this.queued = false;
    this.drawnLeft = 0; // scrollLeft when the canvas was last drawn
    this.ruler = RULER;
    this.lane = LANE;
    this.feedback = feedback; // a FeedbackStore, or null: no feedback lane
    this.feedbackSelected = null;
    this.layer = null; // lanes a page adds below (the sound: sound.js)
    this.height = RULER + LANE * (lanes.length + (feedback ? 1 : 0));
    this.content.style.height = `${this.height}px`;
    this.drag = new TimelineDrag(this, { readOnly, mayEdit });
    if (feedback) {
      feedback.addEventListener("change", () => this.invalidate());
      // After the drag's own handler (which seeks to the pointer): a marker then selects its item.
      this.canvas.addEventListener("pointerdown", (e) => {
        const item = e.button === 0 ? this.feedbackAt(e) : null;
        if (item) this.dispatchEvent(new CustomEvent("feedback", { detail: item.id }));
      });
      this.canvas.addEventListener("pointermove", (e) => {
        const item = this.feedbackAt(e);
        this.canvas.title = item ? `${feedback.label(item.kind)}: ${item.text}` : "";
        if (item) this.canvas.style.cursor = "pointer";
      });
    }

    store.addEventListener("change", () => { this.measureSpans(); this.invalidate(); });
    this.scroller.addEventListener("scroll", () => this.invalidate());
    for (const type of ["wheel", "pointerdown"]) {
      this.scroller.addEventListener(type, () => { this.userScrolledAt = performance.now(); }, { passive: true });
    }
    this.scroller.addEventListener("wheel", (e) => {
      if (!e.ctrlKey && !e.metaKey) return;
      e.preventDefault(); // the browser would zoom the whole page
      const x = e.clientX - this.scroller.getBoundingClientRect().left;
      this.zoomBy(e.deltaY < 0 ? 1.25 : 0.8, (this.scroller.scrollLeft + x) / this.pxPerMs, x);
    }, { passive: false });
    new ResizeObserver(() => this.resize()).observe(this.scroller);
    this.measureSpans();
    this.resize();
  }

  get viewWidth() { return this.scroller.clientWidth; }
  get minPxPerMs() { return Math.max(this.viewWidth - 12, 50) / this.durationMs; }
  get maxPxPerMs() { return Math.max(this.minPxPerMs, Math.min(MAX_PX_PER_MS, MAX_WIDTH_PX / this.durationMs)); }
  xOf(ms) { return ms * this.pxPerMs - this.scroller.scrollLeft; }
  msAt(x) { return (x + this.scroller.scrollLeft) / this.pxPerMs; }
  // xOf during a redraw: scrollLeft is read once per redraw, not once per moment (each read asks the
  // browser for an up-to-date layout; per moment that was most of a redraw's time with 2,000 moments).
  drawX(ms) { return ms * this.pxPerMs - this.drawnLeft; }
  get feedbackTop() { return RULER + LANE * this.lanes.length; }
  get layerTop() { return RULER + LANE * (this.lanes.length + (this.feedback ? 1 : 0)); }

  // Lanes under the moments and the feedback, drawn by `layer`: {lanes (how many), draw(timeline,
  // top, fromMs, toMs, width)}; the layer calls invalidate() when what it shows changes.
  addLayer(layer) {
    this.layer = layer;
    this.height = this.layerTop + LANE * layer.lanes;
    this.content.style.height = `${this.height}px`;
    this.resize();
  }
  laneOf(moment) {
    const i = this.lanes.indexOf(moment.actor);
    return i < 0 ? this.lanes.length - 1 : i;
  }

  measureSpans() {
    // How far back a span can start and still reach into the view: bounds the binary search.
    let longest = 0;
    for (const m of this.store.sorted) if (m.end_ms !== null && m.end_ms - m.start_ms > longest) longest = m.end_ms - m.start_ms;
    this.maxSpanMs = longest;
  }

  resize() {
    const dpr = window.devicePixelRatio || 1;
    const width = this.viewWidth;
    this.canvas.width = Math.round(width * dpr);
    this.canvas.height = Math.round(this.height * dpr);
    this.canvas.style.width = `${width}px`;
    this.canvas.style.height = `${this.height}px`;
    this.ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    this.setZoom(this.fitted ? this.minPxPerMs : this.pxPerMs, this.playheadMs, width / 2);
  }

  setZoom(pxPerMs, anchorMs, anchorX) {
    this.pxPerMs = Math.min(Math.max(pxPerMs, this.minPxPerMs), this.maxPxPerMs);
    this.fitted = this.pxPerMs <= this.minPxPerMs * 1.0001;
    this.content.style.width = `${Math.ceil(this.durationMs * this.pxPerMs) + 12}px`;
    this.content.dataset.pxPerMs = String(this.pxPerMs); // the scale, for tests that point at a time
    this.scroller.scrollLeft = anchorMs * this.pxPerMs - anchorX;
    this.placePlayhead();
    this.invalidate();
    this.dispatchEvent(new CustomEvent("zoom", { detail: { fitted: this.fitted, max: this.pxPerMs >= this.maxPxPerMs } }));
  }

  // Zoom around a time that stays where it is on screen (the pointer, or else the playhead).
  zoomBy(factor, anchorMs = this.playheadMs, anchorX = null) {
    const x = anchorX ?? Math.min(Math.max(this.xOf(anchorMs), 0), this.viewWidth);
    this.setZoom(this.pxPerMs * factor, anchorMs, x);
  }

  zoomToFit() { this.setZoom(0, 0, 0); }

  setSelected(key) {
    this.selected = key;
    this.invalidate();
  }

  // Esc: a drag in progress ends without a change; false when there was none.
  cancelDrag() {
    if (!this.drag.active) return false;
    this.drag.cancel();
    return true;
  }

  setFeedbackSelected(id) {
    this.feedbackSelected = id;
    this.invalidate();
  }

  // The feedback item under the pointer in the feedback lane (the one that starts nearest), or null.
  feedbackAt(e) {
    if (!this.feedback) return null;
    const box = this.canvas.getBoundingClientRect();
    const x = e.clientX - box.left;
    const y = e.clientY - box.top;
    if (y < this.feedbackTop || y > this.feedbackTop + LANE) return null;
    const slack = 7 / this.pxPerMs;
    const t = this.msAt(x);
    let best = null;
    for (const item of this.feedback.between(t - slack, t + slack)) {
      const distance = Math.abs(item.start_ms - t);
      if (!best || distance < best.distance) best = { item, distance };
    }
    return best?.item ?? null;
  }

  placePlayhead() {
    this.playhead.style.transform = `translateX(${this.playheadMs * this.pxPerMs}px)`;
  }

  // Called on every shown frame. While following, the view turns a page when the playhead nears
  // its right edge rather than scrolling each frame (a scroll means a redraw).
  setPlayhead(ms, follow) {
    this.playheadMs = ms;
    this.placePlayhead();
    if (follow && performance.now() - this.userScrolledAt > FOLLOW_PAUSE_MS) this.reveal(ms, 0.1);
  }

  reveal(ms, at = 0.5) {
    const x = this.xOf(ms);
    if (x < 0 || x > this.viewWidth - 16) this.scroller.scrollLeft = ms * this.pxPerMs - this.viewWidth * at;
  }

  invalidate() {
    if (this.queued) return;
    this.queued = true;
    requestAnimationFrame(() => { this.queued = false; this.draw(); });
  }

  draw() {
    const { ctx } = this;
    const width = this.viewWidth;
    this.drawnLeft = this.scroller.scrollLeft;
    ctx.clearRect(0, 0, width, this.height);
    this.lanes.forEach((_, i) => {
      ctx.fillStyle = i % 2 ? "#f4f6f5" : "#ffffff";
      ctx.fillRect(0, RULER + i * LANE, width, LANE);
    });
    if (this.feedback) {
      ctx.fillStyle = "#eef5f0";
      ctx.fillRect(0, this.feedbackTop, width, LANE);
      ctx.fillStyle = "#c9d8cf";
      ctx.fillRect(0, this.feedbackTop, width, 1);
    }
    this.drawRuler(width);
    const fromMs = (this.drawnLeft - 8) / this.pxPerMs;
    const toMs = (this.drawnLeft + width + 8) / this.pxPerMs;
    const draft = this.drag.draft;
    for (const m of this.store.between(fromMs - this.maxSpanMs, toMs)) {
      if (m.key === this.selected || m.key === draft?.key) continue; // drawn last, on top
      if (m.end_ms !== null && m.end_ms < fromMs) continue;
      this.drawMoment(m, false);
    }
    const top = draft ?? (this.selected && this.store.get(this.selected));
    if (top) this.drawMoment(top, top.key === this.selected);
    if (this.feedback) this.drawFeedback(fromMs, toMs);
    this.layer?.draw(this, this.layerTop, fromMs, toMs, width);
  }

  // A feedback item: a range as a bar, a point (or a moment that is a point) as a speech-bubble
  // marker, in its kind's colour. Drafts (only the supervisor sees them) are outlined, not filled.
  drawFeedback(fromMs, toMs) {
    const { ctx } = this;
    const top = this.feedbackTop + 4;
    const height = LANE - 8;
    let selected = null;
    for (const item of this.feedback.between(fromMs, toMs)) {
      if (item.id === this.feedbackSelected) selected = item;
      else this.drawFeedbackItem(item, top, height, false);
    }
    if (selected) this.drawFeedbackItem(selected, top, height, true);
  }

  drawFeedbackItem(item, top, height, isSelected) {
    const { ctx } = this;
    const colour = KIND_COLOURS[item.kind] ?? "#5d6b76";
    const x = this.drawX(item.start_ms);
    ctx.lineWidth = isSelected ? 2 : 1.5;
    ctx.strokeStyle = isSelected ? "#10171c" : colour;
    ctx.fillStyle = colour;
    if (item.end_ms !== null && item.end_ms !== undefined && this.drawX(item.end_ms) - x > 10) {
      const w = this.drawX(item.end_ms) - x;
      ctx.globalAlpha = item.draft ? 0.25 : 0.55;
      ctx.fillRect(x, top + 3, w, height - 6);
      ctx.globalAlpha = 1;
      ctx.strokeRect(x + 0.5, top + 3.5, w - 1, height - 7);
    }
    // The marker at the start: a rounded bubble with a small tail pointing down at the time.
    ctx.beginPath();
    ctx.roundRect(x - 6, top, 12, height - 5, 3);
    ctx.moveTo(x - 3, top + height - 5);
    ctx.lineTo(x, top + height);
    ctx.lineTo(x + 3, top + height - 5);
    ctx.closePath();
    if (item.draft) {
      ctx.fillStyle = "#ffffff";
      ctx.fill();
      ctx.strokeStyle = isSelected ? "#10171c" : colour;
      ctx.setLineDash([2, 2]);
      ctx.stroke();
      ctx.setLineDash([]);
    } else {
      ctx.fill();
      if (isSelected) ctx.stroke();
    }
  }

  drawRuler(width) {
    const { ctx } = this;
    ctx.fillStyle = "#e9edef";
    ctx.fillRect(0, 0, width, RULER);
    ctx.strokeStyle = "#b9c2c9";
    ctx.fillStyle = "#4a5862";
    ctx.font = "11px system-ui, sans-serif";
    ctx.textBaseline = "middle";
    const frameWidth = (this.durationMs / this.frames.count) * this.pxPerMs;
    ctx.beginPath();
    if (frameWidth >= 6) { // zoomed in far enough to see single frames: mark where each one starts
      const times = this.frames.times;
      for (let i = this.frames.firstFrom(this.drawnLeft / this.pxPerMs); i < times.length && this.drawX(times[i]) <= width; i++) {
        const x = Math.round(this.drawX(times[i])) + 0.5;
        ctx.moveTo(x, RULER - 5);
        ctx.lineTo(x, RULER);
      }
    }
    const step = STEPS_MS.find((s) => s * this.pxPerMs >= 80) ?? STEPS_MS[STEPS_MS.length - 1];
    for (let t = Math.floor(this.drawnLeft / this.pxPerMs / step) * step; this.drawX(t) <= width; t += step) {
      const x = Math.round(this.drawX(t)) + 0.5;
      ctx.moveTo(x, 0);
      ctx.lineTo(x, RULER);
      const label = formatTime(t);
      ctx.fillText(step >= 1000 ? label.slice(0, -4) : label, x + 4, RULER / 2);
    }
    ctx.moveTo(0, RULER - 0.5);
    ctx.lineTo(width, RULER - 0.5);
    ctx.stroke();
  }

  drawMoment(m, isSelected) {
    const { ctx } = this;
    const top = RULER + this.laneOf(m) * LANE + 4;
    const height = LANE - 8;
    const x = this.drawX(m.start_ms);
    ctx.fillStyle = m.colour || "#777777";
    ctx.strokeStyle = isSelected ? "#10171c" : "rgba(0, 0, 0, .35)";
    ctx.lineWidth = isSelected ? 2 : 1;
    if (m.end_ms === null) {
      ctx.fillRect(x - 1.5, top, 3, height);
      ctx.beginPath(); // a small flag on top tells points apart in a crowded lane
      ctx.moveTo(x - 5, top);
      ctx.lineTo(x + 5, top);
      ctx.lineTo(x, top + 6);
      ctx.closePath();
      ctx.fill();
      if (isSelected) {
        ctx.strokeRect(x - 3, top - 1, 6, height + 2);
        if (!this.drag.locked) this.drawGrip(x + TimelineDrag.GROW_OFFSET, top + height / 2);
      }
      return;
    }
    const w = Math.max(this.drawX(m.end_ms) - x, 2);
    ctx.globalAlpha = 0.85;
    ctx.fillRect(x, top, w, height);
    ctx.globalAlpha = 1;
    ctx.strokeRect(x + 0.5, top + 0.5, w - 1, height - 1);
    if (w > 40) {
      ctx.save();
      ctx.beginPath();
      ctx.rect(x + 3, top, w - 6, height);
      ctx.clip();
      ctx.fillStyle = readableOn(m.colour || "#777777");
      ctx.fillText(m.code_label, Math.max(x, 0) + 4, top + height / 2 + 1);
      ctx.restore();
    }
    if (isSelected && !this.drag.locked) {
      this.drawGrip(x, top + height / 2);
      this.drawGrip(x + w, top + height / 2);
    }
  }

  drawGrip(x, y) {
    const { ctx } = this;
    ctx.beginPath();
    ctx.arc(x, y, 4.5, 0, Math.PI * 2);
    ctx.fillStyle = "#ffffff";
    ctx.fill();
    ctx.lineWidth = 2;
    ctx.strokeStyle = "#10171c";
    ctx.stroke();
  }
}

// Dark or light text, whichever reads better on the code's colour.
function readableOn(colour) {
  const hex = /^#([0-9a-f]{6})$/i.exec(colour)?.[1];
  if (!hex) return "#000";
  const [r, g, b] = [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16));
  return 0.299 * r + 0.587 * g + 0.114 * b > 150 ? "#10171c" : "#ffffff";
}
