import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSlaReader } from '../../hub/sla.js';
import type { SlaSnapshot } from '../../workflows/process-records.js';
import { startTestHub, waitForNotice, type TestHub } from '../support/hub.js';

/** What the seeding wrote, counted: a second seeding must leave every figure as it was. */
async function footprint(hub: TestHub) {
  const [row] = await hub.sql`
    SELECT (SELECT count(*) FROM processes)::int AS processes, (SELECT count(*) FROM audit_log)::int AS audit,
           (SELECT count(*) FROM events)::int AS events, (SELECT count(*) FROM process_queries)::int AS queries,
           (SELECT count(*) FROM query_entries)::int AS entries`;
  return row;
}

describe('the demo firm at work', () => {
  let hub: TestHub;
  let seededIn: number;

  beforeAll(async () => {
    const began = Date.now();
    hub = await startTestHub({ demoProcesses: true });
    seededIn = Date.now() - began;
  });
  afterAll(async () => {
    await hub?.stop();
  });

  it('has applications in at least eight states and rebalances awaiting the advisor and compliance', async () => {
    const rows = await hub.sql`SELECT process_type, status, count(*)::int AS n FROM processes GROUP BY 1, 2`;
    const statesOf = (type: string) => rows.filter((r) => r.process_type === type).map((r) => r.status as string);
    const opening = statesOf('account_opening');
    expect(opening.length).toBeGreaterThanOrEqual(8);
    expect(opening).toEqual(
      expect.arrayContaining([
        'draft',
        'risk_assessment',
        'terms_review',
        'funding',
        'compliance_review',
        'account_created',
        'rejected',
        'cancelled',
      ]),
    );
    expect(statesOf('rebalancing')).toEqual(expect.arrayContaining(['awaiting_advisor', 'awaiting_compliance']));
    console.info(`demo firm seeded with the test hub in ${seededIn} ms`);
  });

  it('has a review whose SLA the workflow breached and escalated, and one close to its warning', async () => {
    const reviews = await hub.sql`
      SELECT process_id, sla, flags FROM processes WHERE status = 'compliance_review' AND sla IS NOT NULL`;
    const breached = reviews.filter((r) => (r.sla as SlaSnapshot).status === 'breached');
    expect(breached).toHaveLength(1);
    const [escalated] = await hub.sql`
      SELECT count(*)::int AS n FROM audit_log
      WHERE process_id = ${breached[0].process_id} AND action IN ('sla_warning', 'sla_breach', 'sla_escalation')`;
    expect(escalated.n).toBe(3);
    const [event] = await hub.sql`
      SELECT payload FROM events WHERE process_id = ${breached[0].process_id} AND type = 'sla.escalated'`;
    expect(event.payload.notified).toContain('usr_helen_head');

    const live = createSlaReader(hub.sql);
    const percents = await Promise.all(reviews.map(async (r) => (await live(r.sla as SlaSnapshot))!.percent_elapsed));
    expect(percents.some((p) => p >= 55 && p < 75)).toBe(true);
  });

  it('has a politically exposed client waiting for the second approval', async () => {
    const [pep] = await hub.sql`
      SELECT detail FROM processes WHERE status = 'compliance_review' AND 'pep' = ANY(flags)`;
    expect(pep.detail.approvals).toHaveLength(1);
    expect(pep.detail.approvals_required).toBe(2);
  });

  it('has open query threads that mention people', async () => {
    const mentions = await hub.sql`
      SELECT e.payload FROM events e JOIN process_queries q ON q.id = e.payload ->> 'query_id'
      WHERE e.type = 'query.opened' AND q.status = 'open' AND jsonb_array_length(e.payload -> 'mentions') > 0`;
    expect(mentions.length).toBeGreaterThanOrEqual(2);
  });

  it('has a month of finished history that the operations center measures', async () => {
    const [span] = await hub.sql`
      SELECT extract(epoch FROM now() - min(created_at)) / 86400 AS oldest_days,
             count(DISTINCT date_trunc('day', updated_at))::int AS days, count(*)::int AS n
      FROM processes WHERE process_type = 'account_opening' AND status IN ('account_created', 'rejected', 'cancelled')`;
    expect(Number(span.oldest_days)).toBeGreaterThan(27);
    expect(span.days).toBeGreaterThanOrEqual(15);
    const admin = await hub.login('ada.admin@hub.example');
    const summary = await hub.api(admin, 'GET', '/ops/summary?process_type=account_opening');
    expect(summary.status).toBe(200);
    const review = summary.body.median_per_state.find((s: { state: string }) => s.state === 'compliance_review');
    expect(review.samples).toBeGreaterThanOrEqual(15);
    // Hours, as the seeded reviews took, not the milliseconds between two calls of a script.
    expect(review.median_ms).toBeGreaterThan(3_600_000);
  });

  it('seeds nothing twice', async () => {
    const before = await footprint(hub);
    expect(await hub.seedDemoProcesses()).toBeNull();
    expect(await footprint(hub)).toEqual(before);
  });
});

describe('a demo seeding killed halfway', () => {
  let hub: TestHub;

  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(async () => {
    await hub?.stop();
  });

  it('is resumed by the next start, with nothing made twice', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/demo-seeding-child.ts'], {
      env: {
        ...process.env,
        ...Object.fromEntries(
          ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'TEMPORAL_TASK_QUEUE', 'LOG_LEVEL'].map((k) => [
            k,
            String(hub.config[k as keyof typeof hub.config]),
          ]),
        ),
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    await waitForNotice(
      hub.sql,
      'process_changed',
      async () => {
        const [{ n }] = await hub.sql`SELECT count(*)::int AS n FROM processes WHERE process_type = 'account_opening'`;
        return n >= 12;
      },
      120_000,
    );
    child.kill('SIGKILL');
    await exited;
    const [midway] = await hub.sql`SELECT count(*)::int AS n FROM processes WHERE process_type = 'account_opening'`;
    expect(midway.n).toBeLessThan(35);

    const summary = await hub.seedDemoProcesses();
    expect(summary).toMatchObject({ finished: 26, open: 9, rebalances: 2, threads: 3 });
    const [counts] = await hub.sql`
      SELECT count(*) FILTER (WHERE process_type = 'account_opening')::int AS applications,
             count(*) FILTER (WHERE process_type = 'rebalancing')::int AS rebalances,
             (SELECT count(*) FROM process_queries)::int AS queries,
             count(DISTINCT status) FILTER (WHERE process_type = 'account_opening')::int AS states
      FROM processes`;
    expect(counts).toEqual({ applications: 35, rebalances: 2, queries: 3, states: 8 });
    // Each change recorded once: no version of any process has two accepted audit rows.
    const [twice] = await hub.sql`
      SELECT count(*)::int AS n FROM (
        SELECT process_id, details ->> 'version' FROM audit_log
        WHERE outcome = 'accepted' AND details ? 'version' GROUP BY 1, 2 HAVING count(*) > 1) d`;
    expect(twice.n).toBe(0);
    expect(await hub.seedDemoProcesses()).toBeNull();
  }, 300_000);
});
