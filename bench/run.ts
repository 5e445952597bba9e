import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
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
  () => import('./account-openings.js'),
  () => import('./api-throughput.js'),
  () => import('./socket-fan-out.js'),
  () => import('./notification-jobs.js'),
  () => import('./document-uploads.js'),
  () => import('./rebalancing-math.js'),
  () => import('./audit-trail.js'),
  // Last: it adds ten thousand cards, which the benchmarks above would otherwise read.
  () => import('./board-with-many-cards.js'),
];

function printTable(name: string, description: string, result: BenchResult) {
  const cells = [result.columns, ...result.rows.map((row) => row.map(String))];
  const widths = result.columns.map((_, i) => Math.max(...cells.map((row) => row[i]?.length ?? 0)));
  const line = (row: string[]) =>
    `| ${row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join(' | ')} |`;
  console.log(`\n## ${name}\n${description}\n`);
  console.log(line(result.columns));
  console.log(`|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
  for (const row of cells.slice(1)) console.log(line(row));
  for (const note of result.notes ?? []) console.log(`\n${note}`);
}

const RESULTS_DIR = path.resolve('bench/results');

type RunFile = { at: string; load_average: number[]; cpus: number; results: Record<string, BenchResult> };

async function previousRun(): Promise<RunFile | undefined> {
  const files = (await readdir(RESULTS_DIR).catch(() => [] as string[])).filter((f) => f.endsWith('.json')).sort();
  const last = files.at(-1);
  return last ? (JSON.parse(await readFile(path.join(RESULTS_DIR, last), 'utf8')) as RunFile) : undefined;
}

/** Each numeric cell against the same row and column of the previous run, so a regression shows. */
function printChange(name: string, result: BenchResult, before: BenchResult | undefined) {
  if (!before) return;
  const changes: string[] = [];
  for (const row of result.rows) {
    const old = before.rows.find((r) => r[0] === row[0]);
    if (!old) continue;
    row.forEach((cell, i) => {
      const was = old[i];
      if (i === 0 || typeof cell !== 'number' || typeof was !== 'number' || was === 0) return;
      const pct = ((cell - was) / Math.abs(was)) * 100;
      if (Math.abs(pct) >= 1)
        changes.push(`${row[0]} · ${result.columns[i]}: ${was} -> ${cell} (${pct > 0 ? '+' : ''}${pct.toFixed(0)}%)`);
    });
  }
  console.log(`
Change against the previous run (${name}):${changes.length ? '' : ' none over 1%'}`);
  for (const line of changes) console.log(`  ${line}`);
}

const log = createLogger(loadConfig({ ...process.env, LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn' }), 'bench');
const wanted = process.argv.slice(2);
let hub: Promise<BenchHub> | undefined;
const context: BenchContext = { log, hub: () => (hub ??= startBenchHub(log)) };

let failed = false;
const previous = await previousRun();
const run: RunFile = { at: new Date().toISOString(), load_average: os.loadavg(), cpus: os.cpus().length, results: {} };
try {
  for (const load of BENCHMARKS) {
    const { default: benchmark } = await load();
    if (wanted.length && !wanted.includes(benchmark.name)) continue;
    try {
      const result = await benchmark.run(context);
      run.results[benchmark.name] = result;
      printTable(benchmark.name, benchmark.description, result);
      printChange(benchmark.name, result, previous?.results[benchmark.name]);
    } catch (error) {
      failed = true;
      console.error(`\n## ${benchmark.name} failed: ${error instanceof Error ? error.stack : String(error)}`);
    }
  }
} finally {
  if (hub) await (await hub).stop();
  await mkdir(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${run.at.replace(/[:.]/g, '-')}.json`);
  await writeFile(file, `${JSON.stringify({ ...run, load_average_after: os.loadavg() }, null, 2)}\n`);
  console.log(
    `\nResults written to ${path.relative(process.cwd(), file)} (load average at start ${run.load_average.map((l) => l.toFixed(1)).join(' ')})`,
  );
}
process.exit(failed ? 1 : 0);
