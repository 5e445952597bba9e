import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { findFreePort } from '../../runtime/ports.js';
import { DEMO_PASSWORD } from '../../runtime/seed-demo.js';
import { LOGINS, PRODUCTS_BODY } from '../support/account-opening.js';
import { startTestHub, type TestHub } from '../support/hub.js';
import { startHubProcess, type HubProcess } from '../support/hub-process.js';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver.js';

const SERVER = 2;

describe('traces exported over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set', () => {
  let hub: TestHub;
  let receiver: OtlpReceiver;
  let url: string;
  const processes: HubProcess[] = [];
  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    hub = await startTestHub({ worker: false });
    const port = await findFreePort();
    const env = {
      DATABASE_URL: hub.config.DATABASE_URL!,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_TASK_QUEUE: hub.taskQueue,
      HUB_DATA_DIR: hub.config.HUB_DATA_DIR,
      HOST: '127.0.0.1',
      PORT: String(port),
      METRICS_PORT: String(await findFreePort()),
      REBALANCE_SCHEDULE_PAUSED: 'true',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    };
    processes.push(await startHubProcess('worker', env), await startHubProcess('server', env));
    url = `http://127.0.0.1:${port}`;
  }, 180_000);
  afterAll(async () => {
    // Stopping flushes what the exporters still hold.
    for (const process of processes) await process.terminate();
    await receiver?.stop();
    await hub?.stop();
  });

  it('follows one command from the HTTP request through the Update and the activity to its transaction', async () => {
    const post = async (path: string, body: unknown, token?: string) => {
      const response = await fetch(`${url}/api${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(body),
      });
      expect(response.status, path).toBeLessThan(300);
      return (await response.json()) as Record<string, any>;
    };
    const { token } = await post('/auth/login', { email: LOGINS.alex, password: DEMO_PASSWORD });
    const { application_id: id } = await post(
      '/applications',
      {
        client_id: 'cli_chris_carter',
        account_type: 'individual',
      },
      token,
    );
    await post(`/applications/${id}/products`, PRODUCTS_BODY, token);

    const isUpdate = (s: ReceivedSpan) => s.name.startsWith('StartWorkflowUpdate:');
    const trace = await receiver.until((spans) => {
      // The Update's trace, once its transaction's span has arrived too.
      const update = spans.find((s) => isUpdate(s) && s.service === 'ops-hub-server');
      const traced = update && spans.filter((s) => s.trace_id === update.trace_id);
      return traced?.some((s) => s.name === 'transaction recordTransition') ? traced : undefined;
    }, "the products command's trace down to its transaction");

    const byId = new Map(trace.map((s) => [s.span_id, s]));
    const chain = (span: ReceivedSpan): string[] => {
      const parent = span.parent_span_id ? byId.get(span.parent_span_id) : undefined;
      return [...(parent ? chain(parent) : []), `${span.service}:${span.name}`];
    };
    const transaction = trace.find((s) => s.name === 'transaction recordTransition')!;
    expect(transaction.attributes['ops_hub.process_id']).toBe(id);
    expect(transaction.attributes['ops_hub.action']).toBe('select_products');
    const path = chain(transaction);
    // One unbroken line of parents, from the HTTP request on the server to the transaction on the worker.
    expect(trace.find((s) => s.parent_span_id === null)).toMatchObject({ kind: SERVER, service: 'ops-hub-server' });
    expect(path[0]).toMatch(/^ops-hub-server:POST/);
    const at = (pattern: RegExp) => path.findIndex((step) => pattern.test(step));
    const steps = [
      at(/^ops-hub-server:POST/),
      at(/^ops-hub-server:StartWorkflowUpdate:/),
      at(/^ops-hub-worker:HandleUpdate:/),
      at(/^ops-hub-worker:RunActivity:/),
      at(/^ops-hub-worker:transaction recordTransition$/),
    ];
    expect(
      steps.every((step) => step >= 0),
      path.join(' → '),
    ).toBe(true);
    expect([...steps].sort((a, b) => a - b)).toEqual(steps);
    console.info(`trace of one command: ${path.join(' → ')}`);
  }, 120_000);
});
