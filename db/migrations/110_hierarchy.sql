-- Up Migration

-- The firm's hierarchy: offices (each with its time zone and business calendar) and teams within them.
CREATE TABLE offices (
  id text PRIMARY KEY,
  name text NOT NULL UNIQUE,
  time_zone text NOT NULL,
  calendar_id text REFERENCES business_calendars (id),
  manager_id text REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE teams (
  id text PRIMARY KEY,
  office_id text NOT NULL REFERENCES offices (id),
  name text NOT NULL,
  manager_id text REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (office_id, name)
);
CREATE INDEX teams_office_idx ON teams (office_id);

-- Staff belong to a team, or (compliance officers, office ops) to an office; neither means the whole firm.
ALTER TABLE users
  ADD COLUMN team_id text REFERENCES teams (id),
  ADD COLUMN office_id text REFERENCES offices (id),
  ADD CONSTRAINT users_one_place CHECK (team_id IS NULL OR office_id IS NULL);
ALTER TABLE clients ADD COLUMN team_id text REFERENCES teams (id);

-- Where a process belongs: its client's team and that team's office, kept current when either moves.
ALTER TABLE processes ADD COLUMN team_id text, ADD COLUMN office_id text;
CREATE INDEX processes_office_idx ON processes (office_id);
CREATE INDEX processes_team_idx ON processes (team_id);

-- The change log carries the place too, before and after, so a socket's scope is asked like its relations.
ALTER TABLE process_changes
  ADD COLUMN office_id text,
  ADD COLUMN team_id text,
  ADD COLUMN prev_office_id text,
  ADD COLUMN prev_team_id text;

CREATE OR REPLACE FUNCTION record_process_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO process_changes (sequence, process_type, process_id, version, client_user_id, advisor_id,
                               prev_client_user_id, prev_advisor_id, office_id, team_id, prev_office_id,
                               prev_team_id, card)
  SELECT last.sequence, p.process_type, p.process_id, p.version, p.client_user_id, p.advisor_id,
         prev.client_user_id, prev.advisor_id, p.office_id, p.team_id, prev.office_id, prev.team_id,
         to_jsonb(p) - 'detail'
  FROM (SELECT process_id, max(sequence) AS sequence FROM inserted_events WHERE process_id IS NOT NULL GROUP BY process_id) last
  JOIN processes p ON p.process_id = last.process_id
  LEFT JOIN LATERAL (
    SELECT c.client_user_id, c.advisor_id, c.office_id, c.team_id FROM process_changes c
    WHERE c.process_id = p.process_id ORDER BY c.sequence DESC LIMIT 1
  ) prev ON true
  WHERE NOT EXISTS (SELECT 1 FROM process_changes c WHERE c.process_id = p.process_id AND c.version = p.version)
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END;
$$;

-- Down Migration
CREATE OR REPLACE FUNCTION record_process_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO process_changes (sequence, process_type, process_id, version, client_user_id, advisor_id,
                               prev_client_user_id, prev_advisor_id, card)
  SELECT last.sequence, p.process_type, p.process_id, p.version, p.client_user_id, p.advisor_id,
         prev.client_user_id, prev.advisor_id, to_jsonb(p) - 'detail'
  FROM (SELECT process_id, max(sequence) AS sequence FROM inserted_events WHERE process_id IS NOT NULL GROUP BY process_id) last
  JOIN processes p ON p.process_id = last.process_id
  LEFT JOIN LATERAL (
    SELECT c.client_user_id, c.advisor_id FROM process_changes c
    WHERE c.process_id = p.process_id ORDER BY c.sequence DESC LIMIT 1
  ) prev ON true
  WHERE NOT EXISTS (SELECT 1 FROM process_changes c WHERE c.process_id = p.process_id AND c.version = p.version)
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END;
$$;
ALTER TABLE process_changes DROP COLUMN office_id, DROP COLUMN team_id, DROP COLUMN prev_office_id, DROP COLUMN prev_team_id;
ALTER TABLE processes DROP COLUMN team_id, DROP COLUMN office_id;
ALTER TABLE clients DROP COLUMN team_id;
ALTER TABLE users DROP CONSTRAINT users_one_place, DROP COLUMN team_id, DROP COLUMN office_id;
DROP TABLE teams;
DROP TABLE offices;
