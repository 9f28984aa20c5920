// The clip's frame times (GET /api/clips/<id>/frames). Phone video has a variable frame rate, so
// every frame step and every snap uses this list: never an assumed fps.
import { clamp, firstAtOrAfter, lastBefore } from "./util.js";

// The server lists each frame at the smallest whole ms at or after its true start. A frame on screen
// at ms (a fraction: currentTime, mediaTime) started at or before ms, so its listed time is below
// ms + 1. That also absorbs the floating point lost when currentTime = t / 1000 is read back.
const LISTED_WITHIN_MS = 1;

export class Frames {
  constructor(timesMs) {
    this.times = timesMs.length ? timesMs : [0];
  }

  get count() { return this.times.length; }

  // Index of the frame on screen at ms: the last frame that starts at or before it.
  // Before the first frame, that is the first frame.
  indexAt(ms) { return Math.max(0, lastBefore(this.times, ms + LISTED_WITHIN_MS)); }

  // Start time of the frame on screen at ms.
  at(ms) { return this.times[this.indexAt(ms)]; }

  // The frame start closest to ms (where a drag lets go).
  nearest(ms) {
    const i = this.indexAt(ms);
    const next = this.times[i + 1];
    return next !== undefined && next - ms < ms - this.times[i] ? next : this.times[i];
  }

  // The frame `steps` frames from the one on screen at ms, clamped to the clip.
  step(ms, steps) {
    return this.times[clamp(this.indexAt(ms) + steps, 0, this.times.length - 1)];
  }

  // Index of the first frame starting at or after ms (for drawing frame ticks in a range).
  firstFrom(ms) { return firstAtOrAfter(this.times, ms); }
}
