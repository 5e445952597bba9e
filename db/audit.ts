import type { Actor } from '../workflows/process-records.js';
import type { Queryable } from './client.js';

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

export async function appendAudit(db: Queryable, entry: AuditEntry, at?: string): Promise<void> {
  await db`
    INSERT INTO audit_log (at, process_type, process_id, actor_id, actor_role, actor_name, channel, slack_user_id, action, outcome,
                           status_before, status_after, error_code, details)
    VALUES (${at ?? new Date().toISOString()}, ${entry.process_type}, ${entry.process_id}, ${entry.actor.user_id}, ${entry.actor.role},
            ${entry.actor.name}, ${entry.actor.channel}, ${entry.actor.slack_user_id ?? null}, ${entry.action}, ${entry.outcome},
            ${entry.status_before ?? null}, ${entry.status_after ?? null}, ${entry.error_code ?? null}, ${db.json((entry.details ?? {}) as never)})`;
}

export async function listAudit(db: Queryable, processId: string) {
  return db`
    SELECT id, at, action, outcome, actor_id, actor_role, actor_name, channel, slack_user_id, status_before, status_after, error_code, details
    FROM audit_log WHERE process_id = ${processId} ORDER BY id`;
}

/**
 * A refused command in the audit trail, with the status the process was in (it stays there). One function
 * for every service and for the HTTP layer's own refusals, so refusals read alike whatever refused them.
 */
export async function auditRefusal(
  db: Queryable,
  refusal: { process_type: string | null; process_id: string | null; actor: Actor; action: string; code: string; message: string; details?: Record<string, unknown> },
): Promise<void> {
  const [row] = refusal.process_id ? await db`SELECT status FROM processes WHERE process_id = ${refusal.process_id}` : [];
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
