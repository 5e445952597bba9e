import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/hub.js';
import {
  approvalPost,
  blocksText,
  buttonClick,
  COMPLIANCE_CHANNEL,
  postInteraction,
  startSlackTestHub,
  type SlackTestHub,
} from '../support/slack.js';
import { applicationInReview } from '../support/account-opening.js';

/** Slack's limits: rate limits waited out and tried again, texts cut to their place's length. */
describe('Slack limits, against the Web API emulator', () => {
  let t: SlackTestHub;
  beforeAll(async () => {
    t = await startSlackTestHub();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('posts the approval message when the source of funds is as long as allowed, escapes counted', async () => {
    const detail = 'Sale of A&B <Holdings> ' + '&'.repeat(1970);
    const id = await applicationInReview(t.hub, { sourceOfFundsDetail: detail });
    const post = await approvalPost(t.slack, id);
    expect(post.response.ok).toBe(true);
    const field = post.args.blocks
      .flatMap((b: any) => b.fields ?? [])
      .find((f: any) => f.text.startsWith('*Source of funds*'));
    expect(field.text.length).toBeLessThanOrEqual(2000);
    expect(field.text).toContain('Savings: Sale of A&amp;B &lt;Holdings&gt; &amp;');
    expect(field.text.endsWith(`… <${t.hub.config.publicUrl}/#/process/${id}|more in the board>`)).toBe(true);
    expect(field.text).not.toMatch(/&(a|am)?…/);
  });

  it('fits a long rejection reason into the decision section of the updated message', async () => {
    const id = await applicationInReview(t.hub);
    const post = await approvalPost(t.slack, id);
    const officer = await t.hub.login('carla.compliance@hub.example');
    const reason = '<&> '.repeat(500);
    expect((await t.hub.api(officer, 'POST', `/applications/${id}/reject`, { rejection_reason: reason })).status).toBe(
      200,
    );
    const update = await t.slack.waitForCall(
      'chat.update',
      (call) => call.args.ts === post.response.ts && blocksText(call.args.blocks ?? []).includes(':x: Rejected'),
    );
    expect(update.response).toMatchObject({ ok: true });
    const decision = update.args.blocks.find(
      (b: any) => b.type === 'section' && b.text?.text.startsWith(':x: Rejected'),
    );
    expect(decision.text.text.length).toBeLessThanOrEqual(3000);
    expect(decision.text.text).toContain('&lt;&amp;&gt;');
    expect(decision.text.text).toMatch(/… <[^>]+\|more in the board>$/);
  });

  it('waits out a rate-limited views.open and opens the Reject form within the trigger’s life', async () => {
    const id = await applicationInReview(t.hub);
    const post = await approvalPost(t.slack, id);
    t.slack.failNext('views.open', { status: 429, retryAfter: 1 });
    const click = buttonClick({
      user: 'UCOLIN',
      actionId: 'reject_application',
      value: id,
      messageTs: post.response.ts,
    });
    await postInteraction(t.hub, click);
    const opened = await t.slack.waitForCall(
      'views.open',
      (call) => call.args.trigger_id === click.trigger_id && call.status === 200,
    );
    const limited = t.slack
      .callsTo('views.open')
      .find((call) => call.args.trigger_id === click.trigger_id && call.status === 429)!;
    expect(opened.response.ok).toBe(true);
    expect(opened.at - limited.at).toBeGreaterThanOrEqual(1000);
    expect(opened.at - limited.at).toBeLessThan(3000);
  });

  it('waits out a rate-limited ephemeral reply instead of telling the officer something went wrong', async () => {
    const id = await applicationInReview(t.hub);
    const post = await approvalPost(t.slack, id);
    t.slack.failNext('chat.postEphemeral', { status: 429, retryAfter: 1 });
    await postInteraction(
      t.hub,
      buttonClick({ user: 'UCARLA', actionId: 'approve_application', value: id, messageTs: post.response.ts }),
    );
    const replies = await eventually(async () => {
      const calls = t.slack
        .callsTo('chat.postEphemeral')
        .filter((c) => c.args.user === 'UCARLA' && c.args.channel === COMPLIANCE_CHANNEL);
      return calls.some((c) => c.status === 200) ? calls : undefined;
    });
    const delivered = replies.filter((c) => c.status === 200).map((c) => String(c.args.text));
    expect(delivered.join('\n')).toContain('You approved');
    expect(delivered.join('\n')).not.toMatch(/went wrong/i);
    expect(replies.filter((c) => c.status === 429)).toHaveLength(1);
  });
});
