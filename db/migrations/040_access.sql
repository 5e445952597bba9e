-- Up Migration

-- Failed sign-ins per e-mail in the current one-minute window, shared by every server node.
CREATE TABLE login_failures (
  email text PRIMARY KEY,
  failures integer NOT NULL,
  window_started_at timestamptz NOT NULL
);
