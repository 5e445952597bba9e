-- Up Migration

-- The SLA clock of the state a process is in, as its workflow last recorded it (null: no SLA now).
ALTER TABLE processes ADD COLUMN sla jsonb;

-- Down Migration
ALTER TABLE processes DROP COLUMN sla;
