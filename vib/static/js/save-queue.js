// Sends the coding page's changes to the API one at a time, in the order they were made. A job
// builds its request only when its turn comes, so an edit made before the moment's create returned
// is sent with the id the create got. Network errors and 5xx keep the job and retry with backoff;
// any other answer goes to the job's done/failed handler.
import { request } from "./api.js";

const BACKOFF_MS = [1000, 2000, 4000, 8000, 15000];

async function send({ method, url, body }) {
  let result;
  try {
    result = await request(method, url, body);
  } catch {
    return { retry: true }; // no answer at all (offline, connection lost)
  }
  return result.status >= 500 ? { retry: true } : result;
}

export class SaveQueue extends EventTarget {
  // backoffMs and the target of "online" events are options for the unit tests.
  constructor({ backoffMs = BACKOFF_MS, online = globalThis.window } = {}) {
    super();
    this.backoffMs = backoffMs;
    this.jobs = [];
    this.running = false;
    this.failures = 0;
    this.status = "saved";
    this.wake = null;
    // Back online: try at once instead of waiting out the backoff.
    online?.addEventListener("online", () => this.wake?.());
  }

  get pending() { return this.jobs.length; }

  // job: { key, request() -> {method, url, body} | null (nothing to send), done(status, body), failed(status, body) }
  push(job) {
    this.jobs.push(job);
    this.run();
  }

  // Later jobs of a moment whose change was refused or replaced: they were built on that change.
  // Only called from a job's done/failed handler, when that job is off the queue already.
  dropQueued(key) {
    this.jobs = this.jobs.filter((job) => job.key !== key);
  }

  hasQueued(key, except) { return this.jobs.some((job) => job.key === key && job !== except); }

  setStatus(status) {
    if (status === this.status) return;
    this.status = status;
    this.dispatchEvent(new CustomEvent("status", { detail: status }));
  }

  async run() {
    if (this.running) return;
    this.running = true;
    while (this.jobs.length) {
      const job = this.jobs[0];
      const request = job.request();
      if (!request) { this.jobs.shift(); continue; }
      this.setStatus(this.failures ? "retrying" : "saving");
      const result = await send(request);
      if (result.retry) {
        this.failures += 1;
        this.setStatus("retrying");
        await this.pause(this.backoffMs[Math.min(this.failures, this.backoffMs.length) - 1]);
        continue;
      }
      this.failures = 0;
      this.jobs.shift(); // before the handler, which may drop later jobs of the same moment
      try {
        if (result.ok) job.done(result.status, result.body);
        else job.failed(result.status, result.body ?? {});
      } catch (error) {
        console.error(error); // a broken handler must not stop the changes after it
      }
    }
    this.running = false;
    this.setStatus("saved");
  }

  pause(ms) {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => { clearTimeout(timer); this.wake = null; resolve(); };
    });
  }
}
