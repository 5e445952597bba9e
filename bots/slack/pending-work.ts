import { visibilityCondition } from '../../db/processes.js';
import { visibilityFilter } from '../../workflows/policy.js';
import type { Actor } from '../../workflows/process-records.js';
import { PROCESS_SPECS } from '../../workflows/specs.js';
import {
  boardUrlFor,
  commandButton,
  type BreachedProcess,
  type PendingItem,
  type PendingWork,
  type SlaView,
} from './blocks.js';
import type { BotContext } from './bot-context.js';
import { SLACK_PROCESSES } from './processes/index.js';
import { decidesOn, loadSummaries } from './slack-process.js';

/** Slack messages hold 50 blocks and the Home tab 100: the longest lists end here, the board has the rest. */
export const LIST_LIMIT = 20;

/**
 * The decisions this person may take now, of every type their role decides on (the policy and each type's
 * rules decide, as for the board's buttons): the ones waiting for them first, then the longest waiting.
 */
export async function pendingWork(ctx: BotContext, actor: Actor): Promise<PendingWork> {
  const { sql, config } = ctx.deps;
  const types = SLACK_PROCESSES.filter((type) => decidesOn(type, actor));
  const items: PendingItem[] = [];
  for (const type of types) {
    const awaiting = (await type.awaitingDecision(ctx, actor)).filter((view) =>
      type.decisions.some((command) => view.allowed.includes(command)),
    );
    const allowed = new Map(awaiting.map((view) => [view.processId, view.allowed]));
    for (const summary of await loadSummaries(sql, type, [...allowed.keys()], config.publicUrl)) {
      const mayRun = allowed.get(summary.processId) ?? [];
      items.push({
        processType: type.spec.processType,
        processId: summary.processId,
        text: type.pendingLine(summary),
        buttons: type.buttons
          .filter((button) => mayRun.includes(button.command))
          .map((button) => commandButton(button, summary.processId)),
        boardUrl: summary.boardUrl,
        assignedToCaller: summary.assignedUserId === actor.user_id,
        waitingSince: summary.statusEnteredAt,
      });
    }
  }
  items.sort(
    (a, b) => Number(b.assignedToCaller) - Number(a.assignedToCaller) || a.waitingSince.localeCompare(b.waitingSince),
  );
  const shown = items.slice(0, LIST_LIMIT);
  return {
    sections: types.map((type) => ({
      processType: type.spec.processType,
      title: type.pendingTitle,
      nothing: type.nothingPending,
      items: shown.filter((item) => item.processType === type.spec.processType),
    })),
    more: items.length - shown.length,
  };
}

/** Processes this person may see whose SLA is breached, theirs first, the most overdue next. */
export async function breachedSlas(ctx: BotContext, actor: Actor): Promise<BreachedProcess[]> {
  const { sql, config } = ctx.deps;
  const found: (BreachedProcess & { mine: boolean })[] = [];
  for (const spec of PROCESS_SPECS) {
    const rows = await sql`
      SELECT process_id, title, status, sla, assigned_user_id FROM processes
      WHERE process_type = ${spec.processType} AND sla ->> 'status' = 'breached'
        ${visibilityCondition(sql, visibilityFilter(spec, actor))}
      ORDER BY (assigned_user_id IS NOT DISTINCT FROM ${actor.user_id}) DESC, sla ->> 'deadline'
      LIMIT ${LIST_LIMIT}`;
    for (const row of rows) {
      found.push({
        process_id: row.process_id as string,
        process_type: spec.processType,
        title: row.title as string,
        status: row.status as string,
        sla: row.sla as SlaView,
        boardUrl: boardUrlFor(config.publicUrl, row.process_id as string),
        mine: row.assigned_user_id === actor.user_id,
      });
    }
  }
  // Across types too: theirs first, then the most overdue.
  found.sort((a, b) => Number(b.mine) - Number(a.mine) || a.sla.deadline.localeCompare(b.sla.deadline));
  return found.slice(0, LIST_LIMIT).map(({ mine: _mine, ...process }) => process);
}
