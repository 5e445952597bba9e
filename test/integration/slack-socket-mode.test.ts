import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForStatus } from '../support/hub.js';
import {
  approvalPost,
  blocksText,
  buttonClick,
  slashCommandBody,
  SLACK_APP_TOKEN,
  startSlackTestHub,
  type SlackTestHub,
} from '../support/slack.js';
import { applicationInReview } from '../support/account-opening.js';

describe('Slack in Socket Mode: the same bot over a WebSocket the hub opens', () => {
  let t: SlackTestHub;
  beforeAll(async () => {
    t = await startSlackTestHub({ mode: 'socket' });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('connects with the app-level token and serves no HTTP endpoints', async () => {
    await t.slack.socketConnected();
    expect(t.slack.callsTo('apps.connections.open').map((call) => call.token)).toEqual([SLACK_APP_TOKEN]);
    expect(t.hub.config.slackMode).toBe('socket');
    expect((await fetch(`${t.hub.url}/slack/interactivity`, { method: 'POST', body: 'payload=%7B%7D' })).status).toBe(
      404,
    );
  });

  it('approves from an interactive envelope and answers a slash command in its acknowledgement', async () => {
    await t.slack.socketConnected();
    const id = await applicationInReview(t.hub);
    const post = await approvalPost(t.slack, id);
    const ack = await t.slack.sendEnvelope(
      'interactive',
      buttonClick({ user: 'UCARLA', actionId: 'approve_application', value: id, messageTs: post.response.ts }),
    );
    expect(ack.payload).toEqual({});
    await waitForStatus(t.hub.sql, id, 'account_created');
    const [audit] = await t.hub
      .sql`SELECT actor_id, channel, slack_user_id FROM audit_log WHERE process_id = ${id} AND action = 'compliance_approve'`;
    expect(audit).toEqual({ actor_id: 'usr_carla_compliance', channel: 'slack', slack_user_id: 'UCARLA' });

    const command = Object.fromEntries(new URLSearchParams(slashCommandBody({ user: 'UCARLA', text: `status ${id}` })));
    const answer = await t.slack.sendEnvelope('slash_commands', command);
    expect(answer.payload).toMatchObject({ response_type: 'ephemeral' });
    expect(blocksText((answer.payload as { blocks: unknown[] }).blocks)).toContain(
      '*Status*\nAccount created (step 9 of 9)',
    );
  });
});
