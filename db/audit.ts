import type { Actor } from '../workflows/process-records.js';
import type { VisibilityFilter } from '../workflows/policy.js';
import { auditContentOf, GENESIS_HASH, hashAuditContent, jsonRoundTrip } from './audit-chain.js';
import type { Queryable, Sql, Tx } from './client.js';
import { lockCommitOrder, lockCommitOrderAndRead } from './commit-order.js';
import { visibilityCondition } from './processes.js';

export interface AuditEntry {
  process_type: string | null;
  process_id: string | null;
  actor: Actor;
  action: string;
  outcome: 'accepted' | 'refused';
  status_before?: string | null;
  status_after?: string | null;
  error_code?: string | null;
  details?: Record<string, unknown>;
}

/** The trail's head as a writer under the commit-order lock continues it: the next id and the last row's hash. */
export interface AuditHead {
  id: number;
  last_id: number | null;
  last_hash: string | null;
  anchor: string | null;
}

/** Reads the head; only meaningful under the commit-order lock (lockCommitOrderAndRead). */
export function readAuditHead(tx: Tx): PromiseLike<AuditHead[]> {
  return tx`
    SELECT nextval(pg_get_serial_sequence('audit_log', 'id')) AS id, last.id AS last_id, last.hash AS last_hash,
           (SELECT head_hash FROM audit_checkpoints WHERE kind = 'retention' ORDER BY id DESC LIMIT 1) AS anchor
    FROM (SELECT 1) AS one LEFT JOIN LATERAL (SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1) AS last ON true
  ` as unknown as PromiseLike<AuditHead[]>;
}

/** Inserts the row that follows `head`: its hash is over the previous row's hash and its own content. */
export function insertAuditAfter(tx: Tx, head: AuditHead, entry: AuditEntry, at?: string): PromiseLike<unknown> {
  if (head.last_id !== null && head.last_hash === null) {
    throw new Error(
      'the audit trail has rows from before the hash chain: run the migrations (the server and worker do) to chain them',
    );
  }
  const prevHash = head.last_hash ?? head.anchor ?? GENESIS_HASH;
  const content = auditContentOf({
    id: head.id,
    at: at ?? new Date().toISOString(),
    process_type: entry.process_type,
    process_id: entry.process_id,
    actor_id: entry.actor.user_id,
    actor_role: entry.actor.role,
    actor_name: entry.actor.name,
    channel: entry.actor.channel,
    slack_user_id: entry.actor.slack_user_id,
    action: entry.action,
    outcome: entry.outcome,
    status_before: entry.status_before,
    status_after: entry.status_after,
    error_code: entry.error_code,
    details: jsonRoundTrip(entry.details ?? {}),
    prev_hash: prevHash,
  });
  const row = { ...content, details: tx.json(content.details as never), hash: hashAuditContent(content) };
  return tx`INSERT INTO audit_log ${tx(row)}`;
}

/**
 * The one writer of the audit trail. Each row links to the row committed before it: under the commit-order
 * lock (held until commit) it takes the next id and the current head's hash, and stores its own hash over
 * both and its content (db/audit-chain.ts). Outside a transaction it opens one, so the lock covers the insert.
 */
export async function appendAudit(db: Queryable, entry: AuditEntry, at?: string): Promise<void> {
  if (!('savepoint' in db)) {
    await db.begin((tx) => appendAudit(tx, entry, at));
    return;
  }
  const tx = db as Tx;
  const [[head]] = await lockCommitOrderAndRead<[AuditHead[]]>(tx, () => [readAuditHead(tx)]);
  await insertAuditAfter(tx, head, entry, at);
}

/**
 * Chains the rows written before the trail was a chain, oldest first from the start. Only rows older than
 * every chained row count: a row without a hash after chained ones was slipped in past the trigger, and
 * verification reports it. The append-only trigger lets exactly this change through, once per row.
 */
export async function chainUnchainedAudit(sql: Sql): Promise<number> {
  return sql.begin(async (tx) => {
    await lockCommitOrder(tx);
    const rows = await tx`
      SELECT * FROM audit_log
      WHERE hash IS NULL AND id < coalesce((SELECT min(id) FROM audit_log WHERE hash IS NOT NULL), 'Infinity'::numeric)
      ORDER BY id`;
    let prev = GENESIS_HASH;
    for (const row of rows) {
      const content = auditContentOf({ ...row, prev_hash: prev });
      const hash = hashAuditContent(content);
      await tx`UPDATE audit_log SET prev_hash = ${prev}, hash = ${hash} WHERE id = ${content.id}`;
      prev = hash;
    }
    return rows.length;
  });
}

export async function listAudit(db: Queryable, processId: string) {
  return db`
    SELECT id, at, action, outcome, actor_id, actor_role, actor_name, channel, slack_user_id, status_before, status_after,
           error_code, details, prev_hash, hash
    FROM audit_log WHERE process_id = ${processId} ORDER BY id`;
}

/**
 * A refused command in the audit trail, with the status the process was in (it stays there). One function
 * for every service and for the HTTP layer's own refusals, so refusals read alike whatever refused them.
 */
export async function auditRefusal(
  db: Queryable,
  refusal: {
    process_type: string | null;
    process_id: string | null;
    actor: Actor;
    action: string;
    code: string;
    message: string;
    details?: Record<string, unknown>;
  },
): Promise<void> {
  const [row] = refusal.process_id
    ? await db`SELECT status FROM processes WHERE process_id = ${refusal.process_id}`
    : [];
  await appendAudit(db, {
    process_type: refusal.process_type,
    process_id: refusal.process_id,
    actor: refusal.actor,
    action: refusal.action,
    outcome: 'refused',
    status_before: (row?.status as string | undefined) ?? null,
    status_after: (row?.status as string | undefined) ?? null,
    error_code: refusal.code,
    details: { message: refusal.message, ...refusal.details },
  });
}

/** Which rows an export or a walk covers; without bounds, the whole chain. */
export interface AuditRange {
  from?: string;
  to?: string;
  process_id?: string;
  user_id?: string;
  /** Only rows about processes this visibility covers (a scoped reader's part of the firm). */
  within?: VisibilityFilter;
}

/** The trail in chain order, a batch at a time, without holding it all in memory. */
export async function* auditRowsInOrder(
  db: Queryable,
  range: AuditRange = {},
  batchSize = 1000,
): AsyncGenerator<Record<string, unknown>[]> {
  const cursor = db`
    SELECT * FROM audit_log
    WHERE true
      ${range.from ? db`AND at >= ${range.from}` : db``}
      ${range.to ? db`AND at < ${range.to}` : db``}
      ${range.process_id ? db`AND process_id = ${range.process_id}` : db``}
      ${range.user_id ? db`AND actor_id = ${range.user_id}` : db``}
      ${range.within ? db`AND process_id IN (SELECT process_id FROM processes WHERE true ${visibilityCondition(db, range.within)})` : db``}
    ORDER BY id`.cursor(batchSize);
  for await (const rows of cursor) yield rows;
}

export async function getAuditRow(db: Queryable, id: number): Promise<Record<string, unknown> | undefined> {
  const [row] = await db`SELECT * FROM audit_log WHERE id = ${id}`;
  return row;
}
