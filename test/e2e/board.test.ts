import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardIn, launchChromium, sameDocument, signInToBoard } from '../support/chromium.js';
import { startTestHub, type TestHub } from '../support/hub.js';
import { ALEX, CARLA, OMAR_OPS } from '../support/realtime-client.js';
import { openApplication, runStep } from '../support/account-opening.js';

const RESULTS = path.resolve('test-results');

describe('the ops board in Chromium', () => {
  let hub: TestHub;
  let browser: Browser;
  let ops: Page;
  let compliance: Page;
  let advisor: string;

  const signIn = (email: string) => signInToBoard(browser, hub.url, email, 1920);

  beforeAll(async () => {
    hub = await startTestHub();
    browser = await launchChromium();
    [ops, compliance] = await Promise.all([signIn(OMAR_OPS), signIn(CARLA)]);
    advisor = await hub.login(ALEX);
  });
  afterAll(async () => {
    await browser?.close();
    await hub?.stop();
  });

  it('shows a new application on the ops board and moves its card as the advisor submits it, without a reload', async () => {
    const id = await openApplication(hub, advisor, 'cli_chris_carter');
    await cardIn(ops, 'draft', id).waitFor();
    await expect.poll(() => cardIn(ops, 'draft', id).locator('.card-title').textContent()).toBe('Chris Carter');
    expect(await cardIn(ops, 'draft', id).locator('.card-advisor').textContent()).toBe('Alex Advisor');

    for (const step of [0, 1, 2, 3]) await runStep(hub, advisor, id, step);
    for (const page of [ops, compliance]) {
      await cardIn(page, 'compliance_review', id).waitFor();
      expect(await cardIn(page, 'compliance_review', id).locator('.card-amount').textContent()).toBe('$50,000');
      expect(await page.locator(`.card[data-process-id="${id}"]`).count()).toBe(1);
      expect(await sameDocument(page)).toBe('same document');
    }
  });

  it('lets compliance approve from the drawer, and both browsers see the card reach account_created', async () => {
    const id = await openApplication(hub, advisor, 'cli_gabriel_garcia');
    for (const step of [0, 1, 2, 3]) await runStep(hub, advisor, id, step);
    await cardIn(compliance, 'compliance_review', id).click();
    const drawer = compliance.locator(`.drawer[data-process-id="${id}"]`);
    await drawer.locator('.timeline-list li[data-action="provide_funding_details"]').waitFor();
    expect(
      await drawer
        .locator('.drawer-actions button')
        .evaluateAll((buttons) => buttons.map((b) => b.getAttribute('data-command'))),
    ).toEqual(['compliance_approve', 'compliance_reject']);
    expect(await drawer.locator('.approvals h3').textContent()).toBe('Approvals 0 of 1');

    // Ops may look but not decide: the same drawer offers ops no action.
    await cardIn(ops, 'compliance_review', id).click();
    const opsDrawer = ops.locator(`.drawer[data-process-id="${id}"]`);
    await opsDrawer.locator('.timeline-list li').first().waitFor();
    expect(await opsDrawer.locator('.drawer-actions button').count()).toBe(0);

    await drawer.locator('button[data-command="compliance_approve"]').click();
    for (const page of [compliance, ops]) {
      await cardIn(page, 'account_created', id).waitFor({ timeout: 20_000 });
      expect(await sameDocument(page)).toBe('same document');
    }
    await drawer.locator('.timeline-list li[data-action="create_account"]').first().waitFor();
    expect(await drawer.locator('.drawer-actions button').count()).toBe(0);
    const [approval] =
      await hub.sql`SELECT channel, actor_id FROM audit_log WHERE process_id = ${id} AND action = 'compliance_approve'`;
    expect(approval).toEqual({ channel: 'board', actor_id: 'usr_carla_compliance' });

    await compliance.screenshot({ path: path.join(RESULTS, 'board-drawer.png') });
    await ops.locator('.drawer .close').click();
    await ops.locator('.drawer').waitFor({ state: 'detached' });
    await ops.evaluate(() => document.querySelector('.columns')!.scrollTo(0, 0));
    await ops.screenshot({ path: path.join(RESULTS, 'board.png') });
  });

  it('asks for a reason before rejecting and shows the refusal of an empty one', async () => {
    const id = await openApplication(hub, advisor, 'cli_chris_carter');
    for (const step of [0, 1, 2, 3]) await runStep(hub, advisor, id, step);
    await cardIn(compliance, 'compliance_review', id).click();
    const drawer = compliance.locator(`.drawer[data-process-id="${id}"]`);
    await drawer.locator('button[data-command="compliance_reject"]').click();
    await drawer.locator('button[data-confirm="compliance_reject"]').click();
    expect(await drawer.locator('.drawer-message.error').textContent()).toBe('Reason for rejection is required');

    await drawer.locator('textarea[name="rejection_reason"]').fill('Source of funds not evidenced');
    await drawer.locator('button[data-confirm="compliance_reject"]').click();
    for (const page of [compliance, ops]) await cardIn(page, 'rejected', id).waitFor();
    const [row] = await hub.sql`SELECT detail ->> 'rejection_reason' AS reason FROM processes WHERE process_id = ${id}`;
    expect(row.reason).toBe('Source of funds not evidenced');
  });

  it('keeps the filter in the URL and applies it to cards as they arrive', async () => {
    await ops.goto(`${hub.url}/#/board/account_opening?advisor=usr_beth_advisor`);
    await ops.waitForSelector('.connection.online');
    await ops.locator('.board select[name="advisor"]').waitFor();
    expect(await ops.locator('.board select[name="advisor"]').inputValue()).toBe('usr_beth_advisor');
    const beth = await openApplication(hub, await hub.login('beth.advisor@hub.example'), 'cli_fiona_fischer');
    const alex = await openApplication(hub, advisor, 'cli_chris_carter');
    await ops.locator(`.card[data-process-id="${alex}"]`).waitFor({ state: 'attached' });
    expect(await ops.locator(`.card[data-process-id="${alex}"]`).isHidden()).toBe(true);
    expect(await ops.locator(`.card[data-process-id="${beth}"]`).isVisible()).toBe(true);

    await ops.selectOption('.board select[name="advisor"]', '');
    await ops.fill('.board input[name="q"]', 'fiona');
    await expect.poll(() => ops.evaluate(() => location.hash)).toBe('#/board/account_opening?q=fiona');
    expect(await ops.locator(`.card[data-process-id="${alex}"]`).isHidden()).toBe(true);
  });

  it('shows when it is offline and catches up on what happened meanwhile', async () => {
    const context = ops.context();
    await context.setOffline(true);
    await ops.locator('.connection.offline').waitFor();
    const id = await openApplication(hub, advisor, 'cli_gabriel_garcia');
    await runStep(hub, advisor, id, 0);
    await context.setOffline(false);
    await ops.locator('.connection.online').waitFor({ timeout: 20_000 });
    await ops.click('.filters button:text("Clear")');
    await cardIn(ops, 'risk_assessment', id).waitFor();
    expect(await ops.locator(`.card[data-process-id="${id}"]`).count()).toBe(1);
  });

  it('draws a long column a page at a time: its oldest 100 cards, "+n more" for the rest, and counts a card past them', async () => {
    const template = await openApplication(hub, advisor, 'cli_chris_carter');
    // 150 older drafts, copies of a real one's read-model row, as a busy day leaves them.
    await hub.sql`
      INSERT INTO processes (process_id, process_type, version, title, client_id, client_user_id, advisor_id,
                             assigned_user_id, amount, currency, status, status_entered_at, flags, sla, detail,
                             created_at, updated_at)
      SELECT 'app_page_' || g, process_type, version, title, client_id, client_user_id, advisor_id, assigned_user_id,
             amount, currency, status, status_entered_at - make_interval(days => 1, mins => g), flags, sla, detail,
             created_at, updated_at
      FROM processes, generate_series(1, 150) AS g
      WHERE process_id = ${template}`;
    const [{ drafts }] = await hub.sql`
      SELECT count(*)::int AS drafts FROM processes WHERE process_type = 'account_opening' AND status = 'draft'`;
    const page = await signIn(OMAR_OPS);
    const draft = page.locator('.column[data-state="draft"]');
    await expect.poll(() => draft.locator('.count').textContent()).toBe(String(drafts));
    expect(await draft.locator('.card').count()).toBe(100);
    // Oldest first: who has waited longest is on top.
    expect(await draft.locator('.card').first().getAttribute('data-process-id')).toBe('app_page_150');
    expect(await draft.locator('.column-more').textContent()).toBe(`+${drafts - 100} more`);

    // A new draft is the newest: past the first page it shows as the count, and where it moves it is drawn.
    const id = await openApplication(hub, advisor, 'cli_chris_carter');
    await expect.poll(() => draft.locator('.count').textContent()).toBe(String(drafts + 1));
    expect(await page.locator(`.card[data-process-id="${id}"]`).count()).toBe(0);
    await draft.locator('.column-more').click();
    await expect.poll(() => draft.locator('.card').count()).toBe(Math.min(200, drafts + 1));
    await runStep(hub, advisor, id, 0);
    await cardIn(page, 'risk_assessment', id).waitFor();
    expect(await page.locator(`.card[data-process-id="${id}"]`).count()).toBe(1);
    await expect.poll(() => draft.locator('.count').textContent()).toBe(String(drafts));
    await page.context().close();
  });
});
