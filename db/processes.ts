import { toWireNumber } from '../workflows/money.js';
import type { VisibilityFilter } from '../workflows/policy.js';
import type { ProcessCard } from '../workflows/process-records.js';
import type { Queryable } from './client.js';

/** A `processes` row: the card the workflow last recorded, plus who and what it is about. */
export interface ProcessRow extends ProcessCard {
  process_id: string;
  /** Where the process belongs: its client's team and that team's office. */
  office_id: string | null;
  team_id: string | null;
  process_type: string;
  version: number;
  detail: Record<string, unknown>;
  created_at: string;
  updated_at: string;
}

/** amount is numeric, which arrives as its exact text; the card carries it as the JSON number that holds it. */
function processRowOf(row: Record<string, unknown>): ProcessRow {
  return { ...row, amount: row.amount === null ? null : toWireNumber(row.amount as string) } as ProcessRow;
}

export async function getProcess(db: Queryable, processId: string): Promise<ProcessRow | undefined> {
  const [row] = await db`SELECT * FROM processes WHERE process_id = ${processId}`;
  return row && processRowOf(row);
}

/** The policy's visibility over `processes` (under `table` when the query aliases or joins it). */
export function visibilityCondition(db: Queryable, visibility: VisibilityFilter, table?: string) {
  const column = (name: string) => db(table ? `${table}.${name}` : name);
  if ('none' in visibility) return db`AND false`;
  if ('advisor_id' in visibility) return db`AND ${column('advisor_id')} = ${visibility.advisor_id}`;
  if ('client_user_id' in visibility) return db`AND ${column('client_user_id')} = ${visibility.client_user_id}`;
  if ('office_id' in visibility) return db`AND ${column('office_id')} = ${visibility.office_id}`;
  if ('team_id' in visibility) return db`AND ${column('team_id')} = ${visibility.team_id}`;
  return db``;
}

export interface ProcessFilters {
  process_type?: string;
  status?: string[];
  client_id?: string;
  advisor_id?: string;
  limit: number;
  /** Keyset paging: rows updated before this (updated_at, process_id). */
  before?: { updated_at: string; process_id: string };
}

export async function listProcesses(
  db: Queryable,
  visibility: VisibilityFilter,
  filters: ProcessFilters,
): Promise<ProcessRow[]> {
  const rows = await listProcessesQuery(db, visibility, filters);
  return rows.map(processRowOf);
}

/** The list's one query, not yet run: awaited by listProcesses, and nested in an EXPLAIN by the benchmark. */
export function listProcessesQuery(db: Queryable, visibility: VisibilityFilter, filters: ProcessFilters) {
  return db`
    SELECT * FROM processes
    WHERE true
      ${visibilityCondition(db, visibility)}
      ${filters.process_type ? db`AND process_type = ${filters.process_type}` : db``}
      ${filters.status?.length ? db`AND status = ANY(${filters.status})` : db``}
      ${filters.client_id ? db`AND client_id = ${filters.client_id}` : db``}
      ${filters.advisor_id ? db`AND advisor_id = ${filters.advisor_id}` : db``}
      ${filters.before ? db`AND (updated_at, process_id) < (${filters.before.updated_at}, ${filters.before.process_id})` : db``}
    ORDER BY updated_at DESC, process_id DESC
    LIMIT ${filters.limit}`;
}
