import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBuiltinCrm } from '../../workers/crm/builtin-crm.js';
import { createHttpCrm } from '../../workers/crm/http-crm.js';
import {
  auditOf,
  driveTo,
  eventTypesOf,
  expectError,
  expectOk,
  loginAll,
  openApplication,
  readModel,
  type Login,
} from '../support/account-opening.js';
import { eventually, startTestHub, waitForNotice, waitForStatus, type TestHub } from '../support/hub.js';
import { startTestCrm, type TestCrm } from '../support/test-crm-server.js';

describe('account creation in the CRM: retries, a lost answer, a CRM that stays down, and one account per application', () => {
  let hub: TestHub;
  let crm: TestCrm;
  let tokens: Record<Login, string>;
  beforeAll(async () => {
    crm = await startTestCrm();
    // The test hub tries the CRM 3 times, 50 ms apart at first (CRM_MAX_ATTEMPTS, CRM_RETRY_INITIAL_MS).
    hub = await startTestHub({ crm: createHttpCrm({ url: crm.url }) });
    tokens = await loginAll(hub);
  });
  afterAll(async () => {
    await hub?.stop();
    await crm?.stop();
  });

  async function approvedApplication(clientId = 'cli_chris_carter'): Promise<string> {
    const id = await openApplication(hub, tokens.alex, clientId);
    await driveTo(hub, tokens.alex, id, 'compliance_review');
    expectOk(await hub.api(tokens.carla, 'POST', `/applications/${id}/approve`, {}));
    return id;
  }

  const waitForCrmFailure = (id: string) =>
    waitForNotice(
      hub.sql,
      'process_changed',
      async () => {
        const [row] = await hub.sql`SELECT status, detail FROM processes WHERE process_id = ${id}`;
        return row?.detail.crm_failure ? row : undefined;
      },
      30_000,
    );

  it('a CRM that answers 503 twice and then books the account: one account, with the CRM number', async () => {
    crm.failNext(2);
    const id = await approvedApplication();
    const done = await waitForStatus(hub.sql, id, 'account_created', 30_000);
    const calls = crm.calls.filter((c) => c.idempotency_key === id);
    expect(calls.map((c) => [c.status, c.booked])).toEqual([
      [503, false],
      [503, false],
      [201, true],
    ]);
    expect(calls[2].request).toEqual({
      application_id: id,
      client_id: 'cli_chris_carter',
      client_name: 'Chris Carter',
      account_type: 'individual',
      currency: 'USD',
      initial_investment_amount: 50_000,
    });
    expect(done.account_number).toBe(crm.accounts.get(id));
    expect(done.account_number).toMatch(/^CRM-\d{6}$/);
    expect(done.crm_failure).toBeNull();
    expect((await eventTypesOf(hub, id)).filter((t) => t.startsWith('account.creat'))).toEqual(['account.created']);
  });

  it('a CRM that books the account but loses its answer (502): the retry gets the same account, none is booked twice', async () => {
    crm.loseNextAnswers(1);
    const id = await approvedApplication('cli_gabriel_garcia');
    const done = await waitForStatus(hub.sql, id, 'account_created', 30_000);
    const calls = crm.calls.filter((c) => c.idempotency_key === id);
    expect(calls.map((c) => [c.status, c.booked])).toEqual([
      [502, true],
      [200, false],
    ]);
    expect(done.account_number).toBe(crm.accounts.get(id));
    const created = await hub.sql`SELECT payload FROM events WHERE process_id = ${id} AND type = 'account.created'`;
    expect(created.map((e) => e.payload.account_number)).toEqual([done.account_number]);
  });

  it('CRM_ACCOUNT_CREATION_FAILED when every attempt fails: recorded and shown, status stays approved, an admin retries and it succeeds', async () => {
    crm.failNext(Number.POSITIVE_INFINITY);
    const id = await approvedApplication();
    const failed = await waitForCrmFailure(id);
    expect(failed.status).toBe('approved');
    expect(crm.calls.filter((c) => c.idempotency_key === id)).toHaveLength(3);

    const shown = expectOk(await hub.api(tokens.admin, 'GET', `/applications/${id}`));
    expect(shown).toMatchObject({ status: 'approved', account_number: null });
    expect(shown.crm_failure).toEqual({
      code: 'CRM_ACCOUNT_CREATION_FAILED',
      message: expect.stringContaining('CRM answered 503'),
      attempts: 3,
      at: expect.any(String),
    });
    expect(shown.allowed_actions).toContain('retry_account_creation');
    expect(expectOk(await hub.api(tokens.alex, 'GET', `/applications/${id}`)).crm_failure.code).toBe(
      'CRM_ACCOUNT_CREATION_FAILED',
    );
    const [card] = await hub.sql`SELECT flags FROM processes WHERE process_id = ${id}`;
    expect(card.flags).toContain('crm_failure');
    const [failure] =
      await hub.sql`SELECT payload FROM events WHERE process_id = ${id} AND type = 'account.creation_failed'`;
    expect(failure.payload).toEqual({
      application_id: id,
      error_code: 'CRM_ACCOUNT_CREATION_FAILED',
      attempts: 3,
      timestamp: expect.any(String),
    });
    const audit = await auditOf(hub, id);
    expect(audit.at(-1)).toMatchObject({
      action: 'create_account',
      outcome: 'accepted',
      actor_id: 'system',
      status_before: 'approved',
      status_after: 'approved',
    });
    expect(audit.at(-1)!.details).toMatchObject({ error_code: 'CRM_ACCOUNT_CREATION_FAILED', attempts: 3 });
    await eventually(
      async () =>
        (
          await hub.sql`SELECT 1 FROM notifications WHERE process_id = ${id} AND kind = 'crm_failure' AND user_id = 'usr_ada_admin'`
        ).length === 1,
      {
        what: 'the admin is told about the CRM failure',
      },
    );

    // Only an admin may retry; the CRM is back by then.
    expectError(
      await hub.api(tokens.carla, 'POST', `/applications/${id}/retry-account-creation`, {}),
      403,
      'FORBIDDEN',
    );
    crm.failNext(0);
    const retried = expectOk(await hub.api(tokens.admin, 'POST', `/applications/${id}/retry-account-creation`, {}));
    expect(retried.crm_failure).toBeNull();
    const done = await waitForStatus(hub.sql, id, 'account_created', 30_000);
    expect(done.account_number).toBe(crm.accounts.get(id));
    expect(crm.calls.filter((c) => c.idempotency_key === id && c.booked)).toHaveLength(1);
    expect((await eventTypesOf(hub, id)).filter((t) => t !== 'account.status_viewed').slice(-4)).toEqual([
      'account.approved',
      'account.creation_failed',
      'account.creation_retried',
      'account.created',
    ]);
    const [retryEvent] =
      await hub.sql`SELECT payload FROM events WHERE process_id = ${id} AND type = 'account.creation_retried'`;
    expect(retryEvent.payload).toEqual({
      application_id: id,
      retried_by: 'usr_ada_admin',
      timestamp: expect.any(String),
    });
    // Nothing left to retry once the account exists.
    expectError(
      await hub.api(tokens.admin, 'POST', `/applications/${id}/retry-account-creation`, {}),
      400,
      'INVALID_STATUS_TRANSITION',
    );
  });

  it('a CRM that refuses the request (4xx) is not retried: the failure is recorded after one call', async () => {
    crm.failNext(1, 422);
    const id = await approvedApplication('cli_gabriel_garcia');
    await waitForCrmFailure(id);
    expect(crm.calls.filter((c) => c.idempotency_key === id).map((c) => c.status)).toEqual([422]);
    const shown = expectOk(await hub.api(tokens.admin, 'GET', `/applications/${id}`));
    expect(shown.crm_failure.message).toContain('CRM answered 422');
    expectOk(await hub.api(tokens.admin, 'POST', `/applications/${id}/retry-account-creation`, {}));
    await waitForStatus(hub.sql, id, 'account_created', 30_000);
  });

  it('after a CRM failure an admin may override the status instead of retrying; no account is booked', async () => {
    crm.failNext(Number.POSITIVE_INFINITY);
    const id = await approvedApplication();
    await waitForCrmFailure(id);
    const overridden = expectOk(
      await hub.api(tokens.admin, 'POST', `/applications/${id}/override-status`, {
        status: 'rejected',
        reason: 'Client withdrew while the CRM was down',
      }),
    );
    expect(overridden).toMatchObject({
      status: 'rejected',
      rejection_reason: 'Client withdrew while the CRM was down',
      crm_failure: null,
    });
    crm.failNext(0);
    expect((await readModel(hub, id)).status).toBe('rejected');
    expect(crm.accounts.has(id)).toBe(false);
  });

  it('the built-in CRM books one account per application in PostgreSQL, however often and concurrently it is asked', async () => {
    const builtin = createBuiltinCrm(hub.sql);
    const request = (application_id: string) => ({
      application_id,
      client_id: 'cli_fiona_fischer',
      client_name: 'Fiona Fischer',
      account_type: 'trust',
      currency: 'EUR',
      initial_investment_amount: 20_000,
    });
    const first = await builtin.createAccount(request('app_builtin_once'));
    expect(first.account_number).toMatch(/^INV-\d{8}$/);
    expect(await builtin.createAccount(request('app_builtin_once'))).toEqual(first);

    const concurrent = await Promise.all(
      Array.from({ length: 8 }, () => builtin.createAccount(request('app_builtin_race'))),
    );
    expect(new Set(concurrent.map((a) => a.account_number)).size).toBe(1);
    expect(concurrent[0].account_number).not.toBe(first.account_number);

    const rows = await hub.sql`
      SELECT application_id, account_number, client_id, account_type, currency FROM accounts
      WHERE application_id IN ('app_builtin_once', 'app_builtin_race') ORDER BY application_id`;
    expect(rows).toEqual([
      {
        application_id: 'app_builtin_once',
        account_number: first.account_number,
        client_id: 'cli_fiona_fischer',
        account_type: 'trust',
        currency: 'EUR',
      },
      {
        application_id: 'app_builtin_race',
        account_number: concurrent[0].account_number,
        client_id: 'cli_fiona_fischer',
        account_type: 'trust',
        currency: 'EUR',
      },
    ]);
  });
});
