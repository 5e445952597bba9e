import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applicationInReview } from '../support/account-opening.js';
import { startTestHub, waitForNotice, waitForStatus, type TestHub } from '../support/hub.js';
import { startTestSmtpServer, type TestSmtpServer } from '../support/smtp-server.js';
import { startWorkerChild, type WorkerChild } from '../support/worker-child.js';

const CLIENT = 'chris.carter@client.example';
const APPROVED = 'Your account application was approved';

describe('the approval e-mail across a worker killed between sending and recording', () => {
  let smtp: TestSmtpServer;
  let hub: TestHub;
  let worker: WorkerChild | undefined;
  const mailEnv = () => ({
    SMTP_URL: smtp.url,
    SMTP_FROM: 'Ops hub <ops@firm.example>',
    SMTP_REPLY_TO: 'help@firm.example',
    PUBLIC_URL: 'https://hub.firm.example',
  });

  beforeAll(async () => {
    smtp = await startTestSmtpServer();
    hub = await startTestHub({ worker: false, env: mailEnv() });
  });
  afterAll(async () => {
    await worker?.kill();
    await hub?.stop();
    await smtp?.stop();
  });

  it('reaches the client once, and the retry after the crash sends nothing', { timeout: 240_000 }, async () => {
    worker = await startWorkerChild(hub, mailEnv());
    const [advisor, compliance] = await Promise.all([
      hub.login('alex.advisor@hub.example'),
      hub.login('carla.compliance@hub.example'),
    ]);
    const id = await applicationInReview(hub, { advisor });

    // The server has the whole message; the worker dies before it hears the answer.
    const statusAtTheEnd: string[] = [];
    const killed = worker;
    smtp.beforeAnswer = async (mail) => {
      if (mail.subject !== APPROVED) return;
      smtp.beforeAnswer = null;
      const [row] = await hub.sql`
        SELECT d.status FROM notification_deliveries d JOIN notifications n ON n.id = d.notification_id
        WHERE n.process_id = ${id} AND n.kind = 'application_approved' AND d.channel = 'email'`;
      statusAtTheEnd.push(row?.status);
      await killed.kill();
    };
    const approval = hub.api(compliance, 'POST', `/applications/${id}/approve`, {});
    await smtp.waitFor((m) => m.subject === APPROVED);
    await killed.exited;
    // What the outbox said when the last line arrived: recorded before the server could accept it.
    expect(statusAtTheEnd).toEqual(['sent']);
    await approval;

    worker = await startWorkerChild(hub, mailEnv());
    const [delivery] = await hub.sql`
      SELECT d.id, d.status, d.attempts, d.message_id, d.address FROM notification_deliveries d
      JOIN notifications n ON n.id = d.notification_id
      WHERE n.process_id = ${id} AND n.kind = 'application_approved' AND d.channel = 'email'`;
    // The job the killed worker held expires and runs again on the new worker, and finds the message sent.
    const job = await waitForNotice(
      hub.sql,
      'notification_created',
      async () => {
        const [row] = await hub.sql`
          SELECT state, retry_count FROM pgboss.job
          WHERE name = 'email-notify' AND (data->>'delivery_id')::bigint = ${delivery.id} AND state = 'completed'`;
        return row;
      },
      120_000,
    );
    expect(job.retry_count).toBeGreaterThanOrEqual(1);
    // The process goes on under the new worker: the account is opened and the client told.
    await waitForStatus(hub.sql, id, 'account_created', 60_000);
    await smtp.waitFor((m) => m.subject === 'Your investment account is open' && m.to.includes(CLIENT));

    const approvals = smtp.to(CLIENT).filter((m) => m.subject === APPROVED);
    expect(approvals).toHaveLength(1);
    expect(approvals[0].messageId).toBe(delivery.message_id);
    const [after] = await hub.sql`SELECT status, attempts FROM notification_deliveries WHERE id = ${delivery.id}`;
    expect(after).toEqual({ status: 'sent', attempts: 1 });
    expect(delivery.address).toBe(CLIENT);

    // What the client reads: the blueprint's message, a link to the process, nothing of the firm's insides.
    const mail = approvals[0];
    expect(mail.from).toBe('ops@firm.example');
    expect(mail.replyTo).toBe('help@firm.example');
    expect(mail.text).toContain('Dear Chris Carter,');
    expect(mail.text).toContain('Your individual account application has been approved.');
    expect(mail.text).toContain(`https://hub.firm.example/#/process/${encodeURIComponent(id)}`);
    expect(mail.html).toContain(`href="https://hub.firm.example/#/process/${encodeURIComponent(id)}"`);
    expect(mail.raw).not.toMatch(/compliance|suitability|risk score|usr_/i);
  });
});
