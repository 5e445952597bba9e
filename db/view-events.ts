import type { EmittedEvent } from '../workflows/process-records.js';
import type { Sql } from './client.js';
import { appendFeedEvents } from './events.js';

/** Taken by a drain before its rows, so two drainers (one per server node) append their batches in id order. */
const VIEW_DRAIN_LOCK = 7_041_002;

/**
 * Queues a view for the event feed. One plain insert, no commit-order lock: a read never waits on writers.
 * Once this returns the view is stored, so a read that answered has its event, even if the process dies now.
 */
export async function queueViewEvent(
  sql: Sql,
  processType: string | null,
  processId: string | null,
  event: EmittedEvent,
) {
  await sql`
    INSERT INTO pending_view_events (type, process_type, process_id, payload)
    VALUES (${event.type}, ${processType}, ${processId}, ${sql.json(event.payload as never)})`;
}

/**
 * Moves up to `limit` queued views into events in one transaction, in the order they were queued: the rows
 * leave the queue and join the feed together or not at all, so a drain killed mid-way loses and doubles none.
 * Returns how many moved.
 */
export async function drainViewEvents(sql: Sql, limit = 1000): Promise<number> {
  return sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(${VIEW_DRAIN_LOCK})`;
    const rows = await tx`
      DELETE FROM pending_view_events
      WHERE id IN (SELECT id FROM pending_view_events ORDER BY id LIMIT ${limit})
      RETURNING id, type, process_type, process_id, payload`;
    const ordered = [...rows].sort((a, b) => Number(a.id) - Number(b.id));
    await appendFeedEvents(
      tx,
      ordered.map((r) => ({
        type: r.type,
        process_type: r.process_type,
        process_id: r.process_id,
        payload: r.payload,
      })),
    );
    return ordered.length;
  });
}
