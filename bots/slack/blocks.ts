import type { types as slack } from '@slack/bolt';
import type { ApplicationRecord } from '../../workflows/account-opening/definitions.js';
import { accountOpeningSpec, HAPPY_PATH } from '../../workflows/account-opening/spec.js';
import { progressOf } from '../../workflows/process-spec.js';
import type { ApplicationSummary, SlaView } from './application-summary.js';

/** Block Kit for everything the bot shows. Pure functions of what the hub knows; no Slack calls here. */

export type Block = slack.KnownBlock;

export const ACTIONS = {
  approve: 'approve_application',
  reject: 'reject_application',
  openInBoard: 'open_in_board',
} as const;

export const REJECT_MODAL = { callbackId: 'reject_application_modal', block: 'rejection_reason', input: 'reason' } as const;

export interface SlackMessage {
  text: string;
  blocks: Block[];
}

/** mrkdwn treats &, < and > as markup; people's text must not. */
export function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Shown in each reader's own time zone by Slack; the fallback is UTC. */
export function slackDate(iso: string): string {
  const at = new Date(iso);
  const fallback = `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return `<!date^${Math.floor(at.getTime() / 1000)}^{date_short_pretty} at {time}|${fallback}>`;
}

const humanize = (value: string) => value.replace(/_/g, ' ');
const capitalize = (value: string) => value.charAt(0).toUpperCase() + value.slice(1);
const statusLabel = (status: string) => accountOpeningSpec.states.find((s) => s.id === status)?.label ?? status;
const nameOf = (names: Record<string, string>, id: string | null) => (id ? (names[id] ?? id) : 'nobody');

export function formatAmount(amount: number | null, currency: string | null): string {
  if (amount === null) return 'not given yet';
  return `${new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(amount)}${currency ? ` ${currency}` : ''}`;
}

function slaLine(sla: SlaView | null): string {
  if (!sla) return 'No SLA clock running';
  const state = sla.paused ? 'paused' : humanize(sla.status);
  return `${slackDate(sla.deadline)} (${state})`;
}

const section = (text: string): Block => ({ type: 'section', text: { type: 'mrkdwn', text } });
const fields = (pairs: [string, string][]): Block => ({ type: 'section', fields: pairs.map(([label, value]) => ({ type: 'mrkdwn', text: `*${label}*\n${value}` })) });
const context = (text: string): Block => ({ type: 'context', elements: [{ type: 'mrkdwn', text }] });

function boardButton(url: string): slack.Button {
  return { type: 'button', action_id: ACTIONS.openInBoard, text: { type: 'plain_text', text: 'Open in board' }, url };
}

function decisionButtons(applicationId: string): slack.Button[] {
  return [
    { type: 'button', action_id: ACTIONS.approve, style: 'primary', text: { type: 'plain_text', text: 'Approve' }, value: applicationId },
    { type: 'button', action_id: ACTIONS.reject, style: 'danger', text: { type: 'plain_text', text: 'Reject' }, value: applicationId },
  ];
}

/** Who decided and when, once someone has; null while the application awaits its decision. */
export function decisionLine(record: ApplicationRecord, names: Record<string, string>): string | null {
  // An administrator's status override records no decider.
  const by = record.decided_by ? ` by ${esc(nameOf(names, record.decided_by))}` : '';
  const when = record.decided_by && record.decided_at ? ` at ${slackDate(record.decided_at)}` : '';
  const approval = record.approvals.at(-1);
  const via = by && approval?.approved_by === record.decided_by ? ` via ${approval.channel === 'slack' ? 'Slack' : approval.channel}` : '';
  switch (record.status) {
    case 'approved':
      return record.crm_failure
        ? `:warning: Approved${by}${via}${when}; account creation failed (${esc(record.crm_failure.message)}). An administrator can retry.`
        : `:white_check_mark: Approved${by}${via}${when}; the account is being created.`;
    case 'account_created':
      return `:white_check_mark: Approved${by}${via}${when}. Account ${esc(record.account_number ?? '')} is open.`;
    case 'rejected':
      return `:x: Rejected${by}${when}: ${esc(record.rejection_reason ?? 'no reason recorded')}`;
    case 'cancelled':
      return ':no_entry_sign: The application was cancelled.';
    case 'compliance_review':
      return null;
    default:
      return `The application is back in ${statusLabel(record.status).toLowerCase()}.`;
  }
}

/** What someone clicking a decision that is no longer open is told: who decided and when, or where it stands. */
export function alreadyDecidedText(record: ApplicationRecord, names: Record<string, string>): string {
  if (record.status === 'compliance_review') return 'Nothing changed: the application changed meanwhile; look at it again.';
  if (record.decided_by) return `Nothing changed: this application was already decided. ${(decisionLine(record, names) ?? '').replace(/^:[a-z_]+: /, '')}`;
  return `Nothing changed: the application is ${statusLabel(record.status).toLowerCase()} now.`;
}

export function nextStep(record: ApplicationRecord, names: Record<string, string>): string {
  switch (record.status) {
    case 'draft':
    case 'product_selection':
    case 'risk_assessment':
    case 'terms_review':
    case 'funding':
      return `The advisor or client completes ${statusLabel(record.status).toLowerCase()}.`;
    case 'submitted':
      return 'A compliance officer is being assigned.';
    case 'compliance_review':
      return `Compliance decision by ${esc(nameOf(names, record.assigned_officer_id))}: ${record.approvals.length} of ${record.approvals_required} approvals.`;
    default:
      return decisionLine(record, names) ?? '';
  }
}

function dueDiligence(record: ApplicationRecord): string {
  const flags = [
    record.edd_required ? ':warning: *Enhanced due diligence*: the amount is above the EDD threshold' : null,
    record.politically_exposed ? ':warning: *Politically exposed client (PEP)*' : null,
  ].filter(Boolean);
  if (flags.length === 0) return 'Standard review: one approval.';
  return `${flags.join('\n')}\nTwo approvals by different compliance officers are required.`;
}

function products(record: ApplicationRecord): string {
  if (!record.selected_products?.length) return 'None selected yet';
  return record.selected_products.map((p) => `• ${esc(p.product_name)}: ${p.allocation_percent}%`).join('\n');
}

function riskProfile(record: ApplicationRecord): string {
  if (!record.risk_profile) return 'Not assessed yet';
  const details = [`score ${record.risk_score}`, record.investment_objective, record.investment_horizon].filter(Boolean).map((d) => humanize(String(d)));
  return `${capitalize(humanize(record.risk_profile))} (${details.join(', ')})`;
}

function sourceOfFunds(record: ApplicationRecord): string {
  if (!record.source_of_funds) return 'Not declared yet';
  return `${capitalize(humanize(record.source_of_funds))}${record.source_of_funds_detail ? `: ${esc(record.source_of_funds_detail)}` : ''}`;
}

function approvalsText(record: ApplicationRecord, names: Record<string, string>): string {
  if (record.approvals.length === 0) return `0 of ${record.approvals_required}`;
  const who = record.approvals.map((a) => `${esc(a.approver_name || nameOf(names, a.approved_by))} (${slackDate(a.at)})`).join(', ');
  return `${record.approvals.length} of ${record.approvals_required}: ${who}`;
}

/** The compliance channel's message: everything an officer needs to decide, and the decision once made. */
export function applicationMessage(summary: ApplicationSummary): SlackMessage {
  const { record, names, sla, boardUrl } = summary;
  const decided = decisionLine(record, names);
  const inReview = record.status === 'compliance_review';
  const blocks: Block[] = [
    { type: 'header', text: { type: 'plain_text', text: `Compliance review: ${record.client_name}`.slice(0, 150) } },
    section(`*${statusLabel(record.status)}* · ${esc(humanize(record.account_type))} account · <${boardUrl}|${esc(record.application_id)}>`),
    fields([
      ['Client', `${esc(record.client_name)} (${esc(record.client_id)})`],
      ['Advisor', esc(nameOf(names, record.advisor_id))],
      ['Amount', formatAmount(record.initial_investment_amount, record.currency)],
      ['Risk profile', riskProfile(record)],
      ['Source of funds', sourceOfFunds(record)],
      ['SLA deadline', inReview ? slaLine(sla) : 'Closed'],
      ['Assigned officer', esc(nameOf(names, record.assigned_officer_id))],
      ['Approvals', approvalsText(record, names)],
    ]),
    section(`*Products*\n${products(record)}`),
    section(`*Due diligence*\n${dueDiligence(record)}`),
    section(
      `*Suitability warnings*\n${record.suitability_warnings.length ? record.suitability_warnings.map((w) => `:warning: ${esc(w.message)}`).join('\n') : 'None'}`,
    ),
  ];
  if (decided) blocks.push({ type: 'divider' }, section(decided));
  blocks.push({ type: 'actions', block_id: `application:${record.application_id}`, elements: [...(inReview ? decisionButtons(record.application_id) : []), boardButton(boardUrl)] });
  const amount = formatAmount(record.initial_investment_amount, record.currency);
  // The notification text is mrkdwn too.
  const text = decided
    ? `${esc(record.client_name)} (${record.application_id}): ${decided.replace(/^:[a-z_]+: /, '')}`
    : `Compliance review: ${esc(record.client_name)}, ${amount} (${record.application_id})`;
  return { text, blocks };
}

/** `/hub status`: where the application is, its SLA, the next step, and the caller's buttons. */
export function statusMessage(summary: ApplicationSummary, mayDecide: boolean): SlackMessage {
  const { record, names, sla, boardUrl } = summary;
  const progress = progressOf(accountOpeningSpec, record.status, HAPPY_PATH);
  const step = progress.step ? ` (step ${progress.step} of ${progress.of})` : '';
  return {
    text: `${esc(record.client_name)} (${record.application_id}): ${progress.label}`,
    blocks: [
      section(`*${esc(record.client_name)}* · ${esc(humanize(record.account_type))} account · <${boardUrl}|${esc(record.application_id)}>`),
      fields([
        ['Status', `${progress.label}${step}`],
        ['SLA', record.status === 'compliance_review' ? slaLine(sla) : sla ? slaLine(sla) : 'No SLA clock running'],
        ['Amount', formatAmount(record.initial_investment_amount, record.currency)],
        ['Next step', nextStep(record, names)],
      ]),
      { type: 'actions', elements: [...(mayDecide ? decisionButtons(record.application_id) : []), boardButton(boardUrl)] },
    ],
  };
}

/** One line per application awaiting the person's decision, with its buttons. */
export function pendingApprovalBlocks(pending: ApplicationSummary[]): Block[] {
  if (pending.length === 0) return [section('No applications await your approval.')];
  return pending.flatMap((summary) => {
    const { record, sla, boardUrl } = summary;
    const flags = [record.edd_required ? 'EDD' : null, record.politically_exposed ? 'PEP' : null, record.suitability_warnings.length ? 'suitability warning' : null].filter(Boolean);
    return [
      section(
        `*<${boardUrl}|${esc(record.client_name)}>* · ${formatAmount(record.initial_investment_amount, record.currency)} · ${record.approvals.length} of ${record.approvals_required} approvals${flags.length ? ` · :warning: ${flags.join(', ')}` : ''}\nSLA: ${slaLine(sla)}`,
      ),
      { type: 'actions', block_id: `pending:${record.application_id}`, elements: [...decisionButtons(record.application_id), boardButton(boardUrl)] },
    ];
  });
}

export function queueMessage(pending: ApplicationSummary[]): SlackMessage {
  return {
    text: pending.length ? `${pending.length} application(s) await your approval` : 'No applications await your approval',
    blocks: [section(`*Your pending approvals* (${pending.length})`), ...pendingApprovalBlocks(pending)],
  };
}

export interface BreachedProcess {
  process_id: string;
  title: string;
  status: string;
  sla: SlaView;
  boardUrl: string;
}

export function homeView(userName: string, pending: ApplicationSummary[], breached: BreachedProcess[]): slack.HomeView {
  return {
    type: 'home',
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: `Ops hub for ${userName}`.slice(0, 150) } },
      section(`*Pending approvals* (${pending.length})`),
      ...pendingApprovalBlocks(pending),
      { type: 'divider' },
      section(`*Breached SLAs* (${breached.length})`),
      ...(breached.length
        ? breached.map((p) => section(`:rotating_light: *<${p.boardUrl}|${esc(p.title)}>* · ${statusLabel(p.status)} · deadline ${slackDate(p.sla.deadline)}`))
        : [section('No breached SLAs.')]),
    ],
  };
}

/** `reason` is mrkdwn. */
export function notLinkedHomeView(reason: string): slack.HomeView {
  return { type: 'home', blocks: [section(`:lock: ${reason}`)] };
}

export function rejectModal(record: ApplicationRecord, metadata: string): slack.ModalView {
  return {
    type: 'modal',
    callback_id: REJECT_MODAL.callbackId,
    private_metadata: metadata,
    title: { type: 'plain_text', text: 'Reject application' },
    submit: { type: 'plain_text', text: 'Reject' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      section(`Reject the application of *${esc(record.client_name)}* for ${formatAmount(record.initial_investment_amount, record.currency)} (${esc(record.application_id)}).`),
      {
        type: 'input',
        block_id: REJECT_MODAL.block,
        label: { type: 'plain_text', text: 'Reason (the client and advisor see it)' },
        element: { type: 'plain_text_input', action_id: REJECT_MODAL.input, multiline: true, min_length: 1, max_length: 2000 },
      },
    ],
  };
}

const ALERT_ICONS: Record<string, string> = {
  sla_warning: ':hourglass_flowing_sand:',
  sla_breached: ':rotating_light:',
  sla_escalated: ':arrow_double_up:',
  mention: ':speech_balloon:',
  query_assigned: ':question:',
  assignment: ':inbox_tray:',
};

/** An SLA alert or a personal notification, with the way to the process. */
export function notificationMessage(notification: { kind: string; title: string; body: string }, processTitle: string | null, boardUrl: string | null): SlackMessage {
  const icon = ALERT_ICONS[notification.kind] ?? ':bell:';
  const link = boardUrl ? `\n<${boardUrl}|Open ${esc(processTitle ?? 'the process')} in the board>` : '';
  return {
    text: `${esc(notification.title)}: ${esc(notification.body)}`,
    blocks: [section(`${icon} *${esc(notification.title)}*\n${esc(notification.body)}${link}`)],
  };
}
