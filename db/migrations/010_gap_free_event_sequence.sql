-- Up Migration

-- Event sequences are allocated by the writer under the events' ordering lock (db/events.ts), as
-- max + 1: a transaction that rolls back or dies takes its numbers with it, so the feed has no gaps.
-- A bigserial would burn numbers on every aborted write. Without a default, an insert that bypasses
-- the lock fails instead of numbering out of commit order.
ALTER TABLE events ALTER COLUMN sequence DROP DEFAULT;
DROP SEQUENCE IF EXISTS events_sequence_seq;

-- Down Migration
CREATE SEQUENCE events_sequence_seq OWNED BY events.sequence;
SELECT setval('events_sequence_seq', coalesce((SELECT max(sequence) FROM events), 0) + 1, false);
ALTER TABLE events ALTER COLUMN sequence SET DEFAULT nextval('events_sequence_seq');
