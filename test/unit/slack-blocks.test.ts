import { describe, expect, it } from 'vitest';
import {
  esc,
  fields,
  fitBlocks,
  fitMrkdwn,
  formatAmount,
  header,
  notificationMessage,
  section,
  slackDate,
} from '../../bots/slack/blocks.js';
import { accountOpeningSlack } from '../../bots/slack/processes/account-opening.js';
import { alreadyDecidedText, type ApplicationSummary } from '../../bots/slack/processes/application-blocks.js';
import { buttonsIn } from '../../bots/slack/slack-process.js';
import type { ApplicationRecord } from '../../workflows/account-opening/definitions.js';

const record: ApplicationRecord = {
  application_id: 'app_abc',
  client_id: 'cli_x',
  client_name: 'Ann <Admin> & Co',
  client_user_id: null,
  advisor_id: 'usr_alex_advisor',
  opened_by: 'usr_alex_advisor',
  account_type: 'joint',
  status: 'compliance_review',
  selected_products: [{ product_id: 'p1', product_name: 'Core Bond Fund', allocation_percent: 100 }],
  risk_score: 30,
  risk_profile: 'moderate',
  investment_objective: 'income',
  investment_horizon: 'medium_term',
  initial_investment_amount: 1234567.5,
  currency: 'EUR',
  source_of_funds: 'other',
  source_of_funds_detail: 'Sale of a <boat>',
  terms_accepted: true,
  terms_accepted_at: '2026-03-02T10:00:00.000Z',
  mandate_document_id: null,
  funding_method: 'wire_transfer',
  funding_reference: null,
  compliance_notes: null,
  rejection_reason: null,
  suitability_warnings: [],
  approvals: [],
  approvals_required: 2,
  edd_required: true,
  politically_exposed: false,
  assigned_officer_id: 'usr_carla_compliance',
  account_number: null,
  crm_failure: null,
  decided_by: null,
  decided_at: null,
  status_entered_at: '2026-03-02T10:00:00.000Z',
  created_at: '2026-03-02T09:00:00.000Z',
  updated_at: '2026-03-02T10:00:00.000Z',
  version: 7,
};
const names = { usr_alex_advisor: 'Alex Advisor', usr_carla_compliance: 'Carla Compliance' };
const summary = (
  over: Partial<ApplicationRecord> = {},
  sla: ApplicationSummary['sla'] = null,
  documents: ApplicationSummary['documents'] = [],
): ApplicationSummary => ({
  processId: 'app_abc',
  record: { ...record, ...over },
  assignedUserId: 'usr_carla_compliance',
  statusEnteredAt: '2026-03-02T10:00:00.000Z',
  sla,
  names,
  boardUrl: 'https://hub.example/#/process/app_abc',
  documents,
});
const texts = (message: { blocks: unknown[] }) => JSON.stringify(message.blocks);
/** The compliance channel's message as the worker renders it: its buttons while in review, none after. */
const [complianceMessage] = accountOpeningSlack.messages;
const applicationMessage = (s: ApplicationSummary) =>
  complianceMessage.render(s, buttonsIn(accountOpeningSlack, complianceMessage, s.record.status));

describe('Slack blocks', () => {
  it('formats dates for each reader, amounts with their currency, and escapes people’s text', () => {
    expect(slackDate('2026-03-04T16:05:00.000Z')).toBe(
      '<!date^1772640300^{date_short_pretty} at {time}|2026-03-04 16:05 UTC>',
    );
    expect(formatAmount(1234567.5, 'EUR')).toBe('1,234,567.50 EUR');
    expect(formatAmount(null, null)).toBe('not given yet');
    expect(esc('a <b> & c')).toBe('a &lt;b&gt; &amp; c');
    const message = applicationMessage(summary());
    expect(texts(message)).toContain('Ann &lt;Admin&gt; &amp; Co (cli_x)');
    expect(texts(message)).toContain('Other: Sale of a &lt;boat&gt;');
  });

  it('says which evidence is attached, links it to the board, and what an EDD approval still needs', () => {
    expect(texts(applicationMessage(summary()))).toContain('*Evidence*\\nNone attached');
    const line = {
      subject_id: 'app_abc',
      document_id: 'doc_1',
      kind: 'source_of_funds_evidence' as const,
      version: 2,
      title: 'Sale <deed>',
      sha256: 'ab'.repeat(32),
    };
    const pending = texts(
      applicationMessage(summary({ edd_required: true }, null, [{ ...line, review_status: 'pending' }])),
    );
    expect(pending).toContain(
      '• Source-of-funds evidence: <https://hub.example/#/process/app_abc|Sale &lt;deed&gt;> v2, awaiting review',
    );
    expect(pending).toContain(':warning: Source-of-funds evidence must be accepted by compliance before');
    const accepted = texts(
      applicationMessage(summary({ edd_required: true }, null, [{ ...line, review_status: 'accepted' }])),
    );
    expect(accepted).toContain('v2, :white_check_mark: accepted');
    expect(accepted).not.toContain(':warning: Source-of-funds');
  });

  it('shows the SLA deadline and its state while in review', () => {
    const sla = { status: 'warning' as const, deadline: '2026-03-04T16:05:00.000Z', paused: false };
    expect(texts(applicationMessage(summary({}, sla)))).toContain(
      '*SLA deadline*\\n<!date^1772640300^{date_short_pretty} at {time}|2026-03-04 16:05 UTC> (warning)',
    );
    expect(texts(applicationMessage(summary({}, { ...sla, paused: true })))).toContain('(paused)');
  });

  it('replaces the buttons by the decision once there is one', () => {
    const open = applicationMessage(summary());
    const buttons = open.blocks.at(-1) as { elements: { action_id: string; value?: string }[] };
    expect(buttons.elements.map((e) => [e.action_id, e.value ?? null])).toEqual([
      ['approve_application', 'app_abc'],
      ['reject_application', 'app_abc'],
      ['open_in_board', null],
    ]);
    const rejected = applicationMessage(
      summary({
        status: 'rejected',
        decided_by: 'usr_carla_compliance',
        decided_at: '2026-03-04T16:05:00.000Z',
        rejection_reason: 'Missing <KYC>',
      }),
    );
    const actions = rejected.blocks.at(-1) as { elements: { action_id: string }[] };
    expect(actions.elements.map((e) => e.action_id)).toEqual(['open_in_board']);
    expect(texts(rejected)).toContain(
      ':x: Rejected by Carla Compliance at <!date^1772640300^{date_short_pretty} at {time}|2026-03-04 16:05 UTC>: Missing &lt;KYC&gt;',
    );
    expect(rejected.text).toBe(
      'Ann &lt;Admin&gt; &amp; Co (app_abc): Rejected by Carla Compliance at <!date^1772640300^{date_short_pretty} at {time}|2026-03-04 16:05 UTC>: Missing &lt;KYC&gt;',
    );
    expect(alreadyDecidedText({ ...record, status: 'cancelled' }, names)).toBe(
      'Nothing changed: the application is cancelled now.',
    );
    // An administrator's override to rejected names no decider.
    expect(texts(applicationMessage(summary({ status: 'rejected', rejection_reason: 'Duplicate' })))).toContain(
      ':x: Rejected: Duplicate',
    );
  });
});

describe('Slack limits and dates', () => {
  it('shows an SLA alert’s deadline in each reader’s own time zone', () => {
    const message = notificationMessage(
      {
        kind: 'sla_warning',
        title: 'SLA warning',
        body: 'compliance review: 75% of the SLA used; deadline 2026-12-03T09:00:00.000Z',
      },
      'Chris Carter',
      'http://hub.example/#/process/app_1',
    );
    const text = (message.blocks[0] as any).text.text as string;
    expect(text).toContain(
      `deadline <!date^${Date.parse('2026-12-03T09:00:00.000Z') / 1000}^{date_short_pretty} at {time}|2026-12-03 09:00 UTC>`,
    );
    expect(text).not.toContain('2026-12-03T09:00');
  });

  it('cuts escaped text without splitting an escape, a link or a date token', () => {
    const escaped = esc('a'.repeat(1995) + '&&&&&&');
    const cut = fitMrkdwn(escaped, 2000);
    expect(cut.length).toBeLessThanOrEqual(2000);
    expect(cut).toMatch(/^a{1995}(&amp;)*…$/);
    // The cut would fall inside the link, so it comes before it.
    const linked = fitMrkdwn(
      `${'b'.repeat(2950)} <http://hub.example/#/y|a link> ${'c'.repeat(100)}`,
      3000,
      'http://hub.example/#/x',
    );
    expect(linked).toBe(`${'b'.repeat(2950)}… <http://hub.example/#/x|more in the board>`);
  });

  it('keeps every block of a huge message within its place’s limit', () => {
    const huge = '<&>'.repeat(5000);
    const [sectionBlock, fieldsBlock, headerBlock] = fitBlocks(
      [section(huge), fields([['Label', huge]]), header(huge)],
      'http://hub.example/#/x',
    );
    expect((sectionBlock as any).text.text.length).toBeLessThanOrEqual(3000);
    expect((fieldsBlock as any).fields[0].text.length).toBeLessThanOrEqual(2000);
    expect((headerBlock as any).text.text.length).toBeLessThanOrEqual(150);
  });
});
