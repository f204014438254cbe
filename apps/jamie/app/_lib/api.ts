"use client";
// How the pages talk to Jamie's API: same origin, the session cookie, and the CSRF token echoed on writes.

function csrfToken(): string {
  const m = /(?:^|;\s*)jamie_csrf=([^;]+)/.exec(document.cookie);
  return m?.[1] ? decodeURIComponent(m[1]) : "";
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function check<T>(r: Response): Promise<T> {
  if (r.status === 401 && typeof window !== "undefined" && !window.location.pathname.startsWith("/login")) {
    window.location.href = `/login?next=${encodeURIComponent(window.location.pathname)}`;
  }
  const body = (await r.json().catch(() => ({}))) as { error?: string };
  if (!r.ok) throw new ApiError(r.status, body.error ?? `HTTP ${r.status}`);
  return body as T;
}

export async function getJson<T>(path: string): Promise<T> {
  return check<T>(await fetch(path, { headers: { accept: "application/json" }, cache: "no-store" }));
}

export async function postJson<T>(path: string, body: unknown): Promise<T> {
  return check<T>(await fetch(path, { method: "POST", headers: { "content-type": "application/json", "x-csrf-token": csrfToken() }, body: JSON.stringify(body) }));
}

/** Posts and reads the answer as server-sent events, calling `on` for each event as it arrives. */
export async function postStream(path: string, body: unknown, on: (event: string, data: unknown) => void, signal?: AbortSignal): Promise<void> {
  const r = await fetch(path, { method: "POST", headers: { "content-type": "application/json", accept: "text/event-stream", "x-csrf-token": csrfToken() }, body: JSON.stringify(body), ...(signal ? { signal } : {}) });
  if (!r.ok || !r.body) return void (await check(r));
  const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += value;
    let i;
    while ((i = buf.indexOf("\n\n")) >= 0) {
      const chunk = buf.slice(0, i);
      buf = buf.slice(i + 2);
      const event = /^event: (.*)$/m.exec(chunk)?.[1] ?? "message";
      const data = /^data: (.*)$/m.exec(chunk)?.[1];
      if (data !== undefined) on(event, JSON.parse(data));
    }
  }
}
