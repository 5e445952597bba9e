import type { VisibilityFilter } from '../workflows/policy.js';
import type { QueryAudience, QueryChange, QueryKind, QueryStatus } from '../workflows/query-threads.js';
import type { Queryable, Tx } from './client.js';
import { visibilityCondition } from './processes.js';

/** NOTIFY channel for a committed change to a query: `{ query_id, sequence }`. */
export const QUERY_CHANGED_CHANNEL = 'query_changed';
/** NOTIFY channel for a person's read marker: `{ user_id, process_id, query_id, read_sequence }`. */
export const QUERY_READ_CHANNEL = 'query_read';

export interface QueryChangedNotice {
  query_id: string;
  sequence: number;
}

export interface QueryReadNotice {
  user_id: string;
  process_id: string;
  query_id: string;
  read_sequence: number;
}

export interface QueryRow {
  id: string;
  process_id: string;
  process_type: string;
  title: string;
  kind: QueryKind;
  audience: QueryAudience;
  assignee_id: string;
  status: QueryStatus;
  created_by: string;
  pauses_sla: boolean;
  last_sequence: number;
  created_at: string;
  updated_at: string;
  resolved_at: string | null;
  resolved_by: string | null;
}

export interface QueryEntryRow {
  query_id: string;
  sequence: number;
  kind: QueryChange;
  author_id: string;
  body: string | null;
  mentions: string[];
  created_at: string;
}

export async function getQuery(db: Queryable, queryId: string): Promise<QueryRow | undefined> {
  const [row] = await db`SELECT * FROM process_queries WHERE id = ${queryId}`;
  return row as QueryRow | undefined;
}

/** The query, locked until the transaction ends, so its entries get consecutive sequences. */
export async function lockQuery(tx: Tx, queryId: string): Promise<QueryRow | undefined> {
  const [row] = await tx`SELECT * FROM process_queries WHERE id = ${queryId} FOR UPDATE`;
  return row as QueryRow | undefined;
}

export async function insertQuery(
  tx: Tx,
  query: Pick<
    QueryRow,
    'id' | 'process_id' | 'process_type' | 'title' | 'kind' | 'audience' | 'assignee_id' | 'created_by' | 'pauses_sla'
  >,
): Promise<QueryRow> {
  const [row] = await tx`
    INSERT INTO process_queries (id, process_id, process_type, title, kind, audience, assignee_id, status, created_by, pauses_sla)
    VALUES (${query.id}, ${query.process_id}, ${query.process_type}, ${query.title}, ${query.kind}, ${query.audience},
            ${query.assignee_id}, 'open', ${query.created_by}, ${query.pauses_sla})
    RETURNING *`;
  return row as QueryRow;
}

/** Moves a locked query to its new status and writes the next entry of its thread, which its author has read. */
export async function appendEntry(
  tx: Tx,
  query: QueryRow,
  entry: { kind: QueryChange; author_id: string; body: string | null; mentions: string[]; idempotency_key?: string },
  change: { status: QueryStatus; pauses_sla: boolean },
): Promise<{ query: QueryRow; entry: QueryEntryRow }> {
  const sequence = query.last_sequence + 1;
  const resolved = change.status === 'resolved';
  const [updated] = await tx`
    UPDATE process_queries SET
      status = ${change.status},
      pauses_sla = ${change.pauses_sla},
      last_sequence = ${sequence},
      updated_at = now(),
      resolved_at = ${resolved ? tx`now()` : null},
      resolved_by = ${resolved ? entry.author_id : null}
    WHERE id = ${query.id}
    RETURNING *`;
  const [stored] = await tx`
    INSERT INTO query_entries (query_id, sequence, kind, author_id, body, mentions, idempotency_key)
    VALUES (${query.id}, ${sequence}, ${entry.kind}, ${entry.author_id}, ${entry.body}, ${tx.array(entry.mentions)}, ${entry.idempotency_key ?? null})
    RETURNING query_id, sequence, kind, author_id, body, mentions, created_at`;
  await markRead(tx, query.id, entry.author_id, sequence);
  return { query: updated as QueryRow, entry: stored as QueryEntryRow };
}

/** The entry a person already wrote with this Idempotency-Key, if any. */
export async function findEntryByIdempotencyKey(
  db: Queryable,
  queryId: string,
  authorId: string,
  key: string,
): Promise<QueryEntryRow | undefined> {
  const [row] = await db`
    SELECT query_id, sequence, kind, author_id, body, mentions, created_at FROM query_entries
    WHERE query_id = ${queryId} AND author_id = ${authorId} AND idempotency_key = ${key}`;
  return row as QueryEntryRow | undefined;
}

export async function getEntry(db: Queryable, queryId: string, sequence: number): Promise<QueryEntryRow | undefined> {
  const [row] = await db`
    SELECT query_id, sequence, kind, author_id, body, mentions, created_at FROM query_entries
    WHERE query_id = ${queryId} AND sequence = ${sequence}`;
  return row as QueryEntryRow | undefined;
}

export async function listQueries(db: Queryable, processId: string): Promise<QueryRow[]> {
  const rows = await db`SELECT * FROM process_queries WHERE process_id = ${processId} ORDER BY created_at, id`;
  return rows as unknown as QueryRow[];
}

export async function listEntries(db: Queryable, queryIds: string[]): Promise<QueryEntryRow[]> {
  if (queryIds.length === 0) return [];
  const rows = await db`
    SELECT query_id, sequence, kind, author_id, body, mentions, created_at FROM query_entries
    WHERE query_id = ANY(${queryIds}) ORDER BY query_id, sequence`;
  return rows as unknown as QueryEntryRow[];
}

/** Entries by others after the person's read marker, per query. */
export async function unreadByQuery(db: Queryable, userId: string, queryIds: string[]): Promise<Map<string, number>> {
  if (queryIds.length === 0) return new Map();
  const rows = await db`
    SELECT e.query_id, count(*)::int AS unread
    FROM query_entries e
    LEFT JOIN query_reads r ON r.query_id = e.query_id AND r.user_id = ${userId}
    WHERE e.query_id = ANY(${queryIds}) AND e.author_id <> ${userId} AND e.sequence > coalesce(r.read_sequence, 0)
    GROUP BY e.query_id`;
  return new Map(rows.map((r) => [r.query_id as string, r.unread as number]));
}

/** Moves the read marker forward (never back) and returns where it stands. */
export async function markRead(db: Queryable, queryId: string, userId: string, sequence: number): Promise<number> {
  const [row] = await db`
    INSERT INTO query_reads (query_id, user_id, read_sequence) VALUES (${queryId}, ${userId}, ${sequence})
    ON CONFLICT (query_id, user_id) DO UPDATE SET
      read_sequence = greatest(query_reads.read_sequence, EXCLUDED.read_sequence),
      read_at = CASE WHEN EXCLUDED.read_sequence > query_reads.read_sequence THEN now() ELSE query_reads.read_at END
    RETURNING read_sequence`;
  return row.read_sequence as number;
}

/** `clientFacingOnly` for what a client may know of: internal threads do not exist for them. */
export async function summarizeProcessQueries(
  db: Queryable,
  processId: string,
  clientFacingOnly = false,
): Promise<{ open: number; waiting_on_advisor: boolean }> {
  const [row] = await db`
    SELECT count(*) FILTER (WHERE status = 'open')::int AS open,
           bool_or(status = 'open' AND kind = 'question_to_advisor') AS waiting_on_advisor
    FROM process_queries WHERE process_id = ${processId} ${clientFacingOnly ? db`AND audience = 'client_facing'` : db``}`;
  return { open: row.open as number, waiting_on_advisor: Boolean(row.waiting_on_advisor) };
}

export interface ProcessQueriesSummaryRow {
  process_id: string;
  open: number;
  unread: number;
  waiting_on_advisor: boolean;
}

/** For the board's cards: per visible process with queries, how many are open, unread by this person, and whether one waits on the advisor. */
export async function summarizeQueriesForUser(
  db: Queryable,
  userId: string,
  visibility: VisibilityFilter,
  filters: { processType: string; processIds?: string[]; clientFacingOnly?: boolean },
): Promise<ProcessQueriesSummaryRow[]> {
  const audience = filters.clientFacingOnly ? db`AND q.audience = 'client_facing'` : db``;
  const rows = await db`
    WITH visible AS (
      SELECT process_id FROM processes
      WHERE process_type = ${filters.processType}
        ${visibilityCondition(db, visibility)}
        ${filters.processIds ? db`AND process_id = ANY(${filters.processIds})` : db``}
    ),
    unread AS (
      SELECT q.process_id, count(*)::int AS n
      FROM process_queries q
      JOIN visible v ON v.process_id = q.process_id
      JOIN query_entries e ON e.query_id = q.id
      LEFT JOIN query_reads r ON r.query_id = q.id AND r.user_id = ${userId}
      WHERE e.author_id <> ${userId} AND e.sequence > coalesce(r.read_sequence, 0) ${audience}
      GROUP BY q.process_id
    )
    SELECT q.process_id,
           count(*) FILTER (WHERE q.status = 'open')::int AS open,
           coalesce(max(u.n), 0)::int AS unread,
           coalesce(bool_or(q.status = 'open' AND q.kind = 'question_to_advisor'), false) AS waiting_on_advisor
    FROM process_queries q
    JOIN visible v ON v.process_id = q.process_id
    LEFT JOIN unread u ON u.process_id = q.process_id
    WHERE true ${audience}
    GROUP BY q.process_id
    ORDER BY q.process_id`;
  return rows as unknown as ProcessQueriesSummaryRow[];
}
