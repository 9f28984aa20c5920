// A library fragment's page: follow a fragment being cut or rendered, and the trainer's curation
// (faces and areas to blur, sound, render; publish, texts, expiry, collections, delete).
import { getJSON, sendJSON } from "./api.js";
import { markField, say } from "./form-status.js";
import { fill } from "./util.js";

const POLL_MS = 2000;
const root = document.getElementById("fragment");
const api = root?.dataset.api;

// -- detecting, rendering: the page reloads once the state changes --------------------------------
async function poll() {
  try {
    const { body } = await getJSON(api);
    if (body.state !== root.dataset.state) {
      window.location.reload();
      return;
    }
  } catch { /* a missed poll is retried */ }
  setTimeout(poll, POLL_MS);
}
if (root && document.querySelector("[data-poll]")) setTimeout(poll, POLL_MS);

// -- review: faces, areas, sound -----------------------------------------------------------------
const renderForm = document.getElementById("render-form");
if (renderForm) setUpReview(renderForm);

function setUpReview(form) {
  const msg = form.dataset;
  const durationMs = Number(msg.durationMs);
  const video = document.querySelector(".fragment-player video");
  const layer = document.querySelector(".region-layer");
  const list = form.querySelector(".region-list");
  const problem = form.querySelector(".region-problem");
  const toggle = document.querySelector(".draw-toggle");
  const regions = [];
  const input = (name) => form.querySelector(`[name=region_${name}]`);

  // The picture inside the video element (letterboxed by object-fit: contain).
  function pictureBox() {
    const box = video.getBoundingClientRect();
    const vw = video.videoWidth || box.width, vh = video.videoHeight || box.height;
    const scale = Math.min(box.width / vw, box.height / vh);
    const width = vw * scale, height = vh * scale;
    return { left: box.left + (box.width - width) / 2, top: box.top + (box.height - height) / 2, width, height,
             offsetX: (box.width - width) / 2, offsetY: (box.height - height) / 2 };
  }

  const pct = (fraction) => Math.round(fraction * 1000) / 10;
  const secs = (ms) => (ms == null ? "" : String(Math.round(ms / 100) / 10));

  function draw() {
    list.replaceChildren();
    layer?.querySelectorAll(".region-box").forEach((box) => box.remove());
    if (!regions.length) {
      const empty = document.createElement("li");
      empty.className = "muted";
      empty.textContent = msg.msgNoRegions;
      list.append(empty);
    }
    regions.forEach((region, index) => {
      const item = document.createElement("li");
      const text = document.createElement("span");
      const when = region.start_ms == null && region.end_ms == null
        ? msg.msgWhole
        : fill(msg.msgFromTo, { from: secs(region.start_ms ?? 0), to: secs(region.end_ms ?? durationMs) });
      text.textContent = `${fill(msg.msgRegion, { x: pct(region.x), y: pct(region.y), w: pct(region.w), h: pct(region.h) })}, ${when}`;
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "link";
      remove.textContent = msg.msgRemove;
      remove.setAttribute("aria-label", `${msg.msgRemove}: ${text.textContent}`);
      remove.addEventListener("click", () => {
        regions.splice(index, 1);
        draw();
        toggle.focus();
      });
      item.append(text, " ", remove);
      list.append(item);
      if (layer && video) {
        const box = document.createElement("div");
        box.className = "region-box";
        placeBox(box, region);
        layer.append(box);
      }
    });
  }

  function placeBox(box, region) {
    const picture = pictureBox();
    Object.assign(box.style, {
      left: `${picture.offsetX + region.x * picture.width}px`, top: `${picture.offsetY + region.y * picture.height}px`,
      width: `${region.w * picture.width}px`, height: `${region.h * picture.height}px`,
    });
  }

  function timeRange() {
    const start = input("start").value.trim(), end = input("end").value.trim();
    const startMs = start === "" ? null : Math.round(Number(start) * 1000);
    const endMs = end === "" ? null : Math.round(Number(end) * 1000);
    return { start_ms: startMs, end_ms: endMs };
  }

  function valid(region) {
    const inside = ["x", "y", "w", "h"].every((k) => Number.isFinite(region[k]) && region[k] >= 0 && region[k] <= 1);
    const times = [region.start_ms, region.end_ms].every((t) => t == null || (Number.isFinite(t) && t >= 0 && t <= durationMs));
    const ordered = region.start_ms == null || region.end_ms == null || region.end_ms > region.start_ms;
    return inside && times && ordered && region.w > 0 && region.h > 0 && region.x + region.w <= 1.0001 && region.y + region.h <= 1.0001;
  }

  function add(region) {
    if (!valid(region)) {
      problem.textContent = msg.msgBadRegion;
      problem.hidden = false;
      return false;
    }
    problem.hidden = true;
    regions.push(region);
    draw();
    return true;
  }

  form.querySelector(".add-region").addEventListener("click", () => {
    const value = (name) => Number(input(name).value) / 100;
    const blank = ["x", "y", "w", "h"].some((name) => input(name).value.trim() === "");
    const region = { x: value("x"), y: value("y"), w: value("w"), h: value("h"), ...timeRange() };
    if (blank) region.w = NaN;
    if (add(region)) ["x", "y", "w", "h"].forEach((name) => { input(name).value = ""; });
  });

  // Drawing: while the toggle is pressed, a drag over the picture makes an area (and fills the inputs).
  function setDrawing(on) {
    toggle.setAttribute("aria-pressed", String(on));
    layer?.classList.toggle("drawing", on);
    if (on) {
      video?.pause();
      video?.scrollIntoView({ block: "nearest" });
    }
  }
  toggle.addEventListener("click", () => setDrawing(toggle.getAttribute("aria-pressed") !== "true"));
  if (layer && video) {
    let start = null, ghost = null;
    const at = (event) => {
      const picture = pictureBox();
      return {
        x: Math.min(1, Math.max(0, (event.clientX - picture.left) / picture.width)),
        y: Math.min(1, Math.max(0, (event.clientY - picture.top) / picture.height)),
      };
    };
    const spanOf = (a, b) => ({ x: Math.min(a.x, b.x), y: Math.min(a.y, b.y), w: Math.abs(a.x - b.x), h: Math.abs(a.y - b.y) });
    layer.addEventListener("pointerdown", (event) => {
      if (!layer.classList.contains("drawing")) return;
      layer.setPointerCapture(event.pointerId);
      start = at(event);
      ghost = document.createElement("div");
      ghost.className = "region-box ghost";
      layer.append(ghost);
      event.preventDefault();
    });
    layer.addEventListener("pointermove", (event) => {
      if (start && ghost) placeBox(ghost, spanOf(start, at(event)));
    });
    layer.addEventListener("pointerup", (event) => {
      if (!start) return;
      const span = spanOf(start, at(event));
      start = null;
      ghost?.remove();
      ghost = null;
      if (span.w < 0.01 || span.h < 0.01) return;
      const rounded = Object.fromEntries(Object.entries(span).map(([k, v]) => [k, Math.round(v * 10000) / 10000]));
      if (add({ ...rounded, ...timeRange() })) setDrawing(false);
    });
    new ResizeObserver(draw).observe(video);
    video.addEventListener("loadedmetadata", draw);
  }
  draw();

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button[type=submit]");
    const blur = [...form.querySelectorAll("input[name=blur_track]:checked")].map((box) => Number(box.value));
    const audio = form.querySelector("input[name=audio]:checked")?.value ?? "keep";
    button.disabled = true;
    say(form, msg.msgRendering);
    try {
      await sendJSON("POST", `${api}/render`, { blur_tracks: blur, regions, audio });
      window.location.reload();
    } catch (error) {
      say(form, error.message, true);
      button.disabled = false;
    }
  });
}

// -- ready: publish, texts, collections ------------------------------------------------------------
document.querySelectorAll("button.action[data-action]").forEach((button) => button.addEventListener("click", async () => {
  const status = document.querySelector(".publish-status");
  button.disabled = true;
  try {
    await sendJSON("POST", `${api}/${button.dataset.action}`);
    window.location.reload();
  } catch (error) {
    status.textContent = error.message;
    status.classList.add("error");
    button.disabled = false;
  }
}));

const editForm = document.getElementById("edit-form");
editForm?.addEventListener("submit", async (event) => {
  event.preventDefault();
  const data = new FormData(editForm);
  const body = {
    title: data.get("title"),
    description: data.get("description"),
    learning_points: data.get("learning_points"),
    codes: data.getAll("codes"),
    tags: String(data.get("tags") || "").split(",").map((t) => t.trim()).filter(Boolean),
  };
  if (data.get("expires_on")) body.expires_on = data.get("expires_on");
  editForm.querySelectorAll("[aria-invalid]").forEach((field) => field.removeAttribute("aria-invalid"));
  try {
    await sendJSON("PATCH", api, body);
    say(editForm, editForm.dataset.msgSaved);
    window.location.reload();
  } catch (error) {
    say(editForm, error.message, true);
    markField(editForm, error);
  }
});

const collectionForm = document.getElementById("collection-form");
collectionForm?.addEventListener("submit", async (event) => {
  event.preventDefault();
  const select = collectionForm.querySelector("select[name=collection]");
  if (!select) return;
  const option = select.selectedOptions[0];
  const note = collectionForm.querySelector("textarea[name=note]").value;
  try {
    await sendJSON("POST", option.dataset.api, { fragment_id: Number(root.dataset.id), note });
    say(collectionForm, fill(collectionForm.dataset.msgAdded, { title: option.textContent }));
    collectionForm.querySelector("textarea[name=note]").value = "";
  } catch (error) {
    say(collectionForm, error.message, true);
  }
});

// Delete: confirm.js (registered first) asks; a refusal there prevents the default.
const deleteForm = document.getElementById("delete-form");
document.addEventListener("submit", async (event) => {
  if (event.target !== deleteForm) return;
  const confirmed = !event.defaultPrevented;
  event.preventDefault();
  if (!confirmed) return;
  try {
    await sendJSON("DELETE", api);
    window.location.assign(root.dataset.library);
  } catch (error) {
    say(deleteForm, error.message, true);
  }
});
