import type { Queryable } from '../../db/client.js';
import { getProcess, type ProcessRow } from '../../db/processes.js';
import type { ApplicationRecord } from '../../workflows/account-opening/definitions.js';
import { accountOpeningSpec } from '../../workflows/account-opening/spec.js';
import type { SlaSnapshot } from '../../workflows/process-records.js';

/** What Slack shows of an SLA clock. */
export type SlaView = Pick<SlaSnapshot, 'status' | 'deadline' | 'paused'>;

/** An application as Slack shows it: the read model's record and SLA, and the names behind the ids. */
export interface ApplicationSummary {
  record: ApplicationRecord;
  sla: SlaView | null;
  /** Hub user id → display name, for everyone the record mentions. */
  names: Record<string, string>;
  boardUrl: string;
}

export function boardUrlFor(publicUrl: string, processId: string): string {
  return `${publicUrl.replace(/\/$/, '')}/#/process/${encodeURIComponent(processId)}`;
}

export async function userNames(db: Queryable, ids: (string | null | undefined)[]): Promise<Record<string, string>> {
  const wanted = [...new Set(ids.filter((id): id is string => Boolean(id)))];
  if (wanted.length === 0) return {};
  const rows = await db`SELECT id, name FROM users WHERE id = ANY(${wanted})`;
  return Object.fromEntries(rows.map((r) => [r.id as string, r.name as string]));
}

export function summaryNames(record: ApplicationRecord): (string | null)[] {
  return [record.advisor_id, record.assigned_officer_id, record.decided_by, record.opened_by, ...record.approvals.map((a) => a.approved_by)];
}

export async function loadApplicationSummary(db: Queryable, processId: string, publicUrl: string): Promise<ApplicationSummary | undefined> {
  const row = await getProcess(db, processId);
  if (!row || row.process_type !== accountOpeningSpec.processType) return undefined;
  const record = row.detail as unknown as ApplicationRecord;
  return { record, sla: row.sla, names: await userNames(db, summaryNames(record)), boardUrl: boardUrlFor(publicUrl, processId) };
}

/** Several at once, in the order asked. */
export async function loadApplicationSummaries(db: Queryable, processIds: string[], publicUrl: string): Promise<ApplicationSummary[]> {
  if (processIds.length === 0) return [];
  const rows = (await db`
    SELECT process_id, sla, detail FROM processes
    WHERE process_id = ANY(${processIds}) AND process_type = ${accountOpeningSpec.processType}`) as unknown as Pick<ProcessRow, 'process_id' | 'sla' | 'detail'>[];
  const byId = new Map(rows.map((row) => [row.process_id, row]));
  const records = processIds.flatMap((id) => (byId.has(id) ? [byId.get(id)!] : []));
  const names = await userNames(db, records.flatMap((row) => summaryNames(row.detail as unknown as ApplicationRecord)));
  return records.map((row) => ({
    record: row.detail as unknown as ApplicationRecord,
    sla: row.sla,
    names,
    boardUrl: boardUrlFor(publicUrl, row.process_id),
  }));
}
