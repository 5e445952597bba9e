import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { driveTo, expectOk, loginAll, openApplication, type Login } from '../support/account-opening.js';
import { seriousViolations } from '../support/accessibility.js';
import { misfits } from '../support/board-fit.js';
import { launchChromium, signInToBoard } from '../support/chromium.js';
import { PNG_FILE, uploadDocument } from '../support/document-files.js';
import { startTestHub, waitForStatus, type TestHub } from '../support/hub.js';

const RESULTS = path.resolve('test-results');
const shot = (page: Page, name: string) => page.screenshot({ path: path.join(RESULTS, `board-fit-${name}.png`) });

describe('a board that fits, views people save and share, and no serious accessibility violation', () => {
  let hub: TestHub;
  let browser: Browser;
  let tokens: Record<Login, string>;
  let ops: Page;
  let review: string;
  let bethsReview: string;

  beforeAll(async () => {
    hub = await startTestHub();
    tokens = await loginAll(hub);
    // Processes in eight account-opening states and two rebalancing states, made through the API.
    const { alex, beth, carla } = tokens;
    await openApplication(hub, alex, 'cli_chris_carter');
    for (const target of ['risk_assessment', 'terms_review', 'funding'] as const)
      await driveTo(hub, alex, await openApplication(hub, alex, 'cli_gabriel_garcia'), target);
    review = await openApplication(hub, alex, 'cli_priya_patel');
    await driveTo(hub, alex, review, 'compliance_review', {
      funding: {
        funding_method: 'wire_transfer',
        initial_investment_amount: 1_250_000,
        currency: 'EUR',
        source_of_funds: 'inheritance',
      },
    });
    bethsReview = await openApplication(hub, beth, 'cli_fiona_fischer');
    await driveTo(hub, beth, bethsReview, 'compliance_review');
    await driveTo(hub, beth, await openApplication(hub, beth, 'cli_fiona_fischer'), 'account_created', {
      approvers: [carla],
    });
    const rejected = await openApplication(hub, beth, 'cli_fiona_fischer');
    await driveTo(hub, beth, rejected, 'compliance_review');
    expectOk(await hub.api(carla, 'POST', `/applications/${rejected}/reject`, { rejection_reason: 'No evidence' }));
    const cancelled = await openApplication(hub, alex, 'cli_chris_carter');
    expectOk(await hub.api(alex, 'POST', `/applications/${cancelled}/cancel`, {}));
    await waitForStatus(hub.sql, rejected, 'rejected', 20_000);

    const priya = expectOk(await hub.api(alex, 'POST', '/portfolios/pf_priya_balanced/rebalance'), 201);
    expectOk(await hub.api(alex, 'POST', `/rebalances/${priya.rebalance_id}/approve`, {}));
    expectOk(await hub.api(alex, 'POST', '/portfolios/pf_chris_growth/rebalance'), 201);
    const photo = await uploadDocument(hub, alex, `/processes/${review}`, {
      kind: 'identity_document',
      title: 'Passport photo page',
      fileName: 'passport.png',
      bytes: PNG_FILE,
    });
    expect(photo.status).toBe(201);

    browser = await launchChromium();
    ops = await signInToBoard(browser, hub.url, 'omar.ops@hub.example', 1280);
  });
  afterAll(async () => {
    await browser?.close();
    await hub?.stop();
  });

  it('has processes in eight account-opening and two rebalancing states', async () => {
    const states = await hub.sql`SELECT process_type, count(DISTINCT status)::int AS n FROM processes GROUP BY 1`;
    expect(Object.fromEntries(states.map((r) => [r.process_type, r.n]))).toMatchObject({
      account_opening: 8,
      rebalancing: 2,
    });
  });

  it('fits every column and every card from tablet to 1,920 px, with the full text of anything cut short', async () => {
    await ops.locator(`.card[data-process-id="${review}"]`).waitFor();
    for (const width of [1280, 1440, 1920, 820]) {
      await ops.setViewportSize({ width, height: width === 820 ? 1180 : 1000 });
      await expect.poll(() => misfits(ops), { message: `at ${width} px` }).toEqual([]);
      await shot(ops, `board-${width}`);
    }
    await ops.setViewportSize({ width: 1280, height: 1000 });

    // In compliance review the countdown, the amount and the flags read whole.
    const card = ops.locator(`.card[data-process-id="${review}"]`);
    expect(await card.locator('.card-amount').textContent()).toBe('€1,250,000');
    expect(await card.locator('.card-flags').textContent()).toContain('EDD');
    const badge = card.locator('.sla-badge');
    expect(await badge.evaluate((el) => el.scrollWidth <= el.clientWidth && el.clientWidth > 20)).toBe(true);
    expect(await ops.locator('.filter-summary').textContent()).toMatch(/^\d+ processes$/);

    // At 1,280 px the finished columns are folded to their counts, and open on a click.
    const created = ops.locator('.column[data-state="account_created"]');
    expect(await created.getAttribute('class')).toContain('folded');
    expect(await created.locator('.count').textContent()).toBe('1');
    await created.locator('.column-toggle').click();
    expect(await created.locator('.column-toggle').getAttribute('aria-expanded')).toBe('true');
    await created.locator('.card').waitFor();
    expect(await misfits(ops)).toEqual([]);
  });

  it('saves the filtered board as a team view whose link opens it, showing another person only theirs', async () => {
    await ops.selectOption('.board select[name="state"]', 'compliance_review');
    await ops.locator(`.card[data-process-id="${bethsReview}"]`).waitFor();
    await ops.click('button.save-view');
    await ops.fill('input[name="view_name"]', 'In review');
    await ops.check('input[name="view_team"]');
    await ops.click('.save-view-form button[type="submit"]');
    const link = await ops.locator('input[name="view_link"]').inputValue();
    expect(link).toMatch(/#\/views\/view_\w+$/);
    const [saved] = await hub.sql`SELECT name, team_role, filters FROM saved_views`;
    expect(saved).toEqual({ name: 'In review', team_role: 'ops', filters: { state: ['compliance_review'] } });

    // Alex sees his own client's application in review, not Beth's, through the same link.
    const alex = await signInToBoard(browser, hub.url, 'alex.advisor@hub.example', 1440);
    await alex.goto(link);
    await expect.poll(() => alex.locator('.board select[name="state"]').inputValue()).toBe('compliance_review');
    await alex.locator(`.card[data-process-id="${review}"]`).waitFor();
    expect(await alex.locator(`.card[data-process-id="${bethsReview}"]`).count()).toBe(0);
    expect(await alex.locator('.card:not([hidden])').count()).toBe(1);
    await shot(alex, 'saved-view');
    await alex.context().close();

    // Reopened by its link on the ops board, after the filters were cleared.
    await ops.click('.filters button:text("Clear")');
    await ops.goto(link);
    await expect.poll(() => ops.locator('.board select[name="state"]').inputValue()).toBe('compliance_review');
    expect(await ops.locator('select[name="saved_view"] option:checked').textContent()).toBe('In review (team)');
  });

  it('finds no serious or critical accessibility violation on any view', async () => {
    const check = async (page: Page, view: string) => {
      expect(await seriousViolations(page), view).toEqual([]);
      await shot(page, view);
    };
    await ops.goto(`${hub.url}/#/board/account_opening`);
    await ops.locator(`.card[data-process-id="${review}"]`).waitFor();
    await check(ops, 'board');

    await ops.locator(`.card[data-process-id="${review}"]`).click();
    const drawer = ops.locator(`.drawer[data-process-id="${review}"]`);
    await drawer.locator('.field-group[data-group="funding"]').waitFor();
    expect(await drawer.locator('.field-group[data-group="funding"] dd').first().textContent()).toBe('€1,250,000.00');
    expect(await drawer.locator('.field-group[data-group="client"] dd').nth(3).textContent()).toBe('Alex Advisor');
    await drawer.locator('.documents li').first().waitFor();
    await check(ops, 'drawer-and-documents');
    await drawer.locator('.close').click();

    await ops.evaluate(() => (location.hash = '#/ops'));
    await ops.locator('.ops-type .trends .chart canvas').first().waitFor();
    await check(ops, 'ops-center');

    await ops.evaluate(() => (location.hash = '#/portfolios'));
    await ops.locator('tr[data-portfolio-id="pf_priya_balanced"] button').click();
    await ops.locator('.chart canvas').waitFor();
    await check(ops, 'portfolios');

    const admin = await signInToBoard(browser, hub.url, 'ada.admin@hub.example', 1440);
    for (const section of ['users', 'clients', 'products', 'settings']) {
      await admin.evaluate((hash) => (location.hash = hash), `#/admin/${section}`);
      await admin.locator('.admin').waitFor();
      await admin.locator('.admin table, .admin form').first().waitFor();
      await check(admin, `admin-${section}`);
    }
    await admin.evaluate(() => (location.hash = '#/board/account_opening'));
    await admin.click('button.select-mode');
    await admin.locator(`.card[data-process-id="${review}"]`).click();
    await admin.locator('select[name="assignee"] option').nth(1).waitFor({ state: 'attached' });
    await check(admin, 'bulk-selection');
    await admin.context().close();

    const signIn = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    await signIn.goto(`${hub.url}/`);
    await signIn.locator('input[name=email]').waitFor();
    await check(signIn, 'sign-in');
    await signIn.context().close();
  });
});
