import canonicalize from 'canonicalize';
import { stringify } from 'csv-stringify/sync';
import { AUDIT_ROW_FIELDS, auditContentOf, type ChainedAuditRow } from '../db/audit-chain.js';
import { appendAudit, auditRowsInOrder, type AuditRange } from '../db/audit.js';
import type { Sql } from '../db/client.js';
import { accountOpeningSpec } from '../workflows/account-opening/spec.js';
import { visibilityFilter } from '../workflows/policy.js';
import type { Actor } from '../workflows/process-records.js';
import { requireAuditReader } from './audit-access.js';

export type ExportFormat = 'ndjson' | 'csv';

export interface AuditExportRequest extends AuditRange {
  from: string;
  to: string;
  format: ExportFormat;
}

/** The first line of an NDJSON export: what it covers and how a receiver checks it. */
export interface ExportHeader {
  format_version: 1;
  from: string;
  to: string;
  process_id: string | null;
  user_id: string | null;
  /** Whether the rows are neighbours in the chain (a period of the whole trail), so each links to the one before. */
  linked: boolean;
  exported_at: string;
  exported_by: string;
  hash: string;
}

export const EXPORT_HASH_RULE =
  'hash = SHA-256 (hex) of the RFC 8785 canonical JSON of the row without its "hash" field; prev_hash is the hash of the row before it in the chain';

/**
 * A period of the trail, optionally one process's or one user's rows, as text chunks to stream: NDJSON
 * (a header line, one row per line, an end line with the count) or CSV (details as canonical JSON). Every
 * row carries its chain hashes, so `npm run audit:verify -- --file` checks it without the database. The
 * export itself is audited before its first byte.
 */
export async function exportAuditTrail(
  sql: Sql,
  actor: Actor,
  request: AuditExportRequest,
): Promise<AsyncGenerator<string>> {
  requireAuditReader(actor, 'export the audit trail');
  const { format, ...requested } = request;
  // A reader scoped to an office or team exports the rows of that part of the firm's processes only.
  const visibility = visibilityFilter(accountOpeningSpec, actor);
  const range = 'all' in visibility ? requested : { ...requested, within: visibility };
  await appendAudit(sql, {
    process_type: 'audit',
    process_id: null,
    actor,
    action: 'export_audit',
    outcome: 'accepted',
    details: {
      format,
      from: range.from,
      to: range.to,
      process_id: range.process_id ?? null,
      user_id: range.user_id ?? null,
    },
  });
  const header: ExportHeader = {
    format_version: 1,
    from: range.from,
    to: range.to,
    process_id: range.process_id ?? null,
    user_id: range.user_id ?? null,
    linked: !range.process_id && !range.user_id && !range.within,
    exported_at: new Date().toISOString(),
    exported_by: actor.user_id,
    hash: EXPORT_HASH_RULE,
  };
  return format === 'csv' ? csvChunks(sql, range) : ndjsonChunks(sql, range, header);
}

function exportedRow(row: Record<string, unknown>): ChainedAuditRow {
  return { ...auditContentOf(row), hash: row.hash as string };
}

async function* ndjsonChunks(sql: Sql, range: AuditRange, header: ExportHeader): AsyncGenerator<string> {
  yield `${JSON.stringify({ audit_export: header })}\n`;
  let rows = 0;
  let last: string | null = null;
  for await (const batch of auditRowsInOrder(sql, range)) {
    rows += batch.length;
    last = (batch.at(-1)?.hash as string | undefined) ?? last;
    yield batch.map((row) => `${JSON.stringify(exportedRow(row))}\n`).join('');
  }
  yield `${JSON.stringify({ audit_export_end: { rows, last_hash: last } })}\n`;
}

async function* csvChunks(sql: Sql, range: AuditRange): AsyncGenerator<string> {
  let first = true;
  for await (const batch of auditRowsInOrder(sql, range)) {
    const records = batch.map((row) => {
      const exported = exportedRow(row);
      return { ...exported, details: canonicalize(exported.details) };
    });
    yield stringify(records, { header: first, columns: [...AUDIT_ROW_FIELDS], cast: { number: String } });
    first = false;
  }
  if (first) yield stringify([], { header: true, columns: [...AUDIT_ROW_FIELDS] });
}
