import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAudit, type AuditEntry } from '../../db/audit.js';
import { appendEvents, recordEvent } from '../../db/events.js';
import { verifyAuditTrail } from '../../hub/audit-verification.js';
import { SYSTEM_ACTOR } from '../../workflows/process-records.js';
import { holdCommitOrder } from '../support/commit-order.js';
import { eventually, startTestHub, type TestHub } from '../support/hub.js';

const entry = (action: string): AuditEntry => ({
  process_type: null,
  process_id: null,
  actor: SYSTEM_ACTOR,
  action,
  outcome: 'accepted',
});

describe('writers in commit order: the lock and the heads read behind it in one round trip', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(async () => {
    await hub?.stop();
  });

  const sequences = async () =>
    (await hub.sql`SELECT sequence FROM events ORDER BY sequence`).map((r) => r.sequence as number);

  it('a writer that waited on the lock continues from the rows committed while it waited', async () => {
    const [{ last }] = await hub.sql`SELECT coalesce(max(sequence), 0)::int AS last FROM events`;
    // A writer holding the lock with its audit row and event written, not yet committed.
    const holder = await holdCommitOrder(hub, async (tx) => {
      await appendAudit(tx, entry('test.holder'));
      await appendEvents(tx, null, null, [{ type: 'test.holder', payload: {} }]);
    });
    const waiting = [
      appendAudit(hub.sql, entry('test.waiter')),
      recordEvent(hub.sql, null, null, { type: 'test.waiter', payload: {} }),
    ];
    await eventually(
      async () =>
        (
          await hub.sql`
            SELECT count(*)::int AS n FROM pg_stat_activity
            WHERE wait_event_type = 'Lock' AND wait_event = 'advisory' AND query LIKE '%pg_advisory_xact_lock%'`
        )[0].n === 2,
      { what: 'both writers to wait on the commit-order lock' },
    );
    await holder.release();
    const [, waiterSequence] = await Promise.all(waiting);
    // Had a writer read the heads before it held the lock, it would have taken the holder's number or hash.
    expect(waiterSequence).toBe((last as number) + 2);
    const audit = await hub.sql`SELECT action, prev_hash, hash FROM audit_log WHERE action LIKE 'test.%' ORDER BY id`;
    expect(audit.map((r) => r.action)).toEqual(['test.holder', 'test.waiter']);
    expect(audit[1].prev_hash).toBe(audit[0].hash);
    expect(await verifyAuditTrail(hub.sql, hub.config.auditCheckpointKey)).toMatchObject({ ok: true });
  });

  it('many writers at once leave a gap-free feed and an unbroken chain', async () => {
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        i % 2
          ? appendAudit(hub.sql, entry(`test.many_${i}`))
          : recordEvent(hub.sql, null, null, { type: 'test.many', payload: { i } }),
      ),
    );
    const all = await sequences();
    all.forEach((sequence, i) => expect(sequence).toBe(i + 1));
    expect(await verifyAuditTrail(hub.sql, hub.config.auditCheckpointKey)).toMatchObject({ ok: true });
  });
});
