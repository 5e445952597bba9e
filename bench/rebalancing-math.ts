import {
  computeDrift,
  type ModelPortfolio,
  type Portfolio,
  type Prices,
  type Security,
} from '../workflows/rebalancing/portfolio-math.js';
import { proposeRebalance, type RebalanceOptions } from '../workflows/rebalancing/proposal.js';
import { summarize, type Benchmark } from './support/benchmark.js';

/** A large book: 40 securities in 8 asset classes, 3 lots each, drifted away from an equal-weight model. */
const SECURITIES: Security[] = Array.from({ length: 40 }, (_, i) => ({
  id: `sec-${i}`,
  symbol: `S${i}`,
  name: `Security ${i}`,
  assetClass: `class-${i % 8}`,
  fractional: i % 2 === 0,
}));
const PRICES: Prices = Object.fromEntries(SECURITIES.map((s, i) => [s.id, (20 + i * 7.31).toFixed(6)]));
const MODEL: ModelPortfolio = {
  id: 'equal',
  name: 'Equal weight',
  cashWeight: '0.02',
  bands: { absolute: '0.05', relative: '0.25', relativeFloor: '0.005' },
  targets: SECURITIES.map((s) => ({ securityId: s.id, assetClass: s.assetClass, weight: '0.0245' })),
};
const BOOK: Portfolio = {
  id: 'pf-bench',
  accountNumber: 'INV-BENCH',
  cash: '125000.37',
  currency: 'USD',
  lots: SECURITIES.flatMap((s, i) =>
    [0, 1, 2].map((n) => ({
      id: `${s.id}-${n}`,
      securityId: s.id,
      quantity: s.fractional ? (100 + i * 13.123457 + n).toFixed(6) : String(100 + i * 13 + n),
      costBasisPerUnit: (18 + i * 7 + n * 1.5).toFixed(6),
      acquiredOn: `202${n}-0${1 + (i % 9)}-15`,
    })),
  ),
};
const OPTIONS: RebalanceOptions = {
  cashBufferWeight: '0.02',
  minTradeValue: '100',
  commissionPerTrade: '1',
  commissionRate: '0.0005',
  recentTrades: [],
};
const RUNS = Number(process.env.BENCH_REBALANCING_RUNS ?? 200);
/** A proposal is computed inside a workflow task, which Temporal fails after 10 s by default. */
const WORKFLOW_TASK_TIMEOUT_MS = 10_000;

function time(work: () => unknown): number[] {
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i += 1) {
    const started = performance.now();
    work();
    samples.push(performance.now() - started);
  }
  return samples;
}

const benchmark: Benchmark = {
  name: 'rebalancing-math',
  description:
    `Exact decimal math on a 40-security, 120-lot portfolio, ${RUNS} times each: drift and a full tax-aware proposal, ` +
    'against the workflow task timeout the proposal must fit in (limit).',
  async run() {
    const drift = summarize(time(() => computeDrift(BOOK, MODEL, SECURITIES, PRICES)).map((ms) => ms * 1000));
    const input = {
      portfolio: BOOK,
      model: MODEL,
      securities: SECURITIES,
      prices: PRICES,
      asOf: '2026-11-20',
      options: OPTIONS,
    };
    const proposal = summarize(time(() => proposeRebalance(input)).map((ms) => ms * 1000));
    const ms = (us: number) => (us / 1000).toFixed(2);
    return {
      columns: ['path', 'p50 ms', 'p95 ms', 'max ms'],
      rows: [
        ['drift of one portfolio', ms(drift.p50), ms(drift.p95), ms(drift.max)],
        ['proposal (sizing, lots, fills, drift after)', ms(proposal.p50), ms(proposal.p95), ms(proposal.max)],
        ['workflow task timeout (limit)', WORKFLOW_TASK_TIMEOUT_MS, WORKFLOW_TASK_TIMEOUT_MS, WORKFLOW_TASK_TIMEOUT_MS],
      ],
    };
  },
};

export default benchmark;
