// The moment store over the save queue, with a fake server: time order, the moment at the playhead,
// changes made before the server answered, 409 (someone else changed it), 404 and refusals, undo.
import assert from "node:assert/strict";
import { test } from "node:test";

import { expandMoments, MomentStore } from "../../vib/static/js/moments.js";
import { SaveQueue } from "../../vib/static/js/save-queue.js";
import { settle, until, useFakeFetch } from "./fake-fetch.mjs";

const SCHEME = {
  codes: [
    { id: "look", label: "Looks up", colour: "#2e7d4f", actor: "client" },
    { id: "name", label: "Names it", colour: "#2b67a6", actor: "worker" },
  ],
};
const MESSAGES = { notSaved: "not saved", notDeleted: "not deleted", conflict: "someone else changed it", gone: "gone" };

function newStore() {
  const store = new MomentStore({
    listUrl: "/api/clips/1/moments",
    momentUrl: (id) => `/api/moments/${id}`,
    scheme: SCHEME,
    messages: MESSAGES,
    queue: new SaveQueue({ backoffMs: [1], online: null }),
  });
  const problems = [];
  store.addEventListener("problem", (e) => problems.push(e.detail));
  return { store, problems };
}

const saved = (id, fields) => ({ id, version: 1, code: "look", actor: "client", note: "", tags: [], end_ms: null, editable: true, ...fields });

test("moments are kept in time order; the one at the playhead is the last that started", () => {
  const { store } = newStore();
  store.load([saved(3, { start_ms: 900 }), saved(1, { start_ms: 100 }), saved(2, { start_ms: 500, end_ms: 2000 })]);
  assert.deepEqual(store.sorted.map((m) => m.id), [1, 2, 3]);
  const key = (id) => store.withId(id).key;
  assert.equal(store.keyAt(50), null);
  assert.equal(store.keyAt(100), key(1));
  assert.equal(store.keyAt(499.6), key(2)); // half a ms of slack for the fraction in a video time
  assert.equal(store.keyAt(899), key(2));
  assert.equal(store.keyAt(10_000), key(3));
  assert.deepEqual([...store.between(100, 500)].map((m) => m.id), [1, 2]);
  assert.deepEqual([...store.between(101, 899)].map((m) => m.id), [2]);
  assert.deepEqual([...store.between(901, 5000)], []);
  assert.equal(store.withId(null), null);
  assert.equal(store.withId(7), null);
});

test("a moment made at the same time as another goes after it; a moved one takes its new place", async (t) => {
  const server = useFakeFetch(t);
  const { store } = newStore();
  store.load([saved(1, { start_ms: 100 }), saved(2, { start_ms: 500 })]);
  const made = store.create({ start_ms: 100, code: "name" });
  assert.deepEqual(store.sorted.map((m) => m.id ?? m.key), [1, made, 2]);
  const first = store.withId(1).key;
  store.update(first, { start_ms: 700 });
  assert.deepEqual(store.sorted.map((m) => m.key), [made, store.withId(2).key, first]);
  assert.equal(store.get(made).code_label, "Names it");
  assert.equal(store.get(made).actor, "worker");
  await settle();
  server.calls[0].answer(400, {}); // end the queue's work
  await until(() => server.calls.length === 2);
  server.calls[1].answer(200, saved(1, { start_ms: 700, version: 2 }));
  await until(() => store.pending === 0);
});

test("a change made before the create was answered is sent with the new id and version", async (t) => {
  const server = useFakeFetch(t);
  const { store } = newStore();
  store.load([]);
  const key = store.create({ start_ms: 1200, end_ms: null, code: "look" });
  store.update(key, { note: "She looks up" });
  await settle();
  assert.equal(server.calls.length, 1);
  assert.deepEqual([server.calls[0].method, server.calls[0].url], ["POST", "/api/clips/1/moments"]);
  assert.deepEqual(server.calls[0].body, { start_ms: 1200, code: "look", actor: "client", note: "", tags: [] }); // no nulls
  server.calls[0].answer(201, saved(41, { start_ms: 1200 }));
  await until(() => server.calls.length === 2);
  // The create's answer (note "") did not overwrite the note typed meanwhile: that change is queued.
  assert.equal(store.get(key).note, "She looks up");
  assert.deepEqual([server.calls[1].method, server.calls[1].url, server.calls[1].body], ["PATCH", "/api/moments/41", { version: 1, note: "She looks up" }]);
  server.calls[1].answer(200, saved(41, { start_ms: 1200, note: "She looks up", version: 2 }));
  await until(() => store.pending === 0);
  assert.deepEqual(store.server.get(key), { id: 41, version: 2 });
});

test("409 on a change: the saved version is shown, with a word why, and later changes of it are dropped", async (t) => {
  const server = useFakeFetch(t);
  const { store, problems } = newStore();
  store.load([saved(5, { start_ms: 300, note: "old" })]);
  const key = store.withId(5).key;
  store.update(key, { note: "mine" });
  store.update(key, { tags: ["better_than_usual"] });
  await settle();
  assert.deepEqual(server.calls[0].body, { version: 1, note: "mine" });
  server.calls[0].answer(409, { error: "Changed meanwhile.", moment: saved(5, { start_ms: 300, note: "theirs", version: 3 }) });
  await until(() => store.pending === 0);
  assert.equal(server.calls.length, 1, "the tags change was built on the refused one: not sent");
  assert.deepEqual(problems, ["someone else changed it"]);
  assert.equal(store.get(key).note, "theirs");
  assert.deepEqual(store.get(key).tags, []);
  assert.deepEqual(store.server.get(key), { id: 5, version: 3 });
  // The next change goes with the version the conflict brought.
  store.update(key, { note: "again" });
  await until(() => server.calls.length === 2);
  assert.deepEqual(server.calls[1].body, { version: 3, note: "again" });
  server.calls[1].answer(200, saved(5, { start_ms: 300, note: "again", version: 4 }));
  await until(() => store.pending === 0);
});

test("409 on a delete: the moment someone else changed comes back as they saved it", async (t) => {
  const server = useFakeFetch(t);
  const { store, problems } = newStore();
  store.load([saved(6, { start_ms: 300 })]);
  const key = store.withId(6).key;
  store.remove(key);
  assert.equal(store.get(key), undefined);
  await settle();
  assert.deepEqual([server.calls[0].method, server.calls[0].url], ["DELETE", "/api/moments/6?version=1"]);
  server.calls[0].answer(409, { moment: saved(6, { start_ms: 300, note: "kept", version: 2 }) });
  await until(() => store.pending === 0);
  assert.deepEqual(problems, ["someone else changed it"]);
  assert.equal(store.get(key).note, "kept");
  assert.deepEqual(store.sorted.map((m) => m.key), [key]);
  assert.deepEqual(store.server.get(key), { id: 6, version: 2 });
});

test("404 on a change: the moment is gone; 404 on a delete: what was wanted", async (t) => {
  const server = useFakeFetch(t);
  const { store, problems } = newStore();
  store.load([saved(7, { start_ms: 100 }), saved(8, { start_ms: 200 })]);
  const [a, b] = store.sorted.map((m) => m.key);
  store.update(a, { note: "x" });
  store.remove(b);
  await settle();
  server.calls[0].answer(404, { error: "No such moment." });
  await until(() => server.calls.length === 2);
  server.calls[1].answer(404, {});
  await until(() => store.pending === 0);
  assert.deepEqual(problems, ["No such moment."]);
  assert.deepEqual(store.sorted, []);
});

test("a refused change is undone locally with the server's reason; a refused create takes the moment away", async (t) => {
  const server = useFakeFetch(t);
  const { store, problems } = newStore();
  store.load([saved(9, { start_ms: 100, code: "look" })]);
  const key = store.withId(9).key;
  store.update(key, { code: "name" });
  assert.equal(store.get(key).code_label, "Names it");
  const made = store.create({ start_ms: 400, code: "look" });
  store.update(made, { note: "never sent" });
  await settle();
  server.calls[0].answer(400, { error: "Not a code of this scheme.", field: "code" });
  await until(() => server.calls.length === 2);
  assert.equal(store.get(key).code, "look");
  assert.equal(store.get(key).code_label, "Looks up");
  server.calls[1].answer(400, {});
  await until(() => store.pending === 0);
  assert.equal(server.calls.length, 2);
  assert.equal(store.get(made), undefined);
  assert.deepEqual(problems, ["Not a code of this scheme.", "not saved"]);
});

test("undo and redo of a delete create the moment again and delete it again", async (t) => {
  const server = useFakeFetch(t);
  const { store } = newStore();
  store.load([saved(10, { start_ms: 100, note: "n" })]);
  const key = store.withId(10).key;
  store.remove(key);
  assert.equal(store.undo(), key);
  assert.equal(store.get(key).note, "n");
  await settle();
  server.calls[0].answer(204);
  await until(() => server.calls.length === 2);
  assert.deepEqual([server.calls[1].method, server.calls[1].body.note], ["POST", "n"]);
  server.calls[1].answer(201, saved(11, { start_ms: 100, note: "n" }));
  await until(() => store.pending === 0);
  assert.equal(store.redo(), key);
  await until(() => server.calls.length === 3);
  assert.equal(server.calls[2].url, "/api/moments/11?version=1"); // the new id
  server.calls[2].answer(204);
  await until(() => store.pending === 0);
  assert.equal(store.redo(), null);
});

test("the compact list expands to the moments the page works with; a plain list stays as it is", () => {
  const compact = {
    codes: { look: { label: "Looks up", colour: "#2e7d4f" }, miss: { label: "Missed", colour: "#777777", analysis_only: true } },
    authors: { 3: "Sam" },
    moments: [
      { id: 1, start_ms: 40, code: "look", actor: "client", author: 3, version: 1, editable: true },
      { id: 2, start_ms: 80, end_ms: 400, code: "miss", actor: "worker", author: 3, version: 2, note: "Later.", tags: ["a"], code_label: "Older label" },
    ],
  };
  const [point, span] = expandMoments(compact);
  assert.deepEqual(point, {
    id: 1, start_ms: 40, end_ms: null, code: "look", actor: "client", note: "", tags: [], version: 1, editable: true,
    code_label: "Looks up", colour: "#2e7d4f", analysis_only: false, author: { id: 3, name: "Sam" },
  });
  assert.equal(span.end_ms, 400);
  assert.equal(span.code_label, "Older label");
  assert.equal(span.analysis_only, true);
  assert.equal(span.editable, false);
  assert.deepEqual(span.tags, ["a"]);
  const plain = [{ id: 9 }];
  assert.equal(expandMoments(plain), plain);
});
