import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousViolations } from '../support/accessibility.js';
import { misfits, occupiedStates } from '../support/board-fit.js';
import { launchChromium, signInToBoard } from '../support/chromium.js';
import { startTestHub, type TestHub } from '../support/hub.js';

const RESULTS = path.resolve('test-results');
const shot = (page: Page, name: string) => page.screenshot({ path: path.join(RESULTS, `demo-firm-${name}.png`) });

// What a new user sees first: a fresh hub with the demo firm seeded through the workflows, nothing made by the test.
describe('the demo firm on a fresh start, on the board', () => {
  let hub: TestHub;
  let browser: Browser;
  let ops: Page;

  beforeAll(async () => {
    hub = await startTestHub({ demoProcesses: true });
    browser = await launchChromium();
    ops = await signInToBoard(browser, hub.url, 'omar.ops@hub.example', 1920);
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await hub?.stop();
  });

  it('shows processes in at least eight account-opening and two rebalancing states, fitting every width', async () => {
    await ops.goto(`${hub.url}/#/board/account_opening`);
    await ops.locator('.card').first().waitFor();
    await expect.poll(async () => (await occupiedStates(ops)).length).toBeGreaterThanOrEqual(8);
    for (const width of [1280, 1440, 1920]) {
      await ops.setViewportSize({ width, height: 1000 });
      await expect.poll(() => misfits(ops), { message: `account opening at ${width} px` }).toEqual([]);
      await shot(ops, `account-opening-${width}`);
    }
    expect(await seriousViolations(ops)).toEqual([]);

    await ops.goto(`${hub.url}/#/board/rebalancing`);
    await ops.locator('.card').first().waitFor();
    await expect.poll(async () => (await occupiedStates(ops)).length).toBeGreaterThanOrEqual(2);
    for (const width of [1280, 1440, 1920]) {
      await ops.setViewportSize({ width, height: 1000 });
      await expect.poll(() => misfits(ops), { message: `rebalancing at ${width} px` }).toEqual([]);
      await shot(ops, `rebalancing-${width}`);
    }
    expect(await seriousViolations(ops)).toEqual([]);
  });

  it('opens the operations center on a month of history, with its trends drawn', async () => {
    await ops.goto(`${hub.url}/#/ops`);
    await ops.locator('.ops-type .trends .chart canvas').first().waitFor();
    expect(await seriousViolations(ops)).toEqual([]);
    await shot(ops, 'ops-center');
  });
});
