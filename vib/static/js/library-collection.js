// Collections: make one (the collections page); play one in order like a playlist, and for its
// trainers reorder (up/down), annotate and remove items, rename or delete it (a collection's page).
import { sendJSON } from "./api.js";
import { markField, say } from "./form-status.js";
import { fill } from "./util.js";

// -- the collections page: a new collection ------------------------------------------------------
const creating = document.getElementById("new-collection");
creating?.addEventListener("submit", async (event) => {
  event.preventDefault();
  const data = new FormData(creating);
  try {
    const made = await sendJSON("POST", creating.dataset.api, { title: data.get("title"), description: data.get("description") });
    window.location.assign(made.page_url);
  } catch (error) {
    say(creating, error.message, true);
    markField(creating, error);
  }
});

// -- a collection's page -------------------------------------------------------------------------
const playlist = document.getElementById("playlist");
if (playlist) setUpPlaylist(playlist);

function setUpPlaylist(root) {
  const msg = root.dataset;
  const list = root.querySelector(".playlist-items");
  const video = root.querySelector("video");
  const nowTitle = root.querySelector(".now-title a");
  const nowNote = root.querySelector(".now-note");
  const listStatus = root.querySelector(".list-status");
  const items = () => [...(list?.querySelectorAll(".playlist-item") ?? [])];
  const titleOf = (item) => item.querySelector(".item-title").textContent;
  const noteOf = (item) => item.querySelector("textarea[name=note]")?.value ?? item.querySelector(".item-note")?.textContent ?? "";

  function play(item, start) {
    items().forEach((other) => other.removeAttribute("aria-current"));
    item.setAttribute("aria-current", "true");
    video.src = item.dataset.media;
    if (item.dataset.poster) video.poster = item.dataset.poster;
    else video.removeAttribute("poster");
    video.setAttribute("aria-label", titleOf(item));
    nowTitle.textContent = titleOf(item);
    nowTitle.href = item.dataset.page;
    nowNote.textContent = noteOf(item);
    if (start) video.play().catch(() => { /* the person presses play */ });
  }

  video?.addEventListener("ended", () => {
    const all = items();
    const next = all[all.findIndex((item) => item.hasAttribute("aria-current")) + 1];
    if (next) play(next, true);
  });

  list?.addEventListener("click", async (event) => {
    const item = event.target.closest(".playlist-item");
    if (!item) return;
    if (event.target.closest(".play-item")) play(item, true);
    const move = event.target.closest("button.move");
    if (move) await moveItem(item, Number(move.dataset.move), move);
    if (event.target.closest(".remove-item")) await removeItem(item);
  });

  function refreshButtons() {
    const all = items();
    all.forEach((item, index) => {
      const [up, down] = item.querySelectorAll("button.move");
      if (up) up.disabled = index === 0;
      if (down) down.disabled = index === all.length - 1;
    });
  }

  async function moveItem(item, step, button) {
    const all = items();
    const index = all.indexOf(item);
    const to = index + step;
    if (to < 0 || to >= all.length) return;
    try {
      await sendJSON("PATCH", item.dataset.itemApi, { position: to });
    } catch (error) {
      listStatus.textContent = error.message;
      return;
    }
    if (step < 0) all[to].before(item);
    else all[to].after(item);
    refreshButtons();
    (button.disabled ? item.querySelector(`button.move[data-move="${-step}"]`) : button).focus();
    listStatus.textContent = fill(msg.msgMoved, { title: titleOf(item), n: to + 1 });
  }

  async function removeItem(item) {
    if (!window.confirm(fill(msg.msgConfirmRemove, { title: titleOf(item) }))) return;
    try {
      await sendJSON("DELETE", item.dataset.itemApi);
    } catch (error) {
      listStatus.textContent = error.message;
      return;
    }
    const all = items();
    const neighbour = all[all.indexOf(item) + 1] ?? all[all.indexOf(item) - 1];
    const wasCurrent = item.hasAttribute("aria-current");
    item.remove();
    listStatus.textContent = fill(msg.msgRemoved, { title: titleOf(item) });
    if (!neighbour) {
      window.location.reload();
      return;
    }
    if (wasCurrent) play(neighbour, false);
    refreshButtons();
    neighbour.querySelector(".play-item").focus();
  }

  list?.addEventListener("submit", async (event) => {
    const form = event.target.closest(".note-form");
    if (!form) return;
    event.preventDefault();
    const item = form.closest(".playlist-item");
    try {
      await sendJSON("PATCH", item.dataset.itemApi, { note: form.querySelector("textarea").value });
      say(form, msg.msgSaved);
      if (item.hasAttribute("aria-current")) nowNote.textContent = noteOf(item);
    } catch (error) {
      say(form, error.message, true);
    }
  });
  refreshButtons();

  const edit = document.getElementById("collection-edit");
  edit?.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(edit);
    try {
      await sendJSON("PATCH", root.dataset.api, { title: data.get("title"), description: data.get("description") });
      window.location.reload();
    } catch (error) {
      say(edit, error.message, true);
      markField(edit, error);
    }
  });

  // Delete: confirm.js (registered first) asks; a refusal there prevents the default.
  const remove = document.getElementById("collection-delete");
  document.addEventListener("submit", async (event) => {
    if (event.target !== remove) return;
    const confirmed = !event.defaultPrevented;
    event.preventDefault();
    if (!confirmed) return;
    try {
      await sendJSON("DELETE", root.dataset.api);
      window.location.assign(remove.dataset.library);
    } catch (error) {
      say(remove, error.message, true);
    }
  });
}
