// Upload with tus 1.0 (tus-js-client, vendored, loaded before this module as window.tus) and a progress
// bar, then show the clip's processing in the same place and open the clip when it is ready. No request
// carries more than one piece (the server refuses large bodies before reading them); a piece that fails
// is sent again. The browser remembers where an upload stands, so after a reload or a lost connection
// the same file, chosen again, goes on where it stopped. Without JavaScript the form posts the whole
// file to the page route (small files only).
import { csrfToken } from "./api.js";
import { followClip } from "./clip-status.js";

const form = document.querySelector("form.upload");
const RETRY_DELAYS = [0, 1000, 3000, 5000, 10000, 20000];

function show(text, value) {
  const box = form.querySelector(".upload-progress");
  box.hidden = false;
  const status = form.querySelector(".upload-status");
  status.classList.remove("error");
  status.textContent = text;
  if (value !== undefined) form.querySelector("progress").value = value;
}

function fail(message) {
  show(message);
  form.querySelector(".upload-status").classList.add("error");
  form.querySelector("button[type=submit]").disabled = false;
}

// What the server said (vib's JSON {"error": ...}), else the page's own words.
function reason(error) {
  const body = error?.originalResponse?.getBody?.();
  try {
    const answer = JSON.parse(body);
    if (answer?.error) return answer.error;
  } catch { /* not JSON: a lost connection */ }
  return `${form.dataset.msgFailed} ${form.dataset.msgResume}`;
}

// Which upload a file continues: the case and the file itself, never its name (the browser keeps
// this, and recordings are often named after the family).
function fingerprint(file) {
  return Promise.resolve(["vib", form.dataset.caseId, file.size, file.lastModified, file.type].join("-"));
}

function upload(file, title) {
  return new Promise((resolve, reject) => {
    let resumed = false;
    const transfer = new window.tus.Upload(file, {
      endpoint: form.dataset.tusApi,
      chunkSize: Number(form.dataset.pieceBytes),
      retryDelays: RETRY_DELAYS,
      headers: { "X-CSRFToken": csrfToken() },
      metadata: title ? { case_id: form.dataset.caseId, title } : { case_id: form.dataset.caseId },
      fingerprint,
      storeFingerprintForResuming: true,
      removeFingerprintOnSuccess: true,
      onProgress(sent, total) {
        const percent = Math.floor((100 * sent) / total);
        const words = resumed ? form.dataset.msgResuming : form.dataset.msgUploading;
        show(percent < 100 ? `${words} ${percent}%` : form.dataset.msgChecking, percent);
      },
      onSuccess({ lastResponse }) {
        resolve({ id: lastResponse.getHeader("Vib-Clip-Id"), url: lastResponse.getHeader("Vib-Clip-Url") });
      },
      onError(error) {
        // Refused for good (a video vib does not take, an expired upload): it cannot go on, so the
        // browser forgets it and the file chosen again starts afresh.
        const status = error?.originalResponse?.getStatus?.() ?? 0;
        if (status >= 400 && status < 500 && status !== 409 && status !== 423) {
          transfer.findPreviousUploads().then((stored) => stored.forEach((p) => transfer.options.urlStorage.removeUpload(p.urlStorageKey)));
        }
        reject(error);
      },
    });
    transfer.findPreviousUploads().then((previous) => {
      if (previous.length) {
        resumed = true;
        show(form.dataset.msgResuming);
        transfer.resumeFromPreviousUpload(previous[0]);
      }
      transfer.start();
    }, reject);
  });
}

form?.addEventListener("submit", async (event) => {
  event.preventDefault();
  const file = form.querySelector("input[type=file]").files[0];
  if (!file) return;
  if (file.size > Number(form.dataset.maxBytes)) return fail(form.dataset.msgTooLarge);
  form.querySelector("button[type=submit]").disabled = true;
  show(form.dataset.msgUploading, 0);
  let clip;
  try {
    clip = await upload(file, form.querySelector("input[name=title]").value.trim());
  } catch (error) {
    return fail(reason(error));
  }
  show(form.dataset.msgProcessing, 0);
  followClip(
    `${form.dataset.api}/${clip.id}`,
    (state) => show(`${form.dataset.msgProcessing} ${state.progress}%`, state.progress),
    (state) => (state.status === "ready" ? window.location.assign(clip.url || state.page_url) : fail(state.error)),
  );
});
