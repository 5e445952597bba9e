import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applicationInReview } from '../support/account-opening.js';
import { cardIn, launchChromium, signInToBoard } from '../support/chromium.js';
import { placeClient, setUpTwoOffices, type TwoOffices } from '../support/hierarchy.js';
import { startTestHub, type TestHub } from '../support/hub.js';

/** The board in Chromium shows each person their part of the firm, and follows a move at once. */
describe('the board by office and team', () => {
  let hub: TestHub;
  let browser: Browser;
  let admin: string;
  let firm: TwoOffices;
  let londonApp: string;
  let newYorkApp: string;
  let londonOps: Page;

  beforeAll(async () => {
    hub = await startTestHub();
    browser = await launchChromium();
    admin = await hub.login('ada.admin@hub.example');
    firm = await setUpTwoOffices(hub, admin);
    const advisor = await hub.login('alex.advisor@hub.example');
    londonApp = await applicationInReview(hub, { advisor, clientId: 'cli_chris_carter' });
    newYorkApp = await applicationInReview(hub, { advisor, clientId: 'cli_priya_patel' });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await hub?.stop();
  });

  it("shows a London ops user London's processes only, and a moved client's at once", async () => {
    londonOps = await signInToBoard(browser, hub.url, 'omar.ops@hub.example');
    await cardIn(londonOps, 'compliance_review', londonApp).waitFor();
    // The snapshot that drew the London card is the whole board: the New York one is not in it.
    expect(await londonOps.locator(`.card[data-process-id="${newYorkApp}"]`).count()).toBe(0);

    await placeClient(hub, admin, 'cli_priya_patel', firm.team.ldnPrivate);
    await cardIn(londonOps, 'compliance_review', newYorkApp).waitFor();
    await placeClient(hub, admin, 'cli_priya_patel', firm.team.nyWealth);
    await cardIn(londonOps, 'compliance_review', newYorkApp).waitFor({ state: 'detached' });
  });

  it('filters the firm-wide board by office and team, and keeps the filter in the URL', async () => {
    const page = await signInToBoard(browser, hub.url, 'ada.admin@hub.example');
    await cardIn(page, 'compliance_review', londonApp).waitFor();
    await cardIn(page, 'compliance_review', newYorkApp).waitFor();
    const office = page.locator('.filters select[name="office"]');
    await expect.poll(() => office.locator('option').allTextContents()).toEqual(['All offices', 'London', 'New York']);
    await office.selectOption(firm.office.london);
    await expect.poll(() => cardIn(page, 'compliance_review', newYorkApp).isHidden()).toBe(true);
    expect(await cardIn(page, 'compliance_review', londonApp).isVisible()).toBe(true);
    expect(page.url()).toContain(`office=${firm.office.london}`);
    await page.locator('.filters select[name="team"]').selectOption(firm.team.nyWealth);
    await expect.poll(() => cardIn(page, 'compliance_review', londonApp).isHidden()).toBe(true);
  });

  it('lets an administrator maintain offices and teams on the board', async () => {
    const page = await signInToBoard(browser, hub.url, 'ada.admin@hub.example');
    await page.goto(`${hub.url}/#/admin/hierarchy`);
    await page.locator('table[data-table="offices"] tr', { hasText: 'London' }).waitFor();
    const form = page.locator('form[data-form="new-team"]');
    await form.locator('[name="office_id"]').selectOption(firm.office.london);
    await form.locator('[name="name"]').fill('Family office');
    await form.locator('button[type="submit"]').click();
    await page.locator('table[data-table="teams"] tr', { hasText: 'London · Family office' }).waitFor();
    const [created] = await hub.sql`SELECT office_id FROM teams WHERE name = 'Family office'`;
    expect(created.office_id).toBe(firm.office.london);
  });
});
