import type { Decision, DecisionRecord, FourEyesStep } from '../contracts/decision-record.js';
import { listAudit } from '../db/audit.js';
import type { Sql } from '../db/client.js';
import { isDecision, type DecisionContext } from '../db/decision-context.js';
import { getProcess } from '../db/processes.js';
import { createSlaReader } from './sla.js';
import { HubError } from '../workflows/errors.js';
import { maySee } from '../workflows/policy.js';
import type { Actor } from '../workflows/process-records.js';
import { specFor } from '../workflows/specs.js';

const text = (value: unknown) => (typeof value === 'string' ? value : null);

/**
 * Every approval and rejection of a process with what its decider had in front of them, assembled from the
 * decisions' own audit rows (hash-chained, so the record is as tamper-evident as the trail). The firm's
 * people who may see the process may read it; clients may not, as it holds internal compliance notes.
 */
export async function getDecisionRecord(sql: Sql, actor: Actor, processId: string): Promise<DecisionRecord> {
  const process = await getProcess(sql, processId);
  const spec = process && specFor(process.process_type);
  if (!process || !spec) throw new HubError('NOT_FOUND', `No process ${processId}`);
  if (actor.role === 'client' || !maySee(spec, actor, process)) {
    throw new HubError('FORBIDDEN', 'You may not view the decision record of this process');
  }
  const detail = (process.detail ?? {}) as Record<string, unknown>;
  const rows = (await listAudit(sql, processId)).filter(
    (r) => r.outcome === 'accepted' && isDecision(process.process_type, r.action),
  );
  const live = createSlaReader(sql);
  const chain: FourEyesStep[] = [];
  const decisions: Decision[] = [];
  for (const row of rows) {
    const details = row.details as Record<string, unknown>;
    const context = (details.decision ?? null) as DecisionContext | null;
    const at = new Date(row.at).toISOString();
    chain.push({
      audit_id: row.id,
      action: row.action,
      user_id: row.actor_id,
      name: row.actor_name,
      role: row.actor_role,
      channel: row.channel,
      at,
    });
    const sla = context?.sla ? await live(context.sla, Date.parse(at)) : null;
    decisions.push({
      audit_id: row.id,
      audit_hash: row.hash,
      action: row.action,
      at,
      decided_by: { user_id: row.actor_id, name: row.actor_name, role: row.actor_role },
      channel: row.channel,
      slack_user_id: row.slack_user_id,
      status_before: row.status_before,
      status_after: row.status_after,
      record_version: context?.record_version ?? null,
      slack_message_version: context?.slack_message_version ?? null,
      notes: text(details.notes),
      compliance_notes: text(details.compliance_notes),
      reason: text(details.reason),
      documents: context?.documents ?? [],
      sla: sla ? { ...sla, breached: sla.status === 'breached' } : null,
      four_eyes: {
        opened_by: text(detail.opened_by),
        advisor_id: process.advisor_id,
        approvals_required: typeof detail.approvals_required === 'number' ? detail.approvals_required : null,
        chain: [...chain],
        distinct_deciders: new Set(chain.map((step) => step.user_id)).size === chain.length,
      },
    });
  }
  return { process_id: processId, process_type: process.process_type, status: process.status, decisions };
}
