import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * Local stand-ins for the two chat APIs Jamie's model speaks, streaming and with tool calls:
 * Ollama's `POST /api/chat` (NDJSON) and OpenAI's `POST /v1/chat/completions` (server-sent
 * events). No model runs here, so a test scripts each turn. Test support, not shipped code.
 */

/** One turn of the scripted model: some text, or calls of tools (arguments as an object). */
export type ScriptedTurn = { content: string } | { toolCalls: { name: string; args: Record<string, unknown> }[] } | { status: number; error: string };

export interface ChatRequest {
  path: string;
  headers: IncomingMessage["headers"];
  body: { model?: string; stream?: boolean; messages?: { role: string; content?: unknown; tool_calls?: unknown }[]; tools?: { function?: { name?: string } }[] } & Record<string, unknown>;
}

export interface StreamingLlmStandIn {
  /** Base URL for the client (for OpenAI, ending in /v1). */
  url: string;
  requests: ChatRequest[];
  /** Decides each turn from the request (its messages show what the tools returned). */
  script(fn: (req: ChatRequest) => ScriptedTurn): void;
  close(): Promise<void>;
}

async function serve(route: string, basePath: string, respond: (req: ChatRequest, turn: ScriptedTurn, res: ServerResponse) => void): Promise<StreamingLlmStandIn> {
  let fn: (req: ChatRequest) => ScriptedTurn = () => ({ content: "" });
  const requests: ChatRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const r: ChatRequest = { path: req.url ?? "", headers: req.headers, body: (text ? JSON.parse(text) : {}) as ChatRequest["body"] };
      requests.push(r);
      if (req.method !== "POST" || r.path !== route) {
        res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: `no route ${req.method} ${r.path}` }));
        return;
      }
      respond(r, fn(r), res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${basePath}`,
    requests,
    script: (f) => {
      fn = f;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Text cut into small pieces, as a model emits tokens: the client must join them. */
const pieces = (s: string) => s.match(/[\s\S]{1,12}/g) ?? [];
const CREATED_AT = "2026-01-01T00:00:00.000000Z";

/** Ollama's /api/chat: NDJSON chunks `done: false`, tool calls in a chunk's message, then a `done: true` chunk. */
export function startStreamingOllama(): Promise<StreamingLlmStandIn> {
  return serve("/api/chat", "", (req, turn, res) => {
    const model = String(req.body.model);
    if ("error" in turn) {
      res.writeHead(turn.status, { "content-type": "application/json" }).end(JSON.stringify({ error: turn.error }));
      return;
    }
    const line = (message: Record<string, unknown>, done = false, extra: Record<string, unknown> = {}) => `${JSON.stringify({ model, created_at: CREATED_AT, message: { role: "assistant", content: "", ...message }, done, ...extra })}\n`;
    res.writeHead(200, { "content-type": "application/x-ndjson" });
    if ("toolCalls" in turn) {
      res.write(line({ tool_calls: turn.toolCalls.map((c) => ({ function: { name: c.name, arguments: c.args } })) }));
    } else {
      for (const p of pieces(turn.content)) res.write(line({ content: p }));
    }
    res.end(line({}, true, { done_reason: "stop", total_duration: 1_000_000, load_duration: 1000, prompt_eval_count: 40, prompt_eval_duration: 1000, eval_count: 8, eval_duration: 1000 }));
  });
}

/** OpenAI's /v1/chat/completions with `stream: true`: `data:` chunks with deltas (tool-call arguments in pieces), then `[DONE]`. */
export function startStreamingOpenAi(): Promise<StreamingLlmStandIn> {
  let n = 0;
  return serve("/v1/chat/completions", "/v1", (req, turn, res) => {
    if ("error" in turn) {
      res.writeHead(turn.status, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: turn.error, type: "server_error", param: null, code: null } }));
      return;
    }
    n += 1;
    const id = `chatcmpl-standin${n}`;
    const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
      `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created: 1_767_225_600, model: String(req.body.model), choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] })}\n\n`;
    if (req.body.stream !== true) {
      res.writeHead(400, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: "this stand-in only streams", type: "invalid_request_error", param: "stream", code: null } }));
      return;
    }
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    res.write(chunk({ role: "assistant", content: "" }));
    if ("toolCalls" in turn) {
      turn.toolCalls.forEach((c, index) => {
        const args = JSON.stringify(c.args);
        const half = Math.ceil(args.length / 2);
        res.write(chunk({ tool_calls: [{ index, id: `call_${n}_${index}`, type: "function", function: { name: c.name, arguments: args.slice(0, half) } }] }));
        res.write(chunk({ tool_calls: [{ index, function: { arguments: args.slice(half) } }] }));
      });
      res.write(chunk({}, "tool_calls"));
    } else {
      for (const p of pieces(turn.content)) res.write(chunk({ content: p }));
      res.write(chunk({}, "stop"));
    }
    res.end("data: [DONE]\n\n");
  });
}

/** The text of the tool results the model was sent so far (role "tool"), joined. */
export function toolResultsIn(req: ChatRequest): string {
  return (req.body.messages ?? [])
    .filter((m) => m.role === "tool")
    .map((m) => (typeof m.content === "string" ? m.content : JSON.stringify(m.content)))
    .join("\n");
}
