import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, signInToBoard } from '../support/chromium.js';
import { applicationInReview } from '../support/account-opening.js';
import { startTestHub, type TestHub } from '../support/hub.js';
import { startTestSmtpServer, type TestSmtpServer } from '../support/smtp-server.js';

const COLIN = 'colin.compliance@hub.example';

describe('notification preferences and the bell, on the board', () => {
  let smtp: TestSmtpServer;
  let hub: TestHub;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    smtp = await startTestSmtpServer();
    hub = await startTestHub({ env: { SMTP_URL: smtp.url, SMTP_FROM: 'Ops hub <ops@firm.example>' } });
    browser = await launchChromium();
    page = await signInToBoard(browser, hub.url, COLIN);
  });
  afterAll(async () => {
    await browser?.close();
    await hub?.stop();
    await smtp?.stop();
  });

  it('chooses e-mail for mentions on the page, then the bell shows the mention delivered by e-mail', async () => {
    await page.evaluate(() => (location.hash = '#/notifications'));
    const mentionEmail = page.locator('input[name="mention:email"]');
    await mentionEmail.waitFor();
    // The firm's defaults show: Slack on, e-mail off; the bell cannot be turned off.
    expect(await page.locator('input[name="mention:slack"]').isChecked()).toBe(true);
    expect(await mentionEmail.isChecked()).toBe(false);
    await mentionEmail.check();
    await page.fill('input[name="time_zone"]', 'Europe/Paris');
    await page.click('button[type="submit"]');
    await page.locator('.notification-preferences .form-status', { hasText: 'Preferences saved' }).waitFor();
    const saved = await hub.api(await hub.login(COLIN), 'GET', '/notifications/preferences');
    expect(saved.body.profile.time_zone).toBe('Europe/Paris');
    expect(saved.body.topics.find((t: { topic: string }) => t.topic === 'mention').channels).toEqual([
      'slack',
      'email',
    ]);

    const carla = await hub.login('carla.compliance@hub.example');
    const id = await applicationInReview(hub, { advisor: await hub.login('alex.advisor@hub.example') });
    const opened = await hub.api(carla, 'POST', `/processes/${id}/queries`, {
      title: 'Check',
      kind: 'question_to_advisor',
      body: '@alex.advisor please check, cc @colin.compliance',
    });
    expect(opened.status, JSON.stringify(opened.body)).toBe(201);
    await smtp.waitFor((m) => m.to.includes(COLIN));

    // Live: the count rises without a reload; the list, filtered to mentions, says where it went.
    const colin = await hub.login(COLIN);
    const { unread_count } = (await hub.api(colin, 'GET', '/notifications?unread=true')).body;
    expect(unread_count).toBeGreaterThan(0);
    await expect.poll(() => page.locator('.bell-count').textContent()).toBe(String(unread_count));
    await page.click('button.bell');
    await page.locator('select.bell-topic').selectOption('mention');
    await page.locator('.bell-deliveries', { hasText: 'E-mail delivered' }).waitFor();
    expect(await page.locator('.bell-list li').count()).toBe(1);
    await page.click('.bell-head button.link');
    await page.locator('.bell-count').waitFor({ state: 'hidden' });
  });
});
