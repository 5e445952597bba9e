import { stringify } from 'csv-stringify/sync';
import { Decimal } from 'decimal.js';
import { appendAudit } from '../db/audit.js';
import { listCards, type BoardCard, type CardFilters } from '../db/board.js';
import type { Sql } from '../db/client.js';
import { visibilityFilter } from '../workflows/policy.js';
import type { Actor } from '../workflows/process-records.js';
import { specFor } from '../workflows/specs.js';
import { HubError } from '../workflows/errors.js';
import { auditedWork } from './admin-access.js';
import { toHubError } from './errors.js';

/** One card's outcome in a bulk command: done, or refused with the code and message a single command gets. */
export type BulkOutcome =
  { process_id: string; ok: true; status: string } | { process_id: string; ok: false; code: string; message: string };

/**
 * Runs one command per process, one after another, each through the same command path as a single one (so each
 * is checked, audited and idempotent by itself); a refusal of one is reported and the rest go on.
 */
export async function runForEach(
  processIds: readonly string[],
  run: (processId: string) => Promise<{ status: string }>,
): Promise<BulkOutcome[]> {
  const outcomes: BulkOutcome[] = [];
  for (const processId of new Set(processIds)) {
    try {
      const { status } = await run(processId);
      outcomes.push({ process_id: processId, ok: true, status });
    } catch (error) {
      const { code, message } = toHubError(error);
      outcomes.push({ process_id: processId, ok: false, code, message });
    }
  }
  return outcomes;
}

/** The most rows one export holds: the board itself loads no more than this. */
export const EXPORT_LIMIT = 2000;

const CSV_COLUMNS = [
  'process_id',
  'process_type',
  'title',
  'state',
  'advisor',
  'amount',
  'currency',
  'sla_status',
  'sla_deadline',
  'in_state_since',
  'flags',
] as const;

/**
 * A spreadsheet runs a cell that starts with = + - @ (or a tab or carriage return) as a formula: such a cell is
 * written with a leading apostrophe, which the spreadsheet shows as text (OWASP's CSV injection advice).
 */
export function neutralizeFormula(cell: string): string {
  return /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}

function rowOf(card: BoardCard, stateLabel: (state: string) => string): string[] {
  return [
    card.process_id,
    card.process_type,
    card.title,
    stateLabel(card.status),
    card.advisor_name ?? card.advisor_id ?? '',
    card.amount === null ? '' : new Decimal(card.amount).toFixed(),
    card.currency ?? '',
    card.sla ? (card.sla.paused ? 'paused' : card.sla.status) : '',
    card.sla?.deadline ?? '',
    card.status_entered_at,
    card.flags.join(' '),
  ].map(neutralizeFormula);
}

/** The board of one process type as the person sees it, filtered as on screen, as CSV (RFC 4180 quoting). */
export async function exportBoardCsv(
  sql: Sql,
  actor: Actor,
  processType: string,
  filters: Omit<CardFilters, 'limit' | 'before'>,
): Promise<string> {
  return auditedWork(sql, actor, 'export_board', { type: 'board', id: processType }, async () => {
    const spec = specFor(processType);
    if (!spec)
      throw new HubError('VALIDATION_FAILED', `process_type: no process type ${processType}`, {
        field: 'process_type',
      });
    const visibility = visibilityFilter(spec, actor);
    if ('none' in visibility) throw new HubError('FORBIDDEN', `You may not see ${spec.title.toLowerCase()} processes`);
    const unknown = filters.status?.find((state) => !spec.states.some((s) => s.id === state));
    if (unknown)
      throw new HubError('VALIDATION_FAILED', `status: ${unknown} is not a state of ${processType}`, {
        field: 'status',
      });
    const types = [{ process_type: processType, visibility }];
    const cards = await listCards(sql, types, { ...filters, limit: EXPORT_LIMIT });
    const label = (state: string) => spec.states.find((s) => s.id === state)?.label ?? state;
    await appendAudit(sql, {
      process_type: 'board',
      process_id: processType,
      actor,
      action: 'export_board',
      outcome: 'accepted',
      details: { filters, rows: cards.length },
    });
    return stringify([[...CSV_COLUMNS], ...cards.map((card) => rowOf(card, label))]);
  });
}
