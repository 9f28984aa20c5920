// The log-in ends after a while without activity (VIB_IDLE_MINUTES, on the server). Working in the page
// without talking to the server (typing, clicking, playing) counts too: it is reported at most every
// few minutes. A minute before the end a warning offers to stay; at the end the page reloads, which
// shows the log-in page.
const warning = document.querySelector(".session-warning");

if (warning) {
  const idleMs = Number(warning.dataset.idleSeconds) * 1000;
  const WARN_BEFORE_MS = 60_000;
  const REPORT_EVERY_MS = Math.min(5 * 60_000, idleMs / 3);
  let lastContact = Date.now();
  let warnTimer = null;
  let endTimer = null;

  const schedule = () => {
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    warning.hidden = true;
    warnTimer = setTimeout(() => {
      warning.hidden = false;
      warning.querySelector("button").focus();
    }, Math.max(0, idleMs - WARN_BEFORE_MS));
    endTimer = setTimeout(() => window.location.reload(), idleMs + 1000);
  };

  const stayLoggedIn = async () => {
    lastContact = Date.now();
    const response = await fetch(warning.dataset.api, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (response.ok) schedule();
    else window.location.reload();
  };

  warning.querySelector("button").addEventListener("click", stayLoggedIn);
  for (const kind of ["keydown", "pointerdown"]) {
    document.addEventListener(kind, () => {
      if (warning.hidden && Date.now() - lastContact > REPORT_EVERY_MS) stayLoggedIn();
    }, { passive: true });
  }
  schedule();
}
