// Upload in pieces with a progress bar, then show the clip's processing in the same place and open the
// clip when it is ready. No request carries more than one piece (the server refuses large bodies
// before reading them); a piece that fails is sent again, and after a refused piece (409) the upload
// goes on from where the server says it stands. Without JavaScript the form posts the whole file to
// the page route (small files only).
import { csrfToken } from "./api.js";
import { followClip } from "./clip-status.js";

const form = document.querySelector("form.upload");
const RETRIES = 3;

function show(text, value) {
  const box = form.querySelector(".upload-progress");
  box.hidden = false;
  form.querySelector(".upload-status").textContent = text;
  if (value !== undefined) form.querySelector("progress").value = value;
}

function fail(message) {
  show(message);
  form.querySelector(".upload-status").classList.add("error");
  form.querySelector("button[type=submit]").disabled = false;
}

async function call(method, url, body, contentType) {
  const headers = { "X-CSRFToken": csrfToken(), Accept: "application/json" };
  if (contentType) headers["Content-Type"] = contentType;
  const response = await fetch(url, { method, headers, body, credentials: "same-origin" });
  let answer = {};
  try { answer = await response.json(); } catch { /* not JSON: keep the generic message */ }
  return { status: response.status, answer };
}

async function sendPieces(file, upload, onProgress) {
  let offset = upload.received;
  let failures = 0;
  while (offset < file.size) {
    const piece = file.slice(offset, offset + upload.piece_bytes);
    let result;
    try {
      result = await call("PUT", `${upload.url}?offset=${offset}`, piece, "application/octet-stream");
    } catch {
      result = { status: 0, answer: {} }; // the connection dropped: send it again
    }
    if (result.status === 200) {
      offset = result.answer.received;
      failures = 0;
      onProgress(offset / file.size);
    } else if (result.status === 409 && Number.isInteger(result.answer.received)) {
      offset = result.answer.received; // the server has more (or less) than we thought
    } else if ((result.status === 0 || result.status >= 500) && ++failures <= RETRIES) {
      continue;
    } else {
      throw new Error(result.answer.error || form.dataset.msgFailed);
    }
  }
}

async function upload(file) {
  const begun = await call("POST", form.dataset.uploadsApi, JSON.stringify({
    case_id: Number(form.dataset.caseId), size: file.size, title: form.querySelector("input[name=title]").value || null,
  }), "application/json");
  if (begun.status !== 201) throw new Error(begun.answer.error || form.dataset.msgFailed);
  await sendPieces(file, begun.answer, (fraction) => {
    const percent = Math.round(100 * fraction);
    show(percent < 100 ? `${form.dataset.msgUploading} ${percent}%` : form.dataset.msgChecking, percent);
  });
  const finished = await call("POST", `${begun.answer.url}/finish`);
  if (finished.status !== 201) throw new Error(finished.answer.error || form.dataset.msgFailed);
  return finished.answer;
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
    clip = await upload(file);
  } catch (error) {
    return fail(error.message || form.dataset.msgFailed);
  }
  show(form.dataset.msgProcessing, 0);
  followClip(
    `${form.dataset.api}/${clip.id}`,
    (state) => show(`${form.dataset.msgProcessing} ${state.progress}%`, state.progress),
    (state) => (state.status === "ready" ? window.location.assign(state.page_url) : fail(state.error)),
  );
});
