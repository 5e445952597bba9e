import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUES } from '../../db/jobs.js';
import { applicationInReview } from '../support/account-opening.js';
import { startTestHub, waitForNotice, type TestHub } from '../support/hub.js';
import { startTestSmtpServer, type TestSmtpServer } from '../support/smtp-server.js';
import { connectHubSocket, recordEvents } from '../support/sockets.js';

const COLIN = 'colin.compliance@hub.example';
const MAYA = 'maya.manager@hub.example';

/** A quiet window of four hours around the present moment, on the given zone's clock. */
function quietAroundNow(zone: string) {
  const now = DateTime.now().setZone(zone);
  return { start: now.minus({ hours: 2 }).toFormat('HH:mm'), end: now.plus({ hours: 2 }).toFormat('HH:mm') };
}

describe('notifications by e-mail, with preferences, quiet hours, digests and delivery status', () => {
  let smtp: TestSmtpServer;
  let hub: TestHub;
  let admin: string;
  let advisor: string;
  let carla: string;
  let colin: string;
  let maya: string;

  beforeAll(async () => {
    smtp = await startTestSmtpServer();
    hub = await startTestHub({ env: { SMTP_URL: smtp.url, SMTP_FROM: 'Ops hub <ops@firm.example>' } });
    [admin, advisor, carla, colin, maya] = await Promise.all(
      ['ada.admin@hub.example', 'alex.advisor@hub.example', 'carla.compliance@hub.example', COLIN, MAYA].map((e) =>
        hub.login(e),
      ),
    );
  });
  afterAll(async () => {
    await hub?.stop();
    await smtp?.stop();
  });

  const auditOf = (action: string, userId: string) =>
    hub.sql`SELECT outcome, error_code, details FROM audit_log WHERE action = ${action} AND actor_id = ${userId} ORDER BY id`;

  it('sends a mention by e-mail to a compliance officer who chose it, escaped, and shows where it went', async () => {
    const chosen = await hub.api(colin, 'PATCH', '/notifications/preferences', { topics: { mention: ['email'] } });
    expect(chosen.status, JSON.stringify(chosen.body)).toBe(200);
    expect(chosen.body.topics.find((t: { topic: string }) => t.topic === 'mention')).toMatchObject({
      channels: ['email'],
      default_channels: ['slack'],
      chosen: true,
      locked: false,
    });
    const [audit] = await auditOf('update_notification_preferences', 'usr_colin_compliance');
    expect(audit.outcome).toBe('accepted');
    expect(audit.details.after.topics.find((t: { topic: string }) => t.topic === 'mention').channels).toEqual([
      'email',
    ]);

    const id = await applicationInReview(hub, { advisor });
    const opened = await hub.api(carla, 'POST', `/processes/${id}/queries`, {
      title: '<b>Funds</b> & co',
      kind: 'question_to_advisor',
      body: '@alex.advisor where do the <i>funds</i> come from? Q&A cc @colin.compliance',
    });
    expect(opened.status, JSON.stringify(opened.body)).toBe(201);

    const [mail] = await smtp.waitFor((m) => m.to.includes(COLIN));
    expect(mail.subject).toBe('You were mentioned: Carla Compliance mentioned you in "<b>Funds</b> & co"');
    expect(mail.html).toContain('where do the &lt;i&gt;funds&lt;/i&gt; come from? Q&amp;A');
    expect(mail.html).not.toContain('<i>');
    expect(mail.text).toContain('where do the <i>funds</i> come from? Q&A');
    expect(mail.text).toContain(`/#/process/${id}`);

    // Where it went, for Colin and for an administrator; for nobody else.
    const [notification] = await hub.sql`
      SELECT id FROM notifications WHERE user_id = 'usr_colin_compliance' AND kind = 'mention' AND process_id = ${id}`;
    const delivered = await waitForNotice(hub.sql, 'notification_created', async () => {
      const r = await hub.api(colin, 'GET', `/notifications/${notification.id}/deliveries`);
      return r.body.deliveries?.[0]?.status === 'delivered' ? r.body.deliveries : undefined;
    });
    expect(delivered).toEqual([
      expect.objectContaining({
        channel: 'email',
        status: 'delivered',
        address: COLIN,
        message_id: mail.messageId,
        attempts: 1,
        detail: expect.stringMatching(/^250 .*Queued as/),
      }),
    ]);
    expect((await hub.api(admin, 'GET', `/notifications/${notification.id}/deliveries`)).body.deliveries).toEqual(
      delivered,
    );
    const other = await hub.api(advisor, 'GET', `/notifications/${notification.id}/deliveries`);
    expect(other.status).toBe(404);
    const [refusal] = await hub.sql`
      SELECT error_code FROM audit_log WHERE action = 'read_notification_deliveries' AND actor_id = 'usr_alex_advisor'`;
    expect(refusal.error_code).toBe('NOT_FOUND');

    // The bell lists it with its delivery, filtered by topic.
    const bell = await hub.api(colin, 'GET', '/notifications?topic=mention');
    expect(bell.body.notifications.map((n: { kind: string }) => n.kind)).toEqual(['mention']);
    expect(bell.body.notifications[0]).toMatchObject({ topic: 'mention', deliveries: [{ status: 'delivered' }] });
    // The advisor kept the defaults: Slack, not e-mail.
    expect(smtp.to('alex.advisor@hub.example')).toEqual([]);
  });

  it('keeps breach alerts on for managers: a manager cannot turn them off, nor an administrator unlock them', async () => {
    const refused = await hub.api(maya, 'PATCH', '/notifications/preferences', { topics: { sla_breach: [] } });
    expect(refused.status).toBe(403);
    expect(refused.body.error.details).toMatchObject({ field: 'topics.sla_breach' });
    const [audit] = await auditOf('update_notification_preferences', 'usr_maya_manager');
    expect(audit).toMatchObject({ outcome: 'refused', error_code: 'FORBIDDEN' });

    const unlock = await hub.api(admin, 'PUT', '/admin/notification-defaults', {
      defaults: [{ role: 'manager', topic: 'sla_breach', channels: ['email'], locked: false }],
    });
    expect(unlock.status).toBe(400);
    expect(unlock.body.error.message).toContain('cannot be turned off for the manager role');
    expect((await hub.api(maya, 'GET', '/admin/notification-defaults')).status).toBe(403);

    const bad = await hub.api(maya, 'PATCH', '/notifications/preferences', { time_zone: 'Mars/Olympus' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('time_zone');
    const badClock = await hub.api(maya, 'PATCH', '/notifications/preferences', {
      quiet_hours: { start: '25:00', end: '07:00' },
    });
    expect(badClock.status).toBe(400);
    expect(JSON.stringify(badClock.body)).toContain('quiet_hours');
  });

  it(
    'gives a manager in quiet hours the escalation but not the warning, and says why',
    { timeout: 90_000 },
    async () => {
      const zone = 'Asia/Tokyo';
      const set = await hub.api(maya, 'PATCH', '/notifications/preferences', {
        time_zone: zone,
        quiet_hours: quietAroundNow(zone),
        topics: { sla_warning: ['email'] },
      });
      expect(set.status, JSON.stringify(set.body)).toBe(200);

      const policy = await hub.api(admin, 'PUT', '/sla/policies/account-opening-compliance-review', {
        process_type: 'account_opening',
        state: 'compliance_review',
        target: { unit: 'wall_clock_hours', amount: 2 / 3600 },
        calendar_id: null,
        rungs: [
          { kind: 'warning', at_percent: 50, notify: ['role:manager'] },
          { kind: 'breach', at_percent: 100, notify: ['role:manager'] },
          { kind: 'escalation', at_percent: 150, notify: ['role:manager'] },
        ],
      });
      expect(policy.status, JSON.stringify(policy.body)).toBe(200);
      const id = await applicationInReview(hub, { advisor });

      const [escalation] = await smtp.waitFor((m) => m.to.includes(MAYA) && m.subject.startsWith('SLA escalation'));
      expect(escalation.text).toContain(`/#/process/${id}`);
      const kindsToMaya = await waitForNotice(hub.sql, 'notification_created', async () => {
        const rows = await hub.sql`
        SELECT n.kind, d.status, d.detail FROM notifications n
        JOIN notification_deliveries d ON d.notification_id = n.id AND d.channel = 'email'
        WHERE n.user_id = 'usr_maya_manager' AND n.process_id = ${id} ORDER BY n.id`;
        return rows.length === 3 && rows.every((r) => r.status === 'skipped' || r.status === 'delivered')
          ? rows
          : undefined;
      });
      expect(kindsToMaya.map((r) => [r.kind, r.status])).toEqual([
        ['sla_warning', 'skipped'],
        ['sla_breached', 'skipped'],
        ['sla_escalated', 'delivered'],
      ]);
      expect(kindsToMaya[0].detail).toMatch(/^quiet hours \(\d\d:\d\d–\d\d:\d\d\)$/);
      expect(smtp.to(MAYA).map((m) => m.subject.split(':')[0])).toEqual(['SLA escalation']);

      // The bell has all three, whatever the quiet hours.
      const bell = await hub.api(maya, 'GET', '/notifications?limit=200');
      const mine = bell.body.notifications.filter((n: { process_id: string }) => n.process_id === id);
      expect(mine.map((n: { kind: string }) => n.kind).sort()).toEqual([
        'sla_breached',
        'sla_escalated',
        'sla_warning',
      ]);
    },
  );

  it('holds e-mail for a daily digest and sends it once on the hourly run', { timeout: 60_000 }, async () => {
    // A zone where the morning digest hour has passed and it is not yet night.
    const zone = ['UTC', 'Asia/Tokyo', 'America/New_York', 'Asia/Kolkata', 'Pacific/Auckland', 'Europe/Paris'].find(
      (z) => {
        const hour = DateTime.now().setZone(z).hour;
        return hour >= 8 && hour < 22;
      },
    )!;
    const set = await hub.api(colin, 'PATCH', '/notifications/preferences', {
      time_zone: zone,
      digest: true,
      language: 'fr',
    });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    const id = await applicationInReview(hub, { advisor });
    const before = smtp.to(COLIN).length;
    await hub.api(carla, 'POST', `/processes/${id}/queries`, {
      title: 'Documents',
      kind: 'question_to_advisor',
      body: '@alex.advisor the statements please, cc @colin.compliance',
    });
    await waitForNotice(hub.sql, 'notification_created', async () => {
      const [row] = await hub.sql`
        SELECT d.status FROM notifications n JOIN notification_deliveries d ON d.notification_id = n.id
        WHERE n.user_id = 'usr_colin_compliance' AND n.process_id = ${id} AND n.kind = 'mention'`;
      return row?.status === 'held';
    });
    expect(smtp.to(COLIN)).toHaveLength(before);

    await hub.boss.send(QUEUES.emailDigest, {});
    await hub.boss.send(QUEUES.emailDigest, {});
    const [digest] = await smtp.waitFor((m) => m.to.includes(COLIN) && m.subject.startsWith('Votre résumé'));
    expect(digest.subject).toBe('Votre résumé du jour : 1 notification');
    expect(digest.text).toContain('Bonjour Colin Compliance,');
    expect(digest.text).toContain('mentioned you in "Documents"');
    await waitForNotice(hub.sql, 'notification_created', async () => {
      const [row] = await hub.sql`
        SELECT d.status FROM notifications n JOIN notification_deliveries d ON d.notification_id = n.id
        WHERE n.user_id = 'usr_colin_compliance' AND n.process_id = ${id} AND n.kind = 'mention'`;
      return row?.status === 'digested';
    });
    const jobs =
      await hub.sql`SELECT state FROM pgboss.job WHERE name = ${QUEUES.emailDigest} AND state <> 'completed'`;
    expect(jobs).toEqual([]);
    expect(smtp.to(COLIN).filter((m) => m.subject.startsWith('Votre résumé'))).toHaveLength(1);
  });

  it('keeps the unread count live over the socket when notifications are read elsewhere', async () => {
    const socket = await connectHubSocket(hub.url, maya);
    try {
      const unread = recordEvents(socket, 'notification:unread');
      const before = await hub.api(maya, 'GET', '/notifications?unread=true');
      expect(before.body.unread_count).toBeGreaterThan(0);
      const marked = await hub.api(maya, 'POST', '/notifications/read', { all: true });
      expect(marked.body.unread_count).toBe(0);
      await unread.until((events) => events.some((e) => e.unread_count === 0));
    } finally {
      socket.disconnect();
    }
  });
});
