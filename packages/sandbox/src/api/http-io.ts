import type { IncomingMessage, ServerResponse } from "node:http";
import type { Failure } from "./status.js";

const MAX_BODY_BYTES = 3 * 1024 * 1024;

/** The request body as text; undefined when it is larger than the API server accepts. */
export async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

export function sendJson(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { "content-type": "application/json", "content-length": Buffer.byteLength(text), "cache-control": "no-cache, private" });
  res.end(text);
}

export function sendFailure(res: ServerResponse, f: Failure): void {
  sendJson(res, f.code, f.body);
}
