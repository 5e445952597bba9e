-- Up Migration

-- Queries people raise on a process: a question to the advisor, a request for a document, an operational issue.
CREATE TABLE process_queries (
  id text PRIMARY KEY,
  process_id text NOT NULL REFERENCES processes (process_id) ON DELETE CASCADE,
  process_type text NOT NULL,
  title text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('question_to_advisor', 'document_request', 'operational_issue')),
  assignee_id text NOT NULL REFERENCES users (id),
  status text NOT NULL CHECK (status IN ('open', 'resolved')),
  created_by text NOT NULL REFERENCES users (id),
  -- Whether this query holds a pause on the process's SLA clock (a question to the advisor during compliance review).
  pauses_sla boolean NOT NULL DEFAULT false,
  -- The sequence of the query's latest entry: clients order and deduplicate live changes by it.
  last_sequence integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  resolved_at timestamptz,
  resolved_by text REFERENCES users (id)
);
CREATE INDEX process_queries_process_idx ON process_queries (process_id, created_at);
CREATE INDEX process_queries_assignee_idx ON process_queries (assignee_id) WHERE status = 'open';

-- The thread of a query in order: the opening message, replies, and each resolve and reopen.
CREATE TABLE query_entries (
  query_id text NOT NULL REFERENCES process_queries (id) ON DELETE CASCADE,
  sequence integer NOT NULL CHECK (sequence > 0),
  kind text NOT NULL CHECK (kind IN ('opened', 'replied', 'resolved', 'reopened')),
  author_id text NOT NULL REFERENCES users (id),
  body text,
  -- Hub users the body mentions (and who may see the process), by id.
  mentions text[] NOT NULL DEFAULT '{}',
  -- A client's Idempotency-Key, so a retried reply is stored once.
  idempotency_key text,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (query_id, sequence)
);
CREATE UNIQUE INDEX query_entries_idempotency_idx ON query_entries (query_id, author_id, idempotency_key) WHERE idempotency_key IS NOT NULL;

-- How far each person has read each thread; unread = entries by others after this sequence.
CREATE TABLE query_reads (
  query_id text NOT NULL REFERENCES process_queries (id) ON DELETE CASCADE,
  user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  read_sequence integer NOT NULL,
  read_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (query_id, user_id)
);

-- Collaborative documents (Yjs): a compacted snapshot plus the incremental updates received since.
CREATE TABLE yjs_documents (
  name text PRIMARY KEY,
  snapshot bytea,
  compacted_updates bigint NOT NULL DEFAULT 0,
  compacted_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE yjs_updates (
  id bigserial PRIMARY KEY,
  document text NOT NULL REFERENCES yjs_documents (name) ON DELETE CASCADE,
  update bytea NOT NULL,
  author_id text REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX yjs_updates_document_idx ON yjs_updates (document, id);

-- Down Migration
DROP TABLE yjs_updates;
DROP TABLE yjs_documents;
DROP TABLE query_reads;
DROP TABLE query_entries;
DROP TABLE process_queries;
