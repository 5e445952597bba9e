import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOk, LOGINS, loginAll, type Login } from '../support/account-opening.js';
import { seriousViolations } from '../support/accessibility.js';
import { cardIn, launchChromium, signInToBoard } from '../support/chromium.js';
import { pdfFile } from '../support/document-files.js';
import {
  acceptDocuments,
  importExampleLists,
  inviteNewClient,
  PERSONAL_DOCUMENTS,
  PROFILE,
  uploadDocuments,
  waitForOnboarding,
} from '../support/onboarding.js';
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

const RESULTS = path.resolve('test-results');

/** Opens a process's drawer over the board, as a link from Slack or a notification would. */
async function openDrawer(page: Page, processId: string) {
  await page.evaluate((hash) => (location.hash = hash), `#/process/${encodeURIComponent(processId)}`);
  return page.locator(`.drawer[data-process-id="${processId}"]`);
}

/** An officer's decision on a screening hit in the drawer: the reason, then the decision's button. */
async function decideHit(page: Page, processId: string, hitId: string, decision: string, reason: string) {
  const hit = page.locator(`.drawer[data-process-id="${processId}"] .screening-hit[data-hit-id="${hitId}"]`);
  await hit.locator('textarea[name=reason]').fill(reason);
  await hit.locator(`button[data-decision="${decision}"]`).click();
  return hit;
}

describe('client onboarding in Chromium, with Slack, on real PostgreSQL and Temporal', () => {
  let t: SlackTestHub;
  let browser: Browser;
  let tokens: Record<Login, string>;
  let advisor: Page;
  let carla: Page;
  let colin: Page;
  beforeAll(async () => {
    t = await startSlackTestHub();
    browser = await launchChromium();
    tokens = await loginAll(t.hub);
    await importExampleLists(t.hub);
    // The advisor and two compliance officers, each in a browser context of their own.
    [advisor, carla, colin] = await Promise.all(
      [LOGINS.alex, LOGINS.carla, LOGINS.colin].map((email) => signInToBoard(browser, t.hub.url, email)),
    );
  });
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  it('an advisor invites a client, who fills the profile and uploads documents in the browser; two officers clear a hit; compliance approves from Slack; the client opens an account', async () => {
    const { hub, slack } = t;
    // The advisor invites a new client from the onboarding board; a wrong field is named in the form.
    await advisor.click('nav a[href^="#/board/client_onboarding"]');
    await advisor.click('.board[data-process-type="client_onboarding"] button[data-action=invite-client]');
    const invite = advisor.locator('form[data-form=invite-client]');
    await invite.locator('[name="client.name"]').fill('Ivan Petrov');
    await invite.locator('[name="client.email"]').fill('ivan.petrov@client');
    await invite.locator('button[type=submit]').click();
    await expect.poll(() => invite.locator('.form-message.error').textContent()).toContain('client.email');
    expect(await invite.locator('[name="client.email"]').getAttribute('aria-invalid')).toBe('true');
    expect(await seriousViolations(advisor)).toEqual([]);
    await advisor.screenshot({ path: path.join(RESULTS, 'onboarding-invite-form.png') });
    await invite.locator('[name="client.email"]').fill('ivan.petrov@client.example');
    await invite.locator('button[type=submit]').click();
    const invited = advisor.locator('.invite-client-panel .invited');
    await invited.waitFor();
    const id = (await invited.getAttribute('data-onboarding-id'))!;
    const link = await advisor.locator('.invite-client-panel .invitation-link input.copy').inputValue();
    await cardIn(advisor, 'invited', id).waitFor();
    await advisor.screenshot({ path: path.join(RESULTS, 'onboarding-invite.png') });
    const [{ client_id: clientId }] = await hub.sql`SELECT client_id FROM processes WHERE process_id = ${id}`;

    // The client follows the invitation link, chooses a password and is signed in.
    const page = await (await browser.newContext({ viewport: { width: 1400, height: 1000 } })).newPage();
    page.on('pageerror', (error) => console.error(`[client] page error: ${error.message}`));
    await page.goto(link.replace(hub.config.publicUrl, hub.url));
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

    // "Ivan Petrov" resembles a listed person: two different officers clear the hit in their drawers.
    const screened = await waitForOnboarding(hub, id, (d) => d.screening !== null);
    const hitId: string = screened.screening.hits[0].hit_id;
    const [carlaDrawer, colinDrawer] = await Promise.all([openDrawer(carla, id), openDrawer(colin, id)]);
    const shown = carlaDrawer.locator(`.screening-hit[data-hit-id="${hitId}"]`);
    await shown.waitFor();
    for (const expected of ['PETROV, Ivan Sergeyevich', 'Ivan Petrov', '100 of 100', 'Sanctions · RUSSIA-EO14024'])
      expect(await shown.textContent()).toContain(expected);
    const first = await decideHit(
      carla,
      id,
      hitId,
      'clear',
      'The listed person was born in Moscow in 1971; ours is German',
    );
    await expect.poll(() => first.locator('.four-eyes').textContent()).toContain('You cleared it first');
    // The other officer's drawer follows live: who cleared it, and that a second officer is needed.
    const pending = colinDrawer.locator(`.screening-hit[data-hit-id="${hitId}"] .four-eyes`);
    await expect.poll(() => pending.textContent()).toContain('Carla Compliance cleared it first');
    expect(await pending.textContent()).toContain('a second, different compliance officer');
    expect(await seriousViolations(colin)).toEqual([]);
    await colin.screenshot({ path: path.join(RESULTS, 'onboarding-screening-hit.png') });
    await decideHit(colin, id, hitId, 'clear', 'Passport checked: different patronymic');
    await colinDrawer.locator(`.screening-hit[data-hit-id="${hitId}"][data-hit-status="cleared"]`).waitFor();
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

  it('refuses a second clearance by the same officer in the drawer, and shows an advisor the hit without decisions', async () => {
    const { hub } = t;
    const { onboardingId, clientToken } = await inviteNewClient(hub, tokens.alex, {
      name: 'Ivan Petrov',
      email: 'ivan.petrov.two@client.example',
    });
    expectOk(await hub.api(clientToken, 'POST', `/onboardings/${onboardingId}/submit-profile`, PROFILE));
    await uploadDocuments(hub, onboardingId, clientToken, PERSONAL_DOCUMENTS);
    expectOk(await hub.api(clientToken, 'POST', `/onboardings/${onboardingId}/submit-documents`));
    const screened = await waitForOnboarding(hub, onboardingId, (d) => d.screening !== null);
    const hitId: string = screened.screening.hits[0].hit_id;

    await openDrawer(carla, onboardingId);
    const hit = await decideHit(carla, onboardingId, hitId, 'clear', 'Different date of birth');
    await expect.poll(() => hit.locator('.four-eyes').textContent()).toContain('You cleared it first');
    await decideHit(carla, onboardingId, hitId, 'clear', 'Checked again');
    await expect
      .poll(() => hit.locator('.hit-decision .form-message.error').textContent())
      .toContain('a different compliance officer must clear it too (SECOND_OFFICER_REQUIRED)');
    const [row] = await hub.sql`
      SELECT count(*)::int AS refused FROM audit_log
      WHERE process_id = ${onboardingId} AND outcome = 'refused' AND error_code = 'SECOND_OFFICER_REQUIRED'
        AND channel = 'board'`;
    expect(row.refused).toBe(1);

    // The advisor sees the hit and who cleared it, but no decision: allowed_actions grants them none.
    const drawer = await openDrawer(advisor, onboardingId);
    const seen = drawer.locator(`.screening-hit[data-hit-id="${hitId}"]`);
    await expect.poll(() => seen.locator('.four-eyes').textContent()).toContain('Carla Compliance cleared it first');
    expect(await seen.locator('.hit-decision, button[data-decision]').count()).toBe(0);

    // A client whose KYC has expired is marked on their application's card, and where the advisor picks clients.
    const { application_id: applicationId } = expectOk(
      await hub.api(tokens.alex, 'POST', '/applications', {
        client_id: 'cli_gabriel_garcia',
        account_type: 'individual',
      }),
      201,
    );
    await hub.sql`UPDATE clients SET kyc_expires_at = now() - interval '1 day' WHERE id = 'cli_gabriel_garcia'`;
    await advisor.click('nav a[href^="#/board/account_opening"]');
    const flags = cardIn(advisor, 'draft', applicationId).locator('.card-flags');
    await expect.poll(() => flags.textContent()).toMatch(/^KYC expired \d{4}-\d\d-\d\d$/);
    await advisor.evaluate(() => (location.hash = '#/apply'));
    const option = advisor.locator('form[data-form=start-application] option[value="cli_gabriel_garcia"]');
    await expect.poll(() => option.textContent()).toMatch(/KYC expired \d{4}-\d\d-\d\d/);
  });
});
