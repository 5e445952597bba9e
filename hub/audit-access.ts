import { HubError } from '../workflows/errors.js';
import { GRANTS } from '../workflows/grants.js';
import { roleMayRun, roleMaySee } from '../workflows/policy.js';
import type { Actor } from '../workflows/process-records.js';

/**
 * Who reads the trail as a whole (exports, verification): GRANTS.audit's readers. A reader scoped to an office
 * or team is let in here; the export then keeps to that part of the firm.
 */
export function requireAuditReader(actor: Actor, what: string): void {
  if (!roleMaySee(GRANTS.audit, actor.role)) {
    throw new HubError('FORBIDDEN', `Only administrators and compliance officers ${what}`);
  }
}

/** Who changes how long the trail is kept. */
export function requireRetentionChanger(actor: Actor): void {
  if (!roleMayRun(GRANTS.audit, 'change_retention', actor.role))
    throw new HubError('FORBIDDEN', 'Only administrators change the retention period');
}
