-- Jamie's vector memory (the embedded backend; the MongoDB backend keeps the same records).
-- Vectors are float32 little-endian in bytea: the search runs in each Jamie process over an
-- in-memory copy, so Postgres only stores them and tells replicas what changed.
-- A forgotten record stays as a tombstone (deleted, text and vector cleared) for a day, so other
-- replicas see the deletion when they catch up; `xid` is the writing transaction, which is how
-- a replica finds every row committed since its last look without missing a slow transaction.

CREATE TABLE jamie_memories (
  id         text        PRIMARY KEY,
  kind       text        NOT NULL CHECK (kind IN ('conversation', 'incident', 'feedback')),
  user_id    text,
  text       text        NOT NULL,
  metadata   jsonb       NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL,
  expires_at timestamptz,
  embedder   text        NOT NULL,
  embedding  bytea,
  deleted_at timestamptz,
  xid        xid8        NOT NULL DEFAULT pg_current_xact_id()
);
CREATE INDEX jamie_memories_xid_idx ON jamie_memories (xid);
CREATE INDEX jamie_memories_user_kind_idx ON jamie_memories (user_id, kind) WHERE deleted_at IS NULL;
CREATE INDEX jamie_memories_expires_idx ON jamie_memories (expires_at) WHERE expires_at IS NOT NULL;
CREATE INDEX jamie_memories_deleted_idx ON jamie_memories (deleted_at) WHERE deleted_at IS NOT NULL;
