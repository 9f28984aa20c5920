// Feedback language on the review page: sentence starters and the advisory hint when a text reads as
// a list of faults. The words come from vib/supervision/feedback_language.json through the page's
// review_ui (starters in the page's language, fault words in every language); nothing here touches
// the page, so Node's unit tests import it.

const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

// The advisory hint, as the server's (vib/supervision/language.py): the fault words or phrases the
// text contains, whole words in any case, the longest first ("moet beter" rather than "moet").
export function faultPattern(wordLists) {
  const words = [...new Set(Object.values(wordLists ?? {}).flat())].sort((a, b) => b.length - a.length);
  if (!words.length) return null;
  return new RegExp(`(?<![\\p{L}\\p{N}_])(${words.map(escapeRegExp).join("|")})(?![\\p{L}\\p{N}_])`, "giu");
}

export function faultWordsIn(text, pattern) {
  if (!pattern) return [];
  return [...new Set([...text.matchAll(pattern)].map((match) => match[1].toLowerCase()))];
}

// Insert a sentence starter where the cursor is: "Ik zie dat je..." becomes "Ik zie dat je " so the
// supervisor writes on; a space separates it from text before it.
export function insertStarter(textarea, starter) {
  const words = starter.replace(/(\.\.\.|…)\s*$/, "").trimEnd();
  const start = textarea.selectionStart ?? textarea.value.length;
  const end = textarea.selectionEnd ?? start;
  const before = textarea.value.slice(0, start);
  const glue = before && !/\s$/.test(before) ? " " : "";
  textarea.focus();
  textarea.setRangeText(`${glue}${words} `, start, end, "end");
  textarea.dispatchEvent(new Event("input", { bubbles: true })); // the hint follows what was inserted
}
