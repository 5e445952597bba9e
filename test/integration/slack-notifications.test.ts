import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NotificationJob } from '../../db/transitions.js';
import type { NotificationIntent } from '../../workflows/process-records.js';
import {
  blocksText,
  deliveryKeyOf,
  MANAGERS_CHANNEL,
  SLACK_USERS,
  startSlackTestHub,
  type SlackTestHub,
} from '../support/slack.js';
import type { RecordedCall } from '../support/slack-emulator.js';
import { applicationInReview } from '../support/account-opening.js';

describe('Slack notifications through pg-boss jobs, against the Web API emulator', () => {
  let t: SlackTestHub;
  beforeAll(async () => {
    t = await startSlackTestHub();
  });
  afterAll(async () => {
    await t?.stop();
  });

  /** A change's notifications as recordTransition queues them (and as the SLA timers will). */
  const notificationJob = (
    processId: string,
    version: number,
    notifications: NotificationIntent[],
  ): NotificationJob => ({
    process_type: 'account_opening',
    process_id: processId,
    version,
    action: 'sla_rung',
    notifications,
  });
  const posted = (key: string) =>
    t.slack.waitForCall('chat.postMessage', (call) => deliveryKeyOf(call) === key && call.status === 200);
  const postsWithKey = (key: string) =>
    t.slack.callsTo('chat.postMessage').filter((call) => deliveryKeyOf(call) === key && call.status === 200);
  const slackIdOf = async (userId: string) => {
    const [user] = await t.hub.sql`SELECT email FROM users WHERE id = ${userId}`;
    return SLACK_USERS.find((u) => u.email === user.email)!.id;
  };
  const assignedOfficer = async (processId: string) =>
    (await t.hub.sql`SELECT assigned_user_id FROM processes WHERE process_id = ${processId}`)[0]
      .assigned_user_id as string;
  /** Runs one slack-notify job directly and waits for pg-boss to finish it. */
  const runSlackJob = async (job: NotificationJob) => {
    const jobId = (await t.hub.boss.send('slack-notify', job))!;
    await expect
      .poll(async () => (await t.hub.boss.getJobById('slack-notify', jobId, { includeArchive: true }))?.state, {
        timeout: 20_000,
      })
      .toBe('completed');
  };

  it('posts an SLA breach to the managers channel and later rungs as replies in its thread, each once', async () => {
    const id = await applicationInReview(t.hub);
    const boardUrl = `${t.hub.config.publicUrl}/#/process/${id}`;
    const breach = notificationJob(id, 900, [
      {
        to: [{ role: 'manager' }],
        kind: 'sla_breached',
        title: 'SLA breached: Chris Carter',
        body: 'Compliance review is past its 2 business day target',
      },
    ]);
    await t.hub.boss.send('deliver-notifications', breach);
    const root = await posted(`${id}:900:0:managers`);
    expect(root.args.channel).toBe(MANAGERS_CHANNEL);
    expect(root.args.thread_ts).toBeUndefined();
    expect(root.args.text).toBe('SLA breached: Chris Carter: Compliance review is past its 2 business day target');
    expect(blocksText(root.args.blocks)).toBe(
      `:rotating_light: *SLA breached: Chris Carter*\nCompliance review is past its 2 business day target\n<${boardUrl}|Open Chris Carter in the board>`,
    );
    // In the hub too, for the managers' bell.
    const inApp = await t.hub.sql`SELECT user_id FROM notifications WHERE process_id = ${id} AND kind = 'sla_breached'`;
    expect(inApp.map((n) => n.user_id)).toEqual(['usr_maya_manager']);

    await t.hub.boss.send(
      'deliver-notifications',
      notificationJob(id, 901, [
        {
          to: [{ role: 'manager' }],
          kind: 'sla_escalated',
          title: 'Escalated to the Head of Compliance',
          body: 'Still undecided at 150% of the SLA',
        },
      ]),
    );
    const reply = await posted(`${id}:901:0:managers`);
    expect(reply.args).toMatchObject({ channel: MANAGERS_CHANNEL, thread_ts: root.response.ts });
    await t.hub.boss.send(
      'deliver-notifications',
      notificationJob(id, 902, [
        {
          to: [{ role: 'manager' }],
          kind: 'sla_escalated',
          title: 'Escalated to the managers',
          body: 'Still undecided at 200% of the SLA',
        },
      ]),
    );
    expect((await posted(`${id}:902:0:managers`)).args.thread_ts).toBe(root.response.ts);
    const [thread] = await t.hub.sql`SELECT channel, ts FROM slack_threads WHERE thread_key = ${`sla:${id}`}`;
    expect(thread).toEqual({ channel: MANAGERS_CHANNEL, ts: root.response.ts });

    // The same job again (a pg-boss retry, a duplicate): Slack hears nothing new.
    await runSlackJob(breach);
    expect(postsWithKey(`${id}:900:0:managers`)).toHaveLength(1);
    expect(
      t.slack.messages(MANAGERS_CHANNEL).filter((m) => m.ts === root.response.ts || m.thread_ts === root.response.ts),
    ).toHaveLength(3);
  });

  it('sends an SLA warning to the assigned officer only, by direct message', async () => {
    const id = await applicationInReview(t.hub);
    const officer = await assignedOfficer(id);
    const officerSlackId = await slackIdOf(officer);
    await t.hub.boss.send(
      'deliver-notifications',
      notificationJob(id, 910, [
        {
          to: [{ role: 'compliance_officer' }],
          kind: 'sla_warning',
          title: 'SLA warning: Chris Carter',
          body: '75% of the review time has passed',
        },
      ]),
    );
    const dm = await posted(`${id}:910:0:dm:${officer}`);
    expect(dm.args.channel).toBe(`D${officerSlackId.slice(1)}`);
    expect(blocksText(dm.args.blocks)).toContain(
      ':hourglass_flowing_sand: *SLA warning: Chris Carter*\n75% of the review time has passed',
    );
    await runSlackJob(
      notificationJob(id, 910, [
        {
          to: [{ role: 'compliance_officer' }],
          kind: 'sla_warning',
          title: 'SLA warning: Chris Carter',
          body: '75% of the review time has passed',
        },
      ]),
    );
    const warnings = t.slack
      .callsTo('chat.postMessage')
      .filter((call) => deliveryKeyOf(call)?.startsWith(`${id}:910:`));
    expect(warnings.map((call) => call.args.channel)).toEqual([`D${officerSlackId.slice(1)}`]);
  });

  it('sends assignments and mentions by direct message with a link to the process; people without Slack stay in-app', async () => {
    const id = await applicationInReview(t.hub);
    const officer = await assignedOfficer(id);
    const boardUrl = `${t.hub.config.publicUrl}/#/process/${id}`;
    // The workflow's own assignment on entering review.
    const assignment = await t.slack.waitForCall(
      'chat.postMessage',
      (call) =>
        deliveryKeyOf(call)?.startsWith(`${id}:`) === true && deliveryKeyOf(call)?.endsWith(`:dm:${officer}`) === true,
    );
    expect(blocksText(assignment.args.blocks)).toBe(
      `:inbox_tray: *Review the application for Chris Carter*\nYou are the assigned compliance officer\n<${boardUrl}|Open Chris Carter in the board>`,
    );

    await t.hub.boss.send(
      'deliver-notifications',
      notificationJob(id, 920, [
        {
          to: [{ user_id: 'usr_alex_advisor' }, { user_id: 'usr_beth_advisor' }],
          kind: 'mention',
          title: 'Carla mentioned you',
          body: 'Can you confirm the <source> of funds & the date?',
        },
      ]),
    );
    const mention = await posted(`${id}:920:0:dm:usr_alex_advisor`);
    expect(mention.args.channel).toBe('DALEX');
    expect(blocksText(mention.args.blocks)).toBe(
      `:speech_balloon: *Carla mentioned you*\nCan you confirm the &lt;source&gt; of funds &amp; the date?\n<${boardUrl}|Open Chris Carter in the board>`,
    );
    // Beth has no Slack account: looked up by e-mail, not found, not messaged; her in-app notification is there.
    await t.slack.waitForCall('users.lookupByEmail', (call) => call.args.email === 'beth.advisor@hub.example');
    const [beth] = await t.hub
      .sql`SELECT kind FROM notifications WHERE process_id = ${id} AND user_id = 'usr_beth_advisor' AND kind = 'mention'`;
    expect(beth).toEqual({ kind: 'mention' });
    expect(
      t.slack.callsTo('chat.postMessage').filter((call) => deliveryKeyOf(call) === `${id}:920:0:dm:usr_beth_advisor`),
    ).toEqual([]);
  });

  it('waits as long as Slack asks after a 429 and then posts once', async () => {
    const id = await applicationInReview(t.hub);
    // Let the automatic posts of entering review (the approval message, the assignment DM) go first.
    await posted(`application-message:${id}`);
    const officer = await assignedOfficer(id);
    await t.slack.waitForCall(
      'chat.postMessage',
      (call) =>
        deliveryKeyOf(call)?.endsWith(`:dm:${officer}`) === true && deliveryKeyOf(call)?.startsWith(`${id}:`) === true,
    );

    t.slack.failNext('chat.postMessage', { status: 429, retryAfter: 1 });
    const before = t.slack.calls.length;
    await t.hub.boss.send(
      'deliver-notifications',
      notificationJob(id, 930, [
        {
          to: [{ user_id: 'usr_alex_advisor' }],
          kind: 'query_assigned',
          title: 'A query for you',
          body: 'Please upload the bank statement',
        },
      ]),
    );
    const delivered = await posted(`${id}:930:0:dm:usr_alex_advisor`);
    const attempts = t.slack.calls
      .slice(before)
      .filter(
        (call: RecordedCall) =>
          call.method === 'chat.postMessage' && deliveryKeyOf(call) === `${id}:930:0:dm:usr_alex_advisor`,
      );
    expect(attempts.map((call) => call.status)).toEqual([429, 200]);
    expect(attempts[1].at - attempts[0].at).toBeGreaterThanOrEqual(1000);
    expect(delivered).toBe(attempts[1]);
    expect(
      t.slack
        .messages('DALEX')
        .filter((m) => m.metadata?.event_payload.dedupe_key === `${id}:930:0:dm:usr_alex_advisor`),
    ).toHaveLength(1);
  });

  it('after a crash between posting and recording, finds the message in Slack instead of posting it again', async () => {
    const id = await applicationInReview(t.hub);
    const intent: NotificationIntent = {
      to: [{ user_id: 'usr_colin_compliance' }],
      kind: 'mention',
      title: 'Helen mentioned you',
      body: 'Look at the PEP screening',
    };
    const crashedKey = `${id}:940:0:dm:usr_colin_compliance`;
    // What a worker dying right after Slack accepted the post leaves behind: a counted attempt, no timestamp, the message in Slack.
    await t.hub
      .sql`INSERT INTO slack_deliveries (dedupe_key, channel, attempts, first_attempt_at) VALUES (${crashedKey}, 'DCOLIN', 1, now())`;
    const earlier = t.slack.seedMessage({
      channel: 'DCOLIN',
      text: 'Helen mentioned you: Look at the PEP screening',
      metadata: { event_type: 'ops_hub_delivery', event_payload: { dedupe_key: crashedKey } },
    });
    await runSlackJob(notificationJob(id, 940, [intent]));
    expect(postsWithKey(crashedKey)).toEqual([]);
    expect(
      t.slack
        .callsTo('conversations.history')
        .some((call) => call.args.channel === 'DCOLIN' && call.args.include_all_metadata === 'true'),
    ).toBe(true);
    const [found] = await t.hub
      .sql`SELECT ts, attempts, delivered_at IS NOT NULL AS delivered FROM slack_deliveries WHERE dedupe_key = ${crashedKey}`;
    expect(found).toEqual({ ts: earlier.ts, attempts: 1, delivered: true });

    // A counted attempt that never reached Slack (the post failed): looked for, not found, posted once.
    const lostKey = `${id}:941:0:dm:usr_colin_compliance`;
    await t.hub
      .sql`INSERT INTO slack_deliveries (dedupe_key, channel, attempts, first_attempt_at) VALUES (${lostKey}, 'DCOLIN', 1, now())`;
    await runSlackJob(notificationJob(id, 941, [intent]));
    expect(postsWithKey(lostKey)).toHaveLength(1);
    const [second] = await t.hub.sql`SELECT attempts, ts FROM slack_deliveries WHERE dedupe_key = ${lostKey}`;
    expect(second).toEqual({ attempts: 2, ts: postsWithKey(lostKey)[0].response.ts });
  });
});
