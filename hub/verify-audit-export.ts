import { ChainVerifier } from '../db/audit-chain.js';
import type { ExportHeader } from './audit-export.js';

export type ExportVerification =
  | { ok: true; rows: number; head: string | null; linked: boolean; message: string }
  | { ok: false; rows: number; line: number; row_id: number | null; message: string };

/**
 * Checks an NDJSON export line by line, as a receiver without database access can: every row's own hash,
 * each row's link to the one before it when the export is a whole period, and the end line's count, so a
 * changed, removed, reordered or cut-off row fails, named by its line and id.
 */
export async function verifyAuditExport(lines: AsyncIterable<string>): Promise<ExportVerification> {
  let lineNo = 0;
  let header: ExportHeader | null = null;
  let verifier: ChainVerifier | null = null;
  let rows = 0;
  const fail = (message: string, rowId: number | null = null): ExportVerification => ({
    ok: false,
    rows,
    line: lineNo,
    row_id: rowId,
    message,
  });
  for await (const text of lines) {
    lineNo += 1;
    if (text.trim() === '') continue;
    let value: Record<string, unknown>;
    try {
      value = JSON.parse(text);
    } catch {
      return fail(`line ${lineNo} is not JSON`);
    }
    if (!header) {
      if (!value.audit_export) return fail('line 1 is not an audit export header ({"audit_export": …})');
      header = value.audit_export as ExportHeader;
      continue;
    }
    if (value.audit_export_end) {
      const end = value.audit_export_end as { rows: number; last_hash: string | null };
      if (end.rows !== rows)
        return fail(`the end line counts ${end.rows} rows, the export holds ${rows} (rows were removed or added)`);
      if (rows > 0 && end.last_hash !== verifier!.head)
        return fail(`the end line names ${end.last_hash} as the last hash, the last row has ${verifier!.head}`);
      return {
        ok: true,
        rows,
        head: rows ? verifier!.head : null,
        linked: header.linked,
        message: `${rows} rows verified, head ${rows ? verifier!.head : '(none)'}${header.linked ? '' : ' (rows of one process or user: each row checked alone)'}`,
      };
    }
    verifier ??= new ChainVerifier(String(value.prev_hash), header.linked);
    const broken = verifier.check(value);
    if (broken) return fail(`line ${lineNo}: ${broken.message}`, broken.row_id);
    rows += 1;
  }
  if (!header) return fail('the file is empty');
  return fail('the export has no end line: it was cut off');
}
