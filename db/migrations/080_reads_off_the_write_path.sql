-- Up Migration

-- Views (account.status_viewed) waiting to join the event feed. A read inserts here, without the commit-order
-- lock, and a drainer moves them into events in one transaction, in id order (db/view-events.ts).
CREATE TABLE pending_view_events (
  id bigserial PRIMARY KEY,
  type text NOT NULL,
  process_type text,
  process_id text,
  payload jsonb NOT NULL,
  queued_at timestamptz NOT NULL DEFAULT now()
);

-- Servers keep business calendars in memory; this tells every one of them when one changes.
CREATE FUNCTION notify_business_calendar_change() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('business_calendars_changed', coalesce(NEW.id, OLD.id));
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER business_calendars_changed AFTER INSERT OR UPDATE OR DELETE ON business_calendars
  FOR EACH ROW EXECUTE FUNCTION notify_business_calendar_change();

-- Lists read newest first, a page at a time: these let a page be the first rows of an index, for everyone
-- and for an advisor's own processes.
CREATE INDEX processes_type_recent_idx ON processes (process_type, updated_at DESC, process_id DESC);
CREATE INDEX processes_advisor_recent_idx ON processes (advisor_id, process_type, updated_at DESC, process_id DESC);
