import type { Logger } from '../../runtime/logger.js';
import type { BenchHub } from './bench-hub.js';

/** What every benchmark gets: a shared hub, started on first use, and the run's logger. */
export interface BenchContext {
  hub(): Promise<BenchHub>;
  log: Logger;
}

/** A table: the measured path and its baseline, measured in the same run, one row each. */
export interface BenchResult {
  columns: string[];
  rows: (string | number)[][];
  notes?: string[];
}

export interface Benchmark {
  name: string;
  description: string;
  run(context: BenchContext): Promise<BenchResult>;
}

/** Percentiles over samples, rounded to whole units. */
export function summarize(samples: number[]): {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  mean: number;
  max: number;
} {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;
  const mean = sorted.reduce((sum, v) => sum + v, 0) / (sorted.length || 1);
  return {
    n: sorted.length,
    p50: Math.round(at(0.5)),
    p95: Math.round(at(0.95)),
    p99: Math.round(at(0.99)),
    mean: Math.round(mean),
    max: Math.round(sorted.at(-1) ?? NaN),
  };
}
