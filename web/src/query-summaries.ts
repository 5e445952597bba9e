import { answerOf, hub } from './api.js';
import type { Schema } from './api-types.js';
import type { QueriesSummary } from './query-threads.js';

/** Waits this long to gather the processes whose summaries to fetch in one request. */
const BATCH_MS = 150;
/** The API takes at most 20,000 characters of ids per request. */
const MAX_IDS_CHARS = 18_000;

/** Ids in groups whose comma-joined length stays under `maxChars`. Pure, unit-tested. */
export function batchIds(ids: readonly string[], maxChars = MAX_IDS_CHARS): string[][] {
  const batches: string[][] = [];
  let current: string[] = [];
  let length = 0;
  for (const id of ids) {
    if (current.length && length + 1 + id.length > maxChars) {
      batches.push(current);
      current = [];
      length = 0;
    }
    length += (current.length ? 1 : 0) + id.length;
    current.push(id);
  }
  if (current.length) batches.push(current);
  return batches;
}

/**
 * The board's query summaries, per process: open queries, the signed-in person's unread count, and
 * whom the process waits on. Loaded for the whole board in one request; after that, the processes a
 * change touched are gathered for a moment and fetched together, never one request per card.
 */
export class QuerySummaries {
  private readonly byProcess = new Map<string, QueriesSummary>();
  private readonly stale = new Set<string>();
  private timer: number | undefined;
  private generation = 0;

  constructor(private readonly changed: (processIds: string[]) => void) {}

  get(processId: string): QueriesSummary | undefined {
    return this.byProcess.get(processId);
  }

  /** Every process the person may see that has queries. */
  async loadAll(): Promise<void> {
    const generation = ++this.generation;
    const { processes } = await answerOf(hub.GET('/api/queries/summary'));
    if (generation !== this.generation) return;
    const touched = new Set([...this.byProcess.keys(), ...processes.map((p) => p.process_id)]);
    this.byProcess.clear();
    for (const row of processes)
      this.byProcess.set(row.process_id, { open: row.open, unread: row.unread, waiting_on: row.waiting_on });
    this.changed([...touched]);
  }

  /** What a drawer, which holds every thread of its process, knows now. */
  set(processId: string, summary: QueriesSummary): void {
    const current = this.byProcess.get(processId);
    if (
      current &&
      current.open === summary.open &&
      current.unread === summary.unread &&
      current.waiting_on === summary.waiting_on
    )
      return;
    this.byProcess.set(processId, summary);
    this.changed([processId]);
  }

  /** These processes' queries changed: fetch their summaries soon, together. */
  refresh(processIds: Iterable<string>): void {
    for (const id of processIds) this.stale.add(id);
    if (this.stale.size === 0 || this.timer !== undefined) return;
    this.timer = window.setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, BATCH_MS);
  }

  destroy(): void {
    clearTimeout(this.timer);
    this.generation += 1;
    this.stale.clear();
  }

  private async flush() {
    const ids = [...this.stale];
    this.stale.clear();
    const generation = this.generation;
    for (const batch of batchIds(ids)) {
      let rows: Schema<'ProcessQueriesSummary'>[];
      try {
        const query = { process_ids: batch.join(',') };
        rows = (await answerOf(hub.GET('/api/queries/summary', { params: { query } }))).processes;
      } catch {
        continue; // the next change or reconnect fetches them again
      }
      if (generation !== this.generation) return;
      const found = new Map(rows.map((row) => [row.process_id, row]));
      for (const id of batch) {
        const row = found.get(id);
        if (row) this.byProcess.set(id, { open: row.open, unread: row.unread, waiting_on: row.waiting_on });
        else this.byProcess.delete(id);
      }
      this.changed(batch);
    }
  }
}
