import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { LocalHashEmbedder } from "../embeddings.js";

/**
 * Local stand-ins for the embeddings endpoints of Ollama (`POST /api/embed`) and OpenAI
 * (`POST /v1/embeddings`, float or base64), speaking their wire formats to the real LangChain
 * clients. Vectors come from the hashed n-gram embedder at the requested size, so similar texts
 * get similar vectors as from a real model. Test support, not shipped code.
 */

export interface EmbeddingRequest {
  path: string;
  headers: IncomingMessage["headers"];
  body: Record<string, unknown>;
}

export interface EmbeddingStandIn {
  /** Base URL for the client (for OpenAI, ending in `/v1`). */
  url: string;
  requests: EmbeddingRequest[];
  /** Next requests fail with this HTTP status until cleared with undefined. */
  failWith(status: number | undefined): void;
  close(): Promise<void>;
}

async function start(route: string, basePath: string, dims: number, answer: (inputs: string[], vectors: number[][], body: Record<string, unknown>) => unknown): Promise<EmbeddingStandIn> {
  const embedder = new LocalHashEmbedder(dims);
  const requests: EmbeddingRequest[] = [];
  let failing: number | undefined;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as Record<string, unknown>;
      requests.push({ path: req.url ?? "", headers: req.headers, body });
      const json = (status: number, value: unknown) => res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(value));
      if (req.method !== "POST" || req.url !== route) return json(404, { error: `no route ${req.method} ${req.url}` });
      if (failing !== undefined) return json(failing, { error: { message: "stand-in failure", type: "server_error" } });
      const input = body.input;
      const inputs = typeof input === "string" ? [input] : Array.isArray(input) ? input.map(String) : [];
      if (inputs.length === 0) return json(400, { error: "input is required" });
      return json(200, answer(inputs, inputs.map((t) => Array.from(embedder.embedOne(t))), body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${basePath}`,
    requests,
    failWith: (status) => void (failing = status),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}

/** Ollama's `POST /api/embed`: `{ model, input }` -> `{ model, embeddings, ... }`. */
export function startOllamaEmbedStandIn(dims = 768): Promise<EmbeddingStandIn> {
  return start("/api/embed", "", dims, (inputs, vectors, body) => ({
    model: body.model,
    embeddings: vectors,
    total_duration: 1_000_000,
    load_duration: 100_000,
    prompt_eval_count: inputs.length * 8,
  }));
}

/** OpenAI's `POST /v1/embeddings`; the SDK asks for base64 (float32 little-endian) unless told otherwise. */
export function startOpenAiEmbedStandIn(dims = 1536): Promise<EmbeddingStandIn> {
  return start("/v1/embeddings", "/v1", dims, (inputs, vectors, body) => ({
    object: "list",
    data: vectors.map((v, index) => ({
      object: "embedding",
      index,
      embedding: body.encoding_format === "base64" ? Buffer.from(Float32Array.from(v).buffer).toString("base64") : v,
    })),
    model: body.model,
    usage: { prompt_tokens: inputs.length * 8, total_tokens: inputs.length * 8 },
  }));
}
