import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardIn, launchChromium } from '../support/chromium.js';
import { startTestHub, waitForStatus, type TestHub } from '../support/hub.js';

const RESULTS = path.resolve('test-results');
const run = promisify(execFile);

/** Opens a one-time link in a fresh browser context, chooses a password, and lands on the live board. */
async function acceptLink(browser: Browser, link: string, password: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1500, height: 1000 } });
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
  await page.goto(link);
  await page.locator('form[data-form="set-password"] p').filter({ hasText: 'At least 12 characters' }).waitFor();
  await page.fill('input[name="password"]', password);
  await page.keyboard.press('Enter');
  await page.waitForSelector('.connection.online');
  return page;
}

/**
 * Fills a form by field name, as a person tabbing through it would, and submits it; answers the message it
 * shows, or waits for the page that follows (`next`, a selector) when the form leads on.
 */
async function fillForm(
  page: Page,
  form: string,
  values: Record<string, string | boolean>,
  next?: string,
): Promise<string> {
  const scope = page.locator(`form[data-form="${form}"]`);
  for (const [name, value] of Object.entries(values)) {
    const field = scope.locator(`[name="${name}"]`);
    const tag = await field.evaluate((el) => `${el.tagName}:${(el as HTMLInputElement).type}`);
    if (tag.startsWith('SELECT')) await field.selectOption(String(value));
    else if (tag === 'INPUT:checkbox') await field.setChecked(Boolean(value));
    else await field.fill(String(value));
  }
  await scope.locator('button[type="submit"]').click();
  if (next) {
    await page.locator(next).waitFor();
    return '';
  }
  const message = scope.locator('.form-message');
  await expect.poll(() => message.textContent()).not.toBe('');
  return (await message.textContent())!;
}

describe('a firm sets up its hub from nothing, on the board', () => {
  let hub: TestHub;
  let browser: Browser;
  let admin: Page;
  const links: Record<string, string> = {};

  beforeAll(async () => {
    hub = await startTestHub({ seed: false });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await hub?.stop();
  });

  it('creates the first administrator with the documented command and signs in through its link', async () => {
    const env = { ...process.env, DATABASE_URL: hub.config.DATABASE_URL!, PUBLIC_URL: hub.url, LOG_LEVEL: 'error' };
    const { stdout } = await run(
      'npm',
      ['run', '--silent', 'admin:create', '--', '--email', 'rita.root@firm.example', '--name', 'Rita Root'],
      { env },
    );
    expect(stdout).toContain('Created administrator Rita Root <rita.root@firm.example>');
    links.admin = stdout.match(/(http\S+#\/set-password\/\S+)/)![1]!;
    const again = await run(
      'npm',
      ['run', '--silent', 'admin:create', '--', '--email', 'x@firm.example', '--name', 'X'],
      { env },
    ).catch((e) => e);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already has users');

    admin = await acceptLink(browser, links.admin, 'rita chooses a long passphrase');
    expect(await admin.locator('.who').textContent()).toBe('Rita Root · Admin');
  });

  it('invites an advisor and a compliance officer, with the API’s own words when something is wrong', async () => {
    await admin.click('nav.nav a:text("Administration")');
    await admin.locator('form[data-form="invite-user"]').waitFor();
    const refused = await fillForm(admin, 'invite-user', { email: 'not-an-address', name: 'Nobody', role: 'advisor' });
    expect(refused).toBe('email: expected an e-mail address');
    expect(await admin.locator('form[data-form="invite-user"] [name="email"]').getAttribute('aria-invalid')).toBe(
      'true',
    );

    for (const [email, name, role] of [
      ['avery.advisor@firm.example', 'Avery Advisor', 'advisor'],
      ['cora.compliance@firm.example', 'Cora Compliance', 'compliance_officer'],
    ]) {
      await admin.locator('form[data-form="invite-user"]').waitFor();
      expect(await fillForm(admin, 'invite-user', { email, name, role })).toBe('Invited');
      const shown = admin.locator('.shown-once input.copy');
      await shown.waitFor();
      links[role] = await shown.inputValue();
      expect(links[role]).toContain(`${hub.url}/#/set-password/`);
    }
    await admin.locator('table[data-table="users"] tr[data-key]').nth(2).waitFor();
    expect(
      await admin
        .locator('table[data-table="users"] tbody tr')
        .evaluateAll((rows) => rows.map((r) => r.children[3]!.textContent)),
    ).toEqual(['Invited', 'Invited', 'Active']);
  });

  it('puts a product on the shelf and a client with the advisor', async () => {
    await admin.click('.admin-tabs a:text("Products")');
    await admin.locator('form[data-form="new-product"]').waitFor();
    const added = await fillForm(admin, 'new-product', {
      id: 'prd_global_equity',
      name: 'Global Equity Index Fund',
      description: 'MSCI ACWI index tracker.',
      category: 'equity',
      risk_level: 'growth',
      liquidity: 'daily',
      minimum_investment: '2500',
      currency: 'USD',
      management_fee_percent: '0.2',
    });
    expect(added).toBe('Added');
    await admin.locator('table[data-table="products"] tr[data-key="prd_global_equity"]').waitFor();

    await admin.click('.admin-tabs a:text("Clients")');
    await admin.locator('form[data-form="new-client"]').waitFor();
    const badDate = await fillForm(admin, 'new-client', {
      name: 'Quinn Quarry',
      email: 'quinn@client.example',
      client_type: 'individual',
      birth_or_incorporation_date: '2999-01-01',
    });
    expect(badDate).toBe('birth_or_incorporation_date: cannot be in the future');
    await admin.locator('form[data-form="new-client"]').waitFor();
    const [advisor] = await hub.sql`SELECT id FROM users WHERE email = 'avery.advisor@firm.example'`;
    const created = await fillForm(admin, 'new-client', {
      name: 'Quinn Quarry',
      email: 'quinn@client.example',
      client_type: 'individual',
      jurisdiction: 'US-NY',
      birth_or_incorporation_date: '1979-03-14',
      kyc_status: 'complete',
      advisor_id: advisor.id,
    });
    expect(created).toBe('Created');
    await admin.locator('table[data-table="clients"] td:text("Avery Advisor")').waitFor();
    await admin.screenshot({ path: path.join(RESULTS, 'administration-clients.png') });
  });

  it('lets the advisor open an application on the board and the compliance officer approve it', async () => {
    const advisor = await acceptLink(browser, links.advisor!, 'avery has a long passphrase too');
    await advisor.click('nav.nav a:text("New application")');
    const [client] = await hub.sql`SELECT id FROM clients WHERE email = 'quinn@client.example'`;
    await advisor.locator('form[data-form="start-application"]').waitFor();
    await fillForm(
      advisor,
      'start-application',
      { client_id: client.id, account_type: 'individual' },
      'form[data-form="select-products"]',
    );
    const applicationId = decodeURIComponent((await advisor.evaluate(() => location.hash)).split('/')[2]!);
    await fillForm(advisor, 'select-products', { prd_global_equity: true }, 'form[data-form="risk-assessment"]');
    const risk = { risk_score: '60', investment_objective: 'growth', investment_horizon: 'long_term' };
    await fillForm(advisor, 'risk-assessment', risk, 'form[data-form="accept-terms"]');
    await fillForm(advisor, 'accept-terms', { terms_accepted: true }, 'form[data-form="funding"]');
    const funding = {
      funding_method: 'wire_transfer',
      initial_investment_amount: '100',
      currency: 'USD',
      source_of_funds: 'savings',
    };
    expect(await fillForm(advisor, 'funding', funding)).toMatch(/minimum/i);
    await fillForm(advisor, 'funding', { initial_investment_amount: '50000' }, '.application-status');
    await waitForStatus(hub.sql, applicationId, 'compliance_review');

    const compliance = await acceptLink(browser, links.compliance_officer!, 'cora keeps a long passphrase');
    await cardIn(compliance, 'compliance_review', applicationId).click();
    const drawer = compliance.locator(`.drawer[data-process-id="${applicationId}"]`);
    await drawer.locator('button[data-command="compliance_approve"]').click();
    await cardIn(compliance, 'account_created', applicationId).waitFor({ timeout: 20_000 });

    const trail =
      await hub.sql`SELECT action, actor_id, channel FROM audit_log WHERE process_id = ${applicationId} AND outcome = 'accepted' ORDER BY id`;
    const people = await hub.sql`SELECT id, email FROM users`;
    const who = Object.fromEntries(people.map((p) => [p.id, p.email]));
    expect(trail.filter((t) => t.channel === 'board').map((t) => `${t.action}:${who[t.actor_id]}`)).toEqual([
      'start_application:avery.advisor@firm.example',
      'select_products:avery.advisor@firm.example',
      'complete_risk_assessment:avery.advisor@firm.example',
      'accept_terms:avery.advisor@firm.example',
      'provide_funding_details:avery.advisor@firm.example',
      'compliance_approve:cora.compliance@firm.example',
    ]);
    const [application] = await hub.sql`SELECT detail FROM processes WHERE process_id = ${applicationId}`;
    expect(application.detail.selected_products).toMatchObject([
      { product_id: 'prd_global_equity', product_version: 1 },
    ]);
  });

  it('changes settings with their meaning and unit shown, and the API refusing a bad value', async () => {
    await admin.click('.admin-tabs a:text("Settings")');
    const form = admin.locator('form[data-form="settings"]');
    await form.waitFor();
    expect(await form.locator('label[for="field-edd_threshold"]').textContent()).toContain('(USD)');
    const refused = await fillForm(admin, 'settings', { session_lifetime_hours: '0' });
    expect(refused).toBe('session_lifetime_hours: Too small: expected number to be >=0.25');
    expect(await fillForm(admin, 'settings', { session_lifetime_hours: '8' })).toBe('Saved');
    const [row] = await hub.sql`SELECT details, channel FROM audit_log WHERE process_id = 'session_lifetime_hours'`;
    expect(row).toMatchObject({ details: { before: 12, after: 8 }, channel: 'board' });
  });
});
