-- Up Migration

-- A board's filters kept under a name. The owner's own, or, with team_role set, offered to everyone of that role.
CREATE TABLE saved_views (
  id text PRIMARY KEY,
  owner_id text NOT NULL REFERENCES users(id),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  process_type text NOT NULL,
  filters jsonb NOT NULL,
  team_role text CHECK (team_role IN ('client', 'advisor', 'compliance_officer', 'manager', 'ops', 'admin')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX saved_views_owner ON saved_views (owner_id, process_type);
CREATE INDEX saved_views_team ON saved_views (team_role, process_type) WHERE team_role IS NOT NULL;
