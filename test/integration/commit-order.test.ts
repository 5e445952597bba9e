import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAudit, type AuditEntry } from '../../db/audit.js';
import { appendEvents, recordEvent } from '../../db/events.js';
import { recordTransition } from '../../db/transitions.js';
import { verifyAuditTrail } from '../../hub/audit-verification.js';
import { SYSTEM_ACTOR, type TransitionRecording } from '../../workflows/process-records.js';
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

  it('a transition whose write under the lock fails commits nothing and says so', async () => {
    // The feed refuses one event type, as a constraint would: the write sent with COMMIT fails after the lock.
    await hub.sql.unsafe(`
      CREATE FUNCTION refuse_test_event() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'refused for the test'; END $$;
      CREATE TRIGGER refuse_test_event BEFORE INSERT ON events FOR EACH ROW
      WHEN (NEW.type = 'test.refused') EXECUTE FUNCTION refuse_test_event();`);
    const at = new Date().toISOString();
    const recording: TransitionRecording = {
      process_type: 'account_opening',
      process_id: 'app_commit_order_refused',
      version: 1,
      action: 'start_application',
      actor: SYSTEM_ACTOR,
      status_before: null,
      status_after: 'draft',
      at,
      card: {
        title: 'Chris Carter',
        client_id: 'cli_chris_carter',
        client_user_id: null,
        advisor_id: 'usr_alex_advisor',
        assigned_user_id: null,
        amount: null,
        currency: null,
        status: 'draft',
        status_entered_at: at,
        flags: [],
        sla: null,
      },
      record: { status: 'draft', version: 1 },
      events: [{ type: 'test.refused', payload: {} }],
      notifications: [],
      audit: {},
    };
    const [{ audited }] = await hub.sql`SELECT count(*)::int AS audited FROM audit_log`;
    await expect(recordTransition(hub.sql, hub.boss, recording)).rejects.toThrow('refused for the test');
    expect(await hub.sql`SELECT 1 FROM processes WHERE process_id = ${recording.process_id}`).toHaveLength(0);
    expect((await hub.sql`SELECT count(*)::int AS n FROM audit_log`)[0].n).toBe(audited);
    // And the same recording, once the feed takes it, is recorded whole.
    await hub.sql`DROP TRIGGER refuse_test_event ON events`;
    await expect(recordTransition(hub.sql, hub.boss, recording)).resolves.toMatchObject({ recorded: true });
    expect(await hub.sql`SELECT status FROM processes WHERE process_id = ${recording.process_id}`).toEqual([
      { status: 'draft' },
    ]);
  });
});
