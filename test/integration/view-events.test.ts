import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOk, loginAll, openApplication, type Login } from '../support/account-opening.js';
import { holdCommitOrder } from '../support/commit-order.js';
import { eventually, startTestHub, type TestHub } from '../support/hub.js';

interface FeedEvent {
  sequence: number;
  type: string;
  process_id: string | null;
  payload: { viewed_by?: string };
}

/** Every event in the feed after `after`, paging as a client would. */
async function feedAfter(hub: TestHub, token: string, after: number): Promise<FeedEvent[]> {
  const all: FeedEvent[] = [];
  for (let cursor = after; ;) {
    const page = expectOk(await hub.api(token, 'GET', `/events?after=${cursor}&limit=1000`));
    all.push(...(page.events as FeedEvent[]));
    if (page.events.length < 1000) return all;
    cursor = page.last_sequence;
  }
}

const viewersIn = (events: FeedEvent[], id: string) =>
  events.filter((e) => e.type === 'account.status_viewed' && e.process_id === id).map((e) => e.payload.viewed_by);

describe('view events: off the read path, every one in the feed, in order', () => {
  let hub: TestHub;
  let tokens: Record<Login, string>;
  beforeAll(async () => {
    hub = await startTestHub();
    tokens = await loginAll(hub);
  });
  afterAll(async () => {
    await hub?.stop();
  });

  it('a read answers while a writer holds the commit-order lock, and its view then reaches GET /api/events', async () => {
    const id = await openApplication(hub, tokens.alex);
    const start = (await hub.sql`SELECT coalesce(max(sequence), 0)::int AS s FROM events`)[0].s as number;

    const lock = await holdCommitOrder(hub);
    const read = expectOk(await hub.api(tokens.alex, 'GET', `/applications/${id}`));
    expect(read.application_id).toBe(id);
    expect(viewersIn(await feedAfter(hub, tokens.alex, start), id)).toEqual([]);
    await lock.release();

    const viewers = await eventually(
      async () => {
        const found = viewersIn(await feedAfter(hub, tokens.alex, start), id);
        return found.length > 0 && found;
      },
      { what: 'the view event in GET /api/events' },
    );
    expect(viewers).toEqual(['usr_alex_advisor']);
  });

  it('a drainer killed mid-way loses and doubles no view; the next drain appends them all in order', async () => {
    const id = await openApplication(hub, tokens.alex);
    const start = (await hub.sql`SELECT coalesce(max(sequence), 0)::int AS s FROM events`)[0].s as number;
    const readers: Login[] = ['alex', 'carla', 'alex', 'colin', 'carla', 'alex'];
    const expected = [
      'usr_alex_advisor',
      'usr_carla_compliance',
      'usr_alex_advisor',
      'usr_colin_compliance',
      'usr_carla_compliance',
      'usr_alex_advisor',
    ];

    // With the lock held, a drain takes the queued views and then waits for the lock to append them.
    const lock = await holdCommitOrder(hub);
    for (const reader of readers) expectOk(await hub.api(tokens[reader], 'GET', `/applications/${id}`));
    const drainer = await eventually(
      async () => {
        const [row] = await hub.sql`
        SELECT l.pid FROM pg_locks l JOIN pg_stat_activity a USING (pid)
        WHERE l.locktype = 'advisory' AND NOT l.granted AND a.application_name = 'ops-hub-server'
          AND a.query LIKE '%pg_advisory_xact_lock%'
          AND EXISTS (SELECT 1 FROM pg_locks r WHERE r.pid = l.pid AND r.relation = 'pending_view_events'::regclass
                      AND r.mode = 'RowExclusiveLock')`;
        return row?.pid as number | undefined;
      },
      { what: 'a drain holding queued views, waiting for the lock' },
    );

    const [{ killed }] = await hub.sql`SELECT pg_terminate_backend(${drainer}) AS killed`;
    expect(killed).toBe(true);
    // Its transaction rolled back: every view is queued again, none in the feed.
    await eventually(
      async () => {
        const [{ n }] = await hub.sql`SELECT count(*)::int AS n FROM pending_view_events WHERE process_id = ${id}`;
        const [{ gone }] =
          await hub.sql`SELECT NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = ${drainer}) AS gone`;
        return gone && n === readers.length;
      },
      { what: 'the killed drain to roll back' },
    );
    await lock.release();

    const viewers = await eventually(
      async () => {
        const found = viewersIn(await feedAfter(hub, tokens.admin, start), id);
        return found.length >= readers.length && found;
      },
      { what: 'every view in GET /api/events' },
    );
    expect(viewers).toEqual(expected);
    const [{ left }] = await hub.sql`SELECT count(*)::int AS left FROM pending_view_events WHERE process_id = ${id}`;
    expect(left).toBe(0);
    // The feed stayed gap-free through the kill.
    const seqs = (await feedAfter(hub, tokens.admin, start)).map((e) => e.sequence);
    expect(seqs).toEqual(seqs.map((_, i) => start + i + 1));
  });
});
