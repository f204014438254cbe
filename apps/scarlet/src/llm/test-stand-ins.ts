import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * Local stand-ins for Ollama and the OpenAI chat completions API, speaking their wire protocols to
 * the real client libraries (ChatOllama over `ollama`, ChatOpenAI over `openai`). No LLM runs here,
 * so this is the one place tests may script a model's answer. Test support, not shipped code.
 */

/** What the stand-in answers next: text from the assistant, an HTTP error, or no answer at all. */
export type ScriptedReply = { content: string } | { status: number; error: string } | { hang: true };

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage["headers"];
  body: Record<string, unknown>;
}

export interface LlmStandIn {
  /** The base URL to configure the client with (for OpenAI, ending in `/v1`). */
  url: string;
  requests: RecordedRequest[];
  /** Sets the answer to every following request. */
  answer(reply: ScriptedReply | ((body: Record<string, unknown>) => ScriptedReply)): void;
  close(): Promise<void>;
}

type Responder = (req: RecordedRequest, reply: Exclude<ScriptedReply, { hang: true }>, res: ServerResponse) => void;

async function start(route: string, basePath: string, respond: Responder): Promise<LlmStandIn> {
  let script: (body: Record<string, unknown>) => ScriptedReply = () => ({ content: "" });
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const body = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
      const recorded: RecordedRequest = { method: req.method ?? "", path: req.url ?? "", headers: req.headers, body };
      requests.push(recorded);
      if (req.method !== "POST" || recorded.path !== route) {
        res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: `no route ${req.method} ${recorded.path}` }));
        return;
      }
      const reply = script(body);
      if ("hang" in reply) return;
      respond(recorded, reply, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${basePath}`,
    requests,
    answer(reply) {
      script = typeof reply === "function" ? reply : () => reply;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}

const CREATED_AT = "2026-01-01T00:00:00.000000Z";

/**
 * Ollama's `POST /api/chat`. ChatOllama always sends `stream: true`, and Ollama then answers with
 * NDJSON: content chunks with `done: false`, then a final chunk with `done: true` and the counters.
 */
export function startOllamaStandIn(): Promise<LlmStandIn> {
  return start("/api/chat", "", (req, reply, res) => {
    const model = String(req.body.model);
    if ("error" in reply) {
      res.writeHead(reply.status, { "content-type": "application/json; charset=utf-8" }).end(JSON.stringify({ error: reply.error }));
      return;
    }
    const message = (content: string) => ({ role: "assistant", content });
    const final = {
      model,
      created_at: CREATED_AT,
      message: message(""),
      done: true,
      done_reason: "stop",
      total_duration: 1_000_000,
      load_duration: 100_000,
      prompt_eval_count: 42,
      prompt_eval_duration: 200_000,
      eval_count: 7,
      eval_duration: 300_000,
    };
    if (req.body.stream === false) {
      res.writeHead(200, { "content-type": "application/json; charset=utf-8" }).end(JSON.stringify({ ...final, message: message(reply.content) }));
      return;
    }
    res.writeHead(200, { "content-type": "application/x-ndjson" });
    // Split the answer the way a model emits tokens, so the client has to join the chunks.
    const pieces = reply.content.match(/[\s\S]{1,16}/g) ?? [];
    for (const piece of pieces) res.write(`${JSON.stringify({ model, created_at: CREATED_AT, message: message(piece), done: false })}\n`);
    res.end(`${JSON.stringify(final)}\n`);
  });
}

/**
 * OpenAI's `POST /v1/chat/completions`, non-streaming. When the request forces a function (how
 * `withStructuredOutput` works by tool calling), the scripted content comes back as that call's
 * arguments, as OpenAI returns it.
 */
export function startOpenAiStandIn(): Promise<LlmStandIn> {
  let n = 0;
  return start("/v1/chat/completions", "/v1", (req, reply, res) => {
    if ("error" in reply) {
      res
        .writeHead(reply.status, { "content-type": "application/json" })
        .end(JSON.stringify({ error: { message: reply.error, type: "server_error", param: null, code: null } }));
      return;
    }
    if (req.body.stream === true) {
      res.writeHead(400, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: "the stand-in does not stream", type: "invalid_request_error", param: "stream", code: null } }));
      return;
    }
    n += 1;
    const forced = (req.body.tool_choice as { function?: { name?: string } } | undefined)?.function?.name;
    const message = forced
      ? { role: "assistant", content: null, refusal: null, tool_calls: [{ id: `call_${n}`, type: "function", function: { name: forced, arguments: reply.content } }] }
      : { role: "assistant", content: reply.content, refusal: null };
    res.writeHead(200, { "content-type": "application/json" }).end(
      JSON.stringify({
        id: `chatcmpl-standin${n}`,
        object: "chat.completion",
        created: 1_767_225_600,
        model: String(req.body.model),
        choices: [{ index: 0, message, logprobs: null, finish_reason: forced ? "tool_calls" : "stop" }],
        usage: { prompt_tokens: 42, completion_tokens: 7, total_tokens: 49 },
        system_fingerprint: "fp_standin",
      }),
    );
  });
}
