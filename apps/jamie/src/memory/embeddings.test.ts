import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "@autodevops/shared";
import { createEmbedder, LocalHashEmbedder, ollamaEmbedder, openAiEmbedder, type Embedder } from "./embeddings.js";
import { startOllamaEmbedStandIn, startOpenAiEmbedStandIn, type EmbeddingStandIn } from "./testing/embedding-stand-ins.js";
import { MemoryError } from "./types.js";

const dot = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * (b[i] as number), 0);
const norm = (a: number[]) => Math.sqrt(dot(a, a));

describe("local hashed n-gram embeddings", () => {
  const e = new LocalHashEmbedder();

  it("gives the same unit vector for the same text in any call", async () => {
    const [a, b] = await e.embed(["Cart pods crash looping", "cart pods crash looping"]);
    expect(a).toHaveLength(384);
    expect(norm(a!)).toBeCloseTo(1, 5);
    expect(a).toEqual(b);
    expect((await new LocalHashEmbedder().embed(["Cart pods crash looping"]))[0]).toEqual(a);
  });

  it("finds 'cart pods crash looping' closest to 'crashloop in cart'", async () => {
    const [q, cart, disk, pay] = await e.embed(["crashloop in cart", "cart pods crash looping", "disk full on node-3 in checkout", "payments latency p99 high"]);
    expect(dot(q!, cart!)).toBeGreaterThan(0.3);
    expect(dot(q!, cart!)).toBeGreaterThan(dot(q!, disk!) + 0.2);
    expect(dot(q!, cart!)).toBeGreaterThan(dot(q!, pay!) + 0.2);
  });

  it("gives a zero vector, not NaN, for text with no words", async () => {
    const [v] = await e.embed(["?! ..."]);
    expect(v!.every((x) => x === 0)).toBe(true);
  });

  it("names its size in its id, so vectors of another size are never compared", () => {
    expect(new LocalHashEmbedder(64).id).not.toBe(e.id);
  });
});

describe("remote embeddings through the LangChain clients", () => {
  let standIn: EmbeddingStandIn | undefined;
  afterEach(async () => {
    await standIn?.close();
    standIn = undefined;
  });

  async function expectSimilarity(embedder: Embedder): Promise<void> {
    const [q, cart, disk] = await embedder.embed(["crashloop in cart", "cart pods crash looping", "disk full on node-3"]);
    expect(q).toHaveLength(embedder.dimensions);
    expect(norm(q!)).toBeCloseTo(1, 4);
    expect(dot(q!, cart!)).toBeGreaterThan(dot(q!, disk!));
  }

  it("embeds through Ollama's /api/embed with the embedding model", async () => {
    standIn = await startOllamaEmbedStandIn(768);
    const embedder = ollamaEmbedder(standIn.url, { maxRetries: 0 });
    expect(embedder).toMatchObject({ id: "ollama:nomic-embed-text:768", dimensions: 768 });
    await expectSimilarity(embedder);
    expect(standIn.requests[0]).toMatchObject({ path: "/api/embed", body: { model: "nomic-embed-text", input: ["crashloop in cart", "cart pods crash looping", "disk full on node-3"] } });
  });

  it("embeds through OpenAI's /v1/embeddings, sending the key and decoding base64 vectors", async () => {
    standIn = await startOpenAiEmbedStandIn(1536);
    const embedder = openAiEmbedder("sk-test-0123456789", standIn.url, { maxRetries: 0 });
    expect(embedder).toMatchObject({ id: "openai:text-embedding-3-small:1536", dimensions: 1536 });
    await expectSimilarity(embedder);
    const req = standIn.requests[0];
    expect(req?.path).toBe("/v1/embeddings");
    expect(req?.headers.authorization).toBe("Bearer sk-test-0123456789");
    expect(req?.body).toMatchObject({ model: "text-embedding-3-small", encoding_format: "base64" });
  });

  it("asks OpenAI for a smaller size when dimensions are given", async () => {
    standIn = await startOpenAiEmbedStandIn(256);
    const embedder = openAiEmbedder("sk-test-0123456789", standIn.url, { maxRetries: 0, dimensions: 256 });
    await expectSimilarity(embedder);
    expect(standIn.requests[0]?.body.dimensions).toBe(256);
  });

  it("refuses vectors of a size other than the model's", async () => {
    standIn = await startOllamaEmbedStandIn(384);
    const embedder = ollamaEmbedder(standIn.url, { maxRetries: 0 }); // nomic-embed-text: 768
    await expect(embedder.embed(["x y z"])).rejects.toThrow(/returned 384 dimensions, expected 768/);
  });

  it("turns a server error into a MemoryError naming the provider", async () => {
    standIn = await startOllamaEmbedStandIn();
    standIn.failWith(500);
    const error = await ollamaEmbedder(standIn.url, { maxRetries: 0 }).embed(["cart"]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MemoryError);
    expect(error).toMatchObject({ code: "embedder_failed", message: expect.stringMatching(/^ollama embeddings failed/) });
  });

  it("refuses a model of unknown size instead of guessing", () => {
    expect(() => ollamaEmbedder("http://127.0.0.1:1", { model: "my-own-model" })).toThrow(/unknown embedding size for model my-own-model/);
  });
});

describe("createEmbedder", () => {
  it("follows the configured LLM provider, and is local without one", () => {
    expect(createEmbedder(loadConfig({}).llm).id).toBe("local:hashed-ngrams-v1:384");
    expect(createEmbedder(loadConfig({ OLLAMA_BASE_URL: "http://127.0.0.1:11434" }).llm).id).toBe("ollama:nomic-embed-text:768");
    expect(createEmbedder(loadConfig({ OPENAI_API_KEY: "sk-test-0123456789", OLLAMA_BASE_URL: "http://127.0.0.1:11434" }).llm).id).toBe("openai:text-embedding-3-small:1536");
    expect(createEmbedder(loadConfig({ OLLAMA_BASE_URL: "http://127.0.0.1:11434" }).llm, { model: "mxbai-embed-large" }).dimensions).toBe(1024);
  });
});
