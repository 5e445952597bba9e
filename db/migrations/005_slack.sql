-- Up Migration

-- Which Slack user is which hub user: linked by an administrator, or learned by matching e-mail addresses.
-- One Slack account per hub user and the other way round; an administrator's link replaces a learned one.
CREATE TABLE slack_users (
  slack_user_id text PRIMARY KEY,
  user_id text NOT NULL UNIQUE REFERENCES users (id) ON DELETE CASCADE,
  source text NOT NULL CHECK (source IN ('admin', 'email')),
  updated_by text,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Every message the hub posts to Slack, once per key however often its job runs. `attempts` is committed
-- before each post, so after a crash between posting and recording the next attempt looks for the message
-- (it carries the key in its metadata) before posting again.
CREATE TABLE slack_deliveries (
  dedupe_key text PRIMARY KEY,
  channel text NOT NULL,
  thread_ts text,
  ts text,
  attempts integer NOT NULL DEFAULT 0,
  first_attempt_at timestamptz,
  delivered_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- The approval message of an application in the compliance channel: posted once when the application
-- enters compliance review, then edited in place up to the version it shows.
CREATE TABLE slack_application_messages (
  process_id text PRIMARY KEY,
  channel text NOT NULL,
  ts text,
  rendered_version integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- The managers' channel thread of a process's SLA alerts: the first alert is its root, later rungs reply.
CREATE TABLE slack_threads (
  thread_key text PRIMARY KEY,
  channel text NOT NULL,
  ts text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE slack_threads;
DROP TABLE slack_application_messages;
DROP TABLE slack_deliveries;
DROP TABLE slack_users;
