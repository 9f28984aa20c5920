// Opens the coding page (/clips/<id>/coding) and the review page (/reviews/<id>): the same page, the
// review page with the supervision feedback panel beside it (feedback.js, loaded only there). Both
// show the clip's feedback in the timeline's "Feedback" lane.
import { getJSON } from "./api.js";
import { CodingPage } from "./coding-page.js";
import { Frames } from "./frames.js";
import { expandMoments } from "./moments.js";
import { ShortcutSettings } from "./shortcut-settings.js";
import { TouchPalette } from "./touch-palette.js";
import { fill } from "./util.js";

const root = document.querySelector(".coding");
const PROBLEM_SHOWN_MS = 12000;

// Who changes which moment, on both pages: the viewer changes the moments they coded and looks at
// the others' (the worker at the supervisor's, the supervisor at the worker's). The server marks each
// moment `editable` for its author; a moment made here and not saved yet is the viewer's own.
const ownMoments = (moment) => moment.editable !== false;

function problemArea() {
  const element = root.querySelector(".coding-problem");
  let timer = 0;
  return (message) => {
    element.textContent = message;
    element.hidden = false;
    clearTimeout(timer);
    timer = setTimeout(() => { element.hidden = true; }, PROBLEM_SHOWN_MS);
  };
}

async function loadFrames(url) {
  for (;;) {
    const { status, body } = await getJSON(url);
    if (status !== 202 && body.times_ms) return new Frames(body.times_ms);
    await new Promise((resolve) => setTimeout(resolve, 2000)); // still being measured
  }
}

async function start() {
  const data = JSON.parse(document.getElementById("coding-data").textContent);
  const messages = JSON.parse(document.getElementById("coding-messages").textContent);
  const showProblem = problemArea();
  const settingsForm = root.querySelector(".shortcut-settings form");
  // The user's shortcuts; without them (an old server, a failed request) the scheme's keys apply.
  const shortcuts = settingsForm
    ? getJSON(settingsForm.dataset.url).then(({ body }) => body, () => null)
    : Promise.resolve(null);
  let frames;
  let moments;
  let settings;
  try {
    [frames, { body: moments }, settings] = await Promise.all([loadFrames(data.urls.frames), getJSON(`${data.urls.moments}?compact=1`), shortcuts]);
  } catch (error) {
    showProblem(fill(messages.loadFailed, { error: error.message }));
    return;
  }
  const page = new CodingPage(root, {
    scheme: data.scheme,
    urls: data.urls,
    messages,
    frames,
    feedback: data.feedback,
    readOnly: !data.may_code,
    editable: ownMoments,
    onProblem: showProblem,
    shortcuts: settings ?? {},
  });
  page.start(expandMoments(moments));
  const palette = root.querySelector(".touch-palette");
  if (palette) new TouchPalette(palette, { page, hotkeys: page.hotkeys });
  if (settingsForm) new ShortcutSettings(settingsForm, { hotkeys: page.hotkeys, settings: settings ?? { single_keys: true, keys: {} }, loaded: Boolean(settings) });
  if (data.review) {
    const { FeedbackPanel } = await import("./feedback.js");
    new FeedbackPanel(document.querySelector(".feedback-panel"), { page, review: data.review, ui: data.review_ui });
  }
  const transcript = root.querySelector(".transcript-panel");
  if (transcript) {
    const { TranscriptPanel } = await import("./transcript-panel.js");
    new TranscriptPanel(transcript, { page });
  }
  const sound = root.querySelector(".sound-panel");
  if (sound) {
    const { SoundPanel } = await import("./sound.js");
    new SoundPanel(sound, { page, suggestionUrl: data.urls.suggestion, mayAnswer: data.may_code });
  }
  root.dataset.ready = "true"; // for tests and for styles that wait for the script
}

if (root) start();
