// The clip's frame times (GET /api/clips/<id>/frames). Phone video has a variable frame rate, so
// every frame step and every snap uses this list: never an assumed fps.

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
  indexAt(ms) {
    const times = this.times;
    let lo = 0;
    let hi = times.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (times[mid] < ms + LISTED_WITHIN_MS) lo = mid; else hi = mid - 1;
    }
    return lo;
  }

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
    const i = Math.min(Math.max(this.indexAt(ms) + steps, 0), this.times.length - 1);
    return this.times[i];
  }

  // Index of the first frame starting at or after ms (for drawing frame ticks in a range).
  firstFrom(ms) {
    let lo = 0;
    let hi = this.times.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.times[mid] < ms) lo = mid + 1; else hi = mid;
    }
    return lo;
  }
}
