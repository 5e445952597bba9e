import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, waitForStatus } from '../support/hub.js';
import {
  blocksText,
  buttonClick,
  buttonsOf,
  COMPLIANCE_CHANNEL,
  deliveryKeyOf,
  eventCallback,
  postInteraction,
  postToSlackEndpoint,
  reasonSubmission,
  slashCommandBody,
  startSlackTestHub,
  type SlackTestHub,
} from '../support/slack.js';
import type { RecordedCall } from '../support/slack-emulator.js';

/** How the bot writes money and Slack dates, computed here independently. */
const usd = (value: number) =>
  `${new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(value)} USD`;
function slackDateOf(iso: string): string {
  const at = new Date(iso);
  return `<!date^${Math.floor(at.getTime() / 1000)}^{date_short_pretty} at {time}|${at.toISOString().slice(0, 10)} ${at.toISOString().slice(11, 16)} UTC>`;
}
const ANY_DATE = '<!date\\^\\d+\\^\\{date_short_pretty\\} at \\{time\\}\\|[^>]+>';

describe('Slack rebalancing: the proposal to the advisor, compliance above the threshold, on real PostgreSQL and Temporal', () => {
  let t: SlackTestHub;
  let alex: string;
  let ada: string;
  beforeAll(async () => {
    t = await startSlackTestHub();
    // Beth advises Fiona; Chris is a client whose e-mail address the workspace happens to know.
    t.slack.addUser({ id: 'UBETH', name: 'beth', email: 'beth.advisor@hub.example' });
    t.slack.addUser({ id: 'UCHRIS', name: 'chris', email: 'chris.carter@client.example' });
    [alex, ada] = await Promise.all([t.hub.login('alex.advisor@hub.example'), t.hub.login('ada.admin@hub.example')]);
  });
  afterAll(async () => {
    await t?.stop();
  });

  const setThreshold = (value: number) =>
    t.hub.sql`UPDATE settings SET value = ${String(value)} WHERE key = 'rebalance_compliance_threshold'`;
  const startRebalance = async (portfolioId: string, token: string) => {
    const started = await t.hub.api(token, 'POST', `/portfolios/${portfolioId}/rebalance`);
    expect(started.status).toBe(201);
    return started.body.rebalance_id as string;
  };
  const posted = (key: string) =>
    t.slack.waitForCall('chat.postMessage', (call) => deliveryKeyOf(call) === key && call.status === 200);
  const proposalPost = (id: string) => posted(`rebalance-proposal:${id}`);
  const compliancePost = (id: string) => posted(`rebalance-compliance:${id}`);
  /** The message's state as Slack holds it, once it satisfies `ready`. */
  const messageUpdate = (post: RecordedCall, ready: (text: string) => boolean) =>
    t.slack.waitForCall(
      'chat.update',
      (call) =>
        call.args.channel === post.response.channel &&
        call.args.ts === post.response.ts &&
        ready(blocksText(call.args.blocks)),
    );
  const ephemeralTo = (user: string, match: (text: string) => boolean) =>
    t.slack.waitForCall('chat.postEphemeral', (call) => call.args.user === user && match(String(call.args.text)));
  const auditOf = (id: string) =>
    t.hub.sql`
      SELECT action, outcome, actor_id, channel, slack_user_id, error_code FROM audit_log
      WHERE process_id = ${id} AND action IN ('approve', 'decline', 'compliance_approve') ORDER BY id`;
  const click = (user: string, actionId: string, id: string, post?: RecordedCall) =>
    postInteraction(
      t.hub,
      buttonClick({
        user,
        actionId,
        value: id,
        channel: post?.response.channel ?? COMPLIANCE_CHANNEL,
        messageTs: post?.response.ts,
      }),
    );
  const hubCommand = (user: string, text: string) =>
    postToSlackEndpoint(t.hub, '/slack/commands', slashCommandBody({ user, text }));
  const pendingIds = (blocks: { block_id?: string }[]) =>
    blocks.filter((b) => b.block_id?.startsWith('pending:')).map((b) => b.block_id!.slice('pending:'.length));
  const pendingButtons = (
    blocks: { block_id?: string; elements?: { action_id: string; value?: string }[] }[],
    id: string,
  ) => blocks.find((b) => b.block_id === `pending:${id}`)?.elements?.map((e) => [e.action_id, e.value ?? null]);

  it('sends the advisor the proposal by DM, and declines it through a modal that requires a reason', async () => {
    // Started by an administrator, so the advisor also gets an in-app "proposal" notification: Slack carries the proposal itself instead.
    const id = await startRebalance('pf_chris_growth', ada);
    const post = await proposalPost(id);
    const [row] = await t.hub.sql`SELECT detail, sla, version FROM processes WHERE process_id = ${id}`;
    const record = row.detail;
    expect(record).toMatchObject({
      status: 'awaiting_advisor',
      advisor_id: 'usr_alex_advisor',
      needs_compliance: false,
    });
    // A direct message: the channel Slack opened with Alex (the emulator names it D + his user id).
    expect(post.args.channel).toBe('DALEX');

    const text = blocksText(post.args.blocks);
    const gains = record.proposal.estimated_realized_gains;
    const expected = [
      'Rebalancing proposal: Chris Carter',
      `*Awaiting advisor* · prices as of ${record.prices_as_of} · started by hand · <${t.hub.config.publicUrl}/#/process/${id}|${id}>`,
      '*Client*\nChris Carter (cli_chris_carter)',
      `*Account*\nINV-00090001 · ${record.model_name} model`,
      '*Advisor*\nAlex Advisor',
      `*Proposal value*\n${usd(record.proposal_value)}\n(sell ${usd(record.proposal.total_sell_value)}, buy ${usd(record.proposal.total_buy_value)})`,
      `*Estimated realized gains*\nShort term ${usd(gains.short_term)}\nLong term ${usd(gains.long_term)}`,
      `*Estimated costs*\n${usd(record.proposal.estimated_costs)}`,
      `*Approvals*\nAdvisor: pending\nCompliance: not needed (up to ${usd(100_000)})`,
      `*SLA deadline*\n${slackDateOf(row.sla.deadline)} (on track)`,
      `*Trades* (${record.proposal.trades.length})`,
      `Before: largest drift ${(record.drift_before.max_abs_drift * 100).toFixed(1)} pts, out of band · after the trades: within bands.`,
    ];
    for (const line of expected) expect(text).toContain(line);
    // Every trade: side, quantity, symbol, value; Chris sold VXUS at a loss twelve days ago, so buying it back is flagged.
    expect(record.proposal.trades.some((trade: { wash_sale: unknown }) => trade.wash_sale)).toBe(true);
    for (const trade of record.proposal.trades) {
      const side = trade.side === 'buy' ? 'Buy' : 'Sell';
      const wash = trade.wash_sale ? ` :warning: possible wash sale (${trade.wash_sale.reason})` : '';
      expect(text).toContain(
        `• ${side} ${new Intl.NumberFormat('en-US', { maximumFractionDigits: 6 }).format(trade.quantity)} ${trade.symbol} · ${usd(trade.value)}${wash}\n`,
      );
    }
    // Before → after by asset class, against the model's targets.
    for (const row of record.drift_before.asset_classes) {
      const after = ((record.proposal.after.by_asset_class[row.asset_class] ?? 0) * 100).toFixed(1);
      expect(text).toMatch(
        new RegExp(
          `• [A-Za-z ]+: ${(row.actual * 100).toFixed(1)}% → ${after}% \\(target ${(row.target * 100).toFixed(1)}%\\)`,
        ),
      );
    }
    expect(text).toContain('• US equity: ');
    expect(buttonsOf(post.args.blocks)).toEqual({
      approve_rebalance: id,
      decline_rebalance: id,
      open_in_board: `${t.hub.config.publicUrl}/#/process/${id}`,
    });
    expect(post.args.text).toBe(
      `Rebalancing proposal for Chris Carter: ${record.proposal.trades.length} trades, ${usd(record.proposal_value)} (${id})`,
    );
    const kept = await eventually(async () => {
      const [message] = await t.hub
        .sql`SELECT audience, channel, user_id, ts, rendered_version FROM slack_process_messages WHERE process_id = ${id}`;
      return message?.ts ? message : undefined;
    });
    expect(kept).toEqual({
      audience: 'advisor',
      channel: 'DALEX',
      user_id: 'usr_alex_advisor',
      ts: post.response.ts,
      rendered_version: row.version,
    });

    // The in-app notification of the proposal went out and its job is done; Slack was not asked to send it again.
    await eventually(async () => {
      const [job] = await t.hub
        .sql`SELECT state FROM pgboss.job WHERE name = 'deliver-notifications' AND data ->> 'process_id' = ${id}`;
      return job?.state === 'completed';
    });
    const [notified] = await t.hub
      .sql`SELECT kind FROM notifications WHERE process_id = ${id} AND user_id = 'usr_alex_advisor'`;
    expect(notified).toEqual({ kind: 'rebalance_proposed' });
    expect(
      (
        await t.hub
          .sql`SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'slack-notify' AND data ->> 'process_id' = ${id}`
      )[0].n,
    ).toBe(0);

    // Decline: a modal asks for the reason the API requires.
    const declineClick = buttonClick({
      user: 'UALEX',
      actionId: 'decline_rebalance',
      value: id,
      channel: 'DALEX',
      messageTs: post.response.ts,
    });
    await postInteraction(t.hub, declineClick);
    const opened = await t.slack.waitForCall('views.open', (call) => call.args.trigger_id === declineClick.trigger_id);
    const modal = opened.args.view;
    expect(modal.callback_id).toBe('decline_rebalance_modal');
    expect(JSON.parse(modal.private_metadata)).toEqual({ process_id: id, channel: 'DALEX' });
    expect(blocksText(modal.blocks)).toContain(
      `Decline the rebalance of *Chris Carter*'s account INV-00090001: ${record.proposal.trades.length} trades worth ${usd(record.proposal_value)} (${id}).`,
    );
    const blank = await postInteraction(t.hub, reasonSubmission({ user: 'UALEX', view: modal, reason: '  ' }));
    expect(blank).toEqual({
      status: 200,
      body: { response_action: 'errors', errors: { decline_reason: 'A decline needs a reason.' } },
    });
    expect((await t.hub.sql`SELECT status FROM processes WHERE process_id = ${id}`)[0].status).toBe('awaiting_advisor');

    const submitted = await postInteraction(
      t.hub,
      reasonSubmission({ user: 'UALEX', view: modal, reason: 'Client is moving the account <next month>' }),
    );
    expect(submitted).toEqual({ status: 200, body: null });
    const declined = await waitForStatus(t.hub.sql, id, 'declined');
    expect(declined.decline).toMatchObject({
      declined_by: 'usr_alex_advisor',
      reason: 'Client is moving the account <next month>',
    });
    await ephemeralTo('UALEX', (m) => m === "You declined the rebalance of Chris Carter's account INV-00090001.");
    expect(await auditOf(id)).toEqual([
      {
        action: 'decline',
        outcome: 'accepted',
        actor_id: 'usr_alex_advisor',
        channel: 'slack',
        slack_user_id: 'UALEX',
        error_code: null,
      },
    ]);
    const final = await messageUpdate(post, (m) => m.includes(':x: Declined'));
    expect(blocksText(final.args.blocks)).toContain(
      `:x: Declined by Alex Advisor at ${slackDateOf(declined.decline.at)}: Client is moving the account &lt;next month&gt;`,
    );
    expect(Object.keys(buttonsOf(final.args.blocks))).toEqual(['open_in_board']);

    // A click on the stale button, had Slack not refreshed the message yet: who decided, nothing changed.
    await click('UALEX', 'approve_rebalance', id, post);
    await ephemeralTo(
      'UALEX',
      (m) =>
        m ===
        `Nothing changed: this rebalance was already decided. Declined by Alex Advisor at ${slackDateOf(declined.decline.at)}: Client is moving the account &lt;next month&gt;`,
    );
    expect(
      t.slack.callsTo('chat.postMessage').filter((c) => deliveryKeyOf(c) === `rebalance-proposal:${id}`),
    ).toHaveLength(1);
  });

  it('approves from the DM as the advisor and drives the real workflow through execution to completed', async () => {
    const id = await startRebalance('pf_chris_growth', alex);
    const post = await proposalPost(id);
    const answer = await click('UALEX', 'approve_rebalance', id, post);
    expect(answer).toEqual({ status: 200, body: null });
    await ephemeralTo(
      'UALEX',
      (m) => m === "You approved the rebalance of Chris Carter's account INV-00090001; orders are being placed.",
    );

    const done = await waitForStatus(t.hub.sql, id, 'completed');
    expect(done.advisor_approval).toMatchObject({ approved_by: 'usr_alex_advisor', channel: 'slack' });
    expect(done.orders.every((order: { status: string }) => order.status === 'filled')).toBe(true);
    expect(done.verification.within_bands).toBe(true);
    expect(await auditOf(id)).toEqual([
      {
        action: 'approve',
        outcome: 'accepted',
        actor_id: 'usr_alex_advisor',
        channel: 'slack',
        slack_user_id: 'UALEX',
        error_code: null,
      },
    ]);

    const final = await messageUpdate(post, (m) => m.includes('Completed:'));
    const text = blocksText(final.args.blocks);
    expect(text).toContain(
      `:white_check_mark: Approved by Alex Advisor via Slack at ${slackDateOf(done.advisor_approval.at)}. Completed: ${done.orders.length} orders filled; largest drift now ${(done.verification.max_abs_drift * 100).toFixed(1)} pts, within bands.`,
    );
    expect(text).toContain('*Completed* · ');
    expect(text).not.toContain('*SLA deadline*');
    expect(Object.keys(buttonsOf(final.args.blocks))).toEqual(['open_in_board']);

    // The advisor hears of the completion by DM; the client, though the workspace knows his address, only in the hub.
    const completedDm = await t.slack.waitForCall(
      'chat.postMessage',
      (call) =>
        deliveryKeyOf(call)?.startsWith(`${id}:`) === true && deliveryKeyOf(call)!.endsWith(':dm:usr_alex_advisor'),
    );
    expect(blocksText(completedDm.args.blocks)).toMatch(
      /^:white_check_mark: \*Portfolio INV-00090001 rebalanced\*\n\d+ orders filled; largest drift now/,
    );
    await eventually(async () => {
      const jobs = await t.hub
        .sql`SELECT state FROM pgboss.job WHERE name = 'slack-notify' AND data ->> 'process_id' = ${id}`;
      return jobs.length > 0 && jobs.every((job) => job.state === 'completed');
    });
    const [clientNotice] = await t.hub
      .sql`SELECT kind FROM notifications WHERE process_id = ${id} AND user_id = 'usr_chris_client'`;
    expect(clientNotice).toEqual({ kind: 'rebalance_completed' });
    expect(
      t.slack.calls.filter(
        (call) =>
          call.args.email === 'chris.carter@client.example' ||
          call.args.users === 'UCHRIS' ||
          call.args.channel === 'UCHRIS',
      ),
    ).toEqual([]);
  });

  it('above the threshold: the advisor approves in Slack, compliance approves in the channel, and the advisor may not give that approval', async () => {
    const id = await startRebalance('pf_priya_balanced', alex);
    const proposal = await proposalPost(id);
    await click('UALEX', 'approve_rebalance', id, proposal);
    await ephemeralTo(
      'UALEX',
      (m) =>
        m ===
        "You approved the rebalance of Priya Patel's account INV-00090002. It trades more than 100,000.00 USD, so compliance approves it too.",
    );
    const waiting = await waitForStatus(t.hub.sql, id, 'awaiting_compliance');
    const officer = waiting.assigned_officer_id as string;
    const [{ name: officerName }] = await t.hub.sql`SELECT name FROM users WHERE id = ${officer}`;

    const post = await compliancePost(id);
    expect(post.args.channel).toBe(COMPLIANCE_CHANNEL);
    const text = blocksText(post.args.blocks);
    for (const line of [
      'Compliance approval: rebalance for Priya Patel',
      '*Awaiting compliance* · ',
      '*Client*\nPriya Patel (cli_priya_patel)',
      `*Proposal value*\n${usd(waiting.proposal_value)}`,
      `*Approvals*\nAdvisor: Alex Advisor via Slack at ${slackDateOf(waiting.advisor_approval.at)}\nCompliance: needed above ${usd(100_000)}, pending (${officerName})`,
      `:hourglass_flowing_sand: Approved by Alex Advisor via Slack at ${slackDateOf(waiting.advisor_approval.at)}; awaiting compliance approval by ${officerName}.`,
    ]) {
      expect(text).toContain(line);
    }
    expect(text).toMatch(new RegExp(`\\*SLA deadline\\*\\n${ANY_DATE} \\(on track\\)`));
    expect(buttonsOf(post.args.blocks)).toEqual({
      compliance_approve_rebalance: id,
      decline_rebalance: id,
      open_in_board: `${t.hub.config.publicUrl}/#/process/${id}`,
    });
    expect(post.args.text).toBe(
      `Compliance approval needed: rebalance for Priya Patel, ${usd(waiting.proposal_value)} (${id})`,
    );
    // The advisor's own message now says whose turn it is, without buttons.
    const advisorView = await messageUpdate(proposal, (m) => m.includes('awaiting compliance approval by'));
    expect(Object.keys(buttonsOf(advisorView.args.blocks))).toEqual(['open_in_board']);
    // The assigned officer is told personally too.
    const assignedDm = await t.slack.waitForCall(
      'chat.postMessage',
      (call) => deliveryKeyOf(call)?.startsWith(`${id}:`) === true && deliveryKeyOf(call)!.endsWith(`:dm:${officer}`),
    );
    expect(blocksText(assignedDm.args.blocks)).toContain(
      ':inbox_tray: *Compliance approval needed: rebalance for Priya Patel*',
    );

    // Four eyes: the proposal's advisor clicks the compliance button; the policy refuses, audited, nothing changes.
    await click('UALEX', 'compliance_approve_rebalance', id, post);
    const refusal = await ephemeralTo('UALEX', (m) => m.startsWith('You may not'));
    expect(refusal.args).toMatchObject({
      channel: COMPLIANCE_CHANNEL,
      text: 'You may not approve as compliance on this rebalance',
    });

    await click('UCARLA', 'compliance_approve_rebalance', id, post);
    await ephemeralTo(
      'UCARLA',
      (m) =>
        m ===
        "You approved the rebalance of Priya Patel's account INV-00090002 for compliance; orders are being placed.",
    );
    const done = await waitForStatus(t.hub.sql, id, 'completed');
    expect(done.compliance_approval).toMatchObject({ approved_by: 'usr_carla_compliance', channel: 'slack' });
    expect(await auditOf(id)).toEqual([
      {
        action: 'approve',
        outcome: 'accepted',
        actor_id: 'usr_alex_advisor',
        channel: 'slack',
        slack_user_id: 'UALEX',
        error_code: null,
      },
      {
        action: 'compliance_approve',
        outcome: 'refused',
        actor_id: 'usr_alex_advisor',
        channel: 'slack',
        slack_user_id: 'UALEX',
        error_code: 'FORBIDDEN',
      },
      {
        action: 'compliance_approve',
        outcome: 'accepted',
        actor_id: 'usr_carla_compliance',
        channel: 'slack',
        slack_user_id: 'UCARLA',
        error_code: null,
      },
    ]);
    const completedLine = `:white_check_mark: Approved by Carla Compliance via Slack at ${slackDateOf(done.compliance_approval.at)}. Completed: ${done.orders.length} orders filled`;
    for (const message of [post, proposal]) {
      const final = await messageUpdate(message, (m) => m.includes('Completed:'));
      expect(blocksText(final.args.blocks)).toContain(completedLine);
      expect(Object.keys(buttonsOf(final.args.blocks))).toEqual(['open_in_board']);
    }
  });

  it('keeps the messages up to date after a decision on the board, refuses the administrator who approved as advisor, and turns two compliance clicks into one decision', async () => {
    await setThreshold(1_000);
    const id = await startRebalance('pf_gabriel_conservative', alex);
    const proposal = await proposalPost(id);
    const approved = await t.hub.api(ada, 'POST', `/rebalances/${id}/approve`, {}, { 'x-hub-channel': 'board' });
    expect(approved.body).toMatchObject({
      status: 'awaiting_compliance',
      advisor_approval: { approved_by: 'usr_ada_admin', channel: 'board' },
    });
    const update = await messageUpdate(proposal, (m) => m.includes('Approved by Ada Admin via board'));
    expect(blocksText(update.args.blocks)).toContain(
      `Approved by Ada Admin via board at ${slackDateOf(approved.body.advisor_approval.at)}; awaiting compliance approval by `,
    );
    expect(Object.keys(buttonsOf(update.args.blocks))).toEqual(['open_in_board']);
    // The stale Approve in the advisor's DM: who decided.
    await click('UALEX', 'approve_rebalance', id, proposal);
    await ephemeralTo('UALEX', (m) =>
      m.startsWith(
        `Nothing changed: this rebalance was already decided. Approved by Ada Admin via board at ${slackDateOf(approved.body.advisor_approval.at)}`,
      ),
    );

    const post = await compliancePost(id);
    // The administrator who approved as the advisor may not also approve for compliance.
    await click('UADA', 'compliance_approve_rebalance', id, post);
    await ephemeralTo(
      'UADA',
      (m) => m === "Four-eyes rule: the compliance approval must come from someone other than the proposal's advisor",
    );

    const answers = await Promise.all(
      ['UCARLA', 'UCOLIN'].map((user) => click(user, 'compliance_approve_rebalance', id, post)),
    );
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    const done = await waitForStatus(t.hub.sql, id, 'completed');
    const winner =
      done.compliance_approval.approved_by === 'usr_carla_compliance'
        ? { slack: 'UCARLA', name: 'Carla Compliance' }
        : { slack: 'UCOLIN', name: 'Colin Compliance' };
    const loser = winner.slack === 'UCARLA' ? 'UCOLIN' : 'UCARLA';
    const told = await ephemeralTo(loser, (m) => m.startsWith('Nothing changed'));
    expect(told.args.text).toMatch(
      new RegExp(
        `^Nothing changed: this rebalance was already decided\\. Approved by ${winner.name} via Slack at ${slackDateOf(done.compliance_approval.at).replace(/[|^{}]/g, '\\$&')}`,
      ),
    );
    const audit = await auditOf(id);
    expect(
      audit.filter((a) => a.action === 'compliance_approve').map((a) => [a.slack_user_id, a.outcome, a.error_code]),
    ).toEqual(
      expect.arrayContaining([
        ['UADA', 'refused', 'FOUR_EYES_VIOLATION'],
        [winner.slack, 'accepted', null],
        [loser, 'refused', 'INVALID_STATUS_TRANSITION'],
      ]),
    );
    expect(audit.filter((a) => a.action === 'compliance_approve')).toHaveLength(3);
    const final = await messageUpdate(post, (m) => m.includes('Completed:'));
    expect(blocksText(final.args.blocks)).toContain(`Approved by ${winner.name} via Slack`);
    expect(
      t.slack.callsTo('chat.postMessage').filter((c) => deliveryKeyOf(c) === `rebalance-compliance:${id}`),
    ).toHaveLength(1);
    await setThreshold(100_000);
  });

  it('lists pending rebalances in /hub queue and the App Home of whoever decides next, and shows one with /hub status', async () => {
    await setThreshold(1_000);
    const beth = await t.hub.login('beth.advisor@hub.example');
    const id = await startRebalance('pf_fiona_aggressive', beth);
    await setThreshold(100_000);

    const bethQueue = await hubCommand('UBETH', 'queue');
    expect(pendingButtons(bethQueue.body.blocks, id)).toEqual([
      ['approve_rebalance', id],
      ['decline_rebalance', id],
      ['open_in_board', null],
    ]);
    const bethText = blocksText(bethQueue.body.blocks);
    expect(bethText).toContain('*Rebalances* (1)');
    expect(bethText).toMatch(
      new RegExp(`\\*<[^|]+\\|Fiona Fischer>\\* · rebalance of INV-00090004 · [\\d,.]+ USD in \\d+ trades`),
    );
    // Advisors decide on no application: no section for them.
    expect(bethText).not.toContain('Account applications');
    expect(pendingIds((await hubCommand('UCARLA', 'queue')).body.blocks)).not.toContain(id);

    // Approving from the queue's ephemeral message hands it to compliance.
    await click('UBETH', 'approve_rebalance', id);
    await waitForStatus(t.hub.sql, id, 'awaiting_compliance');
    expect(pendingIds((await hubCommand('UBETH', 'queue')).body.blocks)).not.toContain(id);
    const carlaQueue = await hubCommand('UCARLA', 'queue');
    expect(pendingButtons(carlaQueue.body.blocks, id)).toEqual([
      ['compliance_approve_rebalance', id],
      ['decline_rebalance', id],
      ['open_in_board', null],
    ]);
    expect(blocksText(carlaQueue.body.blocks)).toContain('No applications await your approval.');

    const status = await hubCommand('UCARLA', `status ${id}`);
    const statusText = blocksText(status.body.blocks);
    expect(statusText).toContain('*Status*\nAwaiting compliance (step 2 of 6)');
    expect(statusText).toMatch(
      /\*Next step\*\nCompliance approval by (Carla|Colin|Helen) [^(]+\(above the 1,000\.00 USD threshold\)\./,
    );
    expect(buttonsOf(status.body.blocks)).toEqual({
      compliance_approve_rebalance: id,
      decline_rebalance: id,
      open_in_board: `${t.hub.config.publicUrl}/#/process/${id}`,
    });
    // The advisor may still decline it, not approve it again.
    expect(buttonsOf((await hubCommand('UBETH', `status ${id}`)).body.blocks)).toEqual({
      decline_rebalance: id,
      open_in_board: `${t.hub.config.publicUrl}/#/process/${id}`,
    });

    // From the App Home: decline through the modal, and the Home tab is published again without it.
    const publishedBefore = t.slack.callsTo('views.publish').length;
    await postToSlackEndpoint(
      t.hub,
      '/slack/events',
      eventCallback({ type: 'app_home_opened', user: 'UCOLIN', channel: 'DCOLIN', tab: 'home' }),
      { contentType: 'application/json' },
    );
    const home = await t.slack.waitForCall(
      'views.publish',
      (call) => call.args.user_id === 'UCOLIN' && t.slack.callsTo('views.publish').indexOf(call) >= publishedBefore,
    );
    expect(pendingIds(home.args.view.blocks)).toContain(id);
    const declineClick = buttonClick({
      user: 'UCOLIN',
      actionId: 'decline_rebalance',
      value: id,
      view: { id: 'VHOME', type: 'home' },
    });
    await postInteraction(t.hub, declineClick);
    const opened = await t.slack.waitForCall('views.open', (call) => call.args.trigger_id === declineClick.trigger_id);
    expect(JSON.parse(opened.args.view.private_metadata)).toEqual({ process_id: id, home: true });
    const publishedAtDecline = t.slack.callsTo('views.publish').length;
    await postInteraction(
      t.hub,
      reasonSubmission({ user: 'UCOLIN', view: opened.args.view, reason: 'Trades in a holiday week' }),
    );
    const declined = await waitForStatus(t.hub.sql, id, 'declined');
    expect(declined.decline).toMatchObject({ declined_by: 'usr_colin_compliance', reason: 'Trades in a holiday week' });
    const dm = await t.slack.waitForCall(
      'chat.postMessage',
      (call) =>
        call.args.channel === 'UCOLIN' &&
        call.args.text === "You declined the rebalance of Fiona Fischer's account INV-00090004.",
    );
    expect(dm.status).toBe(200);
    const refreshed = await t.slack.waitForCall(
      'views.publish',
      (call) => call.args.user_id === 'UCOLIN' && t.slack.callsTo('views.publish').indexOf(call) >= publishedAtDecline,
    );
    expect(pendingIds(refreshed.args.view.blocks)).not.toContain(id);
  });
});
