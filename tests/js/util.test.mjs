// The shared helpers, above all the one binary search over sorted times.
import assert from "node:assert/strict";
import { test } from "node:test";

import { clamp, fill, firstAtOrAfter, formatTime, lastAtOrBefore, lastBefore, partitionPoint } from "../../vib/static/js/util.js";

// Irregular times, as a phone's variable frame rate gives them: uneven gaps, a stutter, a long freeze.
const TIMES = [0, 33, 67, 100, 150, 151, 200, 400, 433];

// A small deterministic random source, so a failure can be reproduced.
function random(seed) {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

test("partitionPoint finds the first item the predicate does not hold for", () => {
  assert.equal(partitionPoint([], () => true), 0);
  assert.equal(partitionPoint([1, 2, 3], () => true), 3);
  assert.equal(partitionPoint([1, 2, 3], () => false), 0);
  assert.equal(partitionPoint([1, 2, 2, 2, 5], (x) => x < 2), 1);
  assert.equal(partitionPoint([1, 2, 2, 2, 5], (x) => x <= 2), 4);
});

test("lastAtOrBefore: before the first, exact hits, in between, after the last", () => {
  assert.equal(lastAtOrBefore(TIMES, -1), -1);
  assert.equal(lastAtOrBefore(TIMES, 0), 0);
  assert.equal(lastAtOrBefore(TIMES, 32.999), 0);
  assert.equal(lastAtOrBefore(TIMES, 33), 1);
  assert.equal(lastAtOrBefore(TIMES, 150), 4);
  assert.equal(lastAtOrBefore(TIMES, 150.5), 4);
  assert.equal(lastAtOrBefore(TIMES, 151), 5);
  assert.equal(lastAtOrBefore(TIMES, 399), 6); // the long freeze: still the frame of 200
  assert.equal(lastAtOrBefore(TIMES, 433), 8);
  assert.equal(lastAtOrBefore(TIMES, 1e9), 8);
  assert.equal(lastAtOrBefore([], 5), -1);
});

test("lastBefore and firstAtOrAfter treat an exact hit the other way", () => {
  assert.equal(lastBefore(TIMES, 100), 2);
  assert.equal(lastBefore(TIMES, 100.1), 3);
  assert.equal(lastBefore(TIMES, 0), -1);
  assert.equal(firstAtOrAfter(TIMES, 100), 3);
  assert.equal(firstAtOrAfter(TIMES, 100.1), 4);
  assert.equal(firstAtOrAfter(TIMES, -5), 0);
  assert.equal(firstAtOrAfter(TIMES, 434), TIMES.length);
});

test("the searches agree with a linear scan on random irregular times", () => {
  const next = random(7);
  for (let round = 0; round < 200; round++) {
    const times = [];
    let t = Math.floor(next() * 50);
    const n = Math.floor(next() * 40);
    for (let i = 0; i < n; i++) {
      times.push(t);
      t += 1 + Math.floor(next() * next() * 300);
    }
    for (let probe = 0; probe < 30; probe++) {
      // Half the probes hit a listed time exactly, the others fall anywhere (fractions too).
      const q = probe % 2 && times.length ? times[Math.floor(next() * times.length)] : next() * (t + 100) - 50;
      assert.equal(lastAtOrBefore(times, q), times.findLastIndex((x) => x <= q), `${q} in ${times}`);
      assert.equal(lastBefore(times, q), times.findLastIndex((x) => x < q), `${q} in ${times}`);
      const first = times.findIndex((x) => x >= q);
      assert.equal(firstAtOrAfter(times, q), first < 0 ? times.length : first, `${q} in ${times}`);
    }
  }
});

test("formatTime shows minutes, seconds and milliseconds", () => {
  assert.equal(formatTime(0), "0:00.000");
  assert.equal(formatTime(61240), "1:01.240");
  assert.equal(formatTime(1999.6), "0:01.999");
  assert.equal(formatTime(3_600_000), "60:00.000");
});

test("fill replaces known placeholders, every time, and leaves unknown ones", () => {
  assert.equal(fill("frame {n} of {count}", { n: 3, count: 10 }), "frame 3 of 10");
  assert.equal(fill("{a}{a} {b}", { a: "x" }), "xx {b}");
  assert.equal(fill("{n}", { n: 0 }), "0");
});

test("clamp", () => {
  assert.equal(clamp(5, 0, 3), 3);
  assert.equal(clamp(-1, 0, 3), 0);
  assert.equal(clamp(2, 0, 3), 2);
});
