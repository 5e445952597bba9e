import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOk, loginAll, type Login } from '../support/account-opening.js';
import { launchChromium } from '../support/chromium.js';
import { pdfFile } from '../support/document-files.js';
import { acceptDocuments, importExampleLists, PROFILE, waitForOnboarding } from '../support/onboarding.js';
import {
  blocksText,
  buttonClick,
  buttonsOf,
  COMPLIANCE_CHANNEL,
  deliveryKeyOf,
  postInteraction,
  startSlackTestHub,
  type SlackTestHub,
} from '../support/slack.js';

describe('client onboarding in Chromium, with Slack, on real PostgreSQL and Temporal', () => {
  let t: SlackTestHub;
  let browser: Browser;
  let tokens: Record<Login, string>;
  beforeAll(async () => {
    t = await startSlackTestHub();
    browser = await launchChromium();
    tokens = await loginAll(t.hub);
    await importExampleLists(t.hub);
  });
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  it('an advisor invites a client, who fills the profile and uploads documents in the browser; two officers clear a hit; compliance approves from Slack; the client opens an account', async () => {
    const { hub, slack } = t;
    const invited = expectOk(
      await hub.api(tokens.alex, 'POST', '/onboardings', {
        client: { name: 'Ivan Petrov', email: 'ivan.petrov@client.example', client_type: 'individual' },
      }),
      201,
    );
    const id: string = invited.onboarding.onboarding_id;
    const clientId: string = invited.onboarding.client_id;

    // The client follows the invitation link, chooses a password and is signed in.
    const page = await (await browser.newContext({ viewport: { width: 1400, height: 1000 } })).newPage();
    page.on('pageerror', (error) => console.error(`[client] page error: ${error.message}`));
    await page.goto(String(invited.invitation.link).replace(hub.config.publicUrl, hub.url));
    await page.fill('form[data-form=set-password] input[name=password]', 'a long client passphrase 2026');
    await page.click('form[data-form=set-password] button[type=submit]');
    await page.waitForSelector('.connection.online');
    await page.click('nav a[href="#/onboarding"]');
    const form = page.locator('form[data-form=onboarding-profile]');
    await form.waitFor();

    // A wrong field is named and marked; the rest of the form stays as typed.
    const fill = async (values: Record<string, string>) => {
      for (const [name, value] of Object.entries(values)) await form.locator(`[name="${name}"]`).fill(value);
    };
    const select = async (values: Record<string, string>) => {
      for (const [name, value] of Object.entries(values)) await form.locator(`[name="${name}"]`).selectOption(value);
    };
    await fill({
      'identity.legal_name': PROFILE.identity.legal_name,
      'identity.date_of_birth_or_incorporation': PROFILE.identity.date_of_birth_or_incorporation,
      'identity.nationality_or_incorporation_country': 'DE',
      'contact.email': PROFILE.contact.email,
      'contact.phone': '030 123456',
      'contact.address.line1': PROFILE.contact.address.line1,
      'contact.address.city': 'Berlin',
      'contact.address.postal_code': '10117',
      'contact.address.country': 'DE',
      'tax.country': 'DE',
      'tax.tax_id': '12345678901',
      'employment.employer': 'Acme GmbH',
      'expected_activity.transactions_per_month': '4',
      'investment_experience.years': '10',
    });
    await select({
      'employment.status': 'employed',
      'source_of_wealth.source': 'employment_income',
      'source_of_wealth.net_worth_band': '250k_1m',
      'expected_activity.annual_deposits_band': '50k_250k',
      'investment_experience.level': 'good',
    });
    await form.locator('button[type=submit]').click();
    await expect.poll(() => form.locator('.form-message.error').textContent()).toContain('contact.phone');
    expect(await form.locator('[name="contact.phone"]').getAttribute('aria-invalid')).toBe('true');
    await fill({ 'contact.phone': PROFILE.contact.phone });
    await form.locator('button[type=submit]').click();

    // The documents step: an identity document and a proof of address, uploaded from the page.
    const documents = page.locator('.onboarding-form .documents');
    await documents.waitFor();
    expect(await page.locator('.onboarding-status').getAttribute('data-status')).toBe('documents');
    for (const kind of ['identity_document', 'proof_of_address']) {
      await documents.locator('select[name=kind]').selectOption(kind);
      await documents.locator('input[name=title]').fill(kind.replace(/_/g, ' '));
      await documents.locator('input[type=file]').setInputFiles({
        name: `${kind}.pdf`,
        mimeType: 'application/pdf',
        buffer: pdfFile(kind),
      });
      await documents.locator(`.document[data-kind="${kind}"]`).waitFor();
    }
    await page.click('button[data-command=submit_documents]');
    await page.waitForSelector('.onboarding-status[data-status="screening"]');

    // "Ivan Petrov" resembles a listed person: two different officers clear the hit with their reasons.
    const screened = await waitForOnboarding(hub, id, (d) => d.screening !== null);
    const hitId = screened.screening.hits[0].hit_id;
    expectOk(
      await hub.api(tokens.carla, 'POST', `/onboardings/${id}/clear-hit`, {
        hit_id: hitId,
        reason: 'The listed person was born in Moscow in 1971; our client is a German national',
      }),
    );
    expectOk(
      await hub.api(tokens.colin, 'POST', `/onboardings/${id}/clear-hit`, {
        hit_id: hitId,
        reason: 'Passport checked: different patronymic',
      }),
    );
    await waitForOnboarding(hub, id, (d) => d.review_started_at !== null);
    const { documents: held } = expectOk(await hub.api(tokens.helen, 'GET', `/processes/${id}/documents`));
    await acceptDocuments(
      hub,
      tokens.helen,
      held.map((d: { document_id: string }) => d.document_id),
    );

    // The compliance channel's message carries the screening result and the risk factors.
    const post = await slack.waitForCall(
      'chat.postMessage',
      (call) => deliveryKeyOf(call) === `onboarding-message:${id}` && call.status === 200,
    );
    expect(post.args.channel).toBe(COMPLIANCE_CHANNEL);
    const text = blocksText(post.args.blocks);
    for (const expected of [
      'Onboarding review: Ivan Petrov',
      '*Low* risk, score 0',
      '• Jurisdiction: DE, 0 pts (no listed jurisdiction)',
      '• Pep: not exposed, 0 pts',
      'Sanctions: PETROV, Ivan Sergeyevich ~ Ivan Petrov (100%, RUSSIA-EO14024): cleared by Carla Compliance and Colin Compliance',
    ])
      expect(text).toContain(expected);
    expect(buttonsOf(post.args.blocks)).toMatchObject({ approve_onboarding: id, reject_onboarding: id });

    // Compliance approves from Slack; the message shows the decision and KYC's review date.
    const clicked = await postInteraction(
      hub,
      buttonClick({ user: 'UCOLIN', actionId: 'approve_onboarding', value: id, messageTs: post.response.ts }),
    );
    expect(clicked.status).toBe(200);
    const done = await waitForOnboarding(hub, id, (d) => d.kyc_expires_at !== null);
    expect(done).toMatchObject({ status: 'approved', decided_by: 'usr_colin_compliance' });
    expect(done.approvals[0]).toMatchObject({ channel: 'slack' });
    await slack.waitForCall(
      'chat.update',
      (call) => call.args.ts === post.response.ts && blocksText(call.args.blocks).includes('KYC complete until'),
    );

    // The client's page says so, and the client can now open an account.
    await page.reload();
    await page.waitForSelector('.onboarding-status[data-status="approved"]');
    await page.click('nav a[href="#/apply"]');
    const start = page.locator('form[data-form=start-application]');
    await start.locator('select[name=client_id]').selectOption(clientId);
    await start.locator('select[name=account_type]').selectOption('individual');
    await start.locator('button[type=submit]').click();
    await page.waitForSelector('form[data-form=select-products]');
    const applicationId = decodeURIComponent(await page.evaluate(() => location.hash.split('/')[2]));
    const [application] = await hub.sql`SELECT client_id, status FROM processes WHERE process_id = ${applicationId}`;
    expect(application).toEqual({ client_id: clientId, status: 'draft' });
  });
});
