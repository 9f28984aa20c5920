// Upload with a progress bar (XMLHttpRequest reports upload progress; fetch does not), then show the
// clip's processing in the same place and open the clip when it is ready. Without JavaScript the form
// posts to the page route and works all the same.
import { csrfToken } from "./api.js";
import { followClip } from "./clip-status.js";

const form = document.querySelector("form.upload");

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

form?.addEventListener("submit", (event) => {
  event.preventDefault();
  const file = form.querySelector("input[type=file]").files[0];
  if (!file) return;
  if (file.size > Number(form.dataset.maxBytes)) return fail(form.dataset.msgTooLarge);
  const data = new FormData(form);
  data.set("case_id", form.dataset.caseId);
  const xhr = new XMLHttpRequest();
  xhr.open("POST", form.dataset.api);
  xhr.setRequestHeader("X-CSRFToken", csrfToken());
  xhr.setRequestHeader("Accept", "application/json");
  xhr.upload.addEventListener("progress", (e) => {
    if (!e.lengthComputable) return;
    const percent = Math.round((100 * e.loaded) / e.total);
    show(percent < 100 ? `${form.dataset.msgUploading} ${percent}%` : form.dataset.msgChecking, percent);
  });
  xhr.addEventListener("load", () => {
    let body = {};
    try { body = JSON.parse(xhr.responseText); } catch { /* not JSON: keep the generic message */ }
    if (xhr.status !== 201) return fail(body.error || form.dataset.msgFailed);
    show(form.dataset.msgProcessing, 0);
    followClip(
      `${form.dataset.api}/${body.id}`,
      (clip) => show(`${form.dataset.msgProcessing} ${clip.progress}%`, clip.progress),
      (clip) => (clip.status === "ready" ? window.location.assign(clip.page_url) : fail(clip.error)),
    );
  });
  xhr.addEventListener("error", () => fail(form.dataset.msgFailed));
  form.querySelector("button[type=submit]").disabled = true;
  show(form.dataset.msgUploading, 0);
  xhr.send(data);
});
