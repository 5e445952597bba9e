import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { findFreePort } from '../../runtime/ports.js';
import { DEMO_PASSWORD } from '../../runtime/seed-demo.js';
import { auditOf, FUNDING_BODY, LOGINS, PRODUCTS_BODY, RISK_BODY, TERMS_BODY } from '../support/account-opening.js';
import { eventually, startTestHub, type TestHub } from '../support/hub.js';
import { startHubProcess, type HubProcess } from '../support/hub-process.js';
import { followBoard } from '../support/realtime-client.js';
import { startTcpBalancer, type TcpBalancer } from '../support/tcp-balancer.js';

const STEPS = [
  { path: 'products', body: PRODUCTS_BODY },
  { path: 'risk-assessment', body: RISK_BODY },
  { path: 'terms', body: TERMS_BODY },
  { path: 'funding', body: FUNDING_BODY },
];
const ACCEPTED = [
  'start_application',
  'select_products',
  'complete_risk_assessment',
  'accept_terms',
  'provide_funding_details',
];
const LANES = 4;

describe('a rolling restart of two server nodes, while commands and board changes flow', () => {
  let hub: TestHub;
  let balancer: TcpBalancer;
  const nodes: HubProcess[] = [];
  let envOf: (port: number) => Record<string, string>;
  const ports: number[] = [];

  beforeAll(async () => {
    hub = await startTestHub();
    envOf = (port) => ({
      DATABASE_URL: hub.config.DATABASE_URL!,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_TASK_QUEUE: hub.taskQueue,
      HUB_DATA_DIR: hub.config.HUB_DATA_DIR,
      HOST: '127.0.0.1',
      PORT: String(port),
      SHUTDOWN_GRACE_MS: '10000',
      REBALANCE_SCHEDULE_PAUSED: 'true',
    });
    ports.push(await findFreePort(), await findFreePort());
    for (const port of ports) nodes.push(await startHubProcess('server', envOf(port)));
    balancer = await startTcpBalancer(ports);
  }, 120_000);
  afterAll(async () => {
    await Promise.allSettled(nodes.map((node) => node.terminate()));
    await balancer?.close();
    await hub?.stop();
  });

  it('drains each node on SIGTERM (exit 0), and no board change or command is lost or applied twice', async () => {
    let transportFailures = 0;
    /** What a careful client does: the same Idempotency-Key again after a dropped connection or a 503. */
    async function send(token: string | null, method: string, path: string, body: unknown, key?: string) {
      for (let attempt = 0; ; attempt++) {
        try {
          const response = await fetch(`${balancer.url}/api${path}`, {
            method,
            headers: {
              'content-type': 'application/json',
              ...(token ? { authorization: `Bearer ${token}` } : {}),
              ...(key ? { 'idempotency-key': key } : {}),
            },
            body: JSON.stringify(body),
          });
          const answer = { status: response.status, body: (await response.json()) as Record<string, any> };
          if (answer.status !== 503 || attempt > 20) return answer;
        } catch (error) {
          transportFailures += 1;
          if (attempt > 20) throw error;
        }
      }
    }
    const login = async (email: string) =>
      (await send(null, 'POST', '/auth/login', { email, password: DEMO_PASSWORD })).body.token as string;
    const [alex, ops] = [await login(LOGINS.alex), await login(LOGINS.ops)];

    const boards = [followBoard(balancer.url, ops), followBoard(balancer.url, ops), followBoard(balancer.url, alex)];
    for (const board of boards) await board.until(() => board.record.snapshots === 1, 'the first snapshot');

    let commands = 0;
    let restarted = false;
    const applications: string[] = [];
    const statuses: number[] = [];
    const drive = async (lane: number, round: number) => {
      const key = `rolling-${lane}-${round}`;
      const started = await send(
        alex,
        'POST',
        '/applications',
        { client_id: 'cli_chris_carter', account_type: 'individual' },
        `${key}-start`,
      );
      statuses.push(started.status);
      commands += 1;
      const id = started.body.application_id as string;
      applications.push(id);
      for (const step of STEPS) {
        statuses.push(
          (await send(alex, 'POST', `/applications/${id}/${step.path}`, step.body, `${key}-${step.path}`)).status,
        );
        commands += 1;
      }
    };
    const lanes = Array.from({ length: LANES }, async (_, lane) => {
      for (let round = 0; !restarted; round++) await drive(lane, round);
    });
    const afterMoreCommands = (n: number) => {
      const target = commands + n;
      return eventually(async () => commands >= target, { timeoutMs: 120_000, what: `${n} more commands` });
    };

    const exitCodes: (number | null)[] = [];
    for (const index of [0, 1]) {
      await afterMoreCommands(6);
      exitCodes.push(await nodes[index].terminate());
      await afterMoreCommands(6);
      nodes[index] = await startHubProcess('server', envOf(ports[index]));
    }
    await afterMoreCommands(6);
    restarted = true;
    await Promise.all(lanes);

    expect(exitCodes).toEqual([0, 0]);
    for (const node of nodes) expect(node.output()).not.toMatch(/did not stop (cleanly|within)/);
    expect(
      statuses.every((status) => status === 200 || status === 201),
      JSON.stringify(statuses),
    ).toBe(true);
    expect(new Set(applications).size).toBe(applications.length);

    // Every command applied exactly once, on whichever node served it.
    for (const id of applications) {
      // The workflow goes on by itself (begin_review); the commands sent are each applied once, in order.
      const accepted = (await auditOf(hub, id)).filter((a) => a.outcome === 'accepted').map((a) => a.action);
      expect(
        accepted.filter((action) => ACCEPTED.includes(action)),
        id,
      ).toEqual(ACCEPTED);
    }
    const [{ rows }] =
      await hub.sql`SELECT count(*)::int AS rows FROM processes WHERE process_id = ANY(${applications})`;
    expect(rows).toBe(applications.length);

    // Submitted applications move to review by themselves; wait for that last change before reading the log.
    await eventually(
      async () => {
        const [{ n }] = await hub.sql`
          SELECT count(*)::int AS n FROM processes WHERE process_id = ANY(${applications}) AND status = 'compliance_review'`;
        return n === applications.length;
      },
      { timeoutMs: 120_000, what: 'every application in compliance review' },
    );
    // Every board ends where the database is, resumed from its cursor: one snapshot, every change sequence seen.
    const changes = await hub.sql<{ process_id: string; version: number; sequence: number }[]>`
      SELECT process_id, version, sequence FROM process_changes WHERE process_id = ANY(${applications})`;
    const latest = new Map<string, number>();
    for (const c of changes) latest.set(c.process_id, Math.max(latest.get(c.process_id) ?? 0, c.version));
    for (const [index, { record, until }] of boards.entries()) {
      const behind = () =>
        applications
          .filter((id) => record.versions.get(id) !== latest.get(id))
          .map((id) => `${id} at version ${record.versions.get(id)} of ${latest.get(id)}`);
      await until(() => behind().length === 0, `board ${index} to show every application's last version`).catch(
        () => {},
      );
      expect(behind(), `board ${index} is behind`).toEqual([]);
      expect(
        changes.filter((c) => !record.sequences.has(c.sequence)),
        `board ${index} missed changes`,
      ).toEqual([]);
      expect(record.snapshots, `board ${index} took a fresh snapshot instead of resuming`).toBe(1);
      expect(record.reconnects, `board ${index} reconnected`).toBeGreaterThanOrEqual(1);
      expect(record.refusals).toEqual([]);
    }
    for (const { client } of boards) client.close();
    expect([...balancer.served.values()].every((n) => n > 0)).toBe(true);
    console.info(
      `rolling restart: ${commands} commands on ${applications.length} applications, ` +
        `${transportFailures} dropped connections retried, reconnects ${boards.map((b) => b.record.reconnects)}`,
    );
  }, 300_000);
});
