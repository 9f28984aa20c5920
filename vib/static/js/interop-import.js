// "Exchange data": import moments from an ELAN, BORIS or vib CSV file. First a dry run shows what the
// file holds (to import, skipped, values without a code, errors, warnings); then "Import N moments"
// sends the same file for real and the page reloads, so the timeline shows the new moments.
import { csrfToken } from "./api.js";
import { fill } from "./util.js";

const root = document.getElementById("exchange-data");
const form = root?.querySelector(".import-form");
const KINDS = { eaf: "ELAN", boris: "BORIS", csv: "vib CSV" }; // names of programs: not translated

if (form && root.dataset.api) setUp();

function setUp() {
  const msg = root.dataset;
  const input = form.querySelector('input[type="file"]');
  const report = form.querySelector(".import-report");
  const confirm = form.querySelector(".confirm-import");
  const status = form.querySelector(".form-status");
  const maxBytes = Number(/\d+/.exec(msg.msgTooLarge)?.[0] ?? 5) * 1024 * 1024;

  function say(text, isError = false) {
    status.textContent = text;
    status.classList.toggle("error", isError);
  }

  async function send(dryRun) {
    const file = input.files[0];
    const body = new FormData();
    body.append("file", file);
    const url = `${msg.api}${dryRun ? "?dry_run=1" : ""}`;
    const response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
      body,
    });
    const data = await response.json().catch(() => ({}));
    return { ok: response.ok, status: response.status, data };
  }

  function list(title, items, line) {
    if (!items.length) return [];
    const heading = Object.assign(document.createElement("h3"), { textContent: title });
    const ul = document.createElement("ul");
    for (const item of items) ul.append(Object.assign(document.createElement("li"), { textContent: line(item) }));
    return [heading, ul];
  }

  function where(item) {
    return item.line_or_annotation ? `${item.line_or_annotation}: ${item.reason}` : item.reason;
  }

  function show(data) {
    const parts = [];
    if (data.kind) parts.push(Object.assign(document.createElement("p"), { textContent: fill(msg.msgKind, { kind: KINDS[data.kind] ?? data.kind }) }));
    parts.push(Object.assign(document.createElement("p"), {
      className: "import-summary",
      textContent: fill(msg.msgSummary, { created: data.created ?? 0, skipped: data.skipped ?? 0 }),
    }));
    parts.push(...list(msg.msgUnmapped, data.unmapped ?? [], (u) => `${u.value} (${u.count}×)`));
    parts.push(...list(msg.msgErrors, data.errors ?? [], where));
    parts.push(...list(msg.msgWarnings, data.warnings ?? [], where));
    report.replaceChildren(...parts);
    report.hidden = false;
    const importable = !(data.errors ?? []).length && data.created > 0;
    confirm.hidden = !importable;
    confirm.textContent = fill(msg.msgImport, { n: data.created ?? 0 });
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    confirm.hidden = true;
    report.hidden = true;
    const file = input.files[0];
    if (!file) return say(msg.msgChoose, true), input.focus();
    if (file.size > maxBytes) return say(msg.msgTooLarge, true);
    say(msg.msgChecking);
    try {
      const { ok, data } = await send(true);
      say(ok ? "" : (data.error || msg.msgFailed), !ok);
      if (data && "created" in data) show(data);
      report.focus();
    } catch {
      say(msg.msgOffline, true);
    }
  });

  input.addEventListener("change", () => {
    confirm.hidden = true;
    report.hidden = true;
    say("");
  });

  confirm.addEventListener("click", async () => {
    confirm.disabled = true;
    say(msg.msgImporting);
    try {
      const { ok, data } = await send(false);
      if (!ok) {
        say(data.error || msg.msgFailed, true);
        if (data && "created" in data) show(data);
        return;
      }
      say(fill(msg.msgDone, { n: data.created }));
      globalThis.location.reload();
    } catch {
      say(msg.msgOffline, true);
    } finally {
      confirm.disabled = false;
    }
  });
}
