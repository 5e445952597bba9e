import type { Schema } from './api-types.js';
import { h } from './dom.js';
import { formatTimestamp, humanize } from './format.js';

type DecisionRecord = Schema<'DecisionRecord'>;
type Decision = DecisionRecord['decisions'][number];

/**
 * The drawer's decision record: for each approval or rejection, who decided and through which channel, the
 * version they decided on, the notes then, the SLA clock then and the four-eyes chain, with the audit row
 * (and its chain hash) that holds it all.
 */
export function decisionRecordSection(record: DecisionRecord | null): HTMLElement | null {
  if (!record || record.decisions.length === 0) return null;
  return h(
    'section',
    { class: 'decision-record', 'data-section': 'decision-record' },
    h('h3', {}, 'Decision record'),
    ...record.decisions.map(decisionView),
  );
}

function decisionView(decision: Decision): HTMLElement {
  const facts: [string, string | null][] = [
    [
      'Decided by',
      `${decision.decided_by.name ?? decision.decided_by.user_id} (${humanize(decision.decided_by.role)})`,
    ],
    ['Channel', decision.slack_user_id ? `${decision.channel} (${decision.slack_user_id})` : decision.channel],
    ['At', formatTimestamp(decision.at)],
    [
      'Record version',
      decision.record_version === null
        ? null
        : `${decision.record_version}${decision.slack_message_version === null ? '' : ` (Slack message showed ${decision.slack_message_version})`}`,
    ],
    ['SLA then', decision.sla ? slaText(decision.sla) : null],
    ['Documents then', documentsText(decision)],
    ['Notes', decision.notes],
    ['Compliance notes', decision.compliance_notes],
    ['Reason', decision.reason],
    ['Four eyes', fourEyesText(decision)],
    ['Audit row', `${decision.audit_id} · ${decision.audit_hash?.slice(0, 16) ?? ''}…`],
  ];
  const list = h('dl', {});
  for (const [label, value] of facts) if (value) list.append(h('dt', {}, label), h('dd', {}, value));
  return h(
    'article',
    { class: 'decision', 'data-action': decision.action },
    h('h4', {}, humanize(decision.action)),
    list,
  );
}

function slaText(sla: NonNullable<Decision['sla']>): string {
  return `${sla.breached ? 'breached' : humanize(sla.status).toLowerCase()}, ${sla.percent_elapsed}% of the target elapsed`;
}

function documentsText(decision: Decision): string | null {
  if (decision.documents.length === 0) return null;
  return decision.documents
    .map((d) => `${d.title} (${humanize(d.kind).toLowerCase()}, version ${d.version}, ${d.review_status})`)
    .join('; ');
}

function fourEyesText(decision: Decision): string {
  const { chain, approvals_required, distinct_deciders } = decision.four_eyes;
  const steps = chain
    .map((step) => `${step.name ?? step.user_id} (${humanize(step.action)}, ${step.channel})`)
    .join(' → ');
  const required = approvals_required === null ? '' : `; ${approvals_required} required`;
  return `${steps}${required}${distinct_deciders ? '' : '; the same person decided twice'}`;
}
