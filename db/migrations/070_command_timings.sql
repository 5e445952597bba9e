-- Up Migration

-- How long each command took in the command service, for the processing-time target (the audit trail says
-- what was decided, not how long the answer took).
CREATE TABLE command_timings (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  process_type text NOT NULL,
  command text NOT NULL,
  outcome text NOT NULL CHECK (outcome IN ('accepted', 'refused', 'failed')),
  error_code text,
  duration_ms integer NOT NULL
);
CREATE INDEX command_timings_at_idx ON command_timings (process_type, at);

-- One error-rate alert per window, however many refusals find the rate past the threshold.
CREATE TABLE error_rate_alerts (
  window_start timestamptz PRIMARY KEY,
  window_minutes integer NOT NULL,
  attempts integer NOT NULL,
  refused integer NOT NULL,
  raised_at timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE error_rate_alerts;
DROP TABLE command_timings;
