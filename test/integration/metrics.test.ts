import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMetricsListener } from '../../runtime/metrics.js';
import { driveTo, expectError, expectOk, loginAll, openApplication, type Login } from '../support/account-opening.js';
import { eventually, startTestHub, type TestHub } from '../support/hub.js';
import { deliveryKeyOf, MANAGERS_CHANNEL, startSlackTestHub } from '../support/slack.js';

const TOKEN = 'metrics-token-for-the-test-0123456789';

/** Sums the samples of a metric whose labels include all of `labels`. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of text.split('\n')) {
    const match = /^([a-z_:]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) total += Number(match[3]);
  }
  return total;
}

describe('metrics: /metrics during account opening, the success metrics, the error-rate alert', () => {
  let hub: TestHub;
  let tokens: Record<Login, string>;
  beforeAll(async () => {
    hub = await startTestHub({
      env: { METRICS_TOKEN: TOKEN, ERROR_RATE_MIN_OPERATIONS: '30', ERROR_RATE_WINDOW_MINUTES: '1440' },
    });
    tokens = await loginAll(hub);
  });
  afterAll(async () => {
    await hub?.stop();
  });

  const scrape = async (authorization?: string) => {
    const response = await fetch(`${hub.url}/metrics`, { headers: authorization ? { authorization } : {} });
    return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
  };

  it('answers 401 without the token or with a wrong one', async () => {
    expect((await scrape()).status).toBe(401);
    expect((await scrape('Bearer not-the-metrics-token-at-all-00000')).status).toBe(401);
    const ok = await scrape(`Bearer ${TOKEN}`);
    expect(ok.status).toBe(200);
    expect(ok.type).toContain('text/plain');
  });

  it('counts accepted and refused commands, their latency and the transitions while an application is opened', async () => {
    const before = (await scrape(`Bearer ${TOKEN}`)).text;
    const id = await openApplication(hub, tokens.alex);
    await driveTo(hub, tokens.alex, id, 'compliance_review');
    // Terms again, long after they were accepted: refused by the workflow's rules.
    const refused = await hub.api(tokens.alex, 'POST', `/applications/${id}/terms`, { terms_accepted: true });
    expect(refused.status).toBeGreaterThanOrEqual(400);
    const code = refused.body.error.code as string;
    const after = (await scrape(`Bearer ${TOKEN}`)).text;

    const ao = { process_type: 'account_opening' };
    const delta = (name: string, labels: Record<string, string> = {}) =>
      sample(after, name, labels) - sample(before, name, labels);
    expect(delta('ops_hub_commands_total', { ...ao, outcome: 'accepted' })).toBe(4);
    expect(delta('ops_hub_commands_total', { ...ao, outcome: 'refused', code })).toBe(1);
    expect(delta('ops_hub_command_duration_seconds_count', ao)).toBe(5);
    expect(delta('ops_hub_command_duration_seconds_bucket', { ...ao, le: '+Inf' })).toBe(5);
    // The start, four steps and the system's move into review, at least.
    expect(delta('ops_hub_transitions_recorded_total', ao)).toBeGreaterThanOrEqual(6);
    expect(after).toMatch(/^ops_hub_queue_depth\{queue="deliver-notifications"\} \d+$/m);
    expect(after).toMatch(/^ops_hub_temporal_worker_in_flight\{kind="activity"\} \d+$/m);
    expect(after).toMatch(/^ops_hub_connected_sockets \d+$/m);
  });

  it('computes the success metrics from the trail: success rate against 99 %, processing time against 5 s', async () => {
    const since = new Date().toISOString();
    const id = await openApplication(hub, tokens.alex);
    await driveTo(hub, tokens.alex, id, 'terms_review');
    expectError(await hub.api(tokens.chris, 'POST', `/applications/${id}/approve`, {}), 403, 'FORBIDDEN');
    const query = new URLSearchParams({ process_type: 'account_opening', since });
    const body = expectOk(await hub.api(tokens.manager, 'GET', `/ops/success-metrics?${query}`));
    // Start, products and risk accepted; the client's approval refused.
    expect(body.success_rate).toEqual({ target: 0.99, accepted: 3, refused: 1, rate: 0.75, met: false });
    expect(body.processing_time.target_ms).toBe(5000);
    expect(body.processing_time.commands).toBe(3);
    expect(body.processing_time.within_target).toBe(3);
    expect(body.processing_time.per_command.map((c: { command: string }) => c.command).sort()).toHaveLength(3);
    expectError(
      await hub.api(tokens.manager, 'GET', '/ops/success-metrics?process_type=nope'),
      400,
      'VALIDATION_FAILED',
    );
  });

  it('raises the error-rate alert once the window passes 5 %, once per window, with a bell for managers', async () => {
    const [{ n: operations }] = await hub.sql`SELECT count(*)::int AS n FROM audit_log WHERE channel <> 'system'`;
    expect(operations).toBeLessThan(30);
    expect(await hub.sql`SELECT 1 FROM error_rate_alerts`).toHaveLength(0);
    // Refusals until the window holds the 30 operations it needs, then some more.
    for (let i = operations; i < 36; i++) {
      expectError(
        await hub.api(tokens.alex, 'POST', '/applications/app_doesnotexist00/terms', { terms_accepted: true }),
        404,
        'APPLICATION_NOT_FOUND',
      );
    }
    const alerts = await eventually(async () => {
      const rows = await hub.sql`SELECT attempts, refused FROM error_rate_alerts`;
      return rows.length > 0 && rows;
    });
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.attempts).toBe(30);
    const bells =
      await hub.sql`SELECT u.email FROM notifications n JOIN users u ON u.id = n.user_id WHERE n.kind = 'error_rate'`;
    expect(bells.map((b) => b.email)).toContain('maya.manager@hub.example');
    expect(bells.map((b) => b.email)).not.toContain('alex.advisor@hub.example');
    const bell = expectOk(await hub.api(tokens.manager, 'GET', '/notifications'));
    expect(JSON.stringify(bell)).toContain('Error rate');
  });
});

describe('metrics: off without a token', () => {
  it('a worker listener without METRICS_TOKEN answers 404; with it, 401 then the exposition', async () => {
    const off = await startMetricsListener({ host: '127.0.0.1', port: 0, token: undefined });
    const on = await startMetricsListener({ host: '127.0.0.1', port: 0, token: TOKEN });
    try {
      const url = (server: typeof off) => `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
      expect((await fetch(url(off), { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(404);
      expect((await fetch(url(on))).status).toBe(401);
      const ok = await fetch(url(on), { headers: { authorization: `Bearer ${TOKEN}` } });
      const text = await ok.text();
      expect(ok.status, text).toBe(200);
      expect(text).toContain('# TYPE ops_hub_commands_total counter');
    } finally {
      await Promise.all([off, on].map((server) => new Promise((resolve) => server.close(resolve))));
    }
  });

  it('a server without METRICS_TOKEN answers 404 on /metrics', async () => {
    const hub = await startTestHub({ worker: false, seed: false });
    try {
      const response = await fetch(`${hub.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(response.status).toBe(404);
    } finally {
      await hub.stop();
    }
  });
});

describe('metrics: the error-rate alert in Slack', () => {
  it("posts the window's one alert to the managers' channel through the exactly-once delivery", async () => {
    const t = await startSlackTestHub({
      env: { METRICS_TOKEN: TOKEN, ERROR_RATE_MIN_OPERATIONS: '5', ERROR_RATE_WINDOW_MINUTES: '1440' },
    });
    try {
      const alex = await t.hub.login('alex.advisor@hub.example');
      for (let i = 0; i < 10; i++) {
        expectError(
          await t.hub.api(alex, 'POST', '/applications/app_doesnotexist00/terms', { terms_accepted: true }),
          404,
          'APPLICATION_NOT_FOUND',
        );
      }
      const [alert] = await eventually(() =>
        t.hub.sql`SELECT window_start FROM error_rate_alerts`.then((rows) => rows.length > 0 && rows),
      );
      const key = `error-rate:${new Date(alert!.window_start).toISOString()}`;
      const post = await t.slack.waitForCall(
        'chat.postMessage',
        (call) => deliveryKeyOf(call) === key && call.status === 200,
      );
      expect(post.args.channel).toBe(MANAGERS_CHANNEL);
      expect(String(post.args.text)).toContain('above 5 %');
      // Counted once the delivery is recorded, just after Slack answered.
      await eventually(async () => {
        const scraped = await (
          await fetch(`${t.hub.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })
        ).text();
        return sample(scraped, 'ops_hub_slack_deliveries_total', { result: 'posted' }) >= 1;
      });
      expect(t.slack.callsTo('chat.postMessage').filter((call) => deliveryKeyOf(call) === key)).toHaveLength(1);
      expect(await t.hub.sql`SELECT 1 FROM error_rate_alerts`).toHaveLength(1);
    } finally {
      await t.stop();
    }
  });
});
