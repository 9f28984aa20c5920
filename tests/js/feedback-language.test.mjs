// Feedback language: the advisory hint's fault words and the sentence starters, with the words of
// vib/supervision/feedback_language.json (the review page gets them through its review_ui).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { faultPattern, faultWordsIn, insertStarter } from "../../vib/static/js/feedback-language.js";

const LANGUAGE = JSON.parse(readFileSync(new URL("../../vib/supervision/feedback_language.json", import.meta.url), "utf8"));
// As language.fault_words() hands them to the page: {language: [words]}.
const PATTERN = faultPattern(LANGUAGE.fault_words);
const faults = (text) => faultWordsIn(text, PATTERN);

test("fault words are found as whole words, in any case, once each, in the order they appear", () => {
  assert.deepEqual(faults("Je wacht tot hij klaar is."), []);
  assert.deepEqual(faults("Dat was FOUT."), ["fout"]);
  assert.deepEqual(faults("Slecht gedaan, fout, en nog eens slecht."), ["slecht", "fout"]);
  assert.deepEqual(faults("You should wait, that was wrong"), ["should", "wrong"]);
  assert.deepEqual(faults("Dutch and English: fout and wrong"), ["fout", "wrong"]);
});

test("the longest phrase wins: 'moet beter' rather than 'moet', 'should have' rather than 'should'", () => {
  assert.deepEqual(faults("Dit moet beter."), ["moet beter"]);
  assert.deepEqual(faults("Je moet wachten."), ["moet"]);
  assert.deepEqual(faults("You should have waited."), ["should have"]);
  assert.deepEqual(faults("De fouten"), ["fouten"]);
});

test("inside a longer word is not a fault word (letters of any script, digits, underscore)", () => {
  assert.deepEqual(faults("foutloos en moeten"), []);
  assert.deepEqual(faults("éfout, foutè, fout2, _fout"), []);
  assert.deepEqual(faults("(fout) \"fout\" fout!"), ["fout"]);
});

test("the pattern can be used again and again (a global RegExp keeps no state between texts)", () => {
  assert.deepEqual(faults("fout"), ["fout"]);
  assert.deepEqual(faults("fout"), ["fout"]);
});

test("words with RegExp characters match only themselves; no words, no hint", () => {
  const pattern = faultPattern({ en: ["a.b", "c+"] });
  assert.deepEqual(faultWordsIn("axb c", pattern), []);
  assert.deepEqual(faultWordsIn("a.b and c+ too", pattern), ["a.b", "c+"]);
  assert.equal(faultPattern({}), null);
  assert.equal(faultPattern(undefined), null);
  assert.deepEqual(faultWordsIn("fout", null), []);
});

// A <textarea> as far as insertStarter uses it.
class FakeTextarea extends EventTarget {
  constructor(value = "", selectionStart = value.length, selectionEnd = selectionStart) {
    super();
    Object.assign(this, { value, selectionStart, selectionEnd, focused: false, inputs: 0 });
    this.addEventListener("input", () => { this.inputs += 1; });
  }

  focus() { this.focused = true; }

  setRangeText(text, start, end, mode) {
    assert.equal(mode, "end");
    this.value = this.value.slice(0, start) + text + this.value.slice(end);
    this.selectionStart = this.selectionEnd = start + text.length;
  }
}

test("a starter goes in at the cursor without its dots, followed by a space to write on", () => {
  const box = new FakeTextarea();
  insertStarter(box, "Ik zie dat je...");
  assert.equal(box.value, "Ik zie dat je ");
  assert.equal(box.selectionStart, box.value.length);
  assert.ok(box.focused);
  assert.equal(box.inputs, 1, "an input event, so the hint follows");
});

test("a starter after text is separated by one space; a selection is replaced; … is dropped too", () => {
  const after = new FakeTextarea("Mooi.");
  insertStarter(after, "Het effect is dat...");
  assert.equal(after.value, "Mooi. Het effect is dat ");
  const spaced = new FakeTextarea("Mooi. ");
  insertStarter(spaced, "Het effect is dat...");
  assert.equal(spaced.value, "Mooi. Het effect is dat ");
  const selected = new FakeTextarea("Eerst XXX dan", 6, 9);
  insertStarter(selected, "Ik zie dat je…");
  assert.equal(selected.value, "Eerst Ik zie dat je  dan");
});

test("only the dots at the end go: dots inside a starter stay, as a gap to fill in", () => {
  const box = new FakeTextarea();
  insertStarter(box, "Je leervraag was...; in dit filmpje zie ik...");
  assert.equal(box.value, "Je leervraag was...; in dit filmpje zie ik ");
});

test("every starter in feedback_language.json inserts as its words and one space", () => {
  let count = 0;
  for (const [kind, byLanguage] of Object.entries(LANGUAGE.starters)) {
    for (const starters of Object.values(byLanguage)) {
      for (const starter of starters) {
        const box = new FakeTextarea();
        insertStarter(box, starter);
        assert.match(box.value, /^\S.*\S $/u, `${kind}: ${starter}`);
        assert.doesNotMatch(box.value, /(\.\.\.|…) $/u, `${kind}: ${starter}`);
        count += 1;
      }
    }
  }
  assert.ok(count >= 10, "the file's starters were read");
});
