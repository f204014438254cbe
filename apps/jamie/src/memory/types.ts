import { z } from "zod";

/** What a memory is about; recall can be narrowed to some kinds. */
export const MemoryKind = z.enum(["conversation", "incident", "feedback"]);
export type MemoryKind = z.infer<typeof MemoryKind>;

/** The largest text one memory holds; an incident summary on the bus is at most 8000 characters. */
export const MAX_TEXT_CHARS = 16_000;
const MAX_METADATA_KEYS = 32;
const MAX_METADATA_VALUE_CHARS = 1_000;
/** Ids and user ids are short keys; long ones are a caller bug, not data. */
const Key = z.string().trim().min(1).max(200);

export const MetadataValue = z.union([z.string().max(MAX_METADATA_VALUE_CHARS), z.number().finite(), z.boolean()]);
export const Metadata = z
  .record(z.string().min(1).max(100), MetadataValue)
  .refine((m) => Object.keys(m).length <= MAX_METADATA_KEYS, `at most ${MAX_METADATA_KEYS} metadata keys`);
export type Metadata = z.infer<typeof Metadata>;

/** One stored memory as callers see it (the embedding stays inside the backend). */
export const MemoryRecord = z.object({
  id: Key,
  kind: MemoryKind,
  /** null: shared with everyone (incident summaries); else only this user recalls it. */
  userId: Key.nullable(),
  text: z.string(),
  metadata: Metadata,
  createdAt: z.date(),
  expiresAt: z.date().nullable(),
});
export type MemoryRecord = z.infer<typeof MemoryRecord>;

export interface RecallHit {
  record: MemoryRecord;
  /** Cosine similarity of query and record, in [-1, 1] on every backend. */
  score: number;
}

export const RememberInput = z.object({
  kind: MemoryKind,
  text: z
    .string()
    .max(MAX_TEXT_CHARS, `text is longer than ${MAX_TEXT_CHARS} characters`)
    .refine((t) => t.trim().length > 0, "text is empty"),
  userId: Key.nullable().optional(),
  metadata: Metadata.optional(),
  /** Time to live; the record is never recalled after it, and deleted some time later. */
  ttlMs: z.number().int().positive().max(10 * 365 * 24 * 3600_000).optional(),
  /** Idempotency key: remembering the same id again replaces the record, never duplicates it. */
  id: Key.optional(),
});
export type RememberInput = z.input<typeof RememberInput>;

export const RecallOptions = z.object({
  /** Whose memories: this user's and the shared ones; null: only the shared ones. */
  userId: Key.nullable(),
  kinds: z.array(MemoryKind).min(1).optional(),
  limit: z.number().int().min(1).max(100).default(5),
  minScore: z.number().min(-1).max(1).default(0),
});
export type RecallOptions = z.input<typeof RecallOptions>;

const Query = z.string().max(MAX_TEXT_CHARS).refine((t) => t.trim().length > 0, "query is empty");

export type MemoryErrorCode = "invalid_input" | "embedder_failed" | "unavailable";

/** The one error the memory backends throw; `code` says whose fault it was. */
export class MemoryError extends Error {
  override readonly name = "MemoryError";
  constructor(
    readonly code: MemoryErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const details = parsed.error.issues.map((i) => `${i.path.length ? i.path.join(".") : "value"}: ${i.message}`).join("; ");
  throw new MemoryError("invalid_input", `invalid ${what}: ${details}`);
}

export const parseRememberInput = (input: unknown) => parseOrThrow(RememberInput, input, "memory");
export const parseRecallOptions = (opts: unknown) => parseOrThrow(RecallOptions, opts, "recall options");
export const parseQuery = (query: unknown): string => parseOrThrow(Query, query, "recall query");
export const parseKey = (key: unknown, what: string): string => parseOrThrow(Key, key, what);

/** Vector memory: one contract, two backends (MongoDB, and Postgres for the default run). */
export interface VectorMemory {
  readonly backend: "mongodb" | "embedded";
  /** Stores (or, with an existing id, replaces) a memory; throws MemoryError on bad input. */
  remember(input: RememberInput): Promise<MemoryRecord>;
  /** The records most similar to the query that this user may see, best first. */
  recall(query: string, opts: RecallOptions): Promise<RecallHit[]>;
  /** Deletes one record; false when there was none. */
  forget(id: string): Promise<boolean>;
  /** Deletes every record of this user (shared records stay); returns how many. */
  forgetUser(userId: string): Promise<number>;
  close(): Promise<void>;
}

/** The record `remember` stores, computed once so both backends agree on ids and times. */
export function newRecord(input: z.output<typeof RememberInput>, now: Date, newId: () => string): MemoryRecord {
  return {
    id: input.id ?? newId(),
    kind: input.kind,
    userId: input.userId ?? null,
    text: input.text,
    metadata: input.metadata ?? {},
    createdAt: now,
    expiresAt: input.ttlMs === undefined ? null : new Date(now.getTime() + input.ttlMs),
  };
}
