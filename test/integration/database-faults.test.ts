import { rmSync } from 'node:fs';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestHub, type TestHub } from '../support/hub.js';
import { startOwnPostgres, type OwnPostgres } from '../support/own-postgres.js';
import { ALEX, connectRecordingClient, OMAR_OPS, type RecordingClient } from '../support/realtime-client.js';

/**
 * The hub on a PostgreSQL of its own that the tests cut off: every connection terminated, then the
 * server stopped and started again. The hub must live through it, say what is missing, and recover alone.
 */
describe('losing the database', () => {
  let pg: OwnPostgres;
  let hub: TestHub;
  let board: RecordingClient;
  let advisor: string;

  const hubBackends = async (admin: postgres.Sql) =>
    admin`SELECT pid, application_name, query FROM pg_stat_activity WHERE datname = 'hub' AND pid <> pg_backend_pid()`;
  /** A command that reaches the workflow and the database: a new application, answered 201 once all is well. */
  const createApplication = () =>
    hub.api(advisor, 'POST', '/applications', { client_id: 'cli_chris_carter', account_type: 'individual' });
  const reachesBoard = (id: string) =>
    board.until(() => board.changes.find((c) => c.process_id === id), `${id} on the board`, 30_000);

  beforeAll(async () => {
    pg = await startOwnPostgres();
    hub = await startTestHub({ database: { url: pg.url, drop: async () => {} } });
    advisor = await hub.login(ALEX);
    board = await connectRecordingClient(hub.url, await hub.login(OMAR_OPS));
    expect(await board.subscribe('account_opening')).toMatchObject({ ok: true });
  });
  afterAll(async () => {
    board?.close();
    await hub?.stop();
    await pg?.stop();
    if (pg) rmSync(pg.dataDir, { recursive: true, force: true });
  });

  it('lives through every one of its connections being terminated, again and again, and keeps the board live', async () => {
    const admin = postgres(pg.url, { max: 1, onnotice: () => {} });
    try {
      // More rounds than the socket adapter's pool has slots: a slot leaked per reconnection would show.
      for (let round = 0; round < 4; round++) {
        await admin`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'hub' AND pid <> pg_backend_pid()`;
        const created = await eventually(
          async () => {
            const response = await createApplication();
            return response.status === 201 && response;
          },
          { what: 'a command to succeed again', timeoutMs: 30_000 },
        );
        await reachesBoard(created.body.application_id);
        // Every listener is back: the board feed's and the socket adapter's.
        await eventually(
          async () => {
            const rows = await hubBackends(admin);
            return rows.some((r) => r.application_name === 'ops-hub-socket-adapter' && /LISTEN/i.test(r.query));
          },
          { what: 'the socket adapter to listen again' },
        );
      }
    } finally {
      await admin.end();
    }
  });

  it('answers 503 naming PostgreSQL while it is down, and recovers without a restart when it is back', async () => {
    await pg.stop();
    const ready = await fetch(`${hub.url}/readyz`);
    expect(ready.status).toBe(503);
    const readiness = await ready.json();
    expect(readiness.error.code).toBe('SERVICE_UNAVAILABLE');
    expect(readiness.error.message).toMatch(/postgres unreachable/);
    expect(readiness.checks.temporal).toBe('ok');

    const refused = await createApplication();
    expect(refused.status).toBe(503);
    expect(refused.body.error.code).toBe('SERVICE_UNAVAILABLE');

    const restarted = Date.now();
    await pg.start();
    await eventually(async () => (await fetch(`${hub.url}/readyz`)).status === 200, {
      what: '/readyz to answer 200',
      timeoutMs: 30_000,
    });
    const readyAfter = Date.now() - restarted;
    const created = await eventually(
      async () => {
        const response = await createApplication();
        return response.status === 201 && response;
      },
      { what: 'a command to succeed after the restart', timeoutMs: 30_000 },
    );
    const commandAfter = Date.now() - restarted;
    await reachesBoard(created.body.application_id);
    const boardAfter = Date.now() - restarted;
    console.log(
      `recovery after a PostgreSQL restart: ready in ${readyAfter} ms, first command in ${commandAfter} ms, on the board in ${boardAfter} ms`,
    );
  });
});
