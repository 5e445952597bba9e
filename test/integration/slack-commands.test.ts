import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForStatus } from '../support/hub.js';
import {
  approvalPost,
  blocksText,
  buttonClick,
  buttonsOf,
  eventCallback,
  postInteraction,
  postToSlackEndpoint,
  slashCommandBody,
  startSlackTestHub,
  type SlackTestHub,
} from '../support/slack.js';
import { applicationInReview } from '../support/account-opening.js';

describe('Slack /hub command, App Home and user links', () => {
  let t: SlackTestHub;
  beforeAll(async () => {
    t = await startSlackTestHub();
  });
  afterAll(async () => {
    await t?.stop();
  });

  const hubCommand = (user: string, text: string) =>
    postToSlackEndpoint(t.hub, '/slack/commands', slashCommandBody({ user, text }));
  const openHome = async (user: string) => {
    const before = t.slack.callsTo('views.publish').length;
    const answer = await postToSlackEndpoint(
      t.hub,
      '/slack/events',
      eventCallback({ type: 'app_home_opened', user, channel: `D${user.slice(1)}`, tab: 'home' }),
      {
        contentType: 'application/json',
      },
    );
    expect(answer).toEqual({ status: 200, body: null });
    return t.slack.waitForCall(
      'views.publish',
      (call) => call.args.user_id === user && t.slack.callsTo('views.publish').indexOf(call) >= before,
    );
  };

  it('answers the URL verification challenge, signed', async () => {
    const body = JSON.stringify({ token: 'legacy', challenge: 'c-3f9a', type: 'url_verification' });
    expect(await postToSlackEndpoint(t.hub, '/slack/events', body, { contentType: 'application/json' })).toEqual({
      status: 200,
      body: { challenge: 'c-3f9a' },
    });
    expect(
      (await postToSlackEndpoint(t.hub, '/slack/events', body, { contentType: 'application/json', secret: 'wrong' }))
        .status,
    ).toBe(401);
  });

  it('/hub status shows state, SLA and next step to whoever may see the application, with their buttons', async () => {
    const id = await applicationInReview(t.hub);
    const officer = await hubCommand('UCOLIN', `status ${id}`);
    expect(officer.status).toBe(200);
    expect(officer.body.response_type).toBe('ephemeral');
    const text = blocksText(officer.body.blocks);
    expect(text).toContain('*Status*\nCompliance review (step 7 of 9)');
    expect(text).toMatch(/\*SLA\*\n(No SLA clock running|<!date[^>]+> \(\w[\w ]*\))/);
    expect(text).toMatch(/\*Next step\*\nCompliance decision by (Carla|Colin|Helen) [^:]+: 0 of 1 approvals\./);
    expect(buttonsOf(officer.body.blocks)).toEqual({
      approve_application: id,
      reject_application: id,
      open_in_board: `${t.hub.config.publicUrl}/#/process/${id}`,
    });
    await t.hub.server.views.flush();
    const [viewed] = await t.hub
      .sql`SELECT payload FROM events WHERE process_id = ${id} AND type = 'account.status_viewed' ORDER BY sequence DESC LIMIT 1`;
    expect(viewed.payload.viewed_by).toBe('usr_colin_compliance');

    // The advisor sees it without decision buttons; a stranger is told why not; nonsense gets the usage.
    const advisor = await hubCommand('UALEX', `status ${id}`);
    expect(buttonsOf(advisor.body.blocks)).toEqual({ open_in_board: `${t.hub.config.publicUrl}/#/process/${id}` });
    expect((await hubCommand('USTRANGER', `status ${id}`)).body).toEqual({
      response_type: 'ephemeral',
      text: expect.stringMatching(
        /^Your Slack account is not linked to a hub user: no active hub user has the e-mail address stranger@elsewhere\.example\./,
      ),
    });
    expect((await hubCommand('UCOLIN', 'status app_doesnotexist')).body).toEqual({
      response_type: 'ephemeral',
      text: 'No application, rebalance or onboarding has the id app_doesnotexist.',
    });
    expect((await hubCommand('UCOLIN', 'launch rockets')).body.text).toMatch(
      /^Usage: `\/hub status ID` \(an application, rebalance or onboarding/,
    );
  });

  it('/hub queue lists the caller’s pending approvals with buttons that work', async () => {
    const id = await applicationInReview(t.hub);
    const queue = await hubCommand('UHELEN', 'queue');
    expect(queue.body.response_type).toBe('ephemeral');
    const pending = queue.body.blocks
      .filter((b: { block_id?: string }) => b.block_id?.startsWith('pending:'))
      .map((b: { block_id: string }) => b.block_id);
    expect(pending).toContain(`pending:${id}`);
    const row = queue.body.blocks.find((b: { block_id?: string }) => b.block_id === `pending:${id}`);
    expect(row.elements.map((e: { action_id: string; value?: string }) => [e.action_id, e.value ?? null])).toEqual([
      ['approve_application', id],
      ['reject_application', id],
      ['open_in_board', null],
    ]);
    // Alex advises these clients: applications are not his to approve, so his queue has no section for them.
    const advisor = await hubCommand('UALEX', 'queue');
    expect(blocksText(advisor.body.blocks)).not.toContain('Account applications');
    expect(advisor.body.blocks.some((b: { block_id?: string }) => b.block_id === `pending:${id}`)).toBe(false);

    // Approving from the queue's ephemeral message (its channel is where the command ran).
    await postInteraction(t.hub, buttonClick({ user: 'UHELEN', actionId: 'approve_application', value: id }));
    await waitForStatus(t.hub.sql, id, 'account_created');
    const after = await hubCommand('UHELEN', 'queue');
    expect(after.body.blocks.some((b: { block_id?: string }) => b.block_id === `pending:${id}`)).toBe(false);
  });

  it('publishes the App Home tab with pending approvals and breached SLAs', async () => {
    const id = await applicationInReview(t.hub);
    const breachedId = await applicationInReview(t.hub);
    // What the SLA feature's breach rung leaves on the read model: its snapshot (whatever else it holds), breached.
    const deadline = '2026-01-05T17:00:00.000Z';
    const clockWithoutSla = {
      policy_id: 'compliance_review',
      state: 'compliance_review',
      started_at: '2026-01-01T09:00:00.000Z',
      paused: false,
      paused_total_ms: 0,
      rungs_fired: [],
    };
    await t.hub.sql`
      UPDATE processes SET sla = coalesce(sla, ${t.hub.sql.json(clockWithoutSla)}::jsonb) || ${t.hub.sql.json({ status: 'breached', deadline })}::jsonb
      WHERE process_id = ${breachedId}`;

    const home = await openHome('UCOLIN');
    expect(home.args.view.type).toBe('home');
    const text = blocksText(home.args.view.blocks);
    expect(text).toContain('Ops hub for Colin Compliance');
    const blockIds = home.args.view.blocks.map((b: { block_id?: string }) => b.block_id).filter(Boolean);
    expect(blockIds).toEqual(expect.arrayContaining([`pending:${id}`, `pending:${breachedId}`]));
    const at = Math.floor(Date.parse(deadline) / 1000);
    expect(text).toContain(
      `:rotating_light: *<${t.hub.config.publicUrl}/#/process/${breachedId}|Chris Carter>* · Compliance review · deadline <!date^${at}^{date_short_pretty} at {time}|2026-01-05 17:00 UTC>`,
    );

    // An approval from the Home tab refreshes it.
    const post = await approvalPost(t.slack, id);
    expect(post.status).toBe(200);
    const before = t.slack.callsTo('views.publish').length;
    await postInteraction(
      t.hub,
      buttonClick({ user: 'UCOLIN', actionId: 'approve_application', value: id, view: { id: 'VHOME', type: 'home' } }),
    );
    const dm = await t.slack.waitForCall(
      'chat.postMessage',
      (call) => call.args.channel === 'UCOLIN' && call.args.text === "You approved Chris Carter's application.",
    );
    expect(dm.status).toBe(200);
    const refreshed = await t.slack.waitForCall(
      'views.publish',
      (call) => call.args.user_id === 'UCOLIN' && t.slack.callsTo('views.publish').indexOf(call) >= before,
    );
    expect(refreshed.args.view.blocks.some((b: { block_id?: string }) => b.block_id === `pending:${id}`)).toBe(false);

    const stranger = await openHome('USTRANGER');
    expect(blocksText(stranger.args.view.blocks)).toMatch(/^:lock: Your Slack account is not linked to a hub user/);
  });

  it('lets an administrator link a Slack account to a hub user, audited; others may not', async () => {
    const admin = await t.hub.login('ada.admin@hub.example');
    const ops = await t.hub.login('omar.ops@hub.example');

    const refused = await t.hub.api(ops, 'PUT', '/admin/slack-users/USTRANGER', { user_id: 'usr_omar_ops' });
    expect(refused).toEqual({
      status: 403,
      body: { error: { code: 'FORBIDDEN', message: 'Only administrators link Slack accounts to hub users' } },
    });
    expect((await t.hub.api(admin, 'PUT', '/admin/slack-users/not-an-id', { user_id: 'usr_omar_ops' })).status).toBe(
      400,
    );
    expect(
      (await t.hub.api(admin, 'PUT', '/admin/slack-users/USTRANGER', { user_id: 'usr_nobody' })).body.error.code,
    ).toBe('USER_NOT_FOUND');

    const linked = await t.hub.api(admin, 'PUT', '/admin/slack-users/USTRANGER', { user_id: 'usr_omar_ops' });
    expect(linked.status).toBe(200);
    expect(linked.body).toMatchObject({
      slack_user_id: 'USTRANGER',
      user_id: 'usr_omar_ops',
      user_name: 'Omar Ops',
      source: 'admin',
      updated_by: 'usr_ada_admin',
    });
    const list = await t.hub.api(admin, 'GET', '/admin/slack-users');
    expect(list.body.links.find((l: { slack_user_id: string }) => l.slack_user_id === 'USTRANGER')).toMatchObject({
      user_id: 'usr_omar_ops',
      source: 'admin',
    });

    const audit = await t.hub
      .sql`SELECT actor_id, outcome, error_code, details FROM audit_log WHERE action = 'manage_slack_users' ORDER BY id`;
    expect(
      audit.map((a) => [a.actor_id, a.outcome, a.error_code, a.details.operation, a.details.slack_user_id]),
    ).toEqual([
      ['usr_omar_ops', 'refused', 'FORBIDDEN', 'link', 'USTRANGER'],
      ['usr_ada_admin', 'accepted', null, 'link', 'USTRANGER'],
    ]);

    // Now the stranger is Omar in the hub: ops may view applications, not approve them.
    const id = await applicationInReview(t.hub);
    const status = await hubCommand('USTRANGER', `status ${id}`);
    expect(blocksText(status.body.blocks)).toContain('*Status*\nCompliance review (step 7 of 9)');
    expect(buttonsOf(status.body.blocks)).toEqual({ open_in_board: `${t.hub.config.publicUrl}/#/process/${id}` });

    expect((await t.hub.api(admin, 'DELETE', '/admin/slack-users/USTRANGER')).body).toEqual({ deleted: true });
    expect((await hubCommand('USTRANGER', `status ${id}`)).body.text).toMatch(/^Your Slack account is not linked/);
  });
});
