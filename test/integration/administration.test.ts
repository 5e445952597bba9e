import { TOTP, Secret } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFirstAdministrator } from '../../hub/admin-users.js';
import { expectError, expectOk } from '../support/account-opening.js';
import { startTestHub, type TestHub } from '../support/hub.js';
import { connectRecordingClient } from '../support/realtime-client.js';

const PASSWORD = 'a long firm passphrase 42';
const tokenOf = (link: string) => link.split('/#/set-password/')[1]!;
const codeFor = (secret: string, stepsAhead = 0) =>
  new TOTP({ secret: Secret.fromBase32(secret) }).generate({ timestamp: Date.now() + stepsAhead * 30_000 });

describe('firm administration from an empty hub', () => {
  let hub: TestHub;
  let admin: string;

  beforeAll(async () => {
    hub = await startTestHub({ seed: false });
  });
  afterAll(async () => {
    await hub?.stop();
  });

  it('creates the first administrator once, with a one-time link that sets the password and signs in', async () => {
    const created = await createFirstAdministrator(hub.sql, {
      email: 'Root@Firm.example',
      name: 'Rita Root',
      publicUrl: hub.url,
    });
    expect(created.user).toMatchObject({ email: 'root@firm.example', role: 'admin' });
    await expect(
      createFirstAdministrator(hub.sql, { email: 'other@firm.example', name: 'Other', publicUrl: hub.url }),
    ).rejects.toThrow(/already has users/);
    const token = tokenOf(created.link!);
    expect(expectOk(await hub.api(null, 'GET', `/auth/password-links/${token}`))).toMatchObject({
      email: 'root@firm.example',
    });
    // Without a password the login fails like a wrong one.
    expectError(
      await hub.api(null, 'POST', '/auth/login', { email: 'root@firm.example', password: PASSWORD }),
      401,
      'UNAUTHENTICATED',
    );

    const weak = await hub.api(null, 'POST', `/auth/password-links/${token}`, { password: 'short' });
    expectError(weak, 400, 'VALIDATION_FAILED');
    expect(weak.body.error.message).toBe('password: must be at least 12 characters');
    const common = await hub.api(null, 'POST', `/auth/password-links/${token}`, { password: '123456789012' });
    expect(common.body.error.message).toBe('password: is a well-known password; choose another');
    const email = await hub.api(null, 'POST', `/auth/password-links/${token}`, { password: 'root@firm.example!!' });
    expect(email.body.error.message).toBe('password: must not contain your e-mail address');

    const signedIn = expectOk(await hub.api(null, 'POST', `/auth/password-links/${token}`, { password: PASSWORD }));
    expect(signedIn.user.role).toBe('admin');
    expectError(
      await hub.api(null, 'POST', `/auth/password-links/${token}`, { password: PASSWORD }),
      400,
      'LINK_INVALID',
    );
    admin = await hub.login('root@firm.example', PASSWORD);
  });

  it('invites staff by e-mail with a role, refuses a duplicate and anyone but an administrator, and audits both', async () => {
    const invited = expectOk(
      await hub.api(admin, 'POST', '/admin/users', {
        email: 'ann.advisor@firm.example',
        name: 'Ann Advisor',
        role: 'advisor',
      }),
      201,
    );
    expect(invited.user).toMatchObject({ role: 'advisor', active: true, has_password: false });
    expect(invited.link).toContain(`${hub.url}/#/set-password/`);
    expect(Date.parse(invited.expires_at) - Date.now()).toBeGreaterThan(71 * 3600_000);
    const duplicate = await hub.api(admin, 'POST', '/admin/users', {
      email: 'ANN.advisor@firm.example',
      name: 'Ann',
      role: 'advisor',
    });
    expectError(duplicate, 409, 'EMAIL_TAKEN');
    const badRole = await hub.api(admin, 'POST', '/admin/users', {
      email: 'x@firm.example',
      name: 'X',
      role: 'wizard',
    });
    expectError(badRole, 400, 'VALIDATION_FAILED');
    expect(badRole.body.error.details.field).toBe('role');

    expectOk(await hub.api(null, 'POST', `/auth/password-links/${tokenOf(invited.link)}`, { password: PASSWORD }));
    const advisor = await hub.login('ann.advisor@firm.example', PASSWORD);
    const refused = await hub.api(advisor, 'POST', '/admin/users', {
      email: 'y@firm.example',
      name: 'Y',
      role: 'admin',
    });
    expectError(refused, 403, 'FORBIDDEN');
    const audit =
      await hub.sql`SELECT action, outcome, actor_id, details FROM audit_log WHERE process_type = 'user' ORDER BY id`;
    expect(audit.map((a) => `${a.action}:${a.outcome}`)).toEqual([
      'create_first_administrator:accepted',
      'set_password_with_link:accepted',
      'invite_user:accepted',
      'invite_user:refused',
      'set_password_with_link:accepted',
      'manage_users:refused',
    ]);
    const search = expectOk(await hub.api(admin, 'GET', '/admin/users?q=ann&role=advisor'));
    expect(search.users.map((u: { email: string }) => u.email)).toEqual(['ann.advisor@firm.example']);
  });

  it('changes a role with before and after in the audit trail, and keeps the last administrator', async () => {
    const [{ id }] = await hub.sql`SELECT id FROM users WHERE email = 'ann.advisor@firm.example'`;
    const changed = expectOk(await hub.api(admin, 'PATCH', `/admin/users/${id}`, { role: 'manager' }));
    expect(changed.role).toBe('manager');
    const [row] = await hub.sql`SELECT details FROM audit_log WHERE action = 'update_user' AND outcome = 'accepted'`;
    expect(row.details).toMatchObject({ before: { role: 'advisor' }, after: { role: 'manager' } });
    expectOk(await hub.api(admin, 'PATCH', `/admin/users/${id}`, { role: 'advisor' }));
    const [{ id: rootId }] = await hub.sql`SELECT id FROM users WHERE email = 'root@firm.example'`;
    expectError(await hub.api(admin, 'PATCH', `/admin/users/${rootId}`, { role: 'ops' }), 409, 'LAST_ADMINISTRATOR');
  });

  it('deactivates a user: their tokens and live sockets end at once; reactivation lets them sign in again', async () => {
    const [{ id }] = await hub.sql`SELECT id FROM users WHERE email = 'ann.advisor@firm.example'`;
    const token = await hub.login('ann.advisor@firm.example', PASSWORD);
    const socket = await connectRecordingClient(hub.url, token);
    const disconnected = new Promise<string>((resolve) => socket.socket.on('disconnect', (reason) => resolve(reason)));
    const result = expectOk(await hub.api(admin, 'POST', `/admin/users/${id}/deactivate`));
    expect(result.user.active).toBe(false);
    expect(result.open_assignments).toEqual({ processes: [], clients: [] });
    expect(await disconnected).toBe('io server disconnect');
    expectError(await hub.api(token, 'GET', '/me'), 401, 'UNAUTHENTICATED');
    expectError(
      await hub.api(null, 'POST', '/auth/login', { email: 'ann.advisor@firm.example', password: PASSWORD }),
      401,
      'UNAUTHENTICATED',
    );
    expectOk(await hub.api(admin, 'POST', `/admin/users/${id}/reactivate`));
    await hub.login('ann.advisor@firm.example', PASSWORD);
    socket.socket.close();
  });

  it('lets a person change their own password and sign out everywhere', async () => {
    const first = await hub.login('ann.advisor@firm.example', PASSWORD);
    const second = await hub.login('ann.advisor@firm.example', PASSWORD);
    const wrong = await hub.api(first, 'POST', '/auth/password', {
      current_password: 'not it at all',
      new_password: 'another long passphrase 7',
    });
    expect(wrong.body.error.details.field).toBe('current_password');
    expect(
      await hub.api(first, 'POST', '/auth/password', {
        current_password: PASSWORD,
        new_password: 'another long passphrase 7',
      }),
    ).toMatchObject({
      status: 204,
    });
    expect((await hub.api(first, 'POST', '/auth/sign-out-everywhere')).status).toBe(204);
    for (const token of [first, second]) expectError(await hub.api(token, 'GET', '/me'), 401, 'UNAUTHENTICATED');
    await hub.login('ann.advisor@firm.example', 'another long passphrase 7');
  });

  it('requires a second factor of administrators when the firm says so, with codes and one-time recovery codes', async () => {
    expectOk(await hub.api(admin, 'PATCH', '/admin/settings', { second_factor_required: true }));
    const login = expectOk(
      await hub.api(null, 'POST', '/auth/login', { email: 'root@firm.example', password: PASSWORD }),
    );
    expect(login.second_factor_enrollment_required).toBe(true);
    expectError(await hub.api(login.token, 'GET', '/admin/users'), 403, 'SECOND_FACTOR_ENROLLMENT_REQUIRED');

    const { secret, otpauth_uri } = expectOk(await hub.api(login.token, 'POST', '/auth/second-factor/enrol'));
    expect(otpauth_uri).toMatch(/^otpauth:\/\/totp\//);
    expectError(
      await hub.api(login.token, 'POST', '/auth/second-factor/confirm', {
        code: '000000' === codeFor(secret) ? '111111' : '000000',
      }),
      400,
      'VALIDATION_FAILED',
    );
    const { recovery_codes } = expectOk(
      await hub.api(login.token, 'POST', '/auth/second-factor/confirm', { code: codeFor(secret) }),
    );
    expect(recovery_codes).toHaveLength(10);
    expectOk(await hub.api(login.token, 'GET', '/admin/users'));

    const challenge = expectOk(
      await hub.api(null, 'POST', '/auth/login', { email: 'root@firm.example', password: PASSWORD }),
    );
    expect(challenge).toMatchObject({ second_factor_required: true });
    expect(challenge.token).toBeUndefined();
    expectError(
      await hub.api(null, 'POST', '/auth/second-factor', {
        challenge: challenge.challenge,
        recovery_code: 'nope-nope',
      }),
      401,
      'SECOND_FACTOR_REQUIRED',
    );
    // The confirming code is spent: the next 30-second step's code (within the accepted window) signs in, once.
    const code = codeFor(secret, 1);
    const viaCode = expectOk(
      await hub.api(null, 'POST', '/auth/second-factor', { challenge: challenge.challenge, code }),
    );
    admin = viaCode.token;
    const replay = expectOk(
      await hub.api(null, 'POST', '/auth/login', { email: 'root@firm.example', password: PASSWORD }),
    );
    expectError(
      await hub.api(null, 'POST', '/auth/second-factor', { challenge: replay.challenge, code }),
      401,
      'SECOND_FACTOR_REQUIRED',
    );
    // Five wrong answers end a challenge, whatever comes after.
    for (let attempt = 0; attempt < 4; attempt += 1) {
      const wrong = await hub.api(null, 'POST', '/auth/second-factor', {
        challenge: replay.challenge,
        recovery_code: 'wrong-code',
      });
      expectError(wrong, 401, 'SECOND_FACTOR_REQUIRED');
    }
    const ended = await hub.api(null, 'POST', '/auth/second-factor', {
      challenge: replay.challenge,
      recovery_code: recovery_codes[1],
    });
    expectError(ended, 400, 'LINK_INVALID');
    const again = expectOk(
      await hub.api(null, 'POST', '/auth/login', { email: 'root@firm.example', password: PASSWORD }),
    );
    expectOk(
      await hub.api(null, 'POST', '/auth/second-factor', {
        challenge: again.challenge,
        recovery_code: recovery_codes[0],
      }),
    );
    const reuse = expectOk(
      await hub.api(null, 'POST', '/auth/login', { email: 'root@firm.example', password: PASSWORD }),
    );
    expectError(
      await hub.api(null, 'POST', '/auth/second-factor', {
        challenge: reuse.challenge,
        recovery_code: recovery_codes[0],
      }),
      401,
      'SECOND_FACTOR_REQUIRED',
    );
    expectOk(await hub.api(admin, 'PATCH', '/admin/settings', { second_factor_required: false }));
  });

  it('validates settings, shows meaning and unit, writes nothing when one value is bad, and audits before and after', async () => {
    const listed = expectOk(await hub.api(admin, 'GET', '/admin/settings'));
    expect(listed.settings.find((s: { key: string }) => s.key === 'edd_threshold')).toMatchObject({
      unit: 'USD',
      value: 250000,
    });
    const bad = await hub.api(admin, 'PATCH', '/admin/settings', { edd_threshold: 100000, session_lifetime_hours: -1 });
    expectError(bad, 400, 'VALIDATION_FAILED');
    expect(bad.body.error.details.field).toBe('session_lifetime_hours');
    const [unchanged] = await hub.sql`SELECT value FROM settings WHERE key = 'edd_threshold'`;
    expect(unchanged.value).toBe(250000);
    expectError(
      await hub.api(admin, 'PATCH', '/admin/settings', { firm_time_zone: 'Mars/Olympus' }),
      400,
      'VALIDATION_FAILED',
    );
    expectOk(await hub.api(admin, 'PATCH', '/admin/settings', { edd_threshold: 100000.5 }));
    const [audit] =
      await hub.sql`SELECT details FROM audit_log WHERE action = 'update_setting' AND process_id = 'edd_threshold'`;
    expect(audit.details).toEqual({ before: 250000, after: 100000.5 });
  });

  it('keeps a versioned product shelf: edits make versions, retired products are no longer offered', async () => {
    const terms = {
      id: 'prd_core_bond',
      name: 'Core Bond Fund',
      description: 'Investment-grade bonds.',
      category: 'fixed_income',
      risk_level: 'conservative',
      liquidity: 'daily',
      minimum_investment: 5000,
      currency: 'USD',
      management_fee_percent: 0.35,
    };
    const created = expectOk(await hub.api(admin, 'POST', '/admin/products', terms), 201);
    expect(created).toMatchObject({ version: 1, active: true });
    const badFee = await hub.api(admin, 'PATCH', '/admin/products/prd_core_bond', { management_fee_percent: 0.12345 });
    expect(badFee.body.error.details.field).toBe('management_fee_percent');
    const edited = expectOk(
      await hub.api(admin, 'PATCH', '/admin/products/prd_core_bond', { management_fee_percent: 0.3 }),
    );
    expect(edited).toMatchObject({ version: 2, management_fee_percent: 0.3 });
    const detail = expectOk(await hub.api(admin, 'GET', '/admin/products/prd_core_bond'));
    expect(
      detail.versions.map((v: { version: number; terms: { management_fee_percent: number } }) => [
        v.version,
        v.terms.management_fee_percent,
      ]),
    ).toEqual([
      [2, 0.3],
      [1, 0.35],
    ]);
    expectOk(await hub.api(admin, 'POST', '/admin/products/prd_core_bond/retire'));
    const [{ n }] = await hub.sql`SELECT count(*)::int AS n FROM products WHERE active`;
    expect(n).toBe(0);
  });

  it('creates and edits clients with validated fields and an advisor who must be an active advisor', async () => {
    const [{ id: advisorId }] = await hub.sql`SELECT id FROM users WHERE email = 'ann.advisor@firm.example'`;
    const bad = await hub.api(admin, 'POST', '/admin/clients', {
      name: 'Zed',
      email: 'zed@client.example',
      client_type: 'individual',
      birth_or_incorporation_date: '1990-02-30',
    });
    expect(bad.body.error.details.field).toBe('birth_or_incorporation_date');
    const notAdvisor = await hub.api(admin, 'POST', '/admin/clients', {
      name: 'Zed',
      email: 'zed@client.example',
      client_type: 'entity',
      advisor_id: 'usr_nobody',
    });
    expect(notAdvisor.body.error.details.field).toBe('advisor_id');
    const client = expectOk(
      await hub.api(admin, 'POST', '/admin/clients', {
        name: 'Zed Holdings Ltd',
        email: 'Office@Zed.example',
        client_type: 'entity',
        jurisdiction: 'GB',
        birth_or_incorporation_date: '2001-05-17',
        politically_exposed: true,
        kyc_status: 'complete',
        advisor_id: advisorId,
      }),
      201,
    );
    expect(client).toMatchObject({ email: 'office@zed.example', advisor_name: 'Ann Advisor', user_id: null });
    const invited = expectOk(await hub.api(admin, 'POST', `/admin/clients/${client.id}/invite`));
    expect(invited.link).toContain('/#/set-password/');
    const [login] = await hub.sql`SELECT role FROM users WHERE id = ${invited.user_id}`;
    expect(login.role).toBe('client');
    const edited = expectOk(await hub.api(admin, 'PATCH', `/admin/clients/${client.id}`, { kyc_status: 'pending' }));
    expect(edited).toMatchObject({ kyc_status: 'pending', jurisdiction: 'GB', politically_exposed: true });
  });

  it('describes every administration route in the OpenAPI document', async () => {
    const doc = expectOk(await hub.api(null, 'GET', '/openapi.json'));
    for (const path of [
      '/api/admin/users',
      '/api/admin/clients/{id}',
      '/api/admin/products/{id}/retire',
      '/api/admin/settings',
      '/api/auth/oidc/start',
      '/api/auth/second-factor',
    ]) {
      expect(Object.keys(doc.paths)).toContain(path);
    }
  });
});
