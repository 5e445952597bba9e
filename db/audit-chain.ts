import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import canonicalize from 'canonicalize';

/**
 * The audit trail's hash chain, without the database: what a row's hash covers and how a sequence of rows
 * is checked. The hub's own verification and an auditor's offline check of an export run this same code.
 *
 * A row's hash is SHA-256 (hex) over the RFC 8785 canonical JSON of every column but the hash itself,
 * including `prev_hash`, the hash of the row before it. The first row links to GENESIS_HASH, or, once
 * retention has removed the oldest rows, to the hash of the last row removed (kept in a signed checkpoint).
 */

export const GENESIS_HASH = '0'.repeat(64);

/** What a row's hash covers: every column of audit_log except `hash`. */
export interface AuditContent {
  id: number;
  at: string;
  process_type: string | null;
  process_id: string | null;
  actor_id: string;
  actor_role: string;
  actor_name: string | null;
  channel: string;
  slack_user_id: string | null;
  action: string;
  outcome: string;
  status_before: string | null;
  status_after: string | null;
  error_code: string | null;
  details: Record<string, unknown>;
  prev_hash: string;
}

export type ChainedAuditRow = AuditContent & { hash: string };

const CONTENT_FIELDS = [
  'id',
  'at',
  'process_type',
  'process_id',
  'actor_id',
  'actor_role',
  'actor_name',
  'channel',
  'slack_user_id',
  'action',
  'outcome',
  'status_before',
  'status_after',
  'error_code',
  'details',
  'prev_hash',
] as const satisfies readonly (keyof AuditContent)[];

export const AUDIT_ROW_FIELDS = [...CONTENT_FIELDS, 'hash'] as const;

/** The content of a row as stored or exported: timestamps as ISO instants, missing values as null. */
export function auditContentOf(stored: object): AuditContent {
  const row = stored as Record<string, unknown>;
  const content: Record<string, unknown> = {};
  for (const field of CONTENT_FIELDS) content[field] = row[field] ?? null;
  content.id = Number(row.id);
  content.at = new Date(row.at as string | Date).toISOString();
  content.details = (row.details as Record<string, unknown> | null) ?? {};
  return content as unknown as AuditContent;
}

/** Details as JSON will give them back: what is hashed must be what a reader of the stored row sees. */
export function jsonRoundTrip<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

export function hashAuditContent(content: AuditContent): string {
  return createHash('sha256').update(canonicalize(content)!, 'utf8').digest('hex');
}

/** Where a chain of rows breaks: the first row that does not match, named by its id. */
export interface ChainBreak {
  row_id: number;
  reason:
    | 'hash_mismatch'
    | 'link_mismatch'
    | 'not_chained'
    | 'checkpoint_signature'
    | 'checkpoint_mismatch'
    | 'checkpoint_row_missing';
  /** The checkpoint the row was held against, when that is what failed. */
  checkpoint_id?: number;
  message: string;
}

/**
 * Checks rows one at a time in chain order. `linked: false` checks each row's own hash only (an export
 * of one process or user holds rows that are not neighbours in the chain).
 */
export class ChainVerifier {
  rows = 0;
  head: string;
  private previousId: number | null = null;

  constructor(
    anchor: string,
    private readonly linked = true,
  ) {
    this.head = anchor;
  }

  /** The first problem with this row, or null when it holds. */
  check(stored: object): ChainBreak | null {
    const row = stored as Record<string, unknown>;
    const content = auditContentOf(row);
    const id = content.id;
    if (typeof row.hash !== 'string' || typeof row.prev_hash !== 'string') {
      return { row_id: id, reason: 'not_chained', message: `row ${id} carries no chain hash` };
    }
    const computed = hashAuditContent(content);
    if (computed !== row.hash) {
      return {
        row_id: id,
        reason: 'hash_mismatch',
        message: `row ${id} does not match its hash: stored ${row.hash}, content hashes to ${computed} (the row was changed)`,
      };
    }
    if (this.linked && content.prev_hash !== this.head) {
      const before = this.previousId === null ? 'the chain anchor' : `row ${this.previousId}`;
      return {
        row_id: id,
        reason: 'link_mismatch',
        message:
          `row ${id} does not link to ${before}: it names ${content.prev_hash} as the hash before it, ${before} is ${this.head} ` +
          '(a row between them was deleted, or the earlier row was rewritten)',
      };
    }
    this.rows += 1;
    this.head = row.hash;
    this.previousId = id;
    return null;
  }
}

/** A checkpoint's signed fields: what it says about the chain. */
export interface CheckpointStatement {
  kind: 'daily' | 'retention';
  period: string | null;
  at: string;
  head_id: number;
  head_hash: string;
  row_count: number;
  details: Record<string, unknown>;
}

export function signCheckpoint(key: string, statement: CheckpointStatement): string {
  return createHmac('sha256', key)
    .update(canonicalize(statementOf(statement))!, 'utf8')
    .digest('hex');
}

export function checkpointSignatureHolds(key: string, statement: CheckpointStatement, signature: string): boolean {
  const expected = Buffer.from(signCheckpoint(key, statement), 'hex');
  const given = Buffer.from(signature, 'hex');
  return expected.length === given.length && timingSafeEqual(expected, given);
}

function statementOf(s: CheckpointStatement): CheckpointStatement {
  return {
    kind: s.kind,
    period: s.period ?? null,
    at: new Date(s.at).toISOString(),
    head_id: Number(s.head_id),
    head_hash: s.head_hash,
    row_count: Number(s.row_count),
    details: s.details ?? {},
  };
}
