import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, waitForStatus } from '../support/hub.js';
import { attachAcceptedEvidence, pdfFile, uploadDocument } from '../support/document-files.js';
import {
  approvalPost,
  blocksText,
  buttonClick,
  buttonsOf,
  COMPLIANCE_CHANNEL,
  deliveryKeyOf,
  postInteraction,
  reasonSubmission,
  startSlackTestHub,
  type SlackTestHub,
} from '../support/slack.js';
import type { RecordedCall } from '../support/slack-emulator.js';
import { applicationInReview } from '../support/account-opening.js';

/** Slack's date token as the bot writes it, computed here independently. */
function slackDateOf(iso: string): string {
  const at = new Date(iso);
  return `<!date^${Math.floor(at.getTime() / 1000)}^{date_short_pretty} at {time}|${at.toISOString().slice(0, 10)} ${at.toISOString().slice(11, 16)} UTC>`;
}

describe('Slack approvals against the Web API emulator, on real PostgreSQL and Temporal', () => {
  let t: SlackTestHub;
  beforeAll(async () => {
    t = await startSlackTestHub();
  });
  afterAll(async () => {
    await t?.stop();
  });

  const auditOf = (id: string) =>
    t.hub
      .sql`SELECT action, outcome, actor_id, channel, slack_user_id, error_code FROM audit_log WHERE process_id = ${id} AND action LIKE 'compliance_%' ORDER BY id`;
  /** The message's latest state as Slack holds it, once it satisfies `ready`. */
  const messageUpdate = (channel: string, ts: string, ready: (text: string, call: RecordedCall) => boolean) =>
    t.slack.waitForCall(
      'chat.update',
      (call) => call.args.channel === channel && call.args.ts === ts && ready(blocksText(call.args.blocks), call),
    );
  /** Carla's approval as the audit trail keeps it, from a click in Slack. */
  const CARLA_APPROVED_IN_SLACK = {
    action: 'compliance_approve',
    outcome: 'accepted',
    actor_id: 'usr_carla_compliance',
    channel: 'slack',
    slack_user_id: 'UCARLA',
    error_code: null,
  };
  const ephemeralTo = (user: string, match: (text: string) => boolean) =>
    t.slack.waitForCall('chat.postEphemeral', (call) => call.args.user === user && match(String(call.args.text)));

  it('posts the approval message with what an officer needs to decide, once', async () => {
    const id = await applicationInReview(t.hub);
    const post = await approvalPost(t.slack, id);
    expect(post.args.channel).toBe(COMPLIANCE_CHANNEL);
    expect(post.token).toBe('xoxb-test-hub-bot');
    const text = blocksText(post.args.blocks);
    for (const expected of [
      'Compliance review: Chris Carter',
      '*Client*\nChris Carter (cli_chris_carter)',
      '*Advisor*\nAlex Advisor',
      '*Amount*\n50,000.00 USD',
      '*Risk profile*\nBalanced (score 55, growth, long term)',
      '*Source of funds*\nSavings',
      '*Assigned officer*\nCarla Compliance',
      '*Approvals*\n0 of 1',
      '• Global Equity Index Fund: 50%\n• Core Bond Fund: 50%',
      'Standard review: one approval.',
      ":warning: Global Equity Index Fund is growth risk, above the client's balanced profile",
    ]) {
      expect(text).toContain(expected);
    }
    // The SLA clock is the SLA feature's; without it running the field says so.
    expect(text).toMatch(
      /\*SLA deadline\*\n(No SLA clock running|<!date\^\d+\^\{date_short_pretty\} at \{time\}\|[^>]+> \((on track|warning|breached|paused)\))/,
    );
    expect(buttonsOf(post.args.blocks)).toEqual({
      approve_application: id,
      reject_application: id,
      open_in_board: `${t.hub.config.publicUrl}/#/process/${id}`,
    });
    expect(post.args.text).toBe(`Compliance review: Chris Carter, 50,000.00 USD (${id})`);
    const stored = await eventually(async () => {
      const [row] = await t.hub
        .sql`SELECT channel, ts, rendered_version FROM slack_process_messages WHERE process_id = ${id} AND audience = 'compliance'`;
      return row?.ts ? row : undefined;
    });
    const [{ version }] = await t.hub.sql`SELECT version FROM processes WHERE process_id = ${id}`;
    expect(stored).toEqual({ channel: COMPLIANCE_CHANNEL, ts: post.response.ts, rendered_version: version });
    expect(
      t.slack.callsTo('chat.postMessage').filter((c) => deliveryKeyOf(c) === `application-message:${id}`),
    ).toHaveLength(1);
  });

  it('says which evidence is attached, linked to the board, and follows its upload and review in place', async () => {
    const id = await applicationInReview(t.hub, { amount: 300_000 });
    const post = await approvalPost(t.slack, id);
    const boardLink = `${t.hub.config.publicUrl}/#/process/${id}`;
    expect(blocksText(post.args.blocks)).toContain(
      '*Evidence*\nNone attached\n:warning: Source-of-funds evidence must be accepted by compliance',
    );

    const advisor = await t.hub.login('alex.advisor@hub.example');
    const uploaded = await uploadDocument(t.hub, advisor, `/processes/${id}`, {
      kind: 'source_of_funds_evidence',
      title: 'Payslips 2026',
      fileName: 'payslips.pdf',
      bytes: pdfFile(),
    });
    expect(uploaded.status).toBe(201);
    await messageUpdate(COMPLIANCE_CHANNEL, post.response.ts, (m) =>
      m.includes(`• Source-of-funds evidence: <${boardLink}|Payslips 2026> v1, awaiting review`),
    );

    const officer = await t.hub.login('helen.head@hub.example');
    expect(
      (
        await t.hub.api(officer, 'POST', `/documents/${uploaded.body.document_id}/versions/1/review`, {
          decision: 'accepted',
        })
      ).status,
    ).toBe(200);
    const accepted = await messageUpdate(COMPLIANCE_CHANNEL, post.response.ts, (m) =>
      m.includes('Payslips 2026> v1, :white_check_mark: accepted'),
    );
    expect(blocksText(accepted.args.blocks)).not.toContain(':warning: Source-of-funds evidence must be accepted');
  });

  it('flags enhanced due diligence and a politically exposed client, and counts two approvals from Slack', async () => {
    const id = await applicationInReview(t.hub, { clientId: 'cli_priya_patel', amount: 300_000 });
    await attachAcceptedEvidence(
      t.hub,
      id,
      await t.hub.login('alex.advisor@hub.example'),
      await t.hub.login('helen.head@hub.example'),
    );
    const post = await approvalPost(t.slack, id);
    const text = blocksText(post.args.blocks);
    expect(text).toContain(':warning: *Enhanced due diligence*: the amount is above the EDD threshold');
    expect(text).toContain(':warning: *Politically exposed client (PEP)*');
    expect(text).toContain('Two approvals by different compliance officers are required.');
    expect(text).toContain('*Amount*\n300,000.00 USD');
    expect(text).toContain('*Approvals*\n0 of 2');

    await postInteraction(
      t.hub,
      buttonClick({ user: 'UCARLA', actionId: 'approve_application', value: id, messageTs: post.response.ts }),
    );
    await ephemeralTo(
      'UCARLA',
      (m) =>
        m ===
        "Your approval of Priya Patel's application is recorded: 1 of 2. A different compliance officer gives the next one.",
    );
    const halfway = await messageUpdate(COMPLIANCE_CHANNEL, post.response.ts, (m) =>
      m.includes('*Approvals*\n1 of 2: Carla Compliance'),
    );
    expect(buttonsOf(halfway.args.blocks)).toHaveProperty('approve_application', id);

    // The same officer again: the blueprint's second-approver rule, told to her, nothing recorded.
    await postInteraction(
      t.hub,
      buttonClick({ user: 'UCARLA', actionId: 'approve_application', value: id, messageTs: post.response.ts }),
    );
    await ephemeralTo('UCARLA', (m) => m.startsWith('You have already approved this application'));

    await postInteraction(
      t.hub,
      buttonClick({ user: 'UCOLIN', actionId: 'approve_application', value: id, messageTs: post.response.ts }),
    );
    const record = await waitForStatus(t.hub.sql, id, 'account_created');
    expect(record.approvals.map((a: { approved_by: string; channel: string }) => [a.approved_by, a.channel])).toEqual([
      ['usr_carla_compliance', 'slack'],
      ['usr_colin_compliance', 'slack'],
    ]);
    expect(await auditOf(id)).toEqual([
      {
        action: 'compliance_approve',
        outcome: 'accepted',
        actor_id: 'usr_carla_compliance',
        channel: 'slack',
        slack_user_id: 'UCARLA',
        error_code: null,
      },
      {
        action: 'compliance_approve',
        outcome: 'refused',
        actor_id: 'usr_carla_compliance',
        channel: 'slack',
        slack_user_id: 'UCARLA',
        error_code: 'SECOND_APPROVER_REQUIRED',
      },
      {
        action: 'compliance_approve',
        outcome: 'accepted',
        actor_id: 'usr_colin_compliance',
        channel: 'slack',
        slack_user_id: 'UCOLIN',
        error_code: null,
      },
    ]);
  });

  it('approves from Slack as the linked officer and drives the real workflow to account_created', async () => {
    const id = await applicationInReview(t.hub);
    const post = await approvalPost(t.slack, id);
    const answer = await postInteraction(
      t.hub,
      buttonClick({ user: 'UCARLA', actionId: 'approve_application', value: id, messageTs: post.response.ts }),
    );
    expect(answer).toEqual({ status: 200, body: null });

    const record = await waitForStatus(t.hub.sql, id, 'account_created');
    expect(record.decided_by).toBe('usr_carla_compliance');
    expect(record.account_number).toMatch(/^\S+$/);
    expect(await auditOf(id)).toEqual([CARLA_APPROVED_IN_SLACK]);
    await ephemeralTo('UCARLA', (m) => m === "You approved Chris Carter's application.");

    const final = await messageUpdate(COMPLIANCE_CHANNEL, post.response.ts, (m) =>
      m.includes(`Account ${record.account_number} is open`),
    );
    expect(blocksText(final.args.blocks)).toContain(
      `:white_check_mark: Approved by Carla Compliance via Slack at ${slackDateOf(record.decided_at)}. Account ${record.account_number} is open.`,
    );
    expect(buttonsOf(final.args.blocks)).toEqual({ open_in_board: `${t.hub.config.publicUrl}/#/process/${id}` });
    const [link] = await t.hub.sql`SELECT user_id, source FROM slack_users WHERE slack_user_id = 'UCARLA'`;
    expect(link).toEqual({ user_id: 'usr_carla_compliance', source: 'email' });
  });

  it('answers a repeated Approve click after the application finished as the first, with no false refusal', async () => {
    const id = await applicationInReview(t.hub);
    const post = await approvalPost(t.slack, id);
    const click = buttonClick({
      user: 'UCARLA',
      actionId: 'approve_application',
      value: id,
      messageTs: post.response.ts,
    });
    const repliesToCarla = () => t.slack.callsTo('chat.postEphemeral').filter((call) => call.args.user === 'UCARLA');
    const before = repliesToCarla().length;
    await postInteraction(t.hub, click);
    await waitForStatus(t.hub.sql, id, 'account_created');
    await ephemeralTo('UCARLA', (m) => m === "You approved Chris Carter's application.");

    // Slack redelivers the same payload (a retry after a slow ack, a double click): the process is finished now.
    expect(await postInteraction(t.hub, click)).toEqual({ status: 200, body: null });
    await t.slack.waitForCall('chat.postEphemeral', () => repliesToCarla().length >= before + 2);
    expect(
      repliesToCarla()
        .slice(before)
        .map((call) => call.args.text),
    ).toEqual(["You approved Chris Carter's application.", "You approved Chris Carter's application."]);
    expect(await auditOf(id)).toEqual([CARLA_APPROVED_IN_SLACK]);
    const refused = await t.hub
      .sql`SELECT count(*)::int AS n FROM audit_log WHERE process_id = ${id} AND outcome = 'refused'`;
    expect(refused[0].n).toBe(0);
  });

  it('rejects through a modal that requires a reason', async () => {
    const id = await applicationInReview(t.hub);
    const post = await approvalPost(t.slack, id);
    const click = buttonClick({
      user: 'UCOLIN',
      actionId: 'reject_application',
      value: id,
      messageTs: post.response.ts,
    });
    await postInteraction(t.hub, click);
    const opened = await t.slack.waitForCall('views.open', (call) => call.args.trigger_id === click.trigger_id);
    const modal = opened.args.view;
    expect(modal.callback_id).toBe('reject_application_modal');
    expect(JSON.parse(modal.private_metadata)).toEqual({ process_id: id, channel: COMPLIANCE_CHANNEL });
    expect(modal.blocks.find((b: { type: string }) => b.type === 'input')).toMatchObject({
      block_id: 'rejection_reason',
      element: { action_id: 'reason', type: 'plain_text_input' },
    });

    const blank = await postInteraction(t.hub, reasonSubmission({ user: 'UCOLIN', view: modal, reason: '   ' }));
    expect(blank).toEqual({
      status: 200,
      body: { response_action: 'errors', errors: { rejection_reason: 'A rejection needs a reason.' } },
    });
    expect((await t.hub.sql`SELECT status FROM processes WHERE process_id = ${id}`)[0].status).toBe(
      'compliance_review',
    );

    const submitted = await postInteraction(
      t.hub,
      reasonSubmission({ user: 'UCOLIN', view: modal, reason: 'Source of funds not evidenced' }),
    );
    expect(submitted).toEqual({ status: 200, body: null });
    const record = await waitForStatus(t.hub.sql, id, 'rejected');
    expect(record).toMatchObject({
      rejection_reason: 'Source of funds not evidenced',
      decided_by: 'usr_colin_compliance',
    });
    expect(await auditOf(id)).toEqual([
      {
        action: 'compliance_reject',
        outcome: 'accepted',
        actor_id: 'usr_colin_compliance',
        channel: 'slack',
        slack_user_id: 'UCOLIN',
        error_code: null,
      },
    ]);
    const final = await messageUpdate(COMPLIANCE_CHANNEL, post.response.ts, (m) =>
      m.includes(':x: Rejected by Colin Compliance'),
    );
    expect(blocksText(final.args.blocks)).toMatch(
      /:x: Rejected by Colin Compliance at <!date[^>]+>: Source of funds not evidenced/,
    );
    expect(Object.keys(buttonsOf(final.args.blocks))).toEqual(['open_in_board']);
  });

  it('refuses a bad signature and a replayed old timestamp with 401, processing nothing', async () => {
    const id = await applicationInReview(t.hub);
    await approvalPost(t.slack, id);
    const callsBefore = t.slack.calls.length;
    const payload = buttonClick({ user: 'UCARLA', actionId: 'approve_application', value: id });

    const forged = await postInteraction(t.hub, payload, { secret: 'not-the-signing-secret' });
    expect(forged).toEqual({
      status: 401,
      body: { error: { code: 'UNAUTHENTICATED', message: 'The Slack request signature does not match' } },
    });
    const replayed = await postInteraction(t.hub, payload, { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 });
    expect(replayed).toEqual({
      status: 401,
      body: {
        error: { code: 'UNAUTHENTICATED', message: 'The Slack request timestamp is more than 5 minutes away from now' },
      },
    });
    const unsigned = await fetch(`${t.hub.url}/slack/interactivity`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'payload=%7B%7D',
    });
    expect(unsigned.status).toBe(401);

    // A correctly signed request right after is answered, and the refused ones left no trace: Carla (linked, allowed)
    // was never looked up or told anything, no command was audited, the application did not move.
    const answer = await postInteraction(
      t.hub,
      buttonClick({ user: 'USTRANGER', actionId: 'approve_application', value: id }),
    );
    expect(answer.status).toBe(200);
    await ephemeralTo('USTRANGER', () => true);
    expect(t.slack.calls.slice(callsBefore).filter((c) => c.args.user === 'UCARLA')).toEqual([]);
    expect(await auditOf(id)).toEqual([]);
    expect((await t.hub.sql`SELECT status FROM processes WHERE process_id = ${id}`)[0].status).toBe(
      'compliance_review',
    );
  });

  it('tells an unlinked Slack user and an unauthorized one why, and changes nothing', async () => {
    const id = await applicationInReview(t.hub);
    const post = await approvalPost(t.slack, id);

    await postInteraction(
      t.hub,
      buttonClick({ user: 'USTRANGER', actionId: 'approve_application', value: id, messageTs: post.response.ts }),
    );
    const stranger = await ephemeralTo('USTRANGER', (m) => m.includes('stranger@elsewhere.example'));
    expect(stranger.args).toMatchObject({
      channel: COMPLIANCE_CHANNEL,
      text: 'Your Slack account is not linked to a hub user: no active hub user has the e-mail address stranger@elsewhere.example. Ask a hub administrator to link your Slack account (user id USTRANGER) to your hub user.',
    });
    await postInteraction(
      t.hub,
      buttonClick({ user: 'USTRANGER', actionId: 'reject_application', value: id, messageTs: post.response.ts }),
    );
    await t.slack.waitForCall('chat.postEphemeral', (call) => call.args.user === 'USTRANGER' && call !== stranger);

    // Alex is linked (same e-mail) but advises the client: the policy refuses, and the refusal is audited as his, from Slack.
    await postInteraction(
      t.hub,
      buttonClick({ user: 'UALEX', actionId: 'approve_application', value: id, messageTs: post.response.ts }),
    );
    await ephemeralTo('UALEX', (m) => m === 'You may not approve on this application');

    expect((await t.hub.sql`SELECT status, version FROM processes WHERE process_id = ${id}`)[0].status).toBe(
      'compliance_review',
    );
    expect(await auditOf(id)).toEqual([
      {
        action: 'compliance_approve',
        outcome: 'refused',
        actor_id: 'usr_alex_advisor',
        channel: 'slack',
        slack_user_id: 'UALEX',
        error_code: 'FORBIDDEN',
      },
    ]);
    expect(t.slack.callsTo('views.open').filter((c) => JSON.stringify(c.args).includes(id))).toEqual([]);
  });

  it('turns two officers clicking Approve at once into one decision, and tells the other who decided', async () => {
    const id = await applicationInReview(t.hub);
    const post = await approvalPost(t.slack, id);
    const answers = await Promise.all(
      ['UCARLA', 'UCOLIN'].map((user) =>
        postInteraction(
          t.hub,
          buttonClick({ user, actionId: 'approve_application', value: id, messageTs: post.response.ts }),
        ),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    const record = await waitForStatus(t.hub.sql, id, 'account_created');
    expect(record.approvals).toHaveLength(1);
    const winner =
      record.decided_by === 'usr_carla_compliance'
        ? { slack: 'UCARLA', name: 'Carla Compliance' }
        : { slack: 'UCOLIN', name: 'Colin Compliance' };
    const loser = winner.slack === 'UCARLA' ? 'UCOLIN' : 'UCARLA';

    const told = await ephemeralTo(loser, (m) => m.startsWith('Nothing changed'));
    expect(told.args.text).toMatch(
      new RegExp(
        `^Nothing changed: this application was already decided\\. Approved by ${winner.name} via Slack at <!date[^>]+>`,
      ),
    );
    const audit = await auditOf(id);
    expect(audit.filter((a) => a.outcome === 'accepted')).toEqual([
      {
        action: 'compliance_approve',
        outcome: 'accepted',
        actor_id: record.decided_by,
        channel: 'slack',
        slack_user_id: winner.slack,
        error_code: null,
      },
    ]);
    expect(audit.filter((a) => a.outcome === 'refused').map((a) => [a.slack_user_id, a.error_code])).toEqual([
      [loser, 'INVALID_STATUS_TRANSITION'],
    ]);
  });

  it('updates the message in place when the decision is made on the board', async () => {
    const id = await applicationInReview(t.hub);
    const post = await approvalPost(t.slack, id);
    const helen = await t.hub.login('helen.head@hub.example');
    const approved = await t.hub.api(helen, 'POST', `/applications/${id}/approve`, {}, { 'x-hub-channel': 'board' });
    expect(approved.status).toBe(200);
    const update = await messageUpdate(COMPLIANCE_CHANNEL, post.response.ts, (m) =>
      m.includes('Approved by Helen Head (Head of Compliance) via board'),
    );
    expect(Object.keys(buttonsOf(update.args.blocks))).toEqual(['open_in_board']);
    await waitForStatus(t.hub.sql, id, 'account_created');
    // A click on the stale message's button, if Slack had not refreshed it yet, is told who decided.
    await postInteraction(
      t.hub,
      buttonClick({ user: 'UCOLIN', actionId: 'approve_application', value: id, messageTs: post.response.ts }),
    );
    await ephemeralTo('UCOLIN', (m) =>
      m.startsWith(
        'Nothing changed: this application was already decided. Approved by Helen Head (Head of Compliance) via board',
      ),
    );
    expect(
      t.slack.callsTo('chat.postMessage').filter((c) => deliveryKeyOf(c) === `application-message:${id}`),
    ).toHaveLength(1);
  });
});
