-- The audit log: append-only and hash-chained.
-- Each row carries the hash of the row before it, so editing or deleting any row breaks the
-- chain from that row on. The chain head (last seq and hash) lives in a one-row table that
-- every insert locks, so concurrent writers in any number of processes take turns and can
-- never fork the chain. The database itself computes the hashes and refuses UPDATE, DELETE
-- and TRUNCATE: our code is not the only thing that could try.

CREATE TABLE audit_chain_head (
  id   boolean PRIMARY KEY DEFAULT true CHECK (id),
  seq  bigint  NOT NULL,
  hash text    NOT NULL
);
INSERT INTO audit_chain_head (id, seq, hash) VALUES (true, 0, repeat('0', 64));

CREATE TABLE audit_events (
  seq         bigint      PRIMARY KEY,
  at          timestamptz NOT NULL DEFAULT clock_timestamp(),
  actor       text        NOT NULL,
  type        text        NOT NULL,
  incident_id text,
  target      text,
  cluster     text,
  namespace   text,
  data        jsonb       NOT NULL DEFAULT '{}'::jsonb,
  -- Two rows naming the same predecessor would be a fork; the index makes one impossible even
  -- for a writer that bypassed the chain trigger.
  prev_hash   text        NOT NULL UNIQUE,
  hash        text        NOT NULL
);
CREATE INDEX audit_events_incident_idx ON audit_events (incident_id, seq) WHERE incident_id IS NOT NULL;
CREATE INDEX audit_events_target_idx   ON audit_events (target, seq) WHERE target IS NOT NULL;
CREATE INDEX audit_events_actor_idx    ON audit_events (actor, seq);
CREATE INDEX audit_events_at_idx       ON audit_events (at);

-- The exact text a row's hash covers. jsonb_build_array quotes every field, so no two rows
-- can serialise alike; the time is fixed to UTC with microseconds so it never depends on
-- the session's TimeZone.
CREATE FUNCTION audit_event_hash(
  prev_hash text, seq bigint, at timestamptz, actor text, type text,
  incident_id text, target text, cluster text, namespace text, data jsonb
) RETURNS text LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT encode(sha256(convert_to(prev_hash || jsonb_build_array(
    seq, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    actor, type, incident_id, target, cluster, namespace, data
  )::text, 'UTF8')), 'hex')
$$;

CREATE FUNCTION audit_events_chain() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  head audit_chain_head%ROWTYPE;
BEGIN
  -- The row lock serialises writers until commit: seq order is commit order.
  SELECT * INTO head FROM audit_chain_head WHERE id FOR UPDATE;
  NEW.seq := head.seq + 1;
  NEW.at := clock_timestamp();
  NEW.prev_hash := head.hash;
  NEW.hash := audit_event_hash(NEW.prev_hash, NEW.seq, NEW.at, NEW.actor, NEW.type,
                               NEW.incident_id, NEW.target, NEW.cluster, NEW.namespace, NEW.data);
  UPDATE audit_chain_head SET seq = NEW.seq, hash = NEW.hash WHERE id;
  RETURN NEW;
END
$$;

CREATE TRIGGER audit_events_chain BEFORE INSERT ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_chain();

CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit log is append-only: % on % is refused', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER audit_events_no_update BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();

-- The head moves only inside the chain trigger (trigger depth 2); a direct UPDATE, DELETE or
-- TRUNCATE of it is refused like one of the log itself.
CREATE FUNCTION audit_chain_head_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND pg_trigger_depth() > 1 THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'audit chain head moves only by appending: % is refused', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER audit_chain_head_guard BEFORE UPDATE OR DELETE ON audit_chain_head
  FOR EACH ROW EXECUTE FUNCTION audit_chain_head_guard();
CREATE TRIGGER audit_chain_head_no_truncate BEFORE TRUNCATE ON audit_chain_head
  FOR EACH STATEMENT EXECUTE FUNCTION audit_chain_head_guard();
