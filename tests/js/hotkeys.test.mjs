// The coding page's keyboard rules that need no page: where keys act, which code a key marks with the
// user's own keys, and how far a moment's start or end moves (on the clip's frame times).
import assert from "node:assert/strict";
import { test } from "node:test";

import { Frames } from "../../vib/static/js/frames.js";
import { Hotkeys, focusScope, keyMap, movedEdge } from "../../vib/static/js/hotkeys.js";
import { ownKeys } from "../../vib/static/js/shortcut-settings.js";

// An element that answers matches/closest as a focused element inside `within` would.
function element(selectors) {
  const hits = (query) => query.split(",").some((part) => selectors.includes(part.trim()));
  return { matches: (query) => hits(query), closest: (query) => (hits(query) ? {} : null) };
}

test("keys act on the page and in the coding areas, never in fields or on other links and buttons", () => {
  assert.equal(focusScope(null), "page");
  assert.equal(focusScope(element(["body"])), "page");
  assert.equal(focusScope(element(["textarea"])), "typing");
  assert.equal(focusScope(element(["select", ".transport"])), "typing");
  assert.equal(focusScope(element([".timeline"])), "zone");
  assert.equal(focusScope(element(["button", ".moment-list"])), "zone-button");
  assert.equal(focusScope(element(["button", ".transport"])), "zone-button");
  assert.equal(focusScope(element(["a[href]"])), "other"); // the top bar's "Cases"
  assert.equal(focusScope(element(["button"])), "other"); // the language button, the moment panel's
  assert.equal(focusScope(element(["summary"])), "other");
});

test("the user's keys replace the scheme's, and a code without one can get one", () => {
  const codes = [{ id: "a", hotkey: "i" }, { id: "b", hotkey: "o" }, { id: "c", hotkey: null }];
  const scheme = keyMap(codes);
  assert.deepEqual([...scheme.keys()], ["i", "o"]);
  const own = keyMap(codes, { a: "O", b: "i", c: "7" });
  assert.equal(own.get("o").id, "a");
  assert.equal(own.get("i").id, "b");
  assert.equal(own.get("7").id, "c");
});

test("the settings send only keys that differ from the scheme's, keeping those of other schemes", () => {
  const entries = [
    { code: "a", value: "i", scheme: "i" }, // as the scheme has it
    { code: "b", value: " X ", scheme: "o" },
    { code: "c", value: "", scheme: "n" }, // emptied: the scheme's again
  ];
  assert.deepEqual(ownKeys(entries, { c: "q", "other.scheme": "z" }), { b: "x", "other.scheme": "z" });
});

test("a moment's start and end move by a frame or a second, on the clip's frames, keeping one frame", () => {
  const frames = new Frames([0, 40, 80, 120, 160, 200, 1000, 1040, 1080, 2000]);
  const span = { start_ms: 80, end_ms: 160 };
  assert.deepEqual(movedEdge(span, frames, "start", { steps: 1 }), { start_ms: 120 });
  assert.deepEqual(movedEdge(span, frames, "start", { steps: -1 }), { start_ms: 40 });
  assert.equal(movedEdge({ start_ms: 120, end_ms: 160 }, frames, "start", { steps: 1 }), null); // one frame left
  assert.deepEqual(movedEdge(span, frames, "end", { steps: 1 }), { end_ms: 200 });
  assert.equal(movedEdge({ start_ms: 120, end_ms: 160 }, frames, "end", { steps: -1 }), null);
  assert.equal(movedEdge({ start_ms: 0, end_ms: 40 }, frames, "start", { steps: -1 }), null); // the clip's start
  // a second: the frame on screen a second later (variable frame rate: the freeze from 200 to 1000)
  assert.deepEqual(movedEdge({ start_ms: 80, end_ms: 2000 }, frames, "start", { seconds: 1 }), { start_ms: 1080 });
  assert.deepEqual(movedEdge({ start_ms: 80, end_ms: 1040 }, frames, "start", { seconds: 1 }), { start_ms: 1000 }); // not past the end
  assert.deepEqual(movedEdge({ start_ms: 1080, end_ms: 2000 }, frames, "start", { seconds: -1 }), { start_ms: 80 });
  assert.deepEqual(movedEdge({ start_ms: 80, end_ms: 160 }, frames, "end", { seconds: 1 }), { end_ms: 1080 });
  assert.deepEqual(movedEdge({ start_ms: 1080, end_ms: 2000 }, frames, "end", { seconds: 1 }), null); // the clip's end
  // a point: its end only moves later (it becomes a span), never before it
  const point = { start_ms: 80, end_ms: null };
  assert.deepEqual(movedEdge(point, frames, "end", { steps: 1 }), { end_ms: 120 });
  assert.equal(movedEdge(point, frames, "end", { steps: -1 }), null);
  assert.deepEqual(movedEdge(point, frames, "start", { steps: 1 }), { start_ms: 120 });
});

// A Hotkeys on a stand-in page: key events go straight to down(); what the page was asked is recorded.
function keyboard(settings = {}) {
  globalThis.document ??= { addEventListener() {} };
  globalThis.window ??= { addEventListener() {} };
  const asked = [];
  const page = {
    selected: "m1",
    list: { keyOf: () => null },
    create: (fields) => asked.push(["create", fields.code, fields.start_ms, fields.end_ms]),
    remove: (key) => asked.push(["remove", key]),
    nudge: (edge, by) => asked.push(["nudge", edge, by]),
    neighbour: (d) => asked.push(["neighbour", d]),
    select: (key) => asked.push(["select", key]),
    travel: (d) => asked.push(["travel", d]),
    showOpenSpan() {},
  };
  const playback = { playing: false, frameMs: () => 40, toggle: () => asked.push(["toggle"]), pause() {}, shuttleForward: () => asked.push(["play"]) };
  const timeline = { cancelDrag: () => false, zoomBy() {} };
  const codes = [{ id: "bc.initiatief", hotkey: "i", actor: "client" }];
  const hotkeys = new Hotkeys({ page, playback, timeline, codes, readOnly: false, settings });
  const press = (key, { on = null, code = `Key${key.toUpperCase()}`, ...modifiers } = {}) => {
    const event = { key, code, target: on, defaultPrevented: false, repeat: false, altKey: false, ctrlKey: false, metaKey: false,
      shiftKey: false, getModifierState: () => false, preventDefault() { this.defaultPrevented = true; }, ...modifiers };
    hotkeys.down(event);
    return event.defaultPrevented;
  };
  return { asked, press, hotkeys };
}

test("Space on a focused button is the button's; on the page it plays", () => {
  const { asked, press } = keyboard();
  assert.equal(press(" ", { code: "Space", on: element(["button", ".transport"]) }), false);
  assert.equal(press(" ", { code: "Space", on: element(["a[href]"]) }), false);
  assert.deepEqual(asked, []);
  assert.equal(press(" ", { code: "Space" }), true);
  assert.deepEqual(asked, [["toggle"]]);
});

test("a code key on a link or in the moment panel does nothing; in the list it marks", () => {
  const { asked, press } = keyboard();
  press("i", { on: element(["a[href]"]) });
  press("i", { on: element(["button"]) });
  assert.deepEqual(asked, []);
  press("i", { on: element(["button", ".moment-list"]) });
  assert.deepEqual(asked, [["create", "bc.initiatief", 40, null]]);
});

test("with single keys off only Alt+key marks and plays; Backspace never deletes, Delete does", () => {
  const { asked, press } = keyboard({ single_keys: false, keys: { "bc.initiatief": "q" } });
  press("q");
  press("l");
  press("i", { altKey: true }); // the scheme's key is not this user's any more
  assert.deepEqual(asked, []);
  press("œ", { code: "KeyQ", altKey: true }); // Option+Q on a Mac types œ
  press("¬", { code: "KeyL", altKey: true });
  assert.deepEqual(asked, [["create", "bc.initiatief", 40, null], ["play"]]);
  asked.length = 0;
  press("Backspace", { code: "Backspace" });
  assert.deepEqual(asked, []);
  press("Delete", { code: "Delete" });
  assert.deepEqual(asked, [["remove", "m1"]]);
});

test("Alt+arrows and Alt+PageUp/PageDown move the selected moment's start, with Shift its end", () => {
  const { asked, press } = keyboard();
  assert.equal(press("ArrowRight", { code: "ArrowRight", altKey: true }), true); // not the browser's Forward
  press("ArrowLeft", { code: "ArrowLeft", altKey: true, shiftKey: true });
  press("PageUp", { code: "PageUp", altKey: true });
  press("PageDown", { code: "PageDown", altKey: true, shiftKey: true });
  assert.deepEqual(asked, [
    ["nudge", "start", { steps: 1 }], ["nudge", "end", { steps: -1 }], ["nudge", "start", { seconds: 1 }], ["nudge", "end", { seconds: -1 }],
  ]);
});

test("a code key on a transcript cue codes the cue's span; elsewhere it marks the frame on screen", () => {
  const { asked, press, hotkeys } = keyboard();
  const cue = element(["button", ".transcript-panel", "button[data-cue]"]);
  hotkeys.cueSpan = (target) => (target === cue ? { start_ms: 3000, end_ms: 3760 } : null);
  press("i", { on: cue });
  press("i", { on: element(["button", ".transcript-panel"]) }); // the panel's Upload button
  press("i", { on: element(["input", ".transcript-panel"]) }); // typing in its search box
  assert.deepEqual(asked, [["create", "bc.initiatief", 3000, 3760], ["create", "bc.initiatief", 40, null]]);
});

test("N and Shift+N walk the suggestions from the sound, a code key accepts the one on screen, X dismisses it", () => {
  const { asked, press, hotkeys } = keyboard();
  press("n"); // no sound panel: nothing happens
  assert.deepEqual(asked, []);
  let onScreen = true;
  hotkeys.suggestions = {
    step: (d) => asked.push(["step", d]),
    accept: (code) => onScreen && asked.push(["accept", code.id]),
    dismiss: () => asked.push(["dismiss"]),
  };
  press("n");
  press("N", { code: "KeyN", shiftKey: true });
  press("i");
  press("x");
  assert.deepEqual(asked, [["step", 1], ["step", -1], ["accept", "bc.initiatief"], ["dismiss"]]);
  asked.length = 0;
  onScreen = false; // the user moved on: the code key marks the frame as always
  press("i");
  assert.deepEqual(asked, [["create", "bc.initiatief", 40, null]]);
});
