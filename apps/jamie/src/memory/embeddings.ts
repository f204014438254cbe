import { OllamaEmbeddings } from "@langchain/ollama";
import { OpenAIEmbeddings } from "@langchain/openai";
import { fnv1a, type Config } from "@autodevops/shared";
import { MemoryError } from "./types.js";

/** Turns texts into vectors; `id` names the model and size, stored with every record. */
export interface Embedder {
  readonly id: string;
  readonly dimensions: number;
  /** One L2-normalised vector of `dimensions` numbers per text, in order. */
  embed(texts: string[]): Promise<number[][]>;
}

const STOP_WORDS = new Set(
  "a an and are as at be been before by did do does for from had has have how i in is it its me my of on or our so that the their there this to was we were what when where which who why will with you your ever seen".split(" "),
);

/** Folds case and accents so "Crash" and "crásh" are the same word. */
function words(text: string): string[] {
  const folded = text.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase();
  return folded.split(/[^\p{L}\p{N}]+/u).filter((w) => w.length > 0 && !STOP_WORDS.has(w));
}

/** A crude stem ("looping" -> "loop", "pods" -> "pod") so inflections share a feature. */
function stem(word: string): string {
  for (const suffix of ["ing", "ed", "es", "s"]) {
    if (word.length > suffix.length + 2 && word.endsWith(suffix)) return word.slice(0, -suffix.length);
  }
  return word;
}

/** Feature weights: a shared word says more than a shared bigram, which says more than a trigram. */
const WORD_WEIGHT = 1;
const BIGRAM_WEIGHT = 0.6;
const TRIGRAM_WEIGHT = 0.35;

/**
 * Offline embeddings: hashed word unigrams and bigrams (stemmed) and character trigrams of each
 * word, with signed feature hashing into a fixed number of dimensions, then L2-normalised. The
 * trigrams are what lets "crashloop" meet "crash looping"; the sign bit keeps collisions from
 * adding up to false similarity. Deterministic, so records written by one process are comparable
 * with queries in another.
 */
export class LocalHashEmbedder implements Embedder {
  readonly id: string;
  constructor(readonly dimensions = 384) {
    if (!Number.isInteger(dimensions) || dimensions < 16) throw new Error(`dimensions must be an integer >= 16, got ${dimensions}`);
    this.id = `local:hashed-ngrams-v1:${dimensions}`;
  }

  embed(texts: string[]): Promise<number[][]> {
    return Promise.resolve(texts.map((t) => Array.from(this.embedOne(t))));
  }

  /** The vector as a Float32Array, for callers that keep vectors packed. */
  embedOne(text: string): Float32Array {
    // feature -> [weight, occurrences]
    const features = new Map<string, [number, number]>();
    const add = (f: string, w: number) => {
      const seen = features.get(f);
      if (seen) seen[1] += 1;
      else features.set(f, [w, 1]);
    };
    const stems = words(text).map(stem);
    for (let i = 0; i < stems.length; i++) {
      const w = stems[i] as string;
      add(`w:${w}`, WORD_WEIGHT);
      if (i + 1 < stems.length) add(`b:${w} ${stems[i + 1]}`, BIGRAM_WEIGHT);
      const padded = `^${w}$`;
      for (let j = 0; j + 3 <= padded.length; j++) add(`c:${padded.slice(j, j + 3)}`, TRIGRAM_WEIGHT);
    }
    const v = new Float32Array(this.dimensions);
    for (const [feature, [weight, n]] of features) {
      const h = fnv1a(feature);
      // Sublinear in repetitions: a word said ten times is not ten times the topic.
      const value = weight * (1 + Math.log(n));
      v[(h >>> 1) % this.dimensions]! += h & 1 ? value : -value;
    }
    return normalise(v);
  }
}

/** Scales a vector to unit length in place (a zero vector stays zero), so a dot product is the cosine. */
export function normalise<T extends Float32Array | number[]>(v: T): T {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += (v[i] as number) * (v[i] as number);
  if (sum === 0) return v;
  const inv = 1 / Math.sqrt(sum);
  for (let i = 0; i < v.length; i++) v[i] = (v[i] as number) * inv;
  return v;
}

/** The embedding sizes of common models, so a remote embedder knows its size before its first call. */
const KNOWN_DIMENSIONS: Record<string, number> = {
  "nomic-embed-text": 768,
  "mxbai-embed-large": 1024,
  "all-minilm": 384,
  "snowflake-arctic-embed": 1024,
  "bge-m3": 1024,
  "text-embedding-3-small": 1536,
  "text-embedding-3-large": 3072,
  "text-embedding-ada-002": 1536,
};

export const DEFAULT_OLLAMA_EMBEDDING_MODEL = "nomic-embed-text";
export const DEFAULT_OPENAI_EMBEDDING_MODEL = "text-embedding-3-small";

interface EmbeddingsClient {
  embedDocuments(texts: string[]): Promise<number[][]>;
}

/** A LangChain embeddings client behind our interface: checks sizes, normalises, names failures. */
class RemoteEmbedder implements Embedder {
  constructor(
    readonly id: string,
    readonly dimensions: number,
    private readonly client: EmbeddingsClient,
    private readonly provider: string,
  ) {}

  async embed(texts: string[]): Promise<number[][]> {
    if (texts.length === 0) return [];
    let vectors: number[][];
    try {
      vectors = await this.client.embedDocuments(texts);
    } catch (e) {
      throw new MemoryError("embedder_failed", `${this.provider} embeddings failed: ${(e as Error).message}`, { cause: e });
    }
    if (vectors.length !== texts.length) {
      throw new MemoryError("embedder_failed", `${this.provider} returned ${vectors.length} embeddings for ${texts.length} texts`);
    }
    return vectors.map((v) => {
      if (v.length !== this.dimensions) {
        throw new MemoryError("embedder_failed", `${this.id} returned ${v.length} dimensions, expected ${this.dimensions}; set the embedding dimensions for this model`);
      }
      return normalise([...v]);
    });
  }
}

export interface RemoteEmbedderOptions {
  /** Embedding model; the chat model of the config is not an embedding model. */
  model?: string;
  /** Needed for models not in the known list. */
  dimensions?: number;
  /** Test and slow-server knobs. */
  maxRetries?: number;
  timeoutMs?: number;
}

function dimensionsOf(model: string, given: number | undefined): number {
  const dims = given ?? KNOWN_DIMENSIONS[model.split(":")[0] ?? model];
  if (dims === undefined) throw new MemoryError("invalid_input", `unknown embedding size for model ${model}; pass dimensions`);
  return dims;
}

/** Ollama's `POST /api/embed` through `OllamaEmbeddings`. */
export function ollamaEmbedder(baseUrl: string, opts: RemoteEmbedderOptions = {}): Embedder {
  const model = opts.model ?? DEFAULT_OLLAMA_EMBEDDING_MODEL;
  const dims = dimensionsOf(model, opts.dimensions);
  const client = new OllamaEmbeddings({ baseUrl, model, maxRetries: opts.maxRetries ?? 2 });
  return new RemoteEmbedder(`ollama:${model}:${dims}`, dims, client, "ollama");
}

/** OpenAI's (or a compatible server's) `POST /v1/embeddings` through `OpenAIEmbeddings`. */
export function openAiEmbedder(apiKey: string, baseUrl: string | undefined, opts: RemoteEmbedderOptions = {}): Embedder {
  const model = opts.model ?? DEFAULT_OPENAI_EMBEDDING_MODEL;
  const dims = dimensionsOf(model, opts.dimensions);
  const client = new OpenAIEmbeddings({
    apiKey,
    model,
    // Only text-embedding-3 models accept a size; send it only when asked for.
    ...(opts.dimensions === undefined ? {} : { dimensions: opts.dimensions }),
    maxRetries: opts.maxRetries ?? 2,
    ...(opts.timeoutMs === undefined ? {} : { timeout: opts.timeoutMs }),
    configuration: baseUrl ? { baseURL: baseUrl } : {},
  });
  return new RemoteEmbedder(`openai:${model}:${dims}`, dims, client, "openai");
}

/** The embedder the config names: OpenAI or Ollama when an LLM is configured, else the local one. */
export function createEmbedder(llm: Config["llm"], opts: RemoteEmbedderOptions = {}): Embedder {
  switch (llm.provider) {
    case "openai":
      return openAiEmbedder(llm.apiKey, llm.baseUrl, opts);
    case "ollama":
      return ollamaEmbedder(llm.baseUrl, opts);
    case "none":
      return new LocalHashEmbedder();
  }
}
