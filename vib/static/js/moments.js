// The moments of one clip as the page shows them, saved at once through the API, with undo/redo.
//
// Every moment has a local `key` that never changes. The server id can change (undoing a delete
// creates the moment again), so the timeline, the list, the selection and the undo history refer to
// keys, and the id is looked up only when a request is sent.
import { SaveQueue } from "./save-queue.js";
import { partitionPoint } from "./util.js";

export const EDITABLE = ["start_ms", "end_ms", "code", "actor", "note", "tags"];

// The moments as `GET …/moments?compact=1` lists them (each code's label and colour and each author's
// name once, defaults left out), in the full form the page works with; a plain list passes as it is.
export function expandMoments(listed) {
  if (Array.isArray(listed)) return listed;
  const { codes, authors, moments } = listed;
  return moments.map((m) => {
    const code = codes[m.code] ?? {};
    return {
      end_ms: null, note: "", tags: [], editable: false,
      code_label: code.label ?? m.code, colour: code.colour ?? "#777777", analysis_only: Boolean(code.analysis_only),
      ...m,
      author: { id: m.author, name: authors[m.author] ?? "" },
    };
  });
}

const pick = (moment, fields) => Object.fromEntries(fields.map((f) => [f, moment[f]]));
const before = (a, b) => a.start_ms - b.start_ms || a.seq - b.seq;

export class MomentStore extends EventTarget {
  constructor({ listUrl, momentUrl, scheme, messages, queue = new SaveQueue() }) {
    super();
    this.listUrl = listUrl;
    this.momentUrl = momentUrl; // id -> URL
    this.codes = new Map(scheme.codes.map((c) => [c.id, c]));
    this.messages = messages;
    this.byKey = new Map();
    this.sorted = []; // by start_ms: the timeline and the list search it
    this.server = new Map(); // key -> {id, version} of the moment on the server
    this.queue = queue;
    this.queue.addEventListener("status", (e) => this.emit("status", e.detail));
    this.seq = 0;
    this.undoStack = [];
    this.redoStack = [];
  }

  emit(type, detail) { this.dispatchEvent(new CustomEvent(type, { detail })); }
  get(key) { return this.byKey.get(key); }
  get pending() { return this.queue.pending; }
  withId(id) { return id === null || id === undefined ? null : this.sorted.find((m) => m.id === id) ?? null; }

  // The moment "at the playhead": the last one that starts at or before ms (half a ms of slack for
  // the fraction in a video time); its key, or null.
  keyAt(ms) {
    const i = partitionPoint(this.sorted, (m) => m.start_ms <= ms + 0.5);
    return i ? this.sorted[i - 1].key : null;
  }

  // Moments whose start lies in [fromMs, toMs], in time order.
  *between(fromMs, toMs) {
    const sorted = this.sorted;
    for (let i = partitionPoint(sorted, (m) => m.start_ms < fromMs); i < sorted.length && sorted[i].start_ms <= toMs; i++) yield sorted[i];
  }

  load(list) {
    for (const data of list) {
      const moment = this.local(data);
      this.server.set(moment.key, { id: data.id, version: data.version });
      this.byKey.set(moment.key, moment);
      this.sorted.push(moment);
    }
    this.sorted.sort(before);
    this.emit("change", { kind: "load" });
  }

  local(data, key) {
    const code = this.codes.get(data.code);
    return {
      code_label: code?.label ?? data.code, colour: code?.colour ?? "#777777", actor: code?.actor ?? "other",
      note: "", tags: [], end_ms: null, ...data, key: key ?? `m${++this.seq}`, seq: ++this.seq,
    };
  }

  // -- what the user does (recorded for undo) --------------------------------------------------

  // A moment the server made (an accepted suggestion): shown as saved; undoing it deletes it.
  adopt(data) {
    const moment = this.local(data);
    this.server.set(moment.key, { id: data.id, version: data.version });
    this.record({ kind: "create", key: moment.key, fields: pick(moment, EDITABLE) });
    this.put(moment);
    return moment.key;
  }

  create(fields) {
    const moment = this.local({ ...fields, id: null });
    this.record({ kind: "create", key: moment.key, fields: pick(moment, EDITABLE) });
    this.addAndSave(moment);
    return moment.key;
  }

  update(key, changes) {
    const moment = this.byKey.get(key);
    if (!moment) return;
    const fields = Object.keys(changes).filter((f) => JSON.stringify(moment[f]) !== JSON.stringify(changes[f]));
    if (!fields.length) return;
    const after = pick(changes, fields);
    const previous = pick(moment, fields);
    this.record({ kind: "update", key, before: previous, after });
    this.patchAndSave(key, after, previous);
  }

  remove(key) {
    const moment = this.byKey.get(key);
    if (!moment) return;
    this.record({ kind: "delete", key, moment: { ...moment } });
    this.removeAndSave(key);
  }

  record(entry) {
    this.undoStack.push(entry);
    this.redoStack = [];
  }

  undo() { return this.travel(this.undoStack, this.redoStack, true); }
  redo() { return this.travel(this.redoStack, this.undoStack, false); }

  // Apply the inverse (undo) or the entry itself (redo); entries about a moment that is gone
  // meanwhile (its save was refused) are skipped. Returns the key of the moment it changed.
  travel(from, to, inverse) {
    while (from.length) {
      const entry = from.pop();
      const exists = this.byKey.has(entry.key);
      const adds = inverse ? entry.kind === "delete" : entry.kind === "create";
      if (adds ? exists : !exists) continue;
      if (entry.kind === "update") this.patchAndSave(entry.key, inverse ? entry.before : entry.after, inverse ? entry.after : entry.before);
      else if (adds) this.addAndSave(this.local({ ...(entry.moment ?? entry.fields), id: null }, entry.key));
      else this.removeAndSave(entry.key);
      to.push(entry);
      return entry.key;
    }
    return null;
  }

  // -- local changes and their requests ----------------------------------------------------------

  insert(moment) {
    this.sorted.splice(partitionPoint(this.sorted, (m) => before(m, moment) < 0), 0, moment);
  }

  unlink(moment) { this.sorted.splice(this.sorted.indexOf(moment), 1); }

  put(moment) {
    this.byKey.set(moment.key, moment);
    this.insert(moment);
    this.emit("change", { kind: "add", moment });
  }

  drop(key) {
    const moment = this.byKey.get(key);
    if (!moment) return;
    this.byKey.delete(key);
    this.unlink(moment);
    this.emit("change", { kind: "remove", moment });
  }

  patch(key, fields) {
    const moment = this.byKey.get(key);
    if (!moment) return;
    const moved = "start_ms" in fields && fields.start_ms !== moment.start_ms;
    if (moved) this.unlink(moment);
    Object.assign(moment, fields);
    if ("code" in fields && !("code_label" in fields)) {
      const code = this.codes.get(moment.code);
      Object.assign(moment, { code_label: code?.label ?? moment.code, colour: code?.colour ?? moment.colour });
    }
    if (moved) this.insert(moment);
    this.emit("change", { kind: "update", moment });
  }

  // The server's copy wins unless more changes of this moment wait in the queue.
  accept(key, data, job) {
    this.server.set(key, { id: data.id, version: data.version });
    if (!this.byKey.has(key)) return;
    const { key: _k, seq: _s, ...rest } = data;
    this.patch(key, this.queue.hasQueued(key, job) ? { ...rest, ...pick(this.byKey.get(key), EDITABLE) } : rest);
  }

  refused(body, fallback) {
    this.emit("problem", body?.error || fallback);
  }

  addAndSave(moment) {
    this.put(moment);
    const body = Object.fromEntries(Object.entries(pick(moment, EDITABLE)).filter(([, v]) => v !== null && v !== undefined));
    const job = {
      key: moment.key,
      request: () => ({ method: "POST", url: this.listUrl, body }),
      done: (status, data) => this.accept(moment.key, data, job),
      failed: (status, data) => {
        this.refused(data, this.messages.notSaved);
        this.queue.dropQueued(moment.key);
        this.drop(moment.key);
      },
    };
    this.queue.push(job);
  }

  patchAndSave(key, after, previous) {
    this.patch(key, after);
    const job = {
      key,
      request: () => {
        const server = this.server.get(key);
        return server ? { method: "PATCH", url: this.momentUrl(server.id), body: { version: server.version, ...after } } : null;
      },
      done: (status, data) => this.accept(key, data, job),
      failed: (status, data) => {
        this.queue.dropQueued(key);
        if (status === 409 && data.moment) {
          this.emit("problem", this.messages.conflict);
          this.accept(key, data.moment, job);
        } else if (status === 404) {
          this.refused(data, this.messages.gone);
          this.server.delete(key);
          this.drop(key);
        } else {
          this.refused(data, this.messages.notSaved);
          this.patch(key, previous);
        }
      },
    };
    this.queue.push(job);
  }

  removeAndSave(key) {
    const snapshot = { ...this.byKey.get(key) };
    this.drop(key);
    this.queue.push({
      key,
      request: () => {
        // With the version, a moment someone else changed meanwhile is not deleted unseen (409).
        const server = this.server.get(key);
        return server ? { method: "DELETE", url: `${this.momentUrl(server.id)}?version=${server.version}` } : null;
      },
      done: () => this.server.delete(key),
      failed: (status, data) => {
        if (status === 404) { this.server.delete(key); return; } // gone already: what was wanted
        if (status === 409 && data.moment) {
          this.emit("problem", this.messages.conflict);
          this.server.set(key, { id: data.moment.id, version: data.moment.version });
          if (!this.byKey.has(key)) this.put(this.local(data.moment, key));
          return;
        }
        this.refused(data, this.messages.notDeleted);
        if (!this.byKey.has(key)) this.put(snapshot);
      },
    });
  }
}
