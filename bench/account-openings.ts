import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { PROCESS_CHANGED_CHANNEL } from '../db/transitions.js';
import type { BenchHub } from './support/bench-hub.js';
import { summarize, type Benchmark } from './support/benchmark.js';

const OPENINGS = Number(process.env.BENCH_OPENINGS ?? 60);
const STEPS: [string, unknown][] = [
  ['products', { selected_products: ['prd_global_equity_index', 'prd_core_bond'] }],
  ['risk-assessment', { risk_score: 70, investment_objective: 'growth', investment_horizon: 'long_term' }],
  ['terms', { terms_accepted: true }],
  [
    'funding',
    { funding_method: 'wire_transfer', initial_investment_amount: 50_000, currency: 'USD', source_of_funds: 'savings' },
  ],
];

/** Resolves when an application reaches a status, as the read model announces it (NOTIFY process_changed). */
function watchApplications(hub: BenchHub) {
  const waiting = new Map<string, { status: string; resolve: () => void }>();
  const check = async (id: string) => {
    const wanted = waiting.get(id);
    if (!wanted) return;
    const [row] = await hub.sql`SELECT status FROM processes WHERE process_id = ${id}`;
    if (row?.status === wanted.status && waiting.get(id) === wanted) {
      waiting.delete(id);
      wanted.resolve();
    }
  };
  const subscription = hub.sql.listen(
    PROCESS_CHANGED_CHANNEL,
    (payload) => void check((JSON.parse(payload) as { process_id: string }).process_id),
  );
  return {
    reached: async (id: string, status: string) => {
      await subscription;
      const done = new Promise<void>((resolve) => waiting.set(id, { status, resolve }));
      await check(id);
      return done;
    },
    stop: async () => (await subscription).unlisten(),
  };
}

/** One account opened as people do it: an advisor's six commands, compliance's approval, the CRM booking. */
async function openAccount(
  hub: BenchHub,
  advisor: string,
  compliance: string,
  applications: ReturnType<typeof watchApplications>,
): Promise<number> {
  const started = performance.now();
  const { application_id: id } = await hub.api<{ application_id: string }>(advisor, 'POST', '/applications', {
    client_id: 'cli_chris_carter',
    account_type: 'individual',
  });
  for (const [path, body] of STEPS) await hub.api(advisor, 'POST', `/applications/${id}/${path}`, body);
  // The system moves the application into review on its own; approve as soon as it is there.
  await applications.reached(id, 'compliance_review');
  await hub.api(compliance, 'POST', `/applications/${id}/approve`, {});
  await applications.reached(id, 'account_created');
  return performance.now() - started;
}

/** OPENINGS runs of `open`, `concurrency` at a time: their rate and durations. */
async function openAll(concurrency: number, open: (index: number) => Promise<number>) {
  const durations: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < OPENINGS) durations.push(await open(next++));
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { perSecond: durations.length / seconds, ...summarize(durations) };
}

async function runAt(hub: BenchHub, concurrency: number, advisor: string, compliance: string) {
  const applications = watchApplications(hub);
  const result = await openAll(concurrency, () => openAccount(hub, advisor, compliance, applications));
  await applications.stop();
  return result;
}

/**
 * The engine's limit on the same dev server: a bare workflow of one empty activity per opening, on a worker
 * of its own task queue, started and awaited through the Temporal client.
 */
async function bareWorkflowsAt(temporalAddress: string, concurrencies: number[]) {
  const taskQueue = 'bench-bare-workflow';
  const connection = await NativeConnection.connect({ address: temporalAddress });
  const worker = await Worker.create({
    connection,
    taskQueue,
    workflowsPath: fileURLToPath(new URL('./support/bare-workflow.ts', import.meta.url)),
    activities: { recordOpening: async () => {} },
  });
  const running = worker.run();
  const client = new Client({ connection: await Connection.connect({ address: temporalAddress }) });
  try {
    const run = (concurrency: number, round: string) =>
      openAll(concurrency, async (index) => {
        const started = performance.now();
        const workflowId = `bare-${round}-${index}`;
        await client.workflow.execute('bareOpening', { taskQueue, workflowId, args: [workflowId] });
        return performance.now() - started;
      });
    await run(2, 'warm-up');
    const results = new Map<number, Awaited<ReturnType<typeof run>>>();
    for (const concurrency of concurrencies) results.set(concurrency, await run(concurrency, `c${concurrency}`));
    return results;
  } finally {
    worker.shutdown();
    await running;
    await client.connection.close();
    await connection.close();
  }
}

const benchmark: Benchmark = {
  name: 'account-openings',
  description: `${OPENINGS} accounts opened end to end through the API (start, 4 steps, approval, CRM booking), one at a time (baseline) and concurrently. The blueprint's target is under 5 s from request to completion.`,
  async run({ hub: startHub }) {
    const hub = await startHub();
    const [advisor, compliance] = await Promise.all([
      hub.login('alex.advisor@hub.example'),
      hub.login('carla.compliance@hub.example'),
    ]);
    await runAt(hub, 2, advisor, compliance); // warm-up: the first workflows pay for the worker's start
    const rows: (string | number)[][] = [];
    const hubAt = new Map<number, number>();
    for (const concurrency of [1, 8, 32]) {
      const r = await runAt(hub, concurrency, advisor, compliance);
      hubAt.set(concurrency, r.perSecond);
      rows.push([
        concurrency === 1 ? 'hub, one at a time' : `hub, ${concurrency} at once`,
        Number(r.perSecond.toFixed(2)),
        r.p50,
        r.p95,
        r.max,
      ]);
    }
    const bare = await bareWorkflowsAt(hub.temporalAddress, [1, 32]);
    for (const [concurrency, r] of bare) {
      rows.push([
        `bare workflow, ${concurrency === 1 ? 'one at a time' : `${concurrency} at once`} (baseline)`,
        Number(r.perSecond.toFixed(2)),
        r.p50,
        r.p95,
        r.max,
      ]);
    }
    const ratio = hubAt.get(32)! / bare.get(32)!.perSecond;
    rows.push(['hub ÷ bare workflow at 32 at once (target ≥ 0.3)', Number(ratio.toFixed(3)), '', '', '']);
    return {
      columns: ['openings', 'per s', 'p50 ms', 'p95 ms', 'max ms'],
      rows,
      notes: [
        'Each hub opening is 7 API commands, 9 recorded transitions (each one PostgreSQL transaction) and a CRM booking; a bare workflow is one start, one empty activity and its result, on the same Temporal dev server. The server, worker, PostgreSQL and Temporal share the machine.',
      ],
    };
  },
};

export default benchmark;
