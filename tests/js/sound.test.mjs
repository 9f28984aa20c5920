// The sound lanes' rules that need no page: which suggestion N and Shift+N go to, and the loudest
// envelope value under each pixel of the loudness lane.
import assert from "node:assert/strict";
import { test } from "node:test";

import { columnPeaks, nextOpen } from "../../vib/static/js/sound.js";

const suggestions = [
  { id: 1, start_ms: 200, state: "open" },
  { id: 2, start_ms: 200, state: "open" }, // a turn where speech starts
  { id: 3, start_ms: 1400, state: "dismissed" },
  { id: 4, start_ms: 2900, state: "accepted" },
  { id: 5, start_ms: 3000, state: "open" },
];

test("N goes to the next open suggestion after the playhead, Shift+N to the previous one", () => {
  assert.equal(nextOpen(suggestions, 0, 1).id, 1);
  assert.equal(nextOpen(suggestions, 200, 1).id, 5); // answered ones are skipped
  assert.equal(nextOpen(suggestions, 3000, 1), null);
  assert.equal(nextOpen(suggestions, 3000, -1).id, 2);
  assert.equal(nextOpen(suggestions, 200, -1), null);
});

test("from the suggestion on screen, the walk goes on in the list's order: those that start together each get a turn", () => {
  assert.equal(nextOpen(suggestions, 200, 1, suggestions[0]).id, 2);
  assert.equal(nextOpen(suggestions, 200, 1, suggestions[1]).id, 5);
  assert.equal(nextOpen(suggestions, 200, -1, suggestions[1]).id, 1);
  assert.equal(nextOpen(suggestions, 3000, 1, suggestions[4]), null);
});

test("each pixel column shows the loudest 20 ms under it", () => {
  const values = [0, 10, 90, 20, 30, 40, 50, 60];
  // 2 px per 20 ms: a value spans two columns
  assert.deepEqual([...columnPeaks(values, 20, (x) => x * 10, 4)], [0, 0, 10, 10]);
  // 1 px per 80 ms: four values per column
  assert.deepEqual([...columnPeaks(values, 20, (x) => x * 80, 2)], [90, 60]);
  // past the end: silence
  assert.deepEqual([...columnPeaks(values, 20, (x) => 160 + x * 20, 2)], [0, 0]);
});
