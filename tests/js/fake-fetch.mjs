// A fake fetch for the unit tests: each request waits until the test answers it (or fails it as a
// network error), so a test decides what the server says and when.
const STATUS_TEXT = { 200: "OK", 201: "Created", 202: "Accepted", 204: "No Content", 400: "Bad Request", 404: "Not Found", 409: "Conflict", 500: "Internal Server Error", 503: "Service Unavailable" };

export function fakeFetch() {
  const calls = [];
  const fetch = (url, init = {}) => new Promise((resolve, reject) => {
    calls.push({
      url,
      method: init.method ?? "GET",
      headers: init.headers ?? {},
      credentials: init.credentials,
      body: init.body === undefined ? undefined : JSON.parse(init.body),
      answer(status, body) {
        resolve({
          ok: status >= 200 && status < 300,
          status,
          statusText: STATUS_TEXT[status] ?? "",
          json: async () => {
            if (body === undefined) throw new SyntaxError("Unexpected end of JSON input");
            return structuredClone(body);
          },
        });
      },
      fail() { reject(new TypeError("Failed to fetch")); },
    });
  });
  return { fetch, calls };
}

// Install a fake fetch as the global one for one test (t: node:test's test context). Afterwards a
// request left over from the test (a queue still retrying) never gets an answer, so it ends there.
export function useFakeFetch(t) {
  const fake = fakeFetch();
  globalThis.fetch = fake.fetch;
  t.after(() => { globalThis.fetch = () => new Promise(() => {}); });
  return fake;
}

// Wait until check() holds (the queue runs on promises and timers), at most a second.
export async function until(check, what = "the expected state") {
  const deadline = Date.now() + 1000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

// Let every pending promise and zero-delay timer run.
export const settle = () => new Promise((resolve) => setTimeout(resolve, 5));
