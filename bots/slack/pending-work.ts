import { visibilityCondition } from '../../db/processes.js';
import { visibilityFilter } from '../../workflows/policy.js';
import type { Actor } from '../../workflows/process-records.js';
import { PROCESS_SPECS } from '../../workflows/specs.js';
import { boardUrlFor, loadApplicationSummaries, type ApplicationSummary, type SlaView } from './application-summary.js';
import type { BreachedProcess } from './blocks.js';
import type { BotContext } from './listeners/bot-context.js';

/** Slack messages hold 50 blocks and the Home tab 100: the longest lists end here, the board has the rest. */
export const LIST_LIMIT = 20;

/**
 * Applications in compliance review this person may approve now (the policy and the blueprint's rules
 * decide, as for the board's buttons): the ones assigned to them first, then the longest waiting.
 */
export async function pendingApprovals(ctx: BotContext, actor: Actor): Promise<ApplicationSummary[]> {
  const inReview = await ctx.accountOpening.list(actor, { status: ['compliance_review'], limit: 200 });
  const mayApprove = inReview
    .filter((application) => application.allowed_actions.includes('compliance_approve'))
    .sort(
      (a, b) =>
        Number(b.assigned_officer_id === actor.user_id) - Number(a.assigned_officer_id === actor.user_id) ||
        a.status_entered_at.localeCompare(b.status_entered_at),
    )
    .slice(0, LIST_LIMIT);
  return loadApplicationSummaries(ctx.deps.sql, mayApprove.map((application) => application.application_id), ctx.deps.config.publicUrl);
}

/** Processes this person may see whose SLA is breached, theirs first, the most overdue next. */
export async function breachedSlas(ctx: BotContext, actor: Actor): Promise<BreachedProcess[]> {
  const { sql, config } = ctx.deps;
  const found: BreachedProcess[] = [];
  for (const spec of PROCESS_SPECS) {
    const rows = await sql`
      SELECT process_id, title, status, sla FROM processes
      WHERE process_type = ${spec.processType} AND sla ->> 'status' = 'breached'
        ${visibilityCondition(sql, visibilityFilter(spec, actor))}
      ORDER BY (assigned_user_id IS NOT DISTINCT FROM ${actor.user_id}) DESC, sla ->> 'deadline'
      LIMIT ${LIST_LIMIT}`;
    for (const row of rows) {
      found.push({
        process_id: row.process_id as string,
        title: row.title as string,
        status: row.status as string,
        sla: row.sla as SlaView,
        boardUrl: boardUrlFor(config.publicUrl, row.process_id as string),
      });
    }
  }
  return found.slice(0, LIST_LIMIT);
}
