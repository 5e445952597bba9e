-- Up Migration

-- The first outcome of every command sent with an Idempotency-Key (or a Slack click's own key), so a repeat
-- answers the same on every channel, in whatever state the process has moved on to, and writes no second
-- audit row. `outcome` holds either the command's result or the refusal it met.
CREATE TABLE command_outcomes (
  key text PRIMARY KEY,
  process_id text NOT NULL,
  command text NOT NULL,
  actor_id text NOT NULL,
  outcome jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX command_outcomes_process ON command_outcomes (process_id);
