import { chromium, type Browser, type Page } from 'playwright-core';
import { DEMO_PASSWORD } from '../../runtime/seed-demo.js';

/** Debian's Chromium, headless, never a downloaded browser. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
}

/** Signs in to the board through its form, as a person would, and waits until the live board is up. */
export async function signInToBoard(browser: Browser, url: string, email: string, width = 1600): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height: 1000 } });
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error(`[${email}] page error: ${error.message}`));
  await page.goto(`${url}/`);
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', DEMO_PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForSelector('.board[data-process-type="account_opening"]');
  await page.waitForSelector('.connection.online');
  // Marks this document: if the page reloaded, the mark would be gone (see sameDocument).
  await page.evaluate(() => ((window as unknown as { boardMark: string }).boardMark = 'same document'));
  return page;
}

/** 'same document' while the page has not reloaded since signInToBoard. */
export const sameDocument = (page: Page) =>
  page.evaluate(() => (window as unknown as { boardMark?: string }).boardMark);

/** A card in a column of the board. */
export const cardIn = (page: Page, state: string, id: string) =>
  page.locator(`.column[data-state="${state}"] .card[data-process-id="${id}"]`);
