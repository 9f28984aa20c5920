// JSON requests to vib's API with the page's session and CSRF token.
export const csrfToken = () => document.querySelector('meta[name="csrf-token"]')?.content ?? "";

export async function getJSON(url) {
  const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
  const body = await response.json().catch(() => ({}));
  if (!response.ok && response.status !== 202) throw new Error(body.error || response.statusText);
  return { status: response.status, body };
}

// A change (POST, PATCH, DELETE) with a JSON body; a refusal throws an Error with the server's message,
// its status and the field at fault.
export async function sendJSON(method, url, body) {
  const response = await fetch(url, {
    method,
    credentials: "same-origin",
    headers: { Accept: "application/json", "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = response.status === 204 ? {} : await response.json().catch(() => ({}));
  if (!response.ok) throw Object.assign(new Error(data.error || response.statusText), { status: response.status, field: data.field });
  return data;
}
