-- Up Migration

-- The board's change log: one row per committed transition of any process, numbered by the sequence of
-- the last event the transition wrote (the sequence its NOTIFY process_changed carries). Clients that
-- reconnect replay it from the last sequence they saw; the card is the process's card at that version.
CREATE TABLE process_changes (
  sequence bigint PRIMARY KEY,
  process_type text NOT NULL,
  process_id text NOT NULL,
  version integer NOT NULL,
  -- Who may see the change: the relations after it, and before it (a reassigned process leaves a board).
  client_user_id text,
  advisor_id text,
  prev_client_user_id text,
  prev_advisor_id text,
  card jsonb NOT NULL,
  changed_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (process_id, version)
);
CREATE INDEX process_changes_type_idx ON process_changes (process_type, sequence);
CREATE INDEX process_changes_process_idx ON process_changes (process_id, sequence);

-- Runs inside the writer's transaction, after its events are inserted and under the events' ordering
-- lock, so change sequences follow commit order. Events of a process whose current version already
-- has its change (a "status viewed" event) record nothing.
CREATE FUNCTION record_process_change() RETURNS trigger LANGUAGE plpgsql AS $$
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

CREATE TRIGGER events_record_process_change
AFTER INSERT ON events
REFERENCING NEW TABLE AS inserted_events
FOR EACH STATEMENT EXECUTE FUNCTION record_process_change();

-- What exists already becomes the log's starting point.
INSERT INTO process_changes (sequence, process_type, process_id, version, client_user_id, advisor_id, card, changed_at)
SELECT e.sequence, p.process_type, p.process_id, p.version, p.client_user_id, p.advisor_id, to_jsonb(p) - 'detail', p.updated_at
FROM processes p
JOIN LATERAL (SELECT max(sequence) AS sequence FROM events WHERE process_id = p.process_id) e ON e.sequence IS NOT NULL
ON CONFLICT DO NOTHING;

-- The ops center reads the audit trail of one process type over a recent window.
CREATE INDEX audit_log_type_at_idx ON audit_log (process_type, at);

-- @socket.io/postgres-adapter: server nodes share rooms over NOTIFY; payloads over 8 kB go through here.
CREATE TABLE socket_io_attachments (
  id bigserial UNIQUE,
  created_at timestamptz DEFAULT now(),
  payload bytea
);

-- Down Migration
DROP TABLE socket_io_attachments;
DROP INDEX audit_log_type_at_idx;
DROP TRIGGER events_record_process_change ON events;
DROP FUNCTION record_process_change();
DROP TABLE process_changes;
