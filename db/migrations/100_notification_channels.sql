-- Up Migration

-- How each person wants to be told: their clock, quiet hours, digest and language.
CREATE TABLE notification_profiles (
  user_id text PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  time_zone text NOT NULL DEFAULT 'UTC',
  quiet_start text CHECK (quiet_start ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
  quiet_end text CHECK (quiet_end ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
  digest boolean NOT NULL DEFAULT false,
  language text NOT NULL DEFAULT 'en' CHECK (language IN ('en', 'fr')),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((quiet_start IS NULL) = (quiet_end IS NULL))
);

-- A person's own channels for a topic (workflows/notification-policy.ts), beside the bell.
CREATE TABLE notification_preferences (
  user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  topic text NOT NULL,
  channels text[] NOT NULL CHECK (channels <@ ARRAY['slack', 'email']),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, topic)
);

-- The firm's defaults per role; a locked one is what everyone in the role gets, whatever they choose.
CREATE TABLE notification_role_defaults (
  role text NOT NULL CHECK (role IN ('client', 'advisor', 'compliance_officer', 'manager', 'ops', 'admin')),
  topic text NOT NULL,
  channels text[] NOT NULL CHECK (channels <@ ARRAY['slack', 'email']),
  locked boolean NOT NULL DEFAULT false,
  updated_by text,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (role, topic)
);

-- Compliance requires managers to hear of breaches and escalations outside the hub.
INSERT INTO notification_role_defaults (role, topic, channels, locked) VALUES
  ('manager', 'sla_breach', ARRAY['slack', 'email'], true),
  ('manager', 'sla_escalation', ARRAY['slack', 'email'], true),
  ('client', 'decision', ARRAY['email'], false);

-- Where each notification went beyond the bell, and what became of it. For e-mail this is also the outbox:
-- `sending` is written before the connection opens, `sent` just before the message's last byte goes out.
CREATE TABLE notification_deliveries (
  id bigserial PRIMARY KEY,
  notification_id bigint REFERENCES notifications (id) ON DELETE CASCADE,
  user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  channel text NOT NULL CHECK (channel IN ('slack', 'email')),
  dedupe_key text NOT NULL UNIQUE,
  status text NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'delivered', 'failed', 'skipped', 'held', 'digested')),
  address text,
  message_id text,
  -- Slack: the message's channel and ts. E-mail: the server's answer, or why it failed or was skipped.
  detail text,
  attempts int NOT NULL DEFAULT 0,
  digest_key text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notification_deliveries_notification_idx ON notification_deliveries (notification_id);
CREATE INDEX notification_deliveries_held_idx ON notification_deliveries (user_id) WHERE status = 'held';

-- Down Migration
DROP TABLE notification_deliveries;
DROP TABLE notification_role_defaults;
DROP TABLE notification_preferences;
DROP TABLE notification_profiles;
