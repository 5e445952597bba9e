import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFirstAdministrator } from '../../hub/admin-users.js';
import { findFreePort } from '../../runtime/ports.js';
import { expectError, expectOk } from '../support/account-opening.js';
import { launchChromium } from '../support/chromium.js';
import { startTestHub, type TestHub } from '../support/hub.js';
import { startOidcProvider, type ProviderAccount, type TestOidcProvider } from '../support/oidc-provider.js';

const PASSWORD = 'the administrator passphrase 9';
const ACCOUNTS: Record<string, ProviderAccount> = {
  ann: { email: 'Ann.Advisor@firm.example', email_verified: true, name: 'Ann A.', groups: ['hub-advisors'] },
  una: { email: 'ann.advisor@firm.example', email_verified: false, name: 'Unverified Ann', groups: [] },
  nina: {
    email: 'nina.new@firm.example',
    email_verified: true,
    name: 'Nina New',
    groups: ['everyone', 'hub-compliance'],
  },
  root: { email: 'root@firm.example', email_verified: true, name: 'Rita Root', groups: ['hub-admins'] },
};

describe('staff sign in through the firm’s OpenID provider', () => {
  let hub: TestHub;
  let provider: TestOidcProvider;
  let browser: Browser;
  let admin: string;

  beforeAll(async () => {
    const port = await findFreePort();
    provider = await startOidcProvider(port, ACCOUNTS);
    hub = await startTestHub({
      seed: false,
      env: {
        OIDC_ISSUER: provider.issuer,
        OIDC_CLIENT_ID: provider.clientId,
        OIDC_CLIENT_SECRET: provider.clientSecret,
        OIDC_ROLE_MAP: 'hub-admins=admin,hub-compliance=compliance_officer,hub-advisors=advisor',
        OIDC_SCOPES: 'openid email profile groups',
        OIDC_DISPLAY_NAME: 'Firm SSO',
      },
    });
    provider.allow(`${hub.url}/api/auth/oidc/callback`);
    browser = await launchChromium();
    const first = await createFirstAdministrator(hub.sql, {
      email: 'root@firm.example',
      name: 'Rita Root',
      password: PASSWORD,
      publicUrl: hub.url,
    });
    expect(first.link).toBeUndefined();
    admin = await hub.login('root@firm.example', PASSWORD);
    expectOk(
      await hub.api(admin, 'POST', '/admin/users', {
        email: 'ann.advisor@firm.example',
        name: 'Ann Advisor',
        role: 'advisor',
      }),
      201,
    );
  });
  afterAll(async () => {
    await browser?.close();
    await hub?.stop();
    await provider?.stop();
  });

  /** From the board's sign-in page through the provider's own login and consent, back to the board. */
  async function signInThroughProvider(login: string): Promise<Page> {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${hub.url}/`);
    await page.click('a.sso-button:text("Sign in with Firm SSO")');
    await page.fill('input[name="login"]', login);
    await page.fill('input[name="password"]', 'anything');
    await page.click('button:text("Sign-in")');
    await page.click('button:text("Continue")');
    await page.waitForSelector('.connection.online, .sign-in .error:not(:empty)');
    return page;
  }

  it('signs an invited advisor in by their verified e-mail and links the identity', async () => {
    const page = await signInThroughProvider('ann');
    expect(await page.locator('.who').textContent()).toBe('Ann Advisor · Advisor');
    const [user] = await hub.sql`SELECT oidc_subject FROM users WHERE email = 'ann.advisor@firm.example'`;
    expect(user.oidc_subject).toBe(`${provider.issuer}#ann`);
    const [audit] = await hub.sql`SELECT action FROM audit_log WHERE action = 'sso_sign_in' AND outcome = 'accepted'`;
    expect(audit).toBeDefined();
  });

  it('refuses an unverified e-mail, and someone without an account until the firm lets sign-in create one', async () => {
    const unverified = await signInThroughProvider('una');
    expect(await unverified.locator('.sign-in .error').textContent()).toBe(
      'The identity provider did not give a verified e-mail address',
    );

    const stranger = await signInThroughProvider('nina');
    expect(await stranger.locator('.sign-in .error').textContent()).toBe(
      'You have no hub account yet: ask an administrator to invite you',
    );
    const refusals =
      await hub.sql`SELECT error_code FROM audit_log WHERE action = 'sso_sign_in' AND outcome = 'refused'`;
    expect(refusals.map((r) => r.error_code)).toEqual(['SSO_FAILED', 'SSO_FAILED']);

    expectOk(await hub.api(admin, 'PATCH', '/admin/settings', { oidc_create_users: true }));
    const created = await signInThroughProvider('nina');
    expect(await created.locator('.who').textContent()).toBe('Nina New · Compliance officer');
  });

  it('relies on the provider’s own factors when the firm requires a second factor of administrators', async () => {
    expectOk(await hub.api(admin, 'PATCH', '/admin/settings', { second_factor_required: true }));
    const page = await signInThroughProvider('root');
    expect(await page.locator('.who').textContent()).toBe('Rita Root · Admin');
    await page.click('nav.nav a:text("Administration")');
    await page.locator('table[data-table="users"]').waitFor();

    // A password session of the same administrator must set up an authenticator first; the single sign-on one need not.
    expectError(await hub.api(admin, 'GET', '/admin/users'), 403, 'SECOND_FACTOR_ENROLLMENT_REQUIRED');
    const sso = JSON.parse((await page.evaluate(() => sessionStorage.getItem('ops-hub.session')))!).token as string;
    expectOk(await hub.api(sso, 'PATCH', '/admin/settings', { second_factor_required: false }));
    expectOk(await hub.api(admin, 'GET', '/admin/users'));
  });

  it('refuses a deactivated user at the provider’s return', async () => {
    const [ann] = await hub.sql`SELECT id FROM users WHERE email = 'ann.advisor@firm.example'`;
    expectOk(await hub.api(admin, 'POST', `/admin/users/${ann.id}/deactivate`));
    const page = await signInThroughProvider('ann');
    expect(await page.locator('.sign-in .error').textContent()).toBe('Your hub account is deactivated');
  });
});
