-- Up Migration

-- Staff who have not chosen a password yet (invited, or signing in only through the identity provider) have none.
ALTER TABLE users ALTER COLUMN password_hash DROP NOT NULL;
ALTER TABLE users
  ADD COLUMN totp_secret text,
  ADD COLUMN totp_enabled_at timestamptz,
  -- The last 30-second step a code was accepted for: a code works once.
  ADD COLUMN totp_last_step bigint,
  ADD COLUMN oidc_subject text UNIQUE,
  ADD COLUMN deactivated_at timestamptz,
  ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();

-- How a session was signed in: the second-factor requirement applies to password sign-ins only.
ALTER TABLE sessions ADD COLUMN sign_in_method text NOT NULL DEFAULT 'password' CHECK (sign_in_method IN ('password', 'sso'));

-- One-time links and short-lived hand-overs, stored only as their SHA-256 like session tokens.
CREATE TABLE user_tokens (
  token_hash text PRIMARY KEY,
  user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  purpose text NOT NULL CHECK (purpose IN ('set_password', 'second_factor', 'oidc_handoff')),
  created_by text,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  -- Wrong answers to a second-factor challenge; it stops working after a few.
  failed_attempts integer NOT NULL DEFAULT 0
);
CREATE INDEX user_tokens_user_idx ON user_tokens (user_id, purpose);

-- Each recovery code works once; only hashes are kept.
CREATE TABLE recovery_codes (
  user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  code_hash text NOT NULL,
  used_at timestamptz,
  PRIMARY KEY (user_id, code_hash)
);

-- An OpenID Connect sign-in between the redirect to the provider and its return: any server node can finish it.
CREATE TABLE oidc_logins (
  state text PRIMARY KEY,
  code_verifier text NOT NULL,
  nonce text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE clients
  ADD COLUMN client_type text NOT NULL DEFAULT 'individual' CHECK (client_type IN ('individual', 'joint', 'entity')),
  ADD COLUMN jurisdiction text,
  ADD COLUMN birth_or_incorporation_date date,
  ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();

-- The product shelf is versioned: `products` holds the current terms, `product_versions` every version ever offered.
ALTER TABLE products
  ADD COLUMN version integer NOT NULL DEFAULT 1,
  ADD COLUMN currency text NOT NULL DEFAULT 'USD',
  ADD COLUMN retired_at timestamptz,
  ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
CREATE TABLE product_versions (
  product_id text NOT NULL REFERENCES products (id),
  version integer NOT NULL,
  terms jsonb NOT NULL,
  created_by text,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (product_id, version)
);

INSERT INTO settings (key, value) VALUES
  ('session_lifetime_hours', '12'),
  ('second_factor_required', 'false'),
  ('oidc_create_users', 'false'),
  ('firm_time_zone', '"America/New_York"')
ON CONFLICT (key) DO NOTHING;

-- Down Migration
DELETE FROM settings WHERE key IN ('session_lifetime_hours', 'second_factor_required', 'oidc_create_users', 'firm_time_zone');
DROP TABLE product_versions;
ALTER TABLE products DROP COLUMN version, DROP COLUMN currency, DROP COLUMN retired_at, DROP COLUMN updated_at;
ALTER TABLE clients DROP COLUMN client_type, DROP COLUMN jurisdiction, DROP COLUMN birth_or_incorporation_date, DROP COLUMN updated_at;
DROP TABLE oidc_logins;
ALTER TABLE sessions DROP COLUMN sign_in_method;
DROP TABLE recovery_codes;
DROP TABLE user_tokens;
ALTER TABLE users DROP COLUMN totp_secret, DROP COLUMN totp_enabled_at, DROP COLUMN totp_last_step, DROP COLUMN oidc_subject, DROP COLUMN deactivated_at,
  DROP COLUMN updated_at;
ALTER TABLE users ALTER COLUMN password_hash SET NOT NULL;
