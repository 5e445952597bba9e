import { HubError } from '../workflows/errors.js';
import { GRANTS } from '../workflows/grants.js';
import { maySee, mayRun } from '../workflows/policy.js';
import type { Actor } from '../workflows/process-records.js';

const FIRM_WIDE = { client_user_id: null, advisor_id: null };

/** Who reads the trail as a whole (exports, verification): GRANTS.audit's readers. */
export function requireAuditReader(actor: Actor, what: string): void {
  if (!maySee(GRANTS.audit, actor, FIRM_WIDE)) {
    throw new HubError('FORBIDDEN', `Only administrators and compliance officers ${what}`);
  }
}

/** Who changes how long the trail is kept. */
export function requireRetentionChanger(actor: Actor): void {
  if (!mayRun(GRANTS.audit, 'change_retention', actor, FIRM_WIDE))
    throw new HubError('FORBIDDEN', 'Only administrators change the retention period');
}
