// The coding page's control of the video: which frame is on screen, frame and second steps, J/K/L
// shuttle, speed, and one "tick" per shown frame for the playhead.
export const SPEEDS = [0.25, 0.5, 1, 1.5, 2];
const SHUTTLE_FORWARD = [1, 1.5, 2];
const REVERSE_STEP_MS = 250; // browsers cannot play backwards: J seeks back in steps this often
const REVERSE_SPEEDS = [1, 2, 4];
const PRESENTED_FRESH_MS = 250;

export class Playback extends EventTarget {
  constructor(video, frames) {
    super();
    this.video = video;
    this.frames = frames;
    this.presentedMs = null; // mediaTime of the last frame the browser presented while playing
    this.presentedAt = 0;
    this.reverseSpeed = 0;
    this.reverseTimer = 0;
    this.reverseRun = 0;
    this.ticking = false;
    this.queuedMs = null; // a seek waiting for the current one to land
    this.listenForFrames();
  }

  get playing() { return !this.video.paused && !this.video.ended; }
  get durationMs() { return this.frames.times[this.frames.count - 1]; }

  // The frame on screen. While playing, currentTime runs ahead of the picture: the last presented
  // frame's mediaTime is what the user saw when pressing a key.
  frameMs() {
    if (this.queuedMs !== null) return this.frames.at(this.queuedMs); // where the steps are heading
    if (this.playing && this.presentedIsCurrent()) return this.frames.at(this.presentedMs);
    return this.frames.at(this.video.currentTime * 1000);
  }

  // Whether the last presented frame is still the one on screen: its successor is due after the gap
  // between the two, slowed by the speed (at 0.25× a 10 fps clip shows each frame for 400 ms).
  presentedIsCurrent() {
    if (this.presentedMs === null) return false;
    const shown = this.frames.at(this.presentedMs);
    const gap = this.frames.step(shown, 1) - shown;
    const due = Math.max(PRESENTED_FRESH_MS, (2 * gap) / (this.video.playbackRate || 1));
    return performance.now() - this.presentedAt < due;
  }

  listenForFrames() {
    const video = this.video;
    const emit = (ms) => this.dispatchEvent(new CustomEvent("tick", { detail: ms }));
    if ("requestVideoFrameCallback" in video) {
      const onFrame = (now, metadata) => {
        this.presentedMs = metadata.mediaTime * 1000;
        this.presentedAt = performance.now();
        emit(this.playing ? this.presentedMs : this.frames.at(video.currentTime * 1000));
        video.requestVideoFrameCallback(onFrame);
      };
      video.requestVideoFrameCallback(onFrame);
    }
    // Without frame callbacks (and as a safety net when they stall) follow currentTime per animation frame.
    const loop = () => {
      if (!this.playing) { this.ticking = false; return; }
      if (!this.presentedIsCurrent()) emit(video.currentTime * 1000);
      requestAnimationFrame(loop);
    };
    video.addEventListener("play", () => {
      if (!this.ticking) { this.ticking = true; requestAnimationFrame(loop); }
    });
    for (const type of ["seeked", "pause", "loadeddata"]) {
      video.addEventListener(type, () => emit(this.frames.at(video.currentTime * 1000)));
    }
  }

  // A "tick" for the frame on screen now, before the video has shown one (the page's first clock).
  announce() { this.dispatchEvent(new CustomEvent("tick", { detail: this.frames.at(this.video.currentTime * 1000) })); }

  // One seek at a time: a step made while the browser is still seeking waits for that seek to land,
  // and only the newest waits (flooding Chromium with seeks can leave a paused video seeking).
  seek(ms) {
    const clamped = Math.min(Math.max(ms, 0), this.durationMs);
    if (this.video.seeking) {
      if (this.queuedMs === null) this.video.addEventListener("seeked", () => this.seekQueued(), { once: true });
      this.queuedMs = clamped;
    } else {
      this.queuedMs = null;
      this.video.currentTime = clamped / 1000;
    }
    this.dispatchEvent(new CustomEvent("seek", { detail: clamped }));
  }

  seekQueued() {
    const ms = this.queuedMs;
    this.queuedMs = null;
    if (ms !== null) this.seek(ms);
  }

  play() {
    this.stopReverse();
    this.video.play().catch(() => {}); // a refused play (e.g. no media yet) leaves it paused
  }

  pause() {
    this.stopReverse();
    if (!this.playing) { this.video.pause(); return; }
    // Paused, the browser goes on showing the last frame it presented, but currentTime stays where
    // its clock stopped: often in the frame after it, sometimes in the one before. Seek to the frame
    // on screen, so that the picture, currentTime, the clock and what is coded next all agree.
    const shown = this.frameMs();
    this.video.pause();
    this.seek(shown);
  }

  toggle() {
    if (this.playing || this.reverseSpeed) this.pause(); else this.play();
  }

  setRate(rate) { this.video.playbackRate = rate; }

  stepFrames(steps) {
    // Pause first, so the step starts from the frame the user sees.
    const from = this.frameMs();
    this.pause();
    this.seek(this.frames.step(from, steps));
  }

  stepSeconds(seconds) {
    const from = this.frameMs();
    this.stopReverse();
    this.seek(this.frames.at(Math.max(0, from + seconds * 1000)));
  }

  // L: play forward; again while playing raises the speed (1, 1.5, 2).
  shuttleForward() {
    if (!this.playing || this.reverseSpeed) {
      this.setRate(1);
      this.play();
      return;
    }
    const faster = SHUTTLE_FORWARD.find((rate) => rate > this.video.playbackRate);
    if (faster) this.setRate(faster);
  }

  // J: "play backwards" by seeking back in steps; again goes faster.
  shuttleBackward() {
    this.video.pause();
    const running = this.reverseSpeed > 0;
    this.reverseSpeed = REVERSE_SPEEDS.find((speed) => speed > this.reverseSpeed) ?? this.reverseSpeed;
    if (!running) this.reverseStep(++this.reverseRun);
  }

  reverseStep(run) {
    if (!this.reverseSpeed || run !== this.reverseRun) return;
    const target = this.frames.nearest(Math.max(0, this.video.currentTime * 1000 - REVERSE_STEP_MS * this.reverseSpeed));
    this.seek(target);
    if (target <= 0) { this.stopReverse(); return; }
    const started = performance.now();
    // Wait for the picture before the next step so a slow decoder is not flooded with seeks.
    this.video.addEventListener("seeked", () => {
      const wait = Math.max(0, REVERSE_STEP_MS - (performance.now() - started));
      this.reverseTimer = setTimeout(() => this.reverseStep(run), wait);
    }, { once: true });
  }

  stopReverse() {
    this.reverseSpeed = 0;
    this.reverseRun += 1; // a step still waiting for "seeked" ends there
    clearTimeout(this.reverseTimer);
  }
}
