-- Up Migration

-- Every message the bot keeps up to date for a process, one per audience: the compliance channel's approval
-- message of an application, a rebalance's proposal to its advisor (a direct message) and its compliance
-- message. A direct message names its person; its channel is found when it is first posted.
CREATE TABLE slack_process_messages (
  process_id text NOT NULL,
  audience text NOT NULL,
  channel text,
  user_id text REFERENCES users (id) ON DELETE CASCADE,
  ts text,
  rendered_version integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (process_id, audience),
  CHECK (channel IS NOT NULL OR user_id IS NOT NULL)
);

INSERT INTO slack_process_messages (process_id, audience, channel, ts, rendered_version, created_at, updated_at)
SELECT process_id, 'compliance', channel, ts, rendered_version, created_at, updated_at FROM slack_application_messages;

DROP TABLE slack_application_messages;

-- Down Migration
CREATE TABLE slack_application_messages (
  process_id text PRIMARY KEY,
  channel text NOT NULL,
  ts text,
  rendered_version integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

INSERT INTO slack_application_messages (process_id, channel, ts, rendered_version, created_at, updated_at)
SELECT m.process_id, m.channel, m.ts, m.rendered_version, m.created_at, m.updated_at
FROM slack_process_messages m JOIN processes p ON p.process_id = m.process_id
WHERE p.process_type = 'account_opening' AND m.audience = 'compliance' AND m.channel IS NOT NULL;

DROP TABLE slack_process_messages;
