import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { findFreePort } from '../../runtime/ports.js';
import { auditOf, driveTo, LOGINS, openApplication, PRODUCTS_BODY } from '../support/account-opening.js';
import { eventually, startTestHub, waitForStatus, type TestHub } from '../support/hub.js';
import { startHubProcess } from '../support/hub-process.js';
import { startTestCrm, type TestCrm } from '../support/test-crm-server.js';

const METRICS_TOKEN = 'graceful-shutdown-metrics-token';

describe('SIGTERM drains a process before it exits 0', () => {
  let hub: TestHub;
  let crm: TestCrm;
  let env: Record<string, string>;
  let alex: string;
  beforeAll(async () => {
    crm = await startTestCrm();
    hub = await startTestHub({ worker: false });
    env = {
      DATABASE_URL: hub.config.DATABASE_URL!,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_TASK_QUEUE: hub.taskQueue,
      HUB_DATA_DIR: hub.config.HUB_DATA_DIR,
      HOST: '127.0.0.1',
      SHUTDOWN_GRACE_MS: '20000',
      REBALANCE_SCHEDULE_PAUSED: 'true',
      CRM_ADAPTER: 'http',
      CRM_URL: crm.url,
      METRICS_TOKEN,
    };
    alex = await hub.login(LOGINS.alex);
  }, 120_000);
  afterAll(async () => {
    await hub?.stop();
    await crm?.stop();
  });

  it('a server answers the request in flight when SIGTERM comes, then exits 0', async () => {
    await hub.startWorker();
    const id = await openApplication(hub, alex);
    // Without a worker the command waits on its Update: a request in flight for as long as the test likes.
    await hub.stopWorker();
    const port = await findFreePort();
    const server = await startHubProcess('server', { ...env, PORT: String(port) });
    const url = `http://127.0.0.1:${port}`;
    const command = fetch(`${url}/api/applications/${id}/products`, {
      method: 'POST',
      headers: { authorization: `Bearer ${alex}`, 'content-type': 'application/json' },
      body: JSON.stringify(PRODUCTS_BODY),
    });
    await eventually(
      async () => {
        const metrics = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
        // The command and this scrape.
        return /^ops_hub_http_requests_in_flight 2$/m.test(await metrics.text());
      },
      { what: 'the command in flight' },
    );
    const exited = server.terminate();
    await server.logged('waiting for requests in flight');
    await hub.startWorker();
    const answer = await command;
    expect(answer.status, await answer.clone().text()).toBe(200);
    expect((await answer.json()).status).toBe('risk_assessment');
    expect(await exited).toBe(0);
    const accepted = (await auditOf(hub, id)).filter((a) => a.outcome === 'accepted').map((a) => a.action);
    expect(accepted).toEqual(['start_application', 'select_products']);
    await hub.stopWorker();
  }, 180_000);

  it('a worker finishes the activity in flight when SIGTERM comes, then exits 0; nothing runs twice', async () => {
    const worker = await startHubProcess('worker', { ...env, METRICS_PORT: String(await findFreePort()) });
    const carla = await hub.login(LOGINS.carla);
    const id = await openApplication(hub, alex);
    const held = crm.holdNext();
    await driveTo(hub, alex, id, 'approved', { approvers: [carla] });
    // The account-creation activity is in the CRM's hands when the worker is told to stop.
    await held.arrived;
    const exited = worker.terminate();
    await worker.logged('worker stopping');
    held.release();
    expect(await exited).toBe(0);
    expect(worker.output()).not.toMatch(/did not stop (cleanly|within)/);

    await hub.startWorker();
    await waitForStatus(hub.sql, id, 'account_created', 60_000);
    // Completed on the stopping worker: one CRM call, none retried elsewhere.
    expect(crm.calls.map((call) => call.status)).toEqual([201]);
    await hub.stopWorker();
  }, 240_000);
});
