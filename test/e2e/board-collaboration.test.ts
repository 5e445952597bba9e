import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardIn, launchChromium, sameDocument, signInToBoard } from '../support/chromium.js';
import { startTestHub, type TestHub } from '../support/hub.js';
import { ALEX, BETH, CARLA, OMAR_OPS } from '../support/realtime-client.js';
import { openApplication, runStep } from '../support/account-opening.js';

const RESULTS = path.resolve('test-results');
const COLIN = 'colin.compliance@hub.example';
const CHRIS = 'chris.carter@client.example';

describe('working together on the board in Chromium: query threads, compliance notes, rebalancing', () => {
  let hub: TestHub;
  let browser: Browser;
  let advisorToken: string;

  const signIn = (email: string) => signInToBoard(browser, hub.url, email);

  const drawerOf = (page: Page, id: string) => page.locator(`.drawer[data-process-id="${id}"]`);
  /** Follows a link inside the page (no reload), as a click on it would. */
  const go = (page: Page, hash: string) => page.evaluate((target) => (location.hash = target), hash);

  async function applicationInReview(clientId: string): Promise<string> {
    const id = await openApplication(hub, advisorToken, clientId);
    for (const step of [0, 1, 2, 3]) await runStep(hub, advisorToken, id, step);
    return id;
  }

  beforeAll(async () => {
    hub = await startTestHub();
    browser = await launchChromium();
    advisorToken = await hub.login(ALEX);
  });
  afterAll(async () => {
    await browser?.close();
    await hub?.stop();
  });

  it('an advisor answers a compliance query and the officer sees the reply and the resumed SLA without reloading', async () => {
    const [officer, advisor] = await Promise.all([signIn(CARLA), signIn(ALEX)]);
    const id = await applicationInReview('cli_chris_carter');
    await cardIn(officer, 'compliance_review', id).locator('.sla-badge.tone-green').waitFor();

    // Compliance asks the advisor from the drawer; a question to the advisor goes to the process's advisor.
    await cardIn(officer, 'compliance_review', id).click();
    const drawer = drawerOf(officer, id);
    await drawer.locator('.queries-counts:text("none yet")').waitFor();
    await drawer.locator('button.ask').click();
    const form = drawer.locator('.query-form');
    expect(await form.locator('select[name=kind]').inputValue()).toBe('question_to_advisor');
    await form.locator('select[name=assignee_id] option:text("Alex Advisor")').waitFor({ state: 'attached' });
    expect(await form.locator('select[name=assignee_id]').isDisabled()).toBe(true);
    await form.locator('input[name=title]').fill('Source of funds');
    await form.locator('textarea[name=body]').pressSequentially('@alex.adv');
    await form.locator('.mention-suggestions button[data-handle="alex.advisor"]').click();
    await form.locator('textarea[name=body]').pressSequentially('can you send the sale contract of the house?');
    expect(await form.locator('textarea[name=body]').inputValue()).toBe(
      '@alex.advisor can you send the sale contract of the house?',
    );
    await form.locator('button[type=submit]').click();

    const query = drawer.locator('.query');
    await query.locator('li.entry[data-sequence="1"]').waitFor();
    const queryId = (await query.getAttribute('data-query-id'))!;
    expect(await query.locator('.entry-body .mention').textContent()).toBe('@alex.advisor');
    // The officer's card and drawer: waiting on the advisor, and the clock paused.
    await drawer.locator('.drawer-subtitle .waiting:text("waiting on advisor")').waitFor();
    await drawer.locator('.drawer-subtitle .sla-badge.tone-paused:text("paused")').waitFor({ timeout: 20_000 });
    await cardIn(officer, 'compliance_review', id).locator('.sla-badge.tone-paused').waitFor();
    expect(await cardIn(officer, 'compliance_review', id).locator('.waiting').textContent()).toBe('waiting on advisor');

    // The advisor, in the other window, sees the question waiting for him, unread.
    const advisorCard = cardIn(advisor, 'compliance_review', id);
    await advisorCard.locator('.unread-badge:text("1 unread")').waitFor();
    expect(await advisorCard.locator('.waiting').textContent()).toBe('waiting on advisor');
    expect(await advisorCard.locator('.card-queries').textContent()).toBe('1 open query');
    await advisorCard.locator('.sla-badge.tone-paused').waitFor();
    await advisorCard.click();
    const advisorDrawer = drawerOf(advisor, id);
    await advisorDrawer.locator(`.query[data-query-id="${queryId}"] .unread-badge:text("1 unread")`).waitFor();
    await advisorDrawer.locator('.query-toggle').click();
    // Reading the thread marks it read, on the drawer and on the card.
    await advisorDrawer.locator('.queries-counts:text-is("1 open")').waitFor();
    await advisorCard.locator('.unread-badge').waitFor({ state: 'hidden' });
    // The person asked cannot close the question: no resolve for him.
    expect(await advisorDrawer.locator('.query-actions button').count()).toBe(0);
    // A query without its fields is the API's to refuse, in its words.
    await advisorDrawer.locator('button.ask').click();
    const advisorForm = advisorDrawer.locator('.query-form');
    expect(await advisorForm.locator('select[name=kind]').inputValue()).toBe('document_request');
    await advisorForm.locator('button[type=submit]').click();
    const refusal = await hub.api(advisorToken, 'POST', `/processes/${id}/queries`, {
      title: '',
      kind: 'document_request',
      body: '',
    });
    expect(refusal.status).toBe(400);
    await advisorForm.locator('.query-message.error').waitFor();
    expect(await advisorForm.locator('.query-message.error').textContent()).toBe(
      `${refusal.body.error.message} (${refusal.body.error.code})`,
    );
    await advisorForm.locator('button:text("Cancel")').click();
    await advisorDrawer
      .locator('.reply-form textarea[name=body]')
      .fill('Attached to the CRM record this morning. @carla.compliance');
    await advisorDrawer.locator('.reply-form button[type=submit]').click();
    await advisorDrawer.locator('li.entry[data-sequence="2"]').waitFor();

    // The officer sees the reply arrive in the open thread, live and in order.
    await drawer.locator('li.entry[data-sequence="2"]').waitFor();
    expect(
      await drawer
        .locator('li.entry')
        .evaluateAll((entries) =>
          entries.map((e) => [e.getAttribute('data-sequence'), e.querySelector('.entry-body')?.textContent]),
        ),
    ).toEqual([
      ['1', '@alex.advisor can you send the sale contract of the house?'],
      ['2', 'Attached to the CRM record this morning. @carla.compliance'],
    ]);
    await officer.screenshot({ path: path.join(RESULTS, 'board-threads.png') });

    // The officer resolves: the clock runs again on both screens, nobody waits on the advisor.
    await drawer.locator('.query-actions button[data-action="resolve"]').click();
    await drawer.locator('.query[data-status="resolved"]').waitFor();
    await drawer.locator('.query-actions button[data-action="reopen"]').waitFor();
    await drawer.locator('.drawer-subtitle .sla-badge.tone-green').waitFor({ timeout: 20_000 });
    expect(await drawer.locator('.drawer-subtitle .waiting').textContent()).toBe('');
    await cardIn(officer, 'compliance_review', id).locator('.sla-badge.tone-green').waitFor();
    await advisorDrawer.locator('.drawer-subtitle .sla-badge.tone-green').waitFor({ timeout: 20_000 });
    await advisorDrawer.locator('.query[data-status="resolved"]').waitFor();
    expect(await advisorDrawer.locator('.reply-form').isHidden()).toBe(true);
    for (const page of [officer, advisor]) expect(await sameDocument(page)).toBe('same document');

    const steps =
      await hub.sql`SELECT action, actor_id, channel FROM audit_log WHERE process_id = ${id} AND action LIKE '%_query' AND outcome = 'accepted' ORDER BY id`;
    expect(steps.map((s) => [s.action, s.actor_id, s.channel])).toEqual([
      ['open_query', 'usr_carla_compliance', 'board'],
      ['reply_query', 'usr_alex_advisor', 'board'],
      ['resolve_query', 'usr_carla_compliance', 'board'],
    ]);
    await Promise.all([officer.context().close(), advisor.context().close()]);
  });

  it('two officers typing in the notes see each other’s text and who is there; the advisor reads them, the client never sees them', async () => {
    const id = await applicationInReview('cli_chris_carter');
    const [carla, colin] = await Promise.all([signIn(CARLA), signIn(COLIN)]);
    await Promise.all([go(carla, `#/process/${id}`), go(colin, `#/process/${id}`)]);
    const notesOf = (page: Page) => drawerOf(page, id).locator('.notes');
    const textOf = (page: Page) => notesOf(page).locator('textarea.notes-text');
    for (const page of [carla, colin]) await notesOf(page).locator('textarea.notes-text:not([readonly])').waitFor();

    // Each sees the other present.
    for (const page of [carla, colin]) {
      await notesOf(page).locator('.notes-presence li[data-user-id="usr_colin_compliance"]').waitFor();
      await notesOf(page).locator('.notes-presence li[data-user-id="usr_carla_compliance"]').waitFor();
    }
    expect(await notesOf(carla).locator('.notes-presence li').allTextContents()).toEqual([
      'Carla Compliance (you)',
      'Colin Compliance',
    ]);

    await textOf(carla).click();
    await textOf(carla).pressSequentially('Reviewed by compliance.\n');
    await expect.poll(() => textOf(colin).inputValue(), { timeout: 15_000 }).toBe('Reviewed by compliance.\n');

    // Both type at once: Carla at the end, Colin at the start.
    await textOf(colin).click();
    await colin.keyboard.press('Control+Home');
    const carlaTypes = 'Source of funds: salary, verified.';
    const colinTypes = 'PEP screening clear. ';
    await Promise.all([
      textOf(carla).pressSequentially(carlaTypes, { delay: 15 }),
      colin.keyboard.type(colinTypes, { delay: 15 }),
    ]);
    const expected = `${colinTypes}Reviewed by compliance.\n${carlaTypes}`;
    for (const page of [carla, colin])
      await expect.poll(() => textOf(page).inputValue(), { timeout: 15_000 }).toBe(expected);
    // Carla sees where Colin is writing.
    await notesOf(carla).locator('.remote-caret[data-user-id="usr_colin_compliance"]').waitFor();
    expect(await notesOf(carla).locator('.remote-caret .remote-name').allTextContents()).toEqual(['Colin Compliance']);
    await carla.screenshot({ path: path.join(RESULTS, 'board-notes.png') });

    // What both see is what the hub stored.
    const stored = await hub.api(await hub.login(CARLA), 'GET', `/applications/${id}/compliance-notes`);
    expect(stored.body).toEqual({ application_id: id, text: expected, writable: true });

    // The advisor on the application reads them and may not write; the client does not see them at all.
    const [advisor, client] = await Promise.all([signIn(ALEX), signIn(CHRIS)]);
    await Promise.all([go(advisor, `#/process/${id}`), go(client, `#/process/${id}`)]);
    await notesOf(advisor).locator('.notes-status:text("Read only")').waitFor();
    expect(await textOf(advisor).inputValue()).toBe(expected);
    expect(await textOf(advisor).getAttribute('readonly')).toBe('');
    await notesOf(carla).locator('.notes-presence li[data-user-id="usr_alex_advisor"]').waitFor();
    // Even with the page's read-only lifted, the hub refuses his edit: he is told, his copy reloads, nobody got it.
    await textOf(advisor).evaluate((textarea) => textarea.removeAttribute('readonly'));
    await textOf(advisor).click();
    await advisor.keyboard.press('Control+End');
    await advisor.keyboard.type(' Looks fine to me.');
    await notesOf(advisor).locator('.notes-status.error').waitFor();
    expect(await notesOf(advisor).locator('.notes-status').textContent()).toBe(
      'Only compliance officers and administrators may edit the compliance notes',
    );
    await expect.poll(() => textOf(advisor).inputValue(), { timeout: 15_000 }).toBe(expected);
    expect(await textOf(advisor).getAttribute('readonly')).toBe('');
    expect(await textOf(carla).inputValue()).toBe(expected);
    expect((await hub.api(await hub.login(CARLA), 'GET', `/applications/${id}/compliance-notes`)).body.text).toBe(
      expected,
    );
    await drawerOf(client, id).locator('.timeline-list li').first().waitFor();
    await drawerOf(client, id).locator('.queries').waitFor();
    expect(await client.locator('.notes').count()).toBe(0);
    for (const page of [carla, colin]) expect(await sameDocument(page)).toBe('same document');
    await Promise.all([carla, colin, advisor, client].map((page) => page.context().close()));
  });

  it('a rebalancing proposal approved by the advisor from the drawer reaches completed on both screens', async () => {
    const [advisor, ops] = await Promise.all([signIn(BETH), signIn(OMAR_OPS)]);

    // Ops sees every portfolio's drift and may not start a rebalance; the advisor may, for her client.
    await ops.click('.nav a:text("Portfolios")');
    await ops.locator('tr[data-portfolio-id="pf_chris_growth"]').waitFor();
    expect(
      await ops
        .locator('tr[data-portfolio-id]')
        .evaluateAll((rows) =>
          rows.map((r) => [r.getAttribute('data-portfolio-id'), r.getAttribute('data-out-of-band')]),
        ),
    ).toEqual([
      ['pf_chris_growth', 'true'],
      ['pf_fiona_aggressive', 'false'],
      ['pf_gabriel_conservative', 'false'],
      ['pf_priya_balanced', 'true'],
    ]);
    expect(await ops.locator('button[data-action="start-rebalance"]').count()).toBe(0);
    await ops.locator('tr[data-portfolio-id="pf_chris_growth"] button.link').click();
    await ops.locator('.portfolio-detail table.holdings tr[data-security]').first().waitFor();
    await ops.screenshot({ path: path.join(RESULTS, 'board-portfolios.png') });
    await advisor.click('.nav a:text("Portfolios")');
    await advisor.locator('tr[data-portfolio-id="pf_fiona_aggressive"]').waitFor();
    expect(
      await advisor
        .locator('tr[data-portfolio-id]')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-portfolio-id'))),
    ).toEqual(['pf_fiona_aggressive']);
    await advisor.locator('tr[data-portfolio-id="pf_fiona_aggressive"] button[data-action="start-rebalance"]').click();

    // The proposal opens in the drawer over the rebalancing board.
    const drawer = advisor.locator('.drawer');
    await drawer.locator('.rebalance-trades tr[data-security]').first().waitFor();
    const id = (await drawer.getAttribute('data-process-id'))!;
    expect(id).toMatch(/^rb_/);
    const [record] = await hub.sql`SELECT detail FROM processes WHERE process_id = ${id}`;
    const trades = record.detail.proposal.trades as { security_id: string; side: string }[];
    expect(
      await drawer
        .locator('.rebalance-trades tr[data-security]')
        .evaluateAll((rows) => rows.map((r) => [r.getAttribute('data-security'), r.getAttribute('data-side')])),
    ).toEqual(trades.map((t) => [t.security_id, t.side]));
    expect(await drawer.locator('.rebalance-weights tr[data-weight="Cash"]').count()).toBe(1);
    expect(
      await drawer
        .locator('.drawer-actions button')
        .evaluateAll((buttons) => buttons.map((b) => b.getAttribute('data-command'))),
    ).toEqual(['approve', 'decline']);

    await go(ops, '#/board/rebalancing');
    await cardIn(ops, 'awaiting_advisor', id).waitFor();
    await cardIn(advisor, 'awaiting_advisor', id).waitFor({ state: 'attached' });

    await drawer.locator('button[data-command="approve"]').click();
    await drawer.locator('textarea[name="notes"]').fill('Back to the aggressive model');
    await drawer.locator('button[data-confirm="approve"]').click();
    for (const page of [advisor, ops])
      await cardIn(page, 'completed', id).waitFor({ state: 'attached', timeout: 30_000 });
    await drawer.locator('.verification[data-within-bands="true"]').waitFor();
    expect(await drawer.locator('.rebalance-orders tr[data-status="filled"]').count()).toBe(trades.length);
    expect(await drawer.locator('.drawer-actions button').count()).toBe(0);
    expect(await drawer.locator('.approvals li[data-approved-by="usr_beth_advisor"] q').textContent()).toBe(
      'Back to the aggressive model',
    );
    await advisor.screenshot({ path: path.join(RESULTS, 'board-rebalancing.png') });
    for (const page of [advisor, ops]) expect(await sameDocument(page)).toBe('same document');

    const [approval] =
      await hub.sql`SELECT channel, actor_id FROM audit_log WHERE process_id = ${id} AND action = 'approve' AND outcome = 'accepted'`;
    expect(approval).toEqual({ channel: 'board', actor_id: 'usr_beth_advisor' });
  });
});
