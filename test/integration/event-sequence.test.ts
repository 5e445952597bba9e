import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordEvent, appendEvents } from '../../db/events.js';
import { eventually, startTestHub, type TestHub } from '../support/hub.js';
import { ALEX, connectRecordingClient, OMAR_OPS, type RecordingClient } from '../support/realtime-client.js';
import { openApplication } from '../support/account-opening.js';

describe('event sequence numbers', () => {
  let hub: TestHub;
  let ops: string;
  const clients: RecordingClient[] = [];

  beforeAll(async () => {
    hub = await startTestHub();
    ops = await hub.login(OMAR_OPS);
  });
  afterAll(async () => {
    clients.forEach((c) => c.close());
    await hub?.stop();
  });

  it('has no gap where a writer died inside its transaction', async () => {
    const before = await recordEvent(hub.sql, null, null, { type: 'test.before', payload: {} });
    // A writer that has inserted its events and then loses its connection (a crash, a fail-over) before commit.
    const writer = postgres(hub.config.DATABASE_URL!, {
      max: 1,
      onnotice: () => {},
      connection: { application_name: 'doomed-writer' },
    });
    const dying = writer.begin(async (tx) => {
      await appendEvents(tx as never, null, null, [
        { type: 'test.lost', payload: {} },
        { type: 'test.lost', payload: {} },
      ]);
      await tx`SELECT pg_sleep(30)`;
    });
    await eventually(
      async () =>
        (
          await hub.sql`
          SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity
          WHERE application_name = 'doomed-writer' AND query LIKE '%pg_sleep%'`
        ).length > 0,
      { what: 'the writer to hold its events uncommitted' },
    );
    await expect(dying).rejects.toThrow();
    // The client lives on: its next query reconnects.
    expect(await writer`SELECT 1 AS one`).toEqual([{ one: 1 }]);
    await writer.end({ timeout: 1 });
    // And one that rolls back on purpose.
    await expect(
      hub.sql.begin(async (tx) => {
        await appendEvents(tx, null, null, [{ type: 'test.rolled_back', payload: {} }]);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    const after = await recordEvent(hub.sql, null, null, { type: 'test.after', payload: {} });
    expect(after).toBe(before + 1);

    const feed = await hub.api(ops, 'GET', `/events?after=${before - 1}&limit=10`);
    expect(feed.body.events.map((e: { type: string; sequence: number }) => [e.type, e.sequence])).toEqual([
      ['test.before', before],
      ['test.after', before + 1],
    ]);
    const all = await hub.sql`SELECT sequence FROM events ORDER BY sequence`;
    all.forEach((row, i) => expect(row.sequence).toBe(i + 1));
  });

  it('gives a board whose cursor is past the end of the log a snapshot, and then live changes', async () => {
    const client = await connectRecordingClient(hub.url, ops);
    clients.push(client);
    const [{ latest }] = await hub.sql`SELECT coalesce(max(sequence), 0) AS latest FROM process_changes`;
    // As after a restore from an older backup: the board saw numbers the database no longer has.
    const reply = await client.subscribe('account_opening', (latest as number) + 1_000);
    expect(reply).toMatchObject({ ok: true, mode: 'snapshot' });
    expect(client.snapshots.at(-1)).toMatchObject({ reason: 'cursor_ahead', sequence: latest });

    const id = await openApplication(hub, await hub.login(ALEX), 'cli_chris_carter');
    const change = await client.until(
      () => client.changes.find((c) => c.process_id === id),
      'the new application, live',
    );
    expect(change.replayed).toBe(false);
  });
});
