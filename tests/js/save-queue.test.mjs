// The save queue and the one fetch wrapper under it (api.js), with a fake fetch: changes go out in
// the order they were made, one at a time; no answer or a 5xx is retried; any other answer goes to
// the job's handler.
import assert from "node:assert/strict";
import { test } from "node:test";

import { getJSON, request, sendJSON } from "../../vib/static/js/api.js";
import { SaveQueue } from "../../vib/static/js/save-queue.js";
import { settle, until, useFakeFetch } from "./fake-fetch.mjs";

function job(log, name, extra = {}) {
  return {
    key: extra.key ?? name,
    request: () => ({ method: "PATCH", url: `/api/${name}`, body: { name } }),
    done: (status, body) => log.push(["done", name, status, body]),
    failed: (status, body) => log.push(["failed", name, status, body]),
    ...extra,
  };
}

test("changes are sent in the order they were made, one at a time", async (t) => {
  const server = useFakeFetch(t);
  const queue = new SaveQueue({ online: null });
  const statuses = [];
  queue.addEventListener("status", (e) => statuses.push(e.detail));
  const log = [];
  for (const name of ["a", "b", "c"]) queue.push(job(log, name));
  await settle();
  assert.equal(server.calls.length, 1, "the second change waits for the first one's answer");
  assert.equal(queue.pending, 3);
  server.calls[0].answer(200, { n: 1 });
  await until(() => server.calls.length === 2);
  await settle();
  assert.equal(server.calls.length, 2);
  server.calls[1].answer(200, { n: 2 });
  await until(() => server.calls.length === 3);
  server.calls[2].answer(204);
  await until(() => queue.pending === 0);
  assert.deepEqual(server.calls.map((c) => [c.method, c.url, c.body]), [
    ["PATCH", "/api/a", { name: "a" }],
    ["PATCH", "/api/b", { name: "b" }],
    ["PATCH", "/api/c", { name: "c" }],
  ]);
  assert.deepEqual(log, [["done", "a", 200, { n: 1 }], ["done", "b", 200, { n: 2 }], ["done", "c", 204, null]]);
  assert.deepEqual(statuses, ["saving", "saved"]);
});

test("a job builds its request when its turn comes, with what the jobs before it learnt", async (t) => {
  const server = useFakeFetch(t);
  const queue = new SaveQueue({ online: null });
  let id = null;
  queue.push({ key: "m1", request: () => ({ method: "POST", url: "/api/moments", body: {} }), done: (s, body) => { id = body.id; }, failed() {} });
  queue.push({ key: "m1", request: () => ({ method: "PATCH", url: `/api/moments/${id}`, body: { note: "x" } }), done() {}, failed() {} });
  // Nothing to send (e.g. the moment never reached the server): skipped without a request.
  queue.push({ key: "m2", request: () => null, done: () => assert.fail("not sent, not done"), failed() {} });
  await settle();
  server.calls[0].answer(201, { id: 41 });
  await until(() => server.calls.length === 2);
  assert.equal(server.calls[1].url, "/api/moments/41");
  server.calls[1].answer(200, {});
  await until(() => queue.pending === 0);
  assert.equal(server.calls.length, 2);
});

test("without an answer (network failure) the same change is retried until it is saved, once", async (t) => {
  const server = useFakeFetch(t);
  const queue = new SaveQueue({ backoffMs: [2, 4], online: null });
  const statuses = [];
  queue.addEventListener("status", (e) => statuses.push(e.detail));
  const log = [];
  queue.push(job(log, "a"));
  queue.push(job(log, "b"));
  await settle();
  server.calls[0].fail();
  await until(() => server.calls.length === 2, "the first retry");
  assert.equal(queue.failures, 1);
  server.calls[1].fail();
  await until(() => server.calls.length === 3, "the second retry");
  server.calls[2].answer(200, {});
  await until(() => server.calls.length === 4, "the next change");
  assert.equal(queue.failures, 0);
  server.calls[3].answer(200, {});
  await until(() => queue.pending === 0);
  assert.deepEqual(server.calls.map((c) => c.url), ["/api/a", "/api/a", "/api/a", "/api/b"]);
  assert.deepEqual(log.map(([what, name]) => [what, name]), [["done", "a"], ["done", "b"]]);
  assert.deepEqual(statuses, ["saving", "retrying", "saving", "saved"]);
});

test("a 5xx is retried like a network failure; a 4xx goes to the failed handler, not retried", async (t) => {
  const server = useFakeFetch(t);
  const queue = new SaveQueue({ backoffMs: [1], online: null });
  const log = [];
  queue.push(job(log, "a"));
  queue.push(job(log, "b"));
  await settle();
  server.calls[0].answer(503, { error: "busy" });
  await until(() => server.calls.length === 2);
  assert.equal(server.calls[1].url, "/api/a");
  server.calls[1].answer(400, { error: "Unknown code.", field: "code" });
  await until(() => server.calls.length === 3);
  server.calls[2].answer(404); // no JSON: the handler still gets an object
  await until(() => queue.pending === 0);
  assert.deepEqual(log, [["failed", "a", 400, { error: "Unknown code.", field: "code" }], ["failed", "b", 404, {}]]);
});

test("back online, a waiting retry goes at once instead of waiting out the backoff", async (t) => {
  const server = useFakeFetch(t);
  const online = new EventTarget();
  const queue = new SaveQueue({ backoffMs: [5_000], online }); // far longer than until() waits
  queue.push(job([], "a"));
  await settle();
  server.calls[0].fail();
  await settle();
  assert.equal(server.calls.length, 1);
  online.dispatchEvent(new Event("online"));
  await until(() => server.calls.length === 2, "the retry after 'online'");
  server.calls[1].answer(200, {});
  await until(() => queue.pending === 0);
});

test("a refused change can drop the later changes of its moment; other moments' changes still go", async (t) => {
  const server = useFakeFetch(t);
  const queue = new SaveQueue({ online: null });
  const log = [];
  queue.push(job(log, "a1", { key: "a", failed: (status) => { log.push(["failed", "a1", status]); queue.dropQueued("a"); } }));
  queue.push(job(log, "b1", { key: "b" }));
  queue.push(job(log, "a2", { key: "a" }));
  assert.ok(queue.hasQueued("a"));
  await settle();
  server.calls[0].answer(400, {});
  await until(() => server.calls.length === 2);
  server.calls[1].answer(200, {});
  await until(() => queue.pending === 0);
  assert.deepEqual(server.calls.map((c) => c.url), ["/api/a1", "/api/b1"]);
  assert.deepEqual(log.map(([what, name]) => [what, name]), [["failed", "a1"], ["done", "b1"]]);
});

test("a handler that throws does not stop the changes after it", async (t) => {
  const server = useFakeFetch(t);
  t.mock.method(console, "error", () => {});
  const queue = new SaveQueue({ online: null });
  const log = [];
  queue.push(job(log, "a", { done: () => { throw new Error("broken handler"); } }));
  queue.push(job(log, "b"));
  await settle();
  server.calls[0].answer(200, {});
  await until(() => server.calls.length === 2);
  server.calls[1].answer(200, {});
  await until(() => queue.pending === 0);
  assert.deepEqual(log.map(([what, name]) => [what, name]), [["done", "b"]]);
  assert.equal(console.error.mock.callCount(), 1);
});

test("api.js: a change carries the CSRF token and JSON; a GET only asks for JSON", async (t) => {
  const server = useFakeFetch(t);
  globalThis.document = { querySelector: (selector) => (selector === 'meta[name="csrf-token"]' ? { content: "token-1" } : null) };
  t.after(() => { delete globalThis.document; });
  const sent = request("DELETE", "/api/moments/3?version=2");
  server.calls[0].answer(204);
  assert.deepEqual(await sent, { ok: true, status: 204, statusText: "No Content", body: null });
  assert.deepEqual(server.calls[0].headers, { Accept: "application/json", "Content-Type": "application/json", "X-CSRFToken": "token-1" });
  assert.equal(server.calls[0].credentials, "same-origin");
  assert.equal(server.calls[0].body, undefined);
  const got = getJSON("/api/clips/1/frames");
  server.calls[1].answer(202, { status: "measuring" });
  assert.deepEqual(await got, { status: 202, body: { status: "measuring" } });
  assert.deepEqual(server.calls[1].headers, { Accept: "application/json" });
  assert.equal(server.calls[1].method, "GET");
});

test("api.js: getJSON and sendJSON throw the server's message, sendJSON with its status and field", async (t) => {
  const server = useFakeFetch(t);
  const got = getJSON("/api/clips/9");
  server.calls[0].answer(404, { error: "No such clip." });
  await assert.rejects(got, { message: "No such clip." });
  const sent = sendJSON("POST", "/api/reviews/1/feedback", { text: "" });
  assert.deepEqual(server.calls[1].body, { text: "" });
  server.calls[1].answer(400, { error: "Write something.", field: "text" });
  await assert.rejects(sent, { message: "Write something.", status: 400, field: "text" });
  const noJson = sendJSON("POST", "/api/x");
  server.calls[2].answer(500);
  await assert.rejects(noJson, { message: "Internal Server Error", status: 500 });
  const removed = sendJSON("DELETE", "/api/x/1");
  server.calls[3].answer(204);
  assert.deepEqual(await removed, {});
});
