import { appendAudit } from '../db/audit.js';
import type { Queryable, Sql } from '../db/client.js';
import { GRANTS } from '../workflows/grants.js';
import { HubError } from '../workflows/errors.js';
import { roleMayRun } from '../workflows/policy.js';
import type { Actor } from '../workflows/process-records.js';

/** Who may run the firm's administration: GRANTS.administration, asked through the permission policy. */
export const ADMIN_SPEC = GRANTS.administration;

export type AdminCommand = keyof typeof ADMIN_SPEC.commands;

/** Where administration writes in the audit trail: the kind of thing changed and its id. */
export interface Subject {
  type:
    | 'user'
    | 'client'
    | 'product'
    | 'settings'
    | 'saved_view'
    | 'board'
    | 'office'
    | 'team'
    | 'notification'
    | 'notification_preferences';
  id: string | null;
}

/** The actor, if their role may run the command; otherwise the refusal is audited and thrown. */
export async function requireAdmin(sql: Sql, actor: Actor, command: AdminCommand, subject: Subject, details = {}) {
  if (roleMayRun(ADMIN_SPEC, command, actor.role)) return;
  await refuse(
    sql,
    actor,
    command,
    subject,
    new HubError('FORBIDDEN', `Only administrators may ${ADMIN_SPEC.commands[command].label.toLowerCase()}`),
    details,
  );
}

/** Audits a refusal once and throws it. */
export async function refuse(
  sql: Queryable,
  actor: Actor,
  action: string,
  subject: Subject,
  error: HubError,
  details = {},
): Promise<never> {
  await appendAudit(sql, {
    process_type: subject.type,
    process_id: subject.id,
    actor,
    action,
    outcome: 'refused',
    error_code: error.code,
    details: { message: error.message, ...details },
  });
  error.audited = true;
  throw error;
}

/** An accepted change with what it was and what it became. */
export function auditChange(
  db: Queryable,
  actor: Actor,
  action: string,
  subject: Subject,
  before: unknown,
  after: unknown,
  details = {},
) {
  return appendAudit(db, {
    process_type: subject.type,
    process_id: subject.id,
    actor,
    action,
    outcome: 'accepted',
    details: { before: before ?? null, after: after ?? null, ...details },
  });
}

/**
 * Runs a check-and-change: a refusal thrown inside (not found, taken, invalid) is audited once; the change
 * itself commits with its audit row or not at all.
 */
export async function auditedWork<T>(
  sql: Sql,
  actor: Actor,
  action: string,
  subject: Subject,
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof HubError && !error.audited && error.status < 500)
      await refuse(sql, actor, action, subject, error);
    throw error;
  }
}
