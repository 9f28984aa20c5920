// JSON requests to vib's API with the page's session and CSRF token.
export const csrfToken = () => document.querySelector('meta[name="csrf-token"]')?.content ?? "";

export async function getJSON(url) {
  const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
  const body = await response.json().catch(() => ({}));
  if (!response.ok && response.status !== 202) throw new Error(body.error || response.statusText);
  return { status: response.status, body };
}

export function formatTime(ms) {
  const s = Math.floor(ms / 1000);
  const fraction = String(Math.floor(ms % 1000)).padStart(3, "0");
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}.${fraction}`;
}
