import type { ApplicationRecord } from '../../../workflows/account-opening/definitions.js';
import { accountOpeningSpec, HAPPY_PATH } from '../../../workflows/account-opening/spec.js';
import { DOCUMENT_KIND_LABELS, heldDocumentsOf, unmetRequirements } from '../../../workflows/documents.js';
// Block builders, then the words in them.
import {
  decisionBlocks,
  fields,
  fitMessage,
  header,
  section,
  statusReply,
  capitalize,
  channelName,
  esc,
  formatAmount,
  humanize,
  nameOf,
  slackDate,
  slaLine,
  stateLabel,
  withoutEmoji,
  type Block,
  type ButtonSpec,
  type SlackMessage,
  type StatusReply,
} from '../blocks.js';
import type { ProcessSummary } from '../slack-process.js';

/** Block Kit of an account-opening application: the compliance channel's approval message, its status and queue lines. */

export type ApplicationSummary = ProcessSummary<ApplicationRecord>;

const statusLabel = (status: string) => stateLabel(accountOpeningSpec.processType, status);

/** Who decided and when, once someone has; null while the application awaits its decision. */
export function decisionLine(record: ApplicationRecord, names: Record<string, string>): string | null {
  // An administrator's status override records no decider.
  const by = record.decided_by ? ` by ${esc(nameOf(names, record.decided_by))}` : '';
  const when = record.decided_by && record.decided_at ? ` at ${slackDate(record.decided_at)}` : '';
  const approval = record.approvals.at(-1);
  const via = by && approval?.approved_by === record.decided_by ? ` via ${channelName(approval.channel)}` : '';
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
  if (record.status === 'compliance_review')
    return 'Nothing changed: the application changed meanwhile; look at it again.';
  if (record.decided_by)
    return `Nothing changed: this application was already decided. ${withoutEmoji(decisionLine(record, names) ?? '')}`;
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
  const details = [`score ${record.risk_score}`, record.investment_objective, record.investment_horizon]
    .filter(Boolean)
    .map((d) => humanize(String(d)));
  return `${capitalize(humanize(record.risk_profile))} (${details.join(', ')})`;
}

function sourceOfFunds(record: ApplicationRecord): string {
  if (!record.source_of_funds) return 'Not declared yet';
  return `${capitalize(humanize(record.source_of_funds))}${record.source_of_funds_detail ? `: ${esc(record.source_of_funds_detail)}` : ''}`;
}

function approvalsText(record: ApplicationRecord, names: Record<string, string>): string {
  if (record.approvals.length === 0) return `0 of ${record.approvals_required}`;
  const who = record.approvals
    .map((a) => `${esc(a.approver_name || nameOf(names, a.approved_by))} (${slackDate(a.at)})`)
    .join(', ');
  return `${record.approvals.length} of ${record.approvals_required}: ${who}`;
}

const REVIEW_WORDS = {
  pending: 'awaiting review',
  accepted: ':white_check_mark: accepted',
  rejected: ':x: rejected',
} as const;

/** Which evidence is attached, each linked to the drawer that lists and previews it, and what is still needed. */
function evidence(summary: ApplicationSummary): string {
  const { record, documents, boardUrl } = summary;
  const lines = documents.map(
    (d) =>
      `• ${DOCUMENT_KIND_LABELS[d.kind]}: <${boardUrl}|${esc(d.title)}> v${d.version}, ${REVIEW_WORDS[d.review_status]}`,
  );
  const missing = unmetRequirements(
    accountOpeningSpec.documents,
    'compliance_approve',
    { ...record },
    heldDocumentsOf(documents),
  );
  return [...(lines.length ? lines : ['None attached']), ...missing.map((r) => `:warning: ${esc(r.message)}`)].join(
    '\n',
  );
}

const amountOf = (record: ApplicationRecord) => formatAmount(record.initial_investment_amount, record.currency);

/** The compliance channel's message: everything an officer needs to decide, and the decision once made. */
export function applicationMessage(summary: ApplicationSummary, buttons: ButtonSpec[]): SlackMessage {
  const { record, names, sla, boardUrl } = summary;
  const decided = decisionLine(record, names);
  const blocks: Block[] = [
    header(`Compliance review: ${record.client_name}`),
    section(
      `*${statusLabel(record.status)}* · ${esc(humanize(record.account_type))} account · <${boardUrl}|${esc(record.application_id)}>`,
    ),
    fields([
      ['Client', `${esc(record.client_name)} (${esc(record.client_id)})`],
      ['Advisor', esc(nameOf(names, record.advisor_id))],
      ['Amount', amountOf(record)],
      ['Risk profile', riskProfile(record)],
      ['Source of funds', sourceOfFunds(record)],
      ['SLA deadline', record.status === 'compliance_review' ? slaLine(sla) : 'Closed'],
      ['Assigned officer', esc(nameOf(names, record.assigned_officer_id))],
      ['Approvals', approvalsText(record, names)],
    ]),
    section(`*Products*\n${products(record)}`),
    section(`*Due diligence*\n${dueDiligence(record)}`),
    section(`*Evidence*\n${evidence(summary)}`),
    section(
      `*Suitability warnings*\n${record.suitability_warnings.length ? record.suitability_warnings.map((w) => `:warning: ${esc(w.message)}`).join('\n') : 'None'}`,
    ),
  ];
  const blockId = `application:${record.application_id}`;
  blocks.push(...decisionBlocks(decided, { blockId, processId: record.application_id, buttons, boardUrl }));
  // The notification text is mrkdwn too.
  const text = decided
    ? `${esc(record.client_name)} (${record.application_id}): ${withoutEmoji(decided)}`
    : `Compliance review: ${esc(record.client_name)}, ${amountOf(record)} (${record.application_id})`;
  return fitMessage({ text, blocks }, boardUrl);
}

/** `/hub status`: state (step n of m), SLA, amount, next step. */
export function applicationStatus(summary: ApplicationSummary): StatusReply {
  const { record, names, sla, boardUrl } = summary;
  return statusReply(
    accountOpeningSpec,
    HAPPY_PATH,
    { processId: record.application_id, clientName: record.client_name, status: record.status, sla },
    {
      headline: `*${esc(record.client_name)}* · ${esc(humanize(record.account_type))} account · <${boardUrl}|${esc(record.application_id)}>`,
      fields: [
        ['Amount', amountOf(record)],
        ['Next step', nextStep(record, names)],
      ],
    },
  );
}

export function applicationPendingLine(summary: ApplicationSummary): string {
  const { record, sla, boardUrl } = summary;
  const flags = [
    record.edd_required ? 'EDD' : null,
    record.politically_exposed ? 'PEP' : null,
    record.suitability_warnings.length ? 'suitability warning' : null,
  ].filter(Boolean);
  return `*<${boardUrl}|${esc(record.client_name)}>* · ${amountOf(record)} · ${record.approvals.length} of ${record.approvals_required} approvals${
    flags.length ? ` · :warning: ${flags.join(', ')}` : ''
  }\nSLA: ${slaLine(sla)}`;
}

export function applicationConfirmation(command: string, application: ApplicationRecord): string {
  if (command === 'compliance_reject') return `You rejected ${esc(application.client_name)}'s application.`;
  return application.status === 'compliance_review'
    ? `Your approval of ${esc(application.client_name)}'s application is recorded: ${application.approvals.length} of ${application.approvals_required}. A different compliance officer gives the next one.`
    : `You approved ${esc(application.client_name)}'s application.`;
}
