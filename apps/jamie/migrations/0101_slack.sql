-- Jamie on Slack. A message Jamie keeps up to date (an incident notice, an approval prompt) is
-- found again by what it is about, so a restart or another replica updates it in place rather
-- than posting a second one. Slack threads map to Jamie conversations (the thread's context),
-- and event ids are claimed once, so Slack's retries (X-Slack-Retry-Num) are not answered twice.
CREATE TABLE IF NOT EXISTS jamie_slack_messages (
  kind        text NOT NULL CHECK (kind IN ('incident', 'approval')),
  ref_id      text NOT NULL,
  channel     text NOT NULL,
  ts          text NOT NULL,
  state       text NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (kind, ref_id)
);
CREATE INDEX IF NOT EXISTS jamie_slack_messages_open ON jamie_slack_messages (kind, state);

CREATE TABLE IF NOT EXISTS jamie_slack_threads (
  channel          text NOT NULL,
  thread_ts        text NOT NULL,
  conversation_id  text NOT NULL REFERENCES jamie_conversations (id) ON DELETE CASCADE,
  PRIMARY KEY (channel, thread_ts)
);

CREATE TABLE IF NOT EXISTS jamie_slack_events (
  event_id     text PRIMARY KEY,
  received_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS jamie_slack_events_received ON jamie_slack_events (received_at);
