import http from 'node:http';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../runtime/seed-demo.js';
import { launchChromium } from '../support/chromium.js';
import { startTestHub, type TestHub } from '../support/hub.js';
import { OMAR_OPS } from '../support/realtime-client.js';

const PROTECTIVE = {
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
};

describe('security headers and CORS', () => {
  let hub: TestHub;
  let browser: Browser;

  beforeAll(async () => {
    hub = await startTestHub({ worker: false, env: { CORS_ORIGINS: 'https://allowed.example' } });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await hub?.stop();
  });

  it('puts a strict policy on the board, the API, errors and health answers alike', async () => {
    for (const [path, status] of [
      ['/', 200],
      ['/api/openapi.json', 200],
      ['/api/applications', 401],
      ['/api/nowhere', 401],
      ['/readyz', 200],
    ] as const) {
      const response = await fetch(`${hub.url}${path}`);
      expect(response.status, path).toBe(status);
      for (const [name, value] of Object.entries(PROTECTIVE))
        expect(response.headers.get(name), `${name} on ${path}`).toBe(value);
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("style-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-inline');
      // PUBLIC_URL is plain http here.
      expect(response.headers.get('strict-transport-security')).toBeNull();
    }
  });

  it('answers cross-origin calls only for configured origins', async () => {
    const preflight = (origin: string) =>
      fetch(`${hub.url}/api/applications`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' },
      });
    const allowed = await preflight('https://allowed.example');
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://allowed.example');
    const other = await preflight('https://evil.example');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('runs the board in Chromium without a single policy violation', async () => {
    const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
    // Collected from the first byte of every document, before the board's own script runs.
    await context.addInitScript(() => {
      const seen: string[] = ((window as unknown as { violations: string[] }).violations = []);
      document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
    const page = await context.newPage();
    await page.goto(`${hub.url}/`);
    await page.fill('input[name=email]', OMAR_OPS);
    await page.fill('input[name=password]', DEMO_PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForSelector('.board[data-process-type="account_opening"] .stage');
    // Styles written by the board's code still apply: each stage knows how many columns it has.
    const columns = await page
      .locator('.stage')
      .first()
      .evaluate((el) => getComputedStyle(el).getPropertyValue('--columns').trim());
    expect(Number(columns)).toBeGreaterThan(0);
    await page.click('a[href="#/ops"]');
    await page.waitForSelector('.bar-track .bar');
    expect(await page.evaluate(() => (window as unknown as { violations: string[] }).violations)).toEqual([]);
    await context.close();
  });

  it('closes the connection after a 413, so a pooled client is never handed a dead socket', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const send = (body?: Buffer) =>
      new Promise<{ status: number; connection: string | undefined; socket: unknown }>((resolve, reject) => {
        const request = http.request(
          `${hub.url}/api/auth/login`,
          { method: 'POST', agent, headers: { 'content-type': 'application/json' } },
          (response) => {
            response.resume();
            response.on('end', () =>
              resolve({
                status: response.statusCode!,
                connection: response.headers.connection,
                socket: request.socket,
              }),
            );
          },
        );
        request.on('error', reject);
        request.end(body ?? JSON.stringify({ email: 'nobody@example.com', password: 'wrong' }));
      });
    const tooLarge = await send(Buffer.alloc(2 * 1024 * 1024, 'a'));
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.connection).toBe('close');
    // The pooled agent's next request goes out on a fresh socket and gets its answer.
    const next = await send();
    expect(next.status).toBe(401);
    agent.destroy();
  });
});

describe('behind https', () => {
  it('adds Strict-Transport-Security when PUBLIC_URL is https', async () => {
    const hub = await startTestHub({ worker: false, seed: false, env: { PUBLIC_URL: 'https://hub.example.com' } });
    try {
      const response = await fetch(`${hub.url}/healthz`);
      expect(response.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
    } finally {
      await hub.stop();
    }
  });
});
