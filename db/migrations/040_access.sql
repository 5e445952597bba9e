-- Up Migration

-- Failed sign-ins per e-mail in the current one-minute window, shared by every server node.
CREATE TABLE login_failures (
  email text PRIMARY KEY,
  failures integer NOT NULL,
  window_started_at timestamptz NOT NULL
);

-- Who a query thread is for: internal (staff only, the default) or client_facing (the client takes part).
ALTER TABLE process_queries ADD COLUMN audience text NOT NULL DEFAULT 'internal' CHECK (audience IN ('internal', 'client_facing'));
