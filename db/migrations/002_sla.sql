-- Up Migration

-- The SLA clock of the state a process is in, as its workflow last recorded it (null: no SLA now).
ALTER TABLE processes ADD COLUMN sla jsonb;
CREATE INDEX processes_sla_status_idx ON processes ((sla ->> 'status')) WHERE sla IS NOT NULL;

-- Working hours per weekday in a time zone, public holidays of a region (expanded by date-holidays when
-- a clock starts) and one-off closures.
CREATE TABLE business_calendars (
  id text PRIMARY KEY,
  name text NOT NULL,
  time_zone text NOT NULL,
  working_hours jsonb NOT NULL,
  holiday_region text,
  closures text[] NOT NULL DEFAULT '{}',
  updated_by text,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Per process type and state: a target, the calendar it runs on (null: wall clock) and the rungs.
CREATE TABLE sla_policies (
  id text PRIMARY KEY,
  process_type text NOT NULL,
  state text NOT NULL,
  target_unit text NOT NULL CHECK (target_unit IN ('business_hours', 'business_days', 'wall_clock_hours')),
  target_amount numeric NOT NULL CHECK (target_amount > 0),
  calendar_id text REFERENCES business_calendars (id),
  rungs jsonb NOT NULL,
  active boolean NOT NULL DEFAULT true,
  updated_by text,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX sla_policies_active_state_idx ON sla_policies (process_type, state) WHERE active;

-- The calendar the default policies run on. The policies themselves come from each process spec's SLAs
-- (db/sla.ts ensureDefaultSlaPolicies), so the blueprint's 2 business days is written down once.
INSERT INTO business_calendars (id, name, time_zone, working_hours, holiday_region) VALUES (
  'us-new-york', 'New York office', 'America/New_York',
  '{"mon":[{"start":"09:00","end":"17:00"}],"tue":[{"start":"09:00","end":"17:00"}],"wed":[{"start":"09:00","end":"17:00"}],"thu":[{"start":"09:00","end":"17:00"}],"fri":[{"start":"09:00","end":"17:00"}]}',
  'US-NY');

-- Down Migration
DROP TABLE sla_policies;
DROP TABLE business_calendars;
DROP INDEX IF EXISTS processes_sla_status_idx;
ALTER TABLE processes DROP COLUMN sla;
