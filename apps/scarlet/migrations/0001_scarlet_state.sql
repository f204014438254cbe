-- Scarlet's own state beside the shared audit log. Incidents and actions are documents in the
-- shapes of CONTRACTS.md section 5; the columns beside them are what queries filter on.
-- The graph's checkpoints live in the tables PostgresSaver.setup() creates.

CREATE TABLE scarlet_incidents (
  id          text        PRIMARY KEY,
  fingerprint text        NOT NULL,
  status      text        NOT NULL,
  opened_at   timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL,
  doc         jsonb       NOT NULL
);
CREATE INDEX scarlet_incidents_opened_idx ON scarlet_incidents (opened_at DESC);
CREATE INDEX scarlet_incidents_open_fp_idx ON scarlet_incidents (fingerprint) WHERE status NOT IN ('resolved', 'escalated', 'failed');

-- One row per approval request. Deciding is one UPDATE ... WHERE status = 'pending' AND
-- expires_at > now(): a double click or a second approver finds nothing left to decide.
CREATE TABLE scarlet_approvals (
  id           text        PRIMARY KEY,
  incident_id  text        NOT NULL,
  action       jsonb       NOT NULL,
  risk         text        NOT NULL,
  reasons      jsonb       NOT NULL,
  requested_at timestamptz NOT NULL,
  expires_at   timestamptz NOT NULL,
  status       text        NOT NULL DEFAULT 'pending',
  decided_by   text,
  decided_at   timestamptz,
  reason       text
);
CREATE INDEX scarlet_approvals_pending_idx ON scarlet_approvals (requested_at) WHERE status = 'pending';
CREATE INDEX scarlet_approvals_incident_idx ON scarlet_approvals (incident_id);

-- Every action Scarlet proposed or ran. The row is written before the tool is called, so a
-- process killed mid-action finds it on restart and never runs it a second time.
CREATE TABLE scarlet_actions (
  id           text        PRIMARY KEY,
  incident_id  text        NOT NULL,
  action       jsonb       NOT NULL,
  status       text        NOT NULL,
  requested_at timestamptz NOT NULL,
  executed_at  timestamptz,
  by_whom      text        NOT NULL,
  undo         jsonb,
  detail       text
);
CREATE INDEX scarlet_actions_requested_idx ON scarlet_actions (requested_at DESC);
CREATE INDEX scarlet_actions_incident_idx ON scarlet_actions (incident_id);

-- What came of each fix, per playbook and signature: the learned success rate reads it.
CREATE TABLE scarlet_outcomes (
  id          bigserial   PRIMARY KEY,
  playbook    text        NOT NULL,
  signature   text        NOT NULL,
  action_kind text,
  outcome     text        NOT NULL CHECK (outcome IN ('succeeded', 'failed', 'recurred')),
  incident_id text        NOT NULL,
  at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX scarlet_outcomes_signature_idx ON scarlet_outcomes (playbook, signature, at DESC);
