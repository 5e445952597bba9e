import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { driveTo, FUNDING_BODY, loginAll, openApplication, type Login } from '../support/account-opening.js';
import { launchChromium, signInToBoard } from '../support/chromium.js';
import { pdfFile, sha256 } from '../support/document-files.js';
import { startTestHub, type TestHub } from '../support/hub.js';

const RESULTS = path.resolve('test-results');

/** Opens a process's drawer through its hash route, as a link from Slack does. */
async function openDrawer(page: Page, id: string) {
  await page.evaluate((hash) => (location.hash = hash), `#/process/${id}`);
  const drawer = page.locator(`.drawer[data-process-id="${id}"]`);
  await drawer.locator('.documents').waitFor();
  return drawer;
}

/** Drops a file on the drawer's drop zone the way a browser does: a drop event carrying a DataTransfer. */
async function dropFile(page: Page, selector: string, bytes: Buffer, fileName: string, type: string) {
  const transfer = await page.evaluateHandle(
    ({ data, name, mime }) => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array(data)], name, { type: mime }));
      return dt;
    },
    { data: [...bytes], name: fileName, mime: type },
  );
  await page.dispatchEvent(selector, 'dragover', { dataTransfer: transfer });
  await page.dispatchEvent(selector, 'drop', { dataTransfer: transfer });
}

describe('documents on the board in Chromium', () => {
  let hub: TestHub;
  let browser: Browser;
  let tokens: Record<Login, string>;

  beforeAll(async () => {
    hub = await startTestHub();
    browser = await launchChromium();
    tokens = await loginAll(hub);
  });
  afterAll(async () => {
    await browser?.close();
    await hub?.stop();
  });

  it('an advisor drops source-of-funds evidence on an EDD application; compliance previews and accepts it, and only then approves', async () => {
    const id = await openApplication(hub, tokens.alex);
    await driveTo(hub, tokens.alex, id, 'compliance_review', {
      funding: { ...FUNDING_BODY, initial_investment_amount: 400_000 },
    });
    const [advisor, compliance, client] = await Promise.all([
      signInToBoard(browser, hub.url, 'alex.advisor@hub.example'),
      signInToBoard(browser, hub.url, 'carla.compliance@hub.example'),
      signInToBoard(browser, hub.url, 'chris.carter@client.example'),
    ]);

    // Compliance cannot approve yet, and the drawer says what is missing.
    const review = await openDrawer(compliance, id);
    await review.locator('.document-requirements li.unmet[data-required-kind="source_of_funds_evidence"]').waitFor();
    await review.locator('button[data-command="compliance_approve"]').click();
    await expect.poll(() => review.locator('.drawer-message').textContent()).toContain('COMPLIANCE_REVIEW_REQUIRED');

    // The advisor drops the evidence on the drawer.
    const drawer = await openDrawer(advisor, id);
    await drawer.locator('select[name=kind]').selectOption('source_of_funds_evidence');
    await drawer.locator('input[name=title]').fill('Property sale completion statement');
    const evidence = pdfFile('completion statement', 200_000);
    await dropFile(
      advisor,
      `.drawer[data-process-id="${id}"] .drop-zone`,
      evidence,
      'completion.pdf',
      'application/pdf',
    );
    await drawer
      .locator('.document[data-kind="source_of_funds_evidence"] li[data-version="1"][data-review-status="pending"]')
      .waitFor();
    expect(await drawer.locator('.documents-message').textContent()).toBe('completion.pdf uploaded');
    // The advisor may not review what they uploaded: no Accept for them.
    expect(await drawer.locator('button[data-action="accept"]').count()).toBe(0);
    const [stored] =
      await hub.sql`SELECT v.sha256, v.size_bytes FROM document_versions v JOIN documents d ON d.id = v.document_id WHERE d.subject_id = ${id}`;
    expect(stored).toEqual({ sha256: sha256(evidence), size_bytes: evidence.length });

    // Compliance sees it, previews it, accepts it, and approves.
    await compliance.evaluate(() => (location.hash = '#/board/account_opening'));
    const reviewed = await openDrawer(compliance, id);
    const version = reviewed.locator('.document[data-kind="source_of_funds_evidence"] li[data-version="1"]');
    await version.locator('button[data-action="preview"]').click();
    const frame = reviewed.locator('.document-preview iframe[data-preview-type="pdf"]');
    await frame.waitFor();
    expect(await frame.getAttribute('src')).toMatch(/^blob:/);
    await version.locator('button[data-action="accept"]').click();
    await reviewed
      .locator('.document[data-kind="source_of_funds_evidence"] li[data-version="1"][data-review-status="accepted"]')
      .waitFor();
    await reviewed.locator('.document-requirements li.met[data-required-kind="source_of_funds_evidence"]').waitFor();
    await reviewed.locator('button[data-command="compliance_approve"]').click();
    await expect
      .poll(() => reviewed.locator('.approvals h3').textContent(), { timeout: 15_000 })
      .toBe('Approvals 1 of 2');
    await compliance.screenshot({ path: path.join(RESULTS, 'board-documents.png') });

    // The client sees their application but not the firm's evidence.
    const own = await openDrawer(client, id);
    await own.locator('.document-list p.muted').waitFor();
    expect(await own.locator('.document-list').textContent()).toContain('No documents yet');
    expect(await own.locator('.drop-zone').count()).toBe(1);

    const audit = await hub.sql`
      SELECT action, outcome, actor_id, channel, error_code FROM audit_log
      WHERE process_id = ${id} AND (action LIKE '%document%' OR action = 'compliance_approve') ORDER BY id`;
    expect(audit.map((a) => [a.action, a.outcome, a.actor_id, a.channel, a.error_code])).toEqual([
      ['compliance_approve', 'refused', 'usr_carla_compliance', 'board', 'COMPLIANCE_REVIEW_REQUIRED'],
      ['upload_document', 'accepted', 'usr_alex_advisor', 'board', null],
      ['preview_document', 'accepted', 'usr_carla_compliance', 'board', null],
      ['review_document', 'accepted', 'usr_carla_compliance', 'board', null],
      ['compliance_approve', 'accepted', 'usr_carla_compliance', 'board', null],
    ]);
  });
});
