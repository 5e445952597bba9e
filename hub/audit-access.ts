import { HubError } from '../workflows/errors.js';
import type { Actor } from '../workflows/process-records.js';
import type { Role } from '../workflows/process-spec.js';

/** Who reads the trail as a whole (exports, verification): the firm's administrators and compliance officers. */
const AUDIT_READERS: readonly Role[] = ['admin', 'compliance_officer'];

export function requireAuditReader(actor: Actor, what: string): void {
  if (actor.role === 'system') return;
  if (!AUDIT_READERS.includes(actor.role)) {
    throw new HubError('FORBIDDEN', `Only administrators and compliance officers ${what}`);
  }
}
