// The code menu of the side panel: the scheme's codes, each followed by its subcodes.
import assert from "node:assert/strict";
import { test } from "node:test";

import { codeTree, optionLabel } from "../../vib/static/js/code-tree.js";

const code = (id, parent = null, extra = {}) => ({ id, parent, label: id.toUpperCase(), hotkey: null, ...extra });

test("each code is followed by its subcodes, at any depth, in the scheme's order", () => {
  const codes = [
    code("a"),
    code("b"),
    code("a.2", "a"),
    code("a.1", "a"),
    code("b.1", "b"),
    code("a.1.x", "a.1"),
    code("c"),
  ];
  assert.deepEqual(codeTree(codes).map(({ code: c, depth }) => [c.id, depth]), [
    ["a", 0],
    ["a.2", 1],
    ["a.1", 1],
    ["a.1.x", 2],
    ["b", 0],
    ["b.1", 1],
    ["c", 0],
  ]);
});

test("a subcode listed before its parent still goes under it", () => {
  const codes = [code("x.1", "x"), code("x")];
  assert.deepEqual(codeTree(codes).map(({ code: c, depth }) => [c.id, depth]), [["x", 0], ["x.1", 1]]);
});

test("a code whose parent is not in the scheme stands at the top level; none is lost", () => {
  const codes = [code("a"), code("orphan", "gone"), code("a.1", "a")];
  const tree = codeTree(codes);
  assert.deepEqual(tree.map(({ code: c, depth }) => [c.id, depth]), [["a", 0], ["a.1", 1], ["orphan", 0]]);
  assert.equal(tree[0].code, codes[0]); // the code itself, not a copy
  assert.deepEqual(codeTree([]), []);
});

test("an option's text is indented by depth and shows the hotkey", () => {
  assert.equal(optionLabel({ code: code("a", null, { label: "Initiative", hotkey: "i" }), depth: 0 }), "Initiative (i)");
  assert.equal(optionLabel({ code: code("a.1", "a", { label: "Verbal" }), depth: 1 }), "\u00a0\u00a0\u00a0Verbal");
  assert.equal(optionLabel({ code: code("a.1.x", "a.1", { label: "Deep" }), depth: 2 }), "\u00a0".repeat(6) + "Deep");
});
