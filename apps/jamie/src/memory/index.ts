// The public surface of Jamie's vector memory. Each export is listed by name on purpose.
export {
  MemoryKind,
  MemoryRecord,
  MemoryError,
  MAX_TEXT_CHARS,
  type MemoryErrorCode,
  type RecallHit,
  type RecallOptions,
  type RememberInput,
  type VectorMemory,
} from "./types.js";
export {
  createEmbedder,
  LocalHashEmbedder,
  ollamaEmbedder,
  openAiEmbedder,
  DEFAULT_OLLAMA_EMBEDDING_MODEL,
  DEFAULT_OPENAI_EMBEDDING_MODEL,
  type Embedder,
  type RemoteEmbedderOptions,
} from "./embeddings.js";
export { EmbeddedMemory, migrateJamie, JAMIE_MIGRATIONS_DIR, type EmbeddedMemoryOptions } from "./embedded-memory.js";
export { MongoMemory, type MongoMemoryOptions, type MongoSearchMode } from "./mongo-memory.js";
export { openMemory, type OpenMemoryOptions } from "./open-memory.js";
export { rememberIncidentSummaries, incidentMemoryId } from "./incident-memory.js";
