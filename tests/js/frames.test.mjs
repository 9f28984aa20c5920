// Frame times and frame stepping: every step and snap uses the clip's list of frame times, never an
// assumed frame rate.
import assert from "node:assert/strict";
import { test } from "node:test";

import { Frames } from "../../vib/static/js/frames.js";
import { Playback } from "../../vib/static/js/playback.js";

// A variable frame rate: uneven gaps, two frames 1 ms apart, a long freeze from 200 to 400.
const TIMES = [0, 33, 67, 100, 150, 151, 200, 400, 433];

test("the frame on screen is the last that starts at or before the time", () => {
  const frames = new Frames(TIMES);
  assert.equal(frames.count, 9);
  assert.equal(frames.at(-20), 0); // before the first: the first
  assert.equal(frames.at(0), 0);
  assert.equal(frames.at(98.9), 67);
  assert.equal(frames.at(99.2), 100); // listed at 100, the whole ms at or after its start: it may start at 99.1
  assert.equal(frames.at(150), 150);
  assert.equal(frames.at(150.7), 151); // listed at the whole ms at or after its start
  assert.equal(frames.at(399), 200);
  assert.equal(frames.at(433), 433);
  assert.equal(frames.at(10_000), 433); // after the last: the last
  assert.equal(frames.indexAt(10_000), 8);
});

test("a time read back from the video (t / 1000 * 1000) lands on the frame it was set to", () => {
  const frames = new Frames([0, 33, 67, 100, 133, 167, 200, 233, 267, 300, 333, 367, 400]);
  for (const t of frames.times) {
    const readBack = (t / 1000) * 1000 - 1e-9; // the floating point lost on the way
    assert.equal(frames.at(readBack), t);
  }
});

test("frame steps follow the list, clamped to the clip", () => {
  const frames = new Frames(TIMES);
  assert.equal(frames.step(100, 1), 150);
  assert.equal(frames.step(100, 2), 151);
  assert.equal(frames.step(120, 1), 150); // from the frame on screen at 120: 100
  assert.equal(frames.step(151, 1), 200);
  assert.equal(frames.step(200, 1), 400); // across the freeze in one step
  assert.equal(frames.step(400, -1), 200);
  assert.equal(frames.step(33, -1), 0);
  assert.equal(frames.step(0, -1), 0);
  assert.equal(frames.step(433, 1), 433);
  assert.equal(frames.step(-50, -3), 0);
  assert.equal(frames.step(100, 100), 433);
});

test("nearest snaps to the closest frame start; a tie goes to the earlier frame", () => {
  const frames = new Frames(TIMES);
  assert.equal(frames.nearest(120), 100);
  assert.equal(frames.nearest(130), 150);
  assert.equal(frames.nearest(125), 100);
  assert.equal(frames.nearest(300), 200);
  assert.equal(frames.nearest(301), 400);
  assert.equal(frames.nearest(-10), 0);
  assert.equal(frames.nearest(5000), 433);
});

test("firstFrom: the first frame starting at or after a time (frame ticks in view)", () => {
  const frames = new Frames(TIMES);
  assert.equal(frames.firstFrom(-1), 0);
  assert.equal(frames.firstFrom(150), 4);
  assert.equal(frames.firstFrom(150.5), 5);
  assert.equal(frames.firstFrom(201), 7);
  assert.equal(frames.firstFrom(434), 9);
});

test("a clip without frame times has one frame at 0", () => {
  const frames = new Frames([]);
  assert.deepEqual(frames.times, [0]);
  assert.equal(frames.step(0, 1), 0);
  assert.equal(frames.nearest(500), 0);
});

// A paused video element: setting currentTime starts a seek that lands when the test says so.
class FakeVideo extends EventTarget {
  constructor() {
    super();
    this.time = 0;
    this.seeking = false;
    this.paused = true;
    this.ended = false;
    this.playbackRate = 1;
    this.seeks = [];
  }

  get currentTime() { return this.time; }
  set currentTime(seconds) {
    this.time = seconds;
    this.seeking = true;
    this.seeks.push(Math.round(seconds * 1000));
  }

  land() {
    this.seeking = false;
    this.dispatchEvent(new Event("seeked"));
  }

  pause() { this.paused = true; }
  play() { this.paused = false; return Promise.resolve(); }
}

test("Playback steps frame by frame from the frame on screen", () => {
  const video = new FakeVideo();
  const playback = new Playback(video, new Frames(TIMES));
  const seen = [];
  playback.addEventListener("seek", (e) => seen.push(e.detail));
  video.time = 0.1;
  playback.stepFrames(1);
  video.land();
  playback.stepFrames(2);
  video.land();
  playback.stepFrames(-3);
  video.land();
  assert.deepEqual(video.seeks, [150, 200, 100]);
  assert.deepEqual(seen, [150, 200, 100]);
  assert.equal(playback.frameMs(), 100);
});

test("Playback makes one seek at a time: steps made while seeking wait, and add up", () => {
  const video = new FakeVideo();
  const playback = new Playback(video, new Frames(TIMES));
  playback.stepFrames(1); // 0 -> 33, the browser is seeking
  playback.stepFrames(1); // waits: heads for 67
  playback.stepFrames(1); // still waiting: heads for 100
  assert.deepEqual(video.seeks, [33]);
  assert.equal(playback.frameMs(), 100); // where the steps are heading
  video.land();
  assert.deepEqual(video.seeks, [33, 100]); // only the newest step was sent
  video.land();
  assert.equal(playback.frameMs(), 100);
  assert.deepEqual(video.seeks, [33, 100]);
});

test("Playback: second steps and seeks stay inside the clip", () => {
  const video = new FakeVideo();
  const playback = new Playback(video, new Frames(TIMES));
  assert.equal(playback.durationMs, 433);
  video.time = 0.1;
  playback.stepSeconds(-1);
  video.land();
  assert.equal(video.seeks.at(-1), 0);
  playback.seek(10_000);
  video.land();
  assert.equal(video.seeks.at(-1), 433);
  video.time = 0.15;
  playback.stepSeconds(0.2); // 350 ms: the frame on screen then is the one of 200
  video.land();
  assert.equal(video.seeks.at(-1), 200);
});
