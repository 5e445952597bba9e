import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardIn, launchChromium, signInToBoard } from '../support/chromium.js';
import { startTestHub, waitForStatus, type TestHub } from '../support/hub.js';
import { ALEX, CARLA, OMAR_OPS } from '../support/realtime-client.js';
import { openApplication, runStep } from '../support/account-opening.js';

describe("the drawer's decision record in Chromium", () => {
  let hub: TestHub;
  let browser: Browser;

  beforeAll(async () => {
    hub = await startTestHub();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await hub?.stop();
  });

  it('shows who approved, through which channel, the version, the notes and the four-eyes chain; never to the client', async () => {
    const advisor = await hub.login(ALEX);
    const id = await openApplication(hub, advisor, 'cli_chris_carter');
    for (const step of [0, 1, 2, 3]) await runStep(hub, advisor, id, step);
    await waitForStatus(hub.sql, id, 'compliance_review');
    const carla = await hub.login(CARLA);
    expect((await hub.api(carla, 'POST', `/applications/${id}/approve`, { notes: 'Payslips seen' })).status).toBe(200);
    await waitForStatus(hub.sql, id, 'account_created');

    const ops = await signInToBoard(browser, hub.url, OMAR_OPS, 1600);
    await cardIn(ops, 'account_created', id).click();
    const section = ops.locator(`.drawer[data-process-id="${id}"] [data-section="decision-record"]`);
    await section.waitFor();
    const text = (await section.textContent()) ?? '';
    const [row] =
      await hub.sql`SELECT id, details FROM audit_log WHERE process_id = ${id} AND action = 'compliance_approve' AND outcome = 'accepted'`;
    for (const expected of [
      'Compliance approve',
      'Carla Compliance (Compliance officer)',
      'api',
      `Record version${row.details.version - 1}`,
      'Payslips seen',
      'Carla Compliance (Compliance approve, api); 1 required',
      `Audit row${row.id}`,
    ]) {
      expect(text).toContain(expected);
    }

    const client = await signInToBoard(browser, hub.url, 'chris.carter@client.example', 1600);
    await client.goto(`${hub.url}/#/process/${id}`);
    await client.locator(`.drawer[data-process-id="${id}"] .timeline-list li`).first().waitFor();
    expect(await client.locator('[data-section="decision-record"]').count()).toBe(0);
  });
});
