-- Up Migration

-- People and what they may do.
CREATE TABLE users (
  id text PRIMARY KEY,
  email text NOT NULL UNIQUE CHECK (email = lower(email)),
  name text NOT NULL,
  role text NOT NULL CHECK (role IN ('client', 'advisor', 'compliance_officer', 'manager', 'ops', 'admin')),
  password_hash text NOT NULL,
  active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Bearer tokens are stored only as their SHA-256, so a database leak does not leak sessions.
CREATE TABLE sessions (
  token_hash text PRIMARY KEY,
  user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

CREATE TABLE clients (
  id text PRIMARY KEY,
  name text NOT NULL,
  email text NOT NULL,
  kyc_status text NOT NULL CHECK (kyc_status IN ('complete', 'pending', 'incomplete')),
  politically_exposed boolean NOT NULL DEFAULT false,
  advisor_id text REFERENCES users (id),
  user_id text UNIQUE REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX clients_advisor_idx ON clients (advisor_id);

CREATE TABLE products (
  id text PRIMARY KEY,
  name text NOT NULL,
  description text NOT NULL,
  category text NOT NULL,
  risk_level text NOT NULL CHECK (risk_level IN ('conservative', 'moderate', 'balanced', 'growth', 'aggressive_growth')),
  liquidity text NOT NULL CHECK (liquidity IN ('daily', 'monthly', 'quarterly', 'illiquid')),
  minimum_investment numeric(18, 2) NOT NULL CHECK (minimum_investment >= 0),
  management_fee_percent numeric(6, 3) NOT NULL CHECK (management_fee_percent >= 0),
  active boolean NOT NULL DEFAULT true
);

CREATE TABLE settings (
  key text PRIMARY KEY,
  value jsonb NOT NULL,
  updated_by text,
  updated_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO settings (key, value) VALUES ('edd_threshold', '250000');

-- The read model: one row per running or finished process of any type. The card columns are what the
-- board filters and shows; `detail` is the process's full record as its workflow last recorded it.
CREATE TABLE processes (
  process_id text PRIMARY KEY,
  process_type text NOT NULL,
  version integer NOT NULL,
  title text NOT NULL,
  client_id text,
  client_user_id text,
  advisor_id text,
  assigned_user_id text,
  amount numeric(18, 2),
  currency text,
  status text NOT NULL,
  status_entered_at timestamptz NOT NULL,
  flags text[] NOT NULL DEFAULT '{}',
  detail jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX processes_type_status_idx ON processes (process_type, status);
CREATE INDEX processes_advisor_idx ON processes (advisor_id);
CREATE INDEX processes_client_user_idx ON processes (client_user_id);
CREATE INDEX processes_client_idx ON processes (client_id);

-- Every command, accepted or refused, with who, through which channel, and what it changed.
CREATE TABLE audit_log (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  process_type text,
  process_id text,
  actor_id text NOT NULL,
  actor_role text NOT NULL,
  actor_name text,
  channel text NOT NULL CHECK (channel IN ('api', 'board', 'slack', 'system')),
  slack_user_id text,
  action text NOT NULL,
  outcome text NOT NULL CHECK (outcome IN ('accepted', 'refused')),
  status_before text,
  status_after text,
  error_code text,
  details jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_process_idx ON audit_log (process_id, id);

-- Events in commit order: writers take one advisory lock, so a reader paging by sequence never skips one.
CREATE TABLE events (
  sequence bigserial PRIMARY KEY,
  type text NOT NULL,
  process_type text,
  process_id text,
  payload jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX events_process_idx ON events (process_id, sequence);

CREATE TABLE notifications (
  id bigserial PRIMARY KEY,
  user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  kind text NOT NULL,
  title text NOT NULL,
  body text NOT NULL,
  process_type text,
  process_id text,
  -- One notification per cause and person, however often its job runs.
  dedupe_key text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  read_at timestamptz
);
CREATE INDEX notifications_user_idx ON notifications (user_id, id DESC);

-- The built-in CRM: one account per application, whatever retries happen.
CREATE SEQUENCE account_number_seq START 100001;
CREATE TABLE accounts (
  account_number text PRIMARY KEY,
  application_id text NOT NULL UNIQUE,
  client_id text NOT NULL,
  account_type text NOT NULL,
  currency text,
  opened_at timestamptz NOT NULL DEFAULT now()
);

-- For reporting: applications as columns.
CREATE VIEW applications AS
SELECT
  p.process_id AS application_id,
  p.client_id,
  p.advisor_id,
  p.status,
  p.detail ->> 'account_type' AS account_type,
  p.detail ->> 'risk_profile' AS risk_profile,
  (p.detail ->> 'risk_score')::numeric AS risk_score,
  (p.detail ->> 'initial_investment_amount')::numeric AS initial_investment_amount,
  p.detail ->> 'currency' AS currency,
  p.detail ->> 'source_of_funds' AS source_of_funds,
  p.detail ->> 'funding_method' AS funding_method,
  (p.detail ->> 'edd_required')::boolean AS edd_required,
  (p.detail ->> 'politically_exposed')::boolean AS politically_exposed,
  p.detail ->> 'account_number' AS account_number,
  p.detail ->> 'rejection_reason' AS rejection_reason,
  p.created_at,
  p.updated_at
FROM processes p
WHERE p.process_type = 'account_opening';

-- Down Migration
DROP VIEW applications;
DROP TABLE accounts;
DROP SEQUENCE account_number_seq;
DROP TABLE notifications;
DROP TABLE events;
DROP TABLE audit_log;
DROP TABLE processes;
DROP TABLE settings;
DROP TABLE products;
DROP TABLE clients;
DROP TABLE sessions;
DROP TABLE users;
