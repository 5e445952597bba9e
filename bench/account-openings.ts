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

async function runAt(hub: BenchHub, concurrency: number, advisor: string, compliance: string) {
  const applications = watchApplications(hub);
  const durations: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < OPENINGS) {
        next++;
        durations.push(await openAccount(hub, advisor, compliance, applications));
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await applications.stop();
  return { perSecond: durations.length / seconds, ...summarize(durations) };
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
    for (const concurrency of [1, 8, 32]) {
      const r = await runAt(hub, concurrency, advisor, compliance);
      rows.push([
        concurrency === 1 ? 'one at a time (baseline)' : `${concurrency} at once`,
        r.perSecond.toFixed(1),
        r.p50,
        r.p95,
        r.max,
      ]);
    }
    return {
      columns: ['openings', 'accounts / s', 'p50 ms', 'p95 ms', 'max ms'],
      rows,
      notes: [
        'Each opening is 7 API commands, 9 recorded transitions (each one PostgreSQL transaction) and a CRM booking; the server, worker, PostgreSQL and Temporal share the machine.',
      ],
    };
  },
};

export default benchmark;
