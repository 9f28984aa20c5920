// The presentation's pure parts: keys, Esc after the full screen, which player shows and which loads
// the next item, and when playback stops to hold the end of an item's span.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  actionForKey, assignPlayers, ESC_GRACE_MS, escapeAction, frameGap, nextItemSlide, reachedEnd,
} from "../../vib/static/js/meeting-present.js";

test("keys: → Space PageDown next, ← Shift+Space PageUp previous, P T S F, Esc; letters either case", () => {
  for (const key of ["ArrowRight", " ", "PageDown", "Spacebar"]) assert.equal(actionForKey({ key }), "next", key);
  for (const key of ["ArrowLeft", "PageUp"]) assert.equal(actionForKey({ key }), "previous", key);
  assert.equal(actionForKey({ key: " ", shiftKey: true }), "previous");
  assert.equal(actionForKey({ key: "Home" }), "first");
  assert.equal(actionForKey({ key: "End" }), "last");
  assert.equal(actionForKey({ key: "Escape" }), "leave");
  for (const [key, action] of [["p", "play"], ["T", "notes"], ["s", "stills"], ["F", "fullscreen"]]) {
    assert.equal(actionForKey({ key }), action, key);
  }
});

test("keys: the browser's with Ctrl, Alt or Meta, and keys that mean nothing here", () => {
  assert.equal(actionForKey({ key: "f", ctrlKey: true }), null); // find in page
  assert.equal(actionForKey({ key: "ArrowLeft", altKey: true }), null); // back in history
  assert.equal(actionForKey({ key: "r", metaKey: true }), null);
  for (const key of ["Tab", "Enter", "x", "1", "Shift", "ArrowUp"]) assert.equal(actionForKey({ key }), null, key);
});

test("Esc: in full screen it ends the full screen; the same press seen just after is ignored; then it leaves", () => {
  assert.equal(escapeAction(true, Infinity), "exit-fullscreen");
  assert.equal(escapeAction(false, 10), "ignore");
  assert.equal(escapeAction(false, ESC_GRACE_MS - 1), "ignore");
  assert.equal(escapeAction(false, ESC_GRACE_MS), "leave");
  assert.equal(escapeAction(false, Infinity), "leave"); // never full screen
});

test("the next item slide: after the question and the progress the first item; none after the last", () => {
  const slides = [false, false, true, true, true];
  assert.equal(nextItemSlide(slides, 0), 2);
  assert.equal(nextItemSlide(slides, 1), 2);
  assert.equal(nextItemSlide(slides, 2), 3);
  assert.equal(nextItemSlide(slides, 4), -1);
  assert.equal(nextItemSlide([false, false, false], 1), -1); // an empty meeting
});

test("players: the one that waited with the slide shows it, the other loads the next", () => {
  assert.deepEqual(assignPlayers([2, 3], 3, 4), { shown: 1, waiting: 0 }); // → onto the waiting player
  assert.deepEqual(assignPlayers([4, 3], 2, 3), { shown: 0, waiting: 1 }); // ← : the player with 3 keeps it
  assert.deepEqual(assignPlayers([3, 4], 2, 3), { shown: 1, waiting: 0 });
  assert.deepEqual(assignPlayers([-1, -1], 2, 3), { shown: 0, waiting: 1 }); // nothing loaded yet
  assert.deepEqual(assignPlayers([2, -1], 4, -1), { shown: 0, waiting: 1 }); // the last item
});

test("stopping: on the last frame before the end, so that holding the end shows the next frame", () => {
  assert.equal(reachedEnd(2.32, 2.4, 0.04), false);
  assert.equal(reachedEnd(2.36, 2.4, 0.04), true); // the frame at 2.40 would come next
  assert.equal(reachedEnd(2.3599, 2.4, 0.04), true); // float noise in mediaTime
  assert.equal(reachedEnd(2.399, 2.4, 0), false); // the clock, without a look ahead
  assert.equal(reachedEnd(2.4, 2.4, 0), true);
  assert.equal(reachedEnd(4.1, 4, 0), true); // past it
});

test("the frame gap: measured between two frames on screen; a seek or a stall keeps the last one", () => {
  assert.equal(frameGap(null, 1.0), 0.04);
  assert.ok(Math.abs(frameGap(1.0, 1.0333) - 0.0333) < 1e-9);
  assert.equal(frameGap(1.0, 1.0, 0.0333), 0.0333); // the same frame twice
  assert.equal(frameGap(1.0, 2.0, 0.0333), 0.0333); // a seek
  assert.equal(frameGap(2.0, 1.0, 0.0333), 0.0333); // backwards
});
