import type { VisibilityFilter } from '../workflows/policy.js';
import type { EmittedEvent } from '../workflows/process-records.js';
import type { Queryable, Sql, Tx } from './client.js';
import { lockCommitOrderAndRead } from './commit-order.js';

export interface StoredEvent {
  sequence: number;
  type: string;
  process_type: string | null;
  process_id: string | null;
  payload: Record<string, unknown>;
  created_at: string;
}

export interface FeedEvent extends EmittedEvent {
  process_type: string | null;
  process_id: string | null;
}

export async function appendEvents(
  tx: Tx,
  processType: string | null,
  processId: string | null,
  events: EmittedEvent[],
): Promise<number[]> {
  return appendFeedEvents(tx, feedEventsOf(processType, processId, events));
}

/** The feed's last sequence; only meaningful under the commit-order lock (lockCommitOrderAndRead). */
export function readLastSequence(tx: Tx): PromiseLike<{ last: number }[]> {
  return tx`SELECT coalesce(max(sequence), 0) AS last FROM events` as unknown as PromiseLike<{ last: number }[]>;
}

/** Inserts events numbered on from `last`; returns their sequences (known before the insert runs). */
export function insertEventsAfter(
  tx: Tx,
  last: number,
  events: FeedEvent[],
): { sequences: number[]; done: PromiseLike<unknown> } {
  const sequences = events.map((_, i) => last + i + 1);
  const done = tx`
    INSERT INTO events ${tx(
      events.map((e, i) => ({
        sequence: sequences[i],
        type: e.type,
        process_type: e.process_type,
        process_id: e.process_id,
        payload: tx.json(e.payload as never),
      })),
    )}`;
  return { sequences, done };
}

/** Appends events of any processes, in the given order. */
export async function appendFeedEvents(tx: Tx, events: FeedEvent[]): Promise<number[]> {
  if (events.length === 0) return [];
  // Numbers are taken under the commit-order lock (max + 1), so a write that rolls back or dies burns none
  // and the feed stays gap-free.
  const [[{ last }]] = await lockCommitOrderAndRead<[{ last: number }[]]>(tx, () => [readLastSequence(tx)]);
  const { sequences, done } = insertEventsAfter(tx, last, events);
  await done;
  return sequences;
}

/** The events of one process, as appendFeedEvents takes them. */
export function feedEventsOf(
  processType: string | null,
  processId: string | null,
  events: EmittedEvent[],
): FeedEvent[] {
  return events.map((e) => ({ ...e, process_type: processType, process_id: processId }));
}

/** Records a standalone event (a view, a listing) in its own short transaction. */
export async function recordEvent(
  sql: Sql,
  processType: string | null,
  processId: string | null,
  event: EmittedEvent,
): Promise<number> {
  const [sequence] = await sql.begin((tx) => appendEvents(tx, processType, processId, [event]));
  return sequence;
}

/** Events after a sequence, only of processes (and clients) the caller may see. */
export async function listEvents(
  db: Queryable,
  options: { after: number; limit: number; processId?: string; visibility: VisibilityFilter },
): Promise<StoredEvent[]> {
  const v = options.visibility;
  if ('none' in v) return [];
  // A client's feed leaves out the firm's internal query threads.
  const visible =
    'advisor_id' in v
      ? db`AND (process_id IN (SELECT process_id FROM processes WHERE advisor_id = ${v.advisor_id})
               OR (process_id IS NULL AND payload->>'client_id' IN (SELECT id FROM clients WHERE advisor_id = ${v.advisor_id})))`
      : 'client_user_id' in v
        ? db`AND (process_id IN (SELECT process_id FROM processes WHERE client_user_id = ${v.client_user_id})
                 OR (process_id IS NULL AND payload->>'client_id' IN (SELECT id FROM clients WHERE user_id = ${v.client_user_id})))
             AND NOT (type LIKE 'query.%' AND coalesce(payload->>'audience', 'internal') = 'internal')`
        : 'office_id' in v
          ? db`AND (process_id IN (SELECT process_id FROM processes WHERE office_id = ${v.office_id})
                   OR (process_id IS NULL AND payload->>'client_id' IN (
                     SELECT cl.id FROM clients cl JOIN teams t ON t.id = cl.team_id WHERE t.office_id = ${v.office_id})))`
          : 'team_id' in v
            ? db`AND (process_id IN (SELECT process_id FROM processes WHERE team_id = ${v.team_id})
                     OR (process_id IS NULL AND payload->>'client_id' IN (SELECT id FROM clients WHERE team_id = ${v.team_id})))`
            : db``;
  const rows = await db`
    SELECT sequence, type, process_type, process_id, payload, created_at
    FROM events
    WHERE sequence > ${options.after}
      ${options.processId ? db`AND process_id = ${options.processId}` : db``}
      ${visible}
    ORDER BY sequence
    LIMIT ${options.limit}`;
  return rows as unknown as StoredEvent[];
}
