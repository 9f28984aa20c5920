// Small pure helpers shared by the pages' modules. No DOM here: Node's unit tests import this file.

// The one binary search: the index of the first item for which isBefore(item) is false, in items
// ordered so that every item it holds for comes first (items.length when it holds for all).
export function partitionPoint(items, isBefore) {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (isBefore(items[mid])) lo = mid + 1; else hi = mid;
  }
  return lo;
}

// In ascending times: the index of the last time at or before t, of the last time before t, of the
// first time at or after t. -1, or times.length, when there is none.
export const lastAtOrBefore = (times, t) => partitionPoint(times, (x) => x <= t) - 1;
export const lastBefore = (times, t) => partitionPoint(times, (x) => x < t) - 1;
export const firstAtOrAfter = (times, t) => partitionPoint(times, (x) => x < t);

export const clamp = (value, min, max) => Math.min(Math.max(value, min), max);

// 61240 -> "1:01.240".
export function formatTime(ms) {
  const s = Math.floor(ms / 1000);
  const fraction = String(Math.floor(ms % 1000)).padStart(3, "0");
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}.${fraction}`;
}

// A translated message's {name} placeholders filled in; unknown ones stay as they are.
export const fill = (text, values) => text.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? values[name] : whole));
