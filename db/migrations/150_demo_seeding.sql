-- Up Migration

-- The demo firm's processes are seeded once. The row is written before the first process starts, with the
-- moment the demo's timeline is measured from, so a start after a crash resumes on the same timeline.
CREATE TABLE demo_seeding (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  anchor timestamptz NOT NULL,
  finished_at timestamptz
);

-- Down Migration
DROP TABLE demo_seeding;
