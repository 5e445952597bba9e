import type { Approval, RebalanceRecord, TradeRecord } from '../../../workflows/rebalancing/definitions.js';
import { percent, points } from '../../../workflows/rebalancing/proposal-record.js';
import { HAPPY_PATH, rebalancingSpec } from '../../../workflows/rebalancing/spec.js';
import {
  capitalize,
  channelName,
  context,
  counted,
  decisionBlocks,
  esc,
  fitMessage,
  fields,
  formatAmount,
  header,
  humanize,
  nameOf,
  section,
  slackDate,
  slaLine,
  stateLabel,
  statusReply,
  withoutEmoji,
  type Block,
  type ButtonSpec,
  type SlackMessage,
  type StatusReply,
} from '../blocks.js';
import type { ProcessSummary } from '../slack-process.js';

/** Block Kit of a rebalance: the proposal the advisor decides on, the compliance channel's approval, status and queue lines. */

export type RebalanceSummary = ProcessSummary<RebalanceRecord>;

/** Slack holds 3,000 characters per text block: long trade lists end here, the board has them all. */
const MAX_TRADE_LINES = 25;

const statusLabel = (status: string) => stateLabel(rebalancingSpec.processType, status);
const isPending = (record: RebalanceRecord) =>
  record.status === 'awaiting_advisor' || record.status === 'awaiting_compliance';
const money = (record: RebalanceRecord, value: number) => formatAmount(value, record.currency);
const quantity = (value: number) => new Intl.NumberFormat('en-US', { maximumFractionDigits: 6 }).format(value);
/** us_equity → "US equity", intl_bonds → "International bonds". */
const assetClassLabel = (assetClass: string) =>
  capitalize(
    humanize(assetClass)
      .replace(/\bus\b/g, 'US')
      .replace(/\bintl\b/g, 'international'),
  );
const approverOf = (approval: Approval, names: Record<string, string>) =>
  esc(approval.approver_name || nameOf(names, approval.approved_by));
const approvedBy = (approval: Approval, names: Record<string, string>) =>
  `${approverOf(approval, names)} via ${channelName(approval.channel)} at ${slackDate(approval.at)}`;
/** The approval that let the orders go: compliance's when it was needed, else the advisor's. */
const lastApproval = (record: RebalanceRecord) => record.compliance_approval ?? record.advisor_approval;

/** Who decided and when, once someone has; null while the proposal awaits its advisor. */
export function decisionLine(record: RebalanceRecord, names: Record<string, string>): string | null {
  const approval = lastApproval(record);
  const approved = approval ? `Approved by ${approvedBy(approval, names)}` : 'Approved';
  const orders = record.orders.length;
  const filled = record.orders.filter((o) => o.status === 'filled').length;
  switch (record.status) {
    case 'awaiting_advisor':
      return null;
    case 'awaiting_compliance': {
      const officer = record.assigned_officer_id ? ` by ${esc(nameOf(names, record.assigned_officer_id))}` : '';
      return `:hourglass_flowing_sand: ${approved}; awaiting compliance approval${officer}.`;
    }
    case 'approved':
      return `:white_check_mark: ${approved}; orders are being placed.`;
    case 'executing':
      return `:white_check_mark: ${approved}; ${filled} of ${counted(orders, 'order')} filled.`;
    case 'verifying':
      return `:white_check_mark: ${approved}; ${orders === 1 ? 'the order' : `all ${orders} orders`} filled, verifying drift.`;
    case 'completed': {
      const drift = record.verification
        ? `; largest drift now ${points(record.verification.max_abs_drift)}, within bands`
        : '';
      return `:white_check_mark: ${approved}. Completed: ${counted(orders, 'order')} filled${drift}.`;
    }
    case 'declined':
      return record.decline
        ? `:x: Declined by ${esc(record.decline.decliner_name || nameOf(names, record.decline.declined_by))} at ${slackDate(record.decline.at)}: ${esc(record.decline.reason)}`
        : ':x: Declined.';
    case 'failed':
      return `:warning: ${approved}; the rebalance failed: ${esc(record.failure?.message ?? 'no reason recorded')}`;
    default:
      return null;
  }
}

/** What someone clicking a decision that is no longer open is told: who decided and when, or where it stands. */
export function alreadyDecidedText(record: RebalanceRecord, names: Record<string, string>): string {
  const decided = decisionLine(record, names);
  if (decided) return `Nothing changed: this rebalance was already decided. ${withoutEmoji(decided)}`;
  return `Nothing changed: the rebalance changed meanwhile and is ${statusLabel(record.status).toLowerCase()} now; look at it again.`;
}

function nextStep(record: RebalanceRecord, names: Record<string, string>): string {
  switch (record.status) {
    case 'awaiting_advisor':
      return `${esc(nameOf(names, record.advisor_id))} approves, edits or declines the proposal.`;
    case 'awaiting_compliance':
      return `Compliance approval by ${record.assigned_officer_id ? esc(nameOf(names, record.assigned_officer_id)) : 'a compliance officer'} (above the ${money(record, record.compliance_threshold)} threshold).`;
    default:
      return decisionLine(record, names) ?? '';
  }
}

function tradeLine(record: RebalanceRecord, trade: TradeRecord): string {
  const wash = trade.wash_sale ? ` :warning: possible wash sale (${esc(trade.wash_sale.reason)})` : '';
  return `• ${capitalize(trade.side)} ${quantity(trade.quantity)} ${esc(trade.symbol)} · ${money(record, trade.value)}${wash}`;
}

function tradesText(record: RebalanceRecord): string {
  const trades = record.proposal.trades;
  const lines = trades.slice(0, MAX_TRADE_LINES).map((trade) => tradeLine(record, trade));
  if (trades.length > MAX_TRADE_LINES) lines.push(`…and ${trades.length - MAX_TRADE_LINES} more on the board.`);
  return `*Trades* (${trades.length})\n${lines.join('\n')}`;
}

/** Before and after, by asset class and cash, against the model's targets; the bands' verdict before, after the trades, and verified. */
function driftText(record: RebalanceRecord): string {
  const { drift_before: before, proposal } = record;
  const row = (name: string, target: number, actual: number, after: number, outOfBand: boolean) =>
    `• ${esc(assetClassLabel(name))}: ${percent(actual)} → ${percent(after)} (target ${percent(target)})${outOfBand ? ' :warning:' : ''}`;
  const lines = [
    ...before.asset_classes.map((r) =>
      row(r.asset_class, r.target, r.actual, proposal.after.by_asset_class[r.asset_class] ?? 0, r.out_of_band),
    ),
    row('cash', before.cash.target, before.cash.actual, proposal.after.cash, before.cash.out_of_band),
  ];
  const verdict = [
    `Before: largest drift ${points(before.max_abs_drift)}, ${before.out_of_band ? 'out of band' : 'within bands'}`,
    `after the trades: ${proposal.within_bands_after ? 'within bands' : ':warning: still outside some band'}`,
    record.verification
      ? `verified after execution: largest drift ${points(record.verification.max_abs_drift)}, ${record.verification.within_bands ? 'within bands' : 'out of band'}`
      : null,
  ].filter(Boolean);
  return `*Drift* (before → after the trades)\n${lines.join('\n')}\n${verdict.join(' · ')}.`;
}

function approvalsText(record: RebalanceRecord, names: Record<string, string>): string {
  const advisor = record.advisor_approval ? approvedBy(record.advisor_approval, names) : 'pending';
  const officer = record.assigned_officer_id ? ` (${esc(nameOf(names, record.assigned_officer_id))})` : '';
  const compliance = !record.needs_compliance
    ? `not needed (up to ${money(record, record.compliance_threshold)})`
    : record.compliance_approval
      ? approvedBy(record.compliance_approval, names)
      : `needed above ${money(record, record.compliance_threshold)}, pending${officer}`;
  return `Advisor: ${advisor}\nCompliance: ${compliance}`;
}

function flagsOf(record: RebalanceRecord): string[] {
  return [
    record.proposal.trades.some((t) => t.wash_sale) ? 'possible wash sale' : null,
    record.proposal.estimated_realized_gains.short_term > 0 ? 'short-term gains' : null,
    record.proposal.within_bands_after ? null : 'still out of band after',
  ].filter((flag): flag is string => flag !== null);
}

/** The state in which each audience's message asks its question. */
const OPEN_STATE = { advisor: 'awaiting_advisor', compliance: 'awaiting_compliance' } as const;

/** The proposal as the people deciding read it: trades, taxes, costs and drift, who decided, and their buttons. */
export function rebalanceMessage(audience: 'advisor' | 'compliance') {
  return (summary: RebalanceSummary, buttons: ButtonSpec[]): SlackMessage => {
    const { record, names, sla, boardUrl } = summary;
    const gains = record.proposal.estimated_realized_gains;
    const decided = decisionLine(record, names);
    const pairs: [string, string][] = [
      ['Client', `${esc(record.client_name)} (${esc(record.client_id)})`],
      ['Account', `${esc(record.account_number)} · ${esc(record.model_name)} model`],
      ['Advisor', esc(nameOf(names, record.advisor_id))],
      [
        'Proposal value',
        `${money(record, record.proposal_value)}\n(sell ${money(record, record.proposal.total_sell_value)}, buy ${money(record, record.proposal.total_buy_value)})`,
      ],
      [
        'Estimated realized gains',
        `Short term ${money(record, gains.short_term)}\nLong term ${money(record, gains.long_term)}`,
      ],
      ['Estimated costs', money(record, record.proposal.estimated_costs)],
      ['Approvals', approvalsText(record, names)],
    ];
    if (isPending(record) && sla) pairs.push(['SLA deadline', slaLine(sla)]);
    const flags = flagsOf(record);
    const blocks: Block[] = [
      header(
        audience === 'advisor'
          ? `Rebalancing proposal: ${record.client_name}`
          : `Compliance approval: rebalance for ${record.client_name}`,
      ),
      section(
        `*${statusLabel(record.status)}* · prices as of ${esc(record.prices_as_of)} · ${record.trigger === 'schedule' ? 'found by the drift check' : 'started by hand'} · <${boardUrl}|${esc(record.rebalance_id)}>`,
      ),
      fields(pairs),
      section(tradesText(record)),
      section(driftText(record)),
    ];
    if (flags.length) blocks.push(context(`:warning: ${flags.map(capitalize).join(' · ')}`));
    for (const edit of record.edits) {
      blocks.push(
        context(`:pencil2: Trades edited by ${esc(edit.editor_name)} at ${slackDate(edit.at)}: ${esc(edit.reason)}`),
      );
    }
    const blockId = `rebalance:${audience}:${record.rebalance_id}`;
    blocks.push(...decisionBlocks(decided, { blockId, processId: record.rebalance_id, buttons, boardUrl }));
    const value = money(record, record.proposal_value);
    // The notification text: the question while it is this audience's to answer, else where the rebalance stands.
    const text =
      record.status !== OPEN_STATE[audience]
        ? `${esc(record.client_name)} (${record.rebalance_id}): ${decided ? withoutEmoji(decided) : statusLabel(record.status)}`
        : audience === 'advisor'
          ? `Rebalancing proposal for ${esc(record.client_name)}: ${counted(record.proposal.trades.length, 'trade')}, ${value} (${record.rebalance_id})`
          : `Compliance approval needed: rebalance for ${esc(record.client_name)}, ${value} (${record.rebalance_id})`;
    return fitMessage({ text, blocks }, boardUrl);
  };
}

/** `/hub status`: state (step n of m), SLA, proposal value, next step. */
export function rebalanceStatus(summary: RebalanceSummary): StatusReply {
  const { record, names, sla, boardUrl } = summary;
  return statusReply(
    rebalancingSpec,
    HAPPY_PATH,
    { processId: record.rebalance_id, clientName: record.client_name, status: record.status, sla },
    {
      headline: `*${esc(record.client_name)}* · rebalance of ${esc(record.account_number)} (${esc(record.model_name)} model) · <${boardUrl}|${esc(record.rebalance_id)}>`,
      fields: [
        [
          'Proposal value',
          `${money(record, record.proposal_value)} in ${counted(record.proposal.trades.length, 'trade')}`,
        ],
        ['Next step', nextStep(record, names)],
      ],
    },
  );
}

export function rebalancePendingLine(summary: RebalanceSummary): string {
  const { record, sla, boardUrl } = summary;
  const flags = [record.status === 'awaiting_compliance' ? 'compliance approval' : null, ...flagsOf(record)].filter(
    Boolean,
  );
  return `*<${boardUrl}|${esc(record.client_name)}>* · rebalance of ${esc(record.account_number)} · ${money(record, record.proposal_value)} in ${counted(record.proposal.trades.length, 'trade')}${
    flags.length ? ` · :warning: ${flags.join(', ')}` : ''
  }\nSLA: ${slaLine(sla)}`;
}

export function rebalanceConfirmation(command: string, rebalance: RebalanceRecord): string {
  const which = `the rebalance of ${esc(rebalance.client_name)}'s account ${esc(rebalance.account_number)}`;
  if (command === 'decline') return `You declined ${which}.`;
  if (command === 'compliance_approve') return `You approved ${which} for compliance; orders are being placed.`;
  return rebalance.status === 'awaiting_compliance'
    ? `You approved ${which}. It trades more than ${money(rebalance, rebalance.compliance_threshold)}, so compliance approves it too.`
    : `You approved ${which}; orders are being placed.`;
}

export function declineHeading(record: RebalanceRecord): string {
  return `Decline the rebalance of *${esc(record.client_name)}*'s account ${esc(record.account_number)}: ${counted(record.proposal.trades.length, 'trade')} worth ${money(record, record.proposal_value)} (${esc(record.rebalance_id)}).`;
}
