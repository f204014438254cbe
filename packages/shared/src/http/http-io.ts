import type { IncomingMessage, ServerResponse } from "node:http";
import type { z } from "zod";

/** The outcome of reading a body under a size limit. */
export type BodyRead = { ok: true; body: Buffer } | { ok: false; bytes: number };

/**
 * The request body, or `{ ok: false }` as soon as it passes `maxBytes`: a declared
 * Content-Length over the limit is refused before a byte is read, and a body streamed past
 * it stops being read there (the caller answers 413 and closes the connection).
 */
export function readBodyLimited(req: IncomingMessage, maxBytes: number): Promise<BodyRead> {
  const declared = declaredLength(req);
  if (declared !== undefined && declared > maxBytes) return Promise.resolve({ ok: false, bytes: 0 });
  return new Promise<BodyRead>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    const stop = () => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
    };
    const onData = (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > maxBytes) {
        stop();
        req.pause();
        resolve({ ok: false, bytes });
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      stop();
      resolve({ ok: true, body: Buffer.concat(chunks) });
    };
    const onError = (e: Error) => {
      stop();
      reject(e);
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
  });
}

/** The Content-Length header as a number, when there is a valid one. */
export function declaredLength(req: IncomingMessage): number | undefined {
  const v = req.headers["content-length"];
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined;
}

/** True for `application/json`, with or without parameters such as a charset. */
export function isJsonContentType(header: string | undefined): boolean {
  return (header ?? "").split(";")[0]?.trim().toLowerCase() === "application/json";
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string | string[]> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...headers, "content-type": "application/json", "content-length": Buffer.byteLength(text), "cache-control": "no-store" });
  res.end(text);
}

/** "alerts.0.startsAt: expected an RFC 3339 time; version: …": every issue, each with its path. */
export function formatIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ");
}
