// The supervisor's feedback on one clip as the coding and review pages show it: items anchored on a
// moment or a time range, in time order. The timeline draws them in its "Feedback" lane and the
// moment list shows a line under each moment that has feedback. Texts are people's words: the
// modules that show them use textContent only.

export const KIND_COLOURS = {
  strength: "#2e7d4f",
  effect: "#2b67a6",
  question: "#7a4aa8",
  next_step: "#b86200",
};

const byTime = (a, b) => a.start_ms - b.start_ms || (a.end_ms ?? a.start_ms) - (b.end_ms ?? b.start_ms) || a.id - b.id;

export class FeedbackStore extends EventTarget {
  constructor(items = [], kindLabels = {}) {
    super();
    this.kindLabels = kindLabels;
    this.items = [];
    this.summary = null;
    this.set(items);
  }

  // Replaces every item (the summary, anchored on nothing, is kept apart: it has no place in time).
  set(items) {
    this.items = items.filter((item) => item.kind !== "summary" && item.start_ms !== null && item.start_ms !== undefined).sort(byTime);
    this.summary = items.find((item) => item.kind === "summary") ?? null;
    this.changed();
  }

  put(item) {
    const others = this.all().filter((other) => other.id !== item.id);
    this.set([...others, item]);
  }

  remove(id) {
    this.set(this.all().filter((item) => item.id !== id));
  }

  all() { return this.summary ? [...this.items, this.summary] : [...this.items]; }
  get(id) { return this.all().find((item) => item.id === id) ?? null; }
  forMoment(momentId) { return momentId === null || momentId === undefined ? [] : this.items.filter((item) => item.moment_id === momentId); }
  label(kind) { return this.kindLabels[kind] ?? kind; }

  // Items whose place on the timeline (start to end) reaches into [fromMs, toMs].
  between(fromMs, toMs) {
    return this.items.filter((item) => item.start_ms <= toMs && (item.end_ms ?? item.start_ms) >= fromMs);
  }

  changed() { this.dispatchEvent(new CustomEvent("change")); }
}
