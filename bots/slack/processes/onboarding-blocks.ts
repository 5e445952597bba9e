import type { OnboardingRecord, ScreeningHit } from '../../../workflows/client-onboarding/definitions.js';
import { clientOnboardingSpec, HAPPY_PATH } from '../../../workflows/client-onboarding/spec.js';
import { DOCUMENT_KIND_LABELS, heldDocumentsOf, unmetRequirements } from '../../../workflows/documents.js';
import {
  boardButton,
  capitalize,
  commandButton,
  esc,
  fields,
  fitMessage,
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

/** Block Kit of a client onboarding: the compliance channel's message with the screening and the risk factors. */

export type OnboardingSummary = ProcessSummary<OnboardingRecord>;

const statusLabel = (status: string) => stateLabel(clientOnboardingSpec.processType, status);

export function decisionLine(record: OnboardingRecord, names: Record<string, string>): string | null {
  const by = record.decided_by ? ` by ${esc(nameOf(names, record.decided_by))}` : '';
  const when = record.decided_at ? ` at ${slackDate(record.decided_at)}` : '';
  switch (record.status) {
    case 'approved':
      return `:white_check_mark: Approved${by}${when}; KYC ${record.kyc_expires_at ? `complete until ${record.kyc_expires_at.slice(0, 10)}` : 'is being completed'}.`;
    case 'rejected':
      return `:x: Rejected${by}${when}: ${esc(record.rejection_reason ?? 'no reason recorded')}`;
    case 'cancelled':
      return ':no_entry_sign: The onboarding was cancelled.';
    case 'expired':
      return ':hourglass: The onboarding expired.';
    default:
      return null;
  }
}

export function alreadyDecidedText(record: OnboardingRecord, names: Record<string, string>): string {
  const decided = decisionLine(record, names);
  return decided
    ? `Nothing changed: this onboarding was already decided. ${withoutEmoji(decided)}`
    : 'Nothing changed: the onboarding changed meanwhile; look at it again.';
}

function riskText(record: OnboardingRecord): string {
  if (!record.risk) return 'Not rated yet';
  const factors = record.risk.factors.map(
    (f) =>
      `• ${capitalize(humanize(f.factor))}: ${esc(humanize(f.value))}, ${f.points} pt${f.points === 1 ? '' : 's'}` +
      ` (${esc(f.note)}${f.decisive ? ', decisive' : ''})`,
  );
  const edd = record.edd_required ? '\n:warning: Enhanced due diligence: two approvals by different officers.' : '';
  return `*${capitalize(record.risk.rating)}* risk, score ${record.risk.score}\n${factors.join('\n')}${edd}`;
}

function hitLine(hit: ScreeningHit): string {
  const decided =
    hit.status === 'cleared'
      ? `cleared by ${hit.clearances.map((c) => esc(c.name)).join(' and ')}`
      : hit.status === 'confirmed'
        ? `confirmed (${humanize(hit.confirmation?.outcome ?? '')}) by ${esc(hit.confirmation?.name ?? '')}`
        : `open, ${hit.clearances.length} of 2 clearances`;
  const listed = hit.listed_alias ? `${hit.listed_name} (a.k.a. ${hit.listed_alias})` : hit.listed_name;
  return `• ${capitalize(hit.list)}: ${esc(listed)} ~ ${esc(hit.matched_name)} (${hit.score}%${hit.program ? `, ${esc(hit.program)}` : ''}): ${decided}`;
}

function screeningText(record: OnboardingRecord): string {
  const screening = record.screening;
  if (!screening) return 'Not screened yet';
  const asOf = screening.lists_as_of ? `lists of ${slackDate(screening.lists_as_of)}` : ':warning: no list imported';
  const hits = screening.hits.length ? screening.hits.map(hitLine).join('\n') : 'No possible match';
  return `${esc(screening.names.join(', '))} against the ${asOf}\n${hits}`;
}

function evidence(summary: OnboardingSummary): string {
  const { record, documents, boardUrl } = summary;
  const lines = documents.map(
    (d) =>
      `• ${DOCUMENT_KIND_LABELS[d.kind]}: <${boardUrl}|${esc(d.title)}> v${d.version}, ${humanize(d.review_status)}`,
  );
  const missing = unmetRequirements(
    clientOnboardingSpec.documents,
    'compliance_approve',
    { ...record },
    heldDocumentsOf(documents),
  );
  return [...(lines.length ? lines : ['None attached']), ...missing.map((r) => `:warning: ${esc(r.message)}`)].join(
    '\n',
  );
}

export function onboardingMessage(summary: OnboardingSummary, buttons: ButtonSpec[]): SlackMessage {
  const { record, names, sla, boardUrl } = summary;
  const decided = decisionLine(record, names);
  const blocks: Block[] = [
    header(`Onboarding review: ${record.client_name}`),
    section(
      `*${statusLabel(record.status)}* · ${humanize(record.client_type)} client · <${boardUrl}|${esc(record.onboarding_id)}>`,
    ),
    fields([
      ['Client', `${esc(record.client_name)} (${esc(record.client_id)})`],
      ['Advisor', esc(nameOf(names, record.advisor_id))],
      ['Assigned officer', esc(nameOf(names, record.assigned_officer_id))],
      ['Approvals', `${record.approvals.length} of ${record.approvals_required}`],
      ['SLA deadline', record.status === 'compliance_review' ? slaLine(sla) : 'Closed'],
      ['Politically exposed', record.politically_exposed ? ':warning: Yes' : 'No'],
    ]),
    section(`*Risk rating*\n${riskText(record)}`),
    section(`*Screening*\n${screeningText(record)}`),
    section(`*Documents*\n${evidence(summary)}`),
  ];
  if (decided) blocks.push({ type: 'divider' }, section(decided));
  blocks.push({
    type: 'actions',
    block_id: `onboarding:${record.onboarding_id}`,
    elements: [...buttons.map((b) => commandButton(b, record.onboarding_id)), boardButton(boardUrl)],
  });
  const text = decided
    ? `${esc(record.client_name)} (${record.onboarding_id}): ${withoutEmoji(decided)}`
    : `Onboarding review: ${esc(record.client_name)}, ${record.risk?.rating ?? 'unrated'} risk (${record.onboarding_id})`;
  return fitMessage({ text, blocks }, boardUrl);
}

export function onboardingStatus(summary: OnboardingSummary): StatusReply {
  const { record, names, sla, boardUrl } = summary;
  return statusReply(
    clientOnboardingSpec,
    HAPPY_PATH,
    { processId: record.onboarding_id, clientName: record.client_name, status: record.status, sla },
    {
      headline: `*${esc(record.client_name)}* · onboarding · <${boardUrl}|${esc(record.onboarding_id)}>`,
      fields: [
        ['Risk', record.risk ? capitalize(record.risk.rating) : 'Not rated yet'],
        ['Decision', decisionLine(record, names) ?? 'Open'],
      ],
    },
  );
}

export function onboardingPendingLine(summary: OnboardingSummary): string {
  const { record, sla, boardUrl } = summary;
  return `*<${boardUrl}|${esc(record.client_name)}>* · onboarding · ${record.risk?.rating ?? 'unrated'} risk · ${record.approvals.length} of ${record.approvals_required} approvals\nSLA: ${slaLine(sla)}`;
}

export function onboardingConfirmation(command: string, record: OnboardingRecord): string {
  if (command === 'compliance_reject') return `You rejected ${esc(record.client_name)}'s onboarding.`;
  if (record.status === 'approved')
    return `You approved ${esc(record.client_name)}'s onboarding; their KYC is complete.`;
  return `Your approval of ${esc(record.client_name)}'s onboarding is recorded; a second officer must approve.`;
}
