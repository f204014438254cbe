-- Jamie's conversations: what each person asked and what Jamie answered, with the data it cited
-- and the tools it called, and their thumbs up or down.
CREATE TABLE IF NOT EXISTS jamie_conversations (
  id          text PRIMARY KEY,
  user_name   text NOT NULL,
  title       text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS jamie_conversations_user ON jamie_conversations (user_name, updated_at DESC);

CREATE TABLE IF NOT EXISTS jamie_messages (
  id               text PRIMARY KEY,
  conversation_id  text NOT NULL REFERENCES jamie_conversations (id) ON DELETE CASCADE,
  role             text NOT NULL CHECK (role IN ('user', 'assistant')),
  text             text NOT NULL,
  citations        jsonb NOT NULL DEFAULT '[]',
  tools            jsonb NOT NULL DEFAULT '[]',
  feedback         text CHECK (feedback IN ('up', 'down')),
  feedback_note    text,
  created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS jamie_messages_conversation ON jamie_messages (conversation_id, created_at);
