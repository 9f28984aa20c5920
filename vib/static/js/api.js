// JSON requests to vib's API with the page's session and CSRF token: the one fetch wrapper.
export const csrfToken = () => globalThis.document?.querySelector('meta[name="csrf-token"]')?.content ?? "";

// One request, whatever its answer: {ok, status, statusText, body}, body null when the answer has
// no content or no JSON. Only a network failure rejects. A change (not GET) carries the CSRF token.
export async function request(method, url, body) {
  const headers = method === "GET"
    ? { Accept: "application/json" }
    : { Accept: "application/json", "Content-Type": "application/json", "X-CSRFToken": csrfToken() };
  const response = await fetch(url, {
    method,
    credentials: "same-origin",
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  return { ok: response.ok, status: response.status, statusText: response.statusText, body: data };
}

// A GET; a refusal (not 202, "still being made") throws an Error with the server's message.
export async function getJSON(url) {
  const { ok, status, statusText, body } = await request("GET", url);
  const data = body ?? {};
  if (!ok && status !== 202) throw new Error(data.error || statusText);
  return { status, body: data };
}

// A change (POST, PATCH, DELETE) with a JSON body; a refusal throws an Error with the server's message,
// its status and the field at fault.
export async function sendJSON(method, url, body) {
  const { ok, status, statusText, body: answer } = await request(method, url, body);
  const data = answer ?? {};
  if (!ok) throw Object.assign(new Error(data.error || statusText), { status, field: data.field });
  return data;
}
