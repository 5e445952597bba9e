import { inSpan } from './traced.js';
import type PgBoss from 'pg-boss';
import { metrics } from '../runtime/metrics.js';
import type { TransitionRecording } from '../workflows/process-records.js';
import { insertAuditAfter, readAuditHead, type AuditHead } from './audit.js';
import type { Sql, Tx } from './client.js';
import { captureDecisionContext, isDecision } from './decision-context.js';
import { lockCommitOrderAndRead } from './commit-order.js';
import { feedEventsOf, insertEventsAfter, readLastSequence } from './events.js';
import { EVENT_QUEUES, inTransaction, QUEUES } from './jobs.js';

/** NOTIFY channel every server node LISTENs on to push changes to browsers. */
export const PROCESS_CHANGED_CHANNEL = 'process_changed';

export interface ProcessChangedNotice {
  process_type: string;
  process_id: string;
  version: number;
  /** The last event sequence this change wrote. */
  sequence: number;
}

/** The job an event in EVENT_QUEUES starts. */
export interface EventJob {
  process_type: string;
  process_id: string;
  type: string;
  payload: Record<string, unknown>;
}

export interface NotificationJob {
  process_type: string;
  process_id: string;
  version: number;
  action: string;
  notifications: TransitionRecording['notifications'];
  /** Names the change when it is not a process version (a query's entry, say), so its notifications dedupe apart. */
  cause?: string;
}

/** More a feature writes in the same transaction as each recorded change (an outbox job, say). */
export type TransitionFollowUp = (tx: Tx, rec: TransitionRecording) => Promise<void>;

/**
 * Records one accepted change in one transaction: the card and detail, the audit row, the events, the
 * notification job and the NOTIFY. A retried recording of a version already stored changes nothing,
 * so a crash between commit and acknowledgement never duplicates a transition.
 */
export function recordTransition(
  sql: Sql,
  boss: PgBoss,
  rec: TransitionRecording,
  followUps: readonly TransitionFollowUp[] = [],
): Promise<{ recorded: boolean; sequences: number[] }> {
  // The last span of a command's trace: HTTP request → Update → activity → this transaction.
  const attributes = {
    'db.system.name': 'postgresql',
    'ops_hub.process_id': rec.process_id,
    'ops_hub.action': rec.action,
  };
  return inSpan('transaction recordTransition', attributes, () => writeTransition(sql, boss, rec, followUps));
}

async function writeTransition(
  sql: Sql,
  boss: PgBoss,
  rec: TransitionRecording,
  followUps: readonly TransitionFollowUp[],
): Promise<{ recorded: boolean; sequences: number[] }> {
  let written: Promise<unknown> = Promise.resolve();
  const outcome = await sql.begin(async (tx) => {
    const c = rec.card;
    const decision = isDecision(rec.process_type, rec.action) ? await captureDecisionContext(tx, rec) : null;
    // The process sits where its client's team is now; a later move of the client updates it (db/hierarchy.ts).
    const stored = await tx`
      INSERT INTO processes (process_id, process_type, version, title, client_id, client_user_id, advisor_id, assigned_user_id, amount,
                             currency, status, status_entered_at, flags, sla, detail, created_at, updated_at, team_id, office_id)
      VALUES (${rec.process_id}, ${rec.process_type}, ${rec.version}, ${c.title}, ${c.client_id}, ${c.client_user_id}, ${c.advisor_id},
              ${c.assigned_user_id}, ${c.amount}, ${c.currency}, ${c.status}, ${c.status_entered_at}, ${tx.array(c.flags)},
              ${c.sla ? tx.json(c.sla as never) : null}, ${tx.json(rec.record as never)}, ${rec.at}, ${rec.at},
              (SELECT team_id FROM clients WHERE id = ${c.client_id}),
              (SELECT t.office_id FROM clients cl JOIN teams t ON t.id = cl.team_id WHERE cl.id = ${c.client_id}))
      ON CONFLICT (process_id) DO UPDATE SET
        team_id = EXCLUDED.team_id, office_id = EXCLUDED.office_id,
        version = EXCLUDED.version, title = EXCLUDED.title, client_id = EXCLUDED.client_id, client_user_id = EXCLUDED.client_user_id,
        advisor_id = EXCLUDED.advisor_id, assigned_user_id = EXCLUDED.assigned_user_id, amount = EXCLUDED.amount,
        currency = EXCLUDED.currency, status = EXCLUDED.status, status_entered_at = EXCLUDED.status_entered_at,
        flags = EXCLUDED.flags, sla = EXCLUDED.sla, detail = EXCLUDED.detail, updated_at = EXCLUDED.updated_at
      WHERE processes.version < EXCLUDED.version
      RETURNING process_id`;
    if (stored.length === 0) return { recorded: false, sequences: [] };

    // Jobs and follow-ups need no order among writers: they go in before the commit-order lock is taken.
    for (const event of rec.events.filter((e) => EVENT_QUEUES[e.type])) {
      const job: EventJob = {
        process_type: rec.process_type,
        process_id: rec.process_id,
        type: event.type,
        payload: event.payload,
      };
      await boss.send(EVENT_QUEUES[event.type], job, { db: inTransaction(tx) });
    }
    if (rec.notifications.length) {
      const job: NotificationJob = {
        process_type: rec.process_type,
        process_id: rec.process_id,
        version: rec.version,
        action: rec.action,
        notifications: rec.notifications,
      };
      await boss.send(QUEUES.deliverNotifications, job, { db: inTransaction(tx) });
    }
    for (const followUp of followUps) await followUp(tx, rec);

    // From here to commit every writer of the trail and the feed waits on this one: two round trips, the
    // lock with the heads it continues from, then the audit row, the events, the NOTIFY and COMMIT together.
    const [[head], [{ last }]] = await lockCommitOrderAndRead<[AuditHead[], { last: number }[]]>(tx, () => [
      readAuditHead(tx),
      readLastSequence(tx),
    ]);
    const audit = insertAuditAfter(
      tx,
      head,
      {
        process_type: rec.process_type,
        process_id: rec.process_id,
        actor: rec.actor,
        action: rec.action,
        outcome: 'accepted',
        status_before: rec.status_before,
        status_after: rec.status_after,
        details: { version: rec.version, ...rec.audit, ...(decision ? { decision } : {}) },
      },
      rec.at,
    );
    const events = rec.events.length
      ? insertEventsAfter(tx, last, feedEventsOf(rec.process_type, rec.process_id, rec.events))
      : { sequences: [], done: Promise.resolve() };
    const { sequences } = events;
    const notice: ProcessChangedNotice = {
      process_type: rec.process_type,
      process_id: rec.process_id,
      version: rec.version,
      sequence: sequences.at(-1) ?? 0,
    };
    // Sent without waiting on them, so COMMIT follows on the connection in the same round trip. A write that
    // fails aborts the transaction and the COMMIT then rolls it back; awaiting the writes after it reports that.
    written = Promise.all([
      audit,
      events.done,
      tx`SELECT pg_notify(${PROCESS_CHANGED_CHANNEL}, ${JSON.stringify(notice)})`,
    ]);
    written.catch(() => undefined);
    return { recorded: true, sequences };
  });
  await written;
  if (outcome.recorded)
    metrics.transitionRecorded(
      rec.process_type,
      rec.action,
      rec.notifications.map((n) => n.kind),
    );
  return outcome;
}
