import { loadConfig } from '../runtime/config.js';
import { createLogger } from '../runtime/logger.js';
import type { Benchmark, BenchContext, BenchResult } from './support/benchmark.js';
import { startBenchHub, type BenchHub } from './support/bench-hub.js';

/**
 * `npm run bench [name …]`: every benchmark (or those named), each measured against its baseline in the
 * same run. A benchmark is one file exporting a Benchmark by default, listed here on one line.
 */
const BENCHMARKS: (() => Promise<{ default: Benchmark }>)[] = [
  () => import('./state-change-to-board.js'),
  () => import('./board-with-many-cards.js'),
  () => import('./account-openings.js'),
  () => import('./api-throughput.js'),
  () => import('./notification-jobs.js'),
  () => import('./document-uploads.js'),
  () => import('./rebalancing-math.js'),
  () => import('./audit-trail.js'),
];

function printTable(name: string, description: string, result: BenchResult) {
  const cells = [result.columns, ...result.rows.map((row) => row.map(String))];
  const widths = result.columns.map((_, i) => Math.max(...cells.map((row) => row[i]?.length ?? 0)));
  const line = (row: string[]) => `| ${row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join(' | ')} |`;
  console.log(`\n## ${name}\n${description}\n`);
  console.log(line(result.columns));
  console.log(`|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
  for (const row of cells.slice(1)) console.log(line(row));
  for (const note of result.notes ?? []) console.log(`\n${note}`);
}

const log = createLogger(loadConfig({ ...process.env, LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn' }), 'bench');
const wanted = process.argv.slice(2);
let hub: Promise<BenchHub> | undefined;
const context: BenchContext = { log, hub: () => (hub ??= startBenchHub(log)) };

let failed = false;
try {
  for (const load of BENCHMARKS) {
    const { default: benchmark } = await load();
    if (wanted.length && !wanted.includes(benchmark.name)) continue;
    try {
      printTable(benchmark.name, benchmark.description, await benchmark.run(context));
    } catch (error) {
      failed = true;
      console.error(`\n## ${benchmark.name} failed: ${error instanceof Error ? error.stack : String(error)}`);
    }
  }
} finally {
  if (hub) await (await hub).stop();
}
process.exit(failed ? 1 : 0);
