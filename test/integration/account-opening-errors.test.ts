import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  auditOf,
  driveTo,
  eventTypesOf,
  expectError,
  expectOk,
  FUNDING_BODY,
  loginAll,
  openApplication,
  readModel,
  type Login,
} from '../support/account-opening.js';
import { startTestHub, type TestHub } from '../support/hub.js';

describe('account opening: every error through the API, with its status, body and audit row', () => {
  let hub: TestHub;
  let tokens: Record<Login, string>;
  beforeAll(async () => {
    hub = await startTestHub();
    tokens = await loginAll(hub);
  });
  afterAll(async () => {
    await hub?.stop();
  });

  const post = (who: Login, id: string, path: string, body?: unknown, headers?: Record<string, string>) =>
    hub.api(tokens[who], 'POST', `/applications/${id}/${path}`, body, headers);

  /** The last audit row of an application, as the API shows it. */
  async function lastAudit(id: string) {
    const { audit } = expectOk(await hub.api(tokens.admin, 'GET', `/applications/${id}/audit`));
    return audit.at(-1);
  }

  it('APPLICATION_NOT_FOUND (404) for an unknown id, on reads and commands', async () => {
    for (const [method, path, body] of [
      ['GET', '/applications/app_doesnotexist00', undefined],
      ['GET', '/applications/app_doesnotexist00/audit', undefined],
      ['GET', '/applications/app_doesnotexist00/events', undefined],
      ['POST', '/applications/app_doesnotexist00/products', { selected_products: ['prd_core_bond'] }],
      ['POST', '/applications/app_doesnotexist00/approve', {}],
      ['POST', '/applications/app_doesnotexist00/retry-account-creation', {}],
    ] as const) {
      const response = await hub.api(tokens.admin, method, path, body);
      expectError(response, 404, 'APPLICATION_NOT_FOUND');
      expect(response.body.error.message).toBe('Account application not found');
    }
  });

  it('ONBOARDING_INCOMPLETE (400) for a client whose KYC is incomplete or pending; refused starts are audited', async () => {
    expectError(
      await hub.api(tokens.beth, 'POST', '/applications', { client_id: 'cli_dana_diaz', account_type: 'individual' }),
      400,
      'ONBOARDING_INCOMPLETE',
    );
    expectError(
      await hub.api(tokens.dana, 'POST', '/applications', { client_id: 'cli_dana_diaz', account_type: 'individual' }),
      400,
      'ONBOARDING_INCOMPLETE',
    );
    const pending = await hub.api(tokens.beth, 'POST', '/applications', {
      client_id: 'cli_evan_evans',
      account_type: 'trust',
    });
    expectError(pending, 400, 'ONBOARDING_INCOMPLETE');
    expect(pending.body.error.message).toContain('pending');
    const refused = await hub.sql`
      SELECT actor_id, actor_role, channel, outcome, error_code, details->>'client_id' AS client_id
      FROM audit_log WHERE action = 'start_application' AND error_code = 'ONBOARDING_INCOMPLETE' ORDER BY id`;
    expect(refused).toEqual([
      {
        actor_id: 'usr_beth_advisor',
        actor_role: 'advisor',
        channel: 'api',
        outcome: 'refused',
        error_code: 'ONBOARDING_INCOMPLETE',
        client_id: 'cli_dana_diaz',
      },
      {
        actor_id: 'usr_dana_client',
        actor_role: 'client',
        channel: 'api',
        outcome: 'refused',
        error_code: 'ONBOARDING_INCOMPLETE',
        client_id: 'cli_dana_diaz',
      },
      {
        actor_id: 'usr_beth_advisor',
        actor_role: 'advisor',
        channel: 'api',
        outcome: 'refused',
        error_code: 'ONBOARDING_INCOMPLETE',
        client_id: 'cli_evan_evans',
      },
    ]);
    expect(
      (
        await hub.sql`SELECT count(*)::int AS n FROM processes WHERE client_id IN ('cli_dana_diaz', 'cli_evan_evans')`
      )[0].n,
    ).toBe(0);
  });

  it('NO_PRODUCTS_SELECTED, RISK_ASSESSMENT_REQUIRED, TERMS_NOT_ACCEPTED and INVALID_STATUS_TRANSITION at each step, with refusals in the audit trail', async () => {
    const id = await openApplication(hub, tokens.alex);
    expectError(await post('alex', id, 'products', { selected_products: [] }), 400, 'NO_PRODUCTS_SELECTED');
    expectError(await post('alex', id, 'products', {}), 400, 'NO_PRODUCTS_SELECTED');
    expectError(await post('alex', id, 'terms', { terms_accepted: true }), 400, 'INVALID_STATUS_TRANSITION');
    expectError(await post('alex', id, 'funding', FUNDING_BODY), 400, 'INVALID_STATUS_TRANSITION');
    expect(await lastAudit(id)).toMatchObject({
      action: 'provide_funding_details',
      outcome: 'refused',
      actor_id: 'usr_alex_advisor',
      actor_role: 'advisor',
      channel: 'api',
      status_before: 'draft',
      status_after: 'draft',
      error_code: 'INVALID_STATUS_TRANSITION',
    });

    expectOk(await post('alex', id, 'products', { selected_products: ['prd_global_equity_index', 'prd_core_bond'] }));
    expectError(await post('alex', id, 'risk-assessment', {}), 400, 'RISK_ASSESSMENT_REQUIRED');
    const partial = await post('alex', id, 'risk-assessment', { risk_score: 50, investment_objective: 'growth' });
    expectError(partial, 400, 'RISK_ASSESSMENT_REQUIRED');
    expect(partial.body.error.message).toContain('investment_horizon');
    expectError(
      await post('alex', id, 'products', { selected_products: ['prd_core_bond'] }),
      400,
      'INVALID_STATUS_TRANSITION',
    );

    expectOk(
      await post('alex', id, 'risk-assessment', {
        risk_score: 50,
        investment_objective: 'balanced',
        investment_horizon: 'medium_term',
      }),
    );
    expectError(await post('alex', id, 'terms', { terms_accepted: false }), 400, 'TERMS_NOT_ACCEPTED');
    // Sent from the board: the channel is recorded with the refusal.
    expectError(await post('alex', id, 'terms', {}, { 'x-hub-channel': 'board' }), 400, 'TERMS_NOT_ACCEPTED');
    expect(await lastAudit(id)).toMatchObject({
      action: 'accept_terms',
      outcome: 'refused',
      channel: 'board',
      status_before: 'terms_review',
      status_after: 'terms_review',
      error_code: 'TERMS_NOT_ACCEPTED',
    });

    const refusals = (await auditOf(hub, id))
      .filter((a) => a.outcome === 'refused')
      .map((a) => [a.action, a.error_code]);
    expect(refusals).toEqual([
      ['select_products', 'NO_PRODUCTS_SELECTED'],
      ['select_products', 'NO_PRODUCTS_SELECTED'],
      ['accept_terms', 'INVALID_STATUS_TRANSITION'],
      ['provide_funding_details', 'INVALID_STATUS_TRANSITION'],
      ['complete_risk_assessment', 'RISK_ASSESSMENT_REQUIRED'],
      ['complete_risk_assessment', 'RISK_ASSESSMENT_REQUIRED'],
      ['select_products', 'INVALID_STATUS_TRANSITION'],
      ['accept_terms', 'TERMS_NOT_ACCEPTED'],
      ['accept_terms', 'TERMS_NOT_ACCEPTED'],
    ]);
    // Refusals change nothing: no event beyond the accepted commands.
    expect(await eventTypesOf(hub, id)).toEqual([
      'account.application_started',
      'account.products_selected',
      'account.risk_assessed',
      'account.suitability_warning',
    ]);
  });

  it('PRODUCT_SUITABILITY_VIOLATION: a conservative score cannot take an aggressive-growth product', async () => {
    const id = await openApplication(hub, tokens.alex);
    expectOk(await post('alex', id, 'products', { selected_products: ['prd_emerging_markets', 'prd_core_bond'] }));
    const refused = await post('alex', id, 'risk-assessment', {
      risk_score: 15,
      investment_objective: 'capital_preservation',
      investment_horizon: 'long_term',
    });
    expectError(refused, 400, 'PRODUCT_SUITABILITY_VIOLATION');
    expect(refused.body.error.details).toEqual({
      risk_profile: 'conservative',
      mismatched_products: ['prd_emerging_markets'],
    });
    expect(await readModel(hub, id)).toMatchObject({
      status: 'risk_assessment',
      detail: { risk_score: null, risk_profile: null },
    });
    expect(await lastAudit(id)).toMatchObject({
      action: 'complete_risk_assessment',
      outcome: 'refused',
      status_before: 'risk_assessment',
      status_after: 'risk_assessment',
      error_code: 'PRODUCT_SUITABILITY_VIOLATION',
    });
    // The boundary: 20 is still conservative, 21 is moderate and only warns.
    expectError(
      await post('alex', id, 'risk-assessment', {
        risk_score: 20,
        investment_objective: 'income',
        investment_horizon: 'long_term',
      }),
      400,
      'PRODUCT_SUITABILITY_VIOLATION',
    );
    const moderate = expectOk(
      await post('alex', id, 'risk-assessment', {
        risk_score: 21,
        investment_objective: 'income',
        investment_horizon: 'long_term',
      }),
    );
    expect(moderate).toMatchObject({ status: 'terms_review', risk_profile: 'moderate' });
    expect(
      moderate.suitability_warnings.map((w: { product_id: string; kind: string }) => [w.kind, w.product_id]),
    ).toEqual([['risk_mismatch', 'prd_emerging_markets']]);
  });

  it('suitability warnings (risk mismatch, illiquid on a short horizon) are shown on the application and emitted with mismatched_products', async () => {
    const id = await openApplication(hub, tokens.alex, 'cli_gabriel_garcia');
    expectOk(
      await post('alex', id, 'products', {
        selected_products: [
          { product_id: 'prd_private_credit', allocation_percent: 70 },
          { product_id: 'prd_treasury_mmf', allocation_percent: 30 },
        ],
      }),
    );
    const assessed = expectOk(
      await post('alex', id, 'risk-assessment', {
        risk_score: 45,
        investment_objective: 'income',
        investment_horizon: 'short_term',
      }),
    );
    expect(assessed.risk_profile).toBe('balanced');
    const shown = expectOk(await hub.api(tokens.alex, 'GET', `/applications/${id}`));
    expect(shown.suitability_warnings.map((w: { kind: string; product_id: string }) => [w.kind, w.product_id])).toEqual(
      [
        ['risk_mismatch', 'prd_private_credit'],
        ['illiquid_short_horizon', 'prd_private_credit'],
      ],
    );
    for (const warning of shown.suitability_warnings) expect(warning.message).toContain('Private Credit Fund');
    const [event] =
      await hub.sql`SELECT payload FROM events WHERE process_id = ${id} AND type = 'account.suitability_warning'`;
    expect(event.payload).toEqual({
      application_id: id,
      risk_profile: 'balanced',
      mismatched_products: ['prd_private_credit'],
      timestamp: expect.any(String),
    });
    const [card] = await hub.sql`SELECT flags FROM processes WHERE process_id = ${id}`;
    expect(card.flags).toContain('suitability_warning');
  });

  it('INSUFFICIENT_MINIMUM_INVESTMENT: each product minimum applies to its share of the amount', async () => {
    const id = await openApplication(hub, tokens.alex);
    await driveTo(hub, tokens.alex, id, 'funding');
    // 50/50 of 8,000: the Core Bond Fund (minimum 5,000) would get 4,000.
    const refused = await post('alex', id, 'funding', { ...FUNDING_BODY, initial_investment_amount: 8_000 });
    expectError(refused, 400, 'INSUFFICIENT_MINIMUM_INVESTMENT');
    expect(refused.body.error.details.shortfalls).toEqual([
      { product_id: 'prd_core_bond', product_name: 'Core Bond Fund', allocated: 4_000, minimum_investment: 5_000 },
    ]);
    expect((await readModel(hub, id)).status).toBe('funding');
    const submitted = expectOk(
      await post('alex', id, 'funding', { ...FUNDING_BODY, initial_investment_amount: 10_000 }),
    );
    expect(submitted.initial_investment_amount).toBe(10_000);
  });

  it('COMPLIANCE_REVIEW_REQUIRED: no override to approved without approvals, no account-creation retry before approval', async () => {
    const id = await openApplication(hub, tokens.alex);
    expectError(await post('admin', id, 'retry-account-creation', {}), 400, 'COMPLIANCE_REVIEW_REQUIRED');
    expectError(
      await post('admin', id, 'override-status', { status: 'approved', reason: 'skip review' }),
      400,
      'COMPLIANCE_REVIEW_REQUIRED',
    );
    await driveTo(hub, tokens.alex, id, 'compliance_review');
    expectError(
      await post('admin', id, 'override-status', { status: 'approved', reason: 'skip review' }),
      400,
      'COMPLIANCE_REVIEW_REQUIRED',
    );
    expectError(await post('admin', id, 'retry-account-creation'), 400, 'COMPLIANCE_REVIEW_REQUIRED');
    expect(await lastAudit(id)).toMatchObject({
      action: 'retry_account_creation',
      outcome: 'refused',
      actor_id: 'usr_ada_admin',
      actor_role: 'admin',
      status_before: 'compliance_review',
      status_after: 'compliance_review',
      error_code: 'COMPLIANCE_REVIEW_REQUIRED',
    });
    expect((await readModel(hub, id)).status).toBe('compliance_review');
  });

  it('FOUR_EYES_VIOLATION (403): an admin cannot approve an application they opened', async () => {
    const id = await openApplication(hub, tokens.admin, 'cli_gabriel_garcia', 'joint');
    await driveTo(hub, tokens.alex, id, 'compliance_review');
    const refused = await post('admin', id, 'approve', {});
    expectError(refused, 403, 'FOUR_EYES_VIOLATION');
    expect(await lastAudit(id)).toMatchObject({
      action: 'compliance_approve',
      outcome: 'refused',
      actor_id: 'usr_ada_admin',
      error_code: 'FOUR_EYES_VIOLATION',
      status_after: 'compliance_review',
    });
    const shown = expectOk(await hub.api(tokens.admin, 'GET', `/applications/${id}`));
    expect(shown.allowed_actions).not.toContain('compliance_approve');
    expect(shown.approvals).toEqual([]);
    expectOk(await post('colin', id, 'approve', {}));
  });

  it('INVALID_STATUS_TRANSITION after the application left the states a command belongs to', async () => {
    const id = await openApplication(hub, tokens.alex);
    expectError(await post('carla', id, 'approve', {}), 400, 'INVALID_STATUS_TRANSITION');
    expectError(await post('carla', id, 'reject', { rejection_reason: 'too early' }), 400, 'INVALID_STATUS_TRANSITION');
    await driveTo(hub, tokens.alex, id, 'compliance_review');
    expectError(await post('alex', id, 'cancel', { reason: 'changed my mind' }), 400, 'INVALID_STATUS_TRANSITION');
    expectOk(await post('carla', id, 'reject', { rejection_reason: 'Source of funds not documented' }));
    expectError(await post('colin', id, 'approve', {}), 400, 'INVALID_STATUS_TRANSITION');
    expectError(
      await post('admin', id, 'override-status', { status: 'draft', reason: 'reopen' }),
      400,
      'INVALID_STATUS_TRANSITION',
    );
    expect(await lastAudit(id)).toMatchObject({
      action: 'override_status',
      outcome: 'refused',
      status_before: 'rejected',
      status_after: 'rejected',
      error_code: 'INVALID_STATUS_TRANSITION',
    });
  });

  it('401 UNAUTHENTICATED without a token, with an unknown one, or with another scheme', async () => {
    for (const headers of [
      {},
      { authorization: 'Bearer not-a-token' },
      { authorization: 'Basic YWRhOnB3' },
      { authorization: 'Bearer' },
    ] as Record<string, string>[]) {
      const response = await hub.api(null, 'GET', '/applications', undefined, headers);
      expectError(response, 401, 'UNAUTHENTICATED');
    }
    expectError(
      await hub.api(null, 'POST', '/applications', { client_id: 'cli_chris_carter', account_type: 'individual' }),
      401,
      'UNAUTHENTICATED',
    );
    expectError(
      await hub.api(null, 'POST', '/auth/login', { email: 'alex.advisor@hub.example', password: 'wrong password' }),
      401,
      'UNAUTHENTICATED',
    );
    const ended = await hub.login('maya.manager@hub.example');
    expect((await hub.api(ended, 'POST', '/auth/logout')).status).toBe(204);
    expectError(await hub.api(ended, 'GET', '/applications'), 401, 'UNAUTHENTICATED');
  });

  it('403 FORBIDDEN for a role or relation the policy refuses; nothing changes and the refusal is audited', async () => {
    const id = await openApplication(hub, tokens.alex);
    expectError(
      await hub.api(tokens.beth, 'POST', '/applications', {
        client_id: 'cli_chris_carter',
        account_type: 'individual',
      }),
      403,
      'FORBIDDEN',
    );
    expectError(
      await hub.api(tokens.fiona, 'POST', '/applications', {
        client_id: 'cli_chris_carter',
        account_type: 'individual',
      }),
      403,
      'FORBIDDEN',
    );
    expectError(await post('beth', id, 'products', { selected_products: ['prd_core_bond'] }), 403, 'FORBIDDEN');
    expectError(await post('fiona', id, 'cancel', {}), 403, 'FORBIDDEN');
    expectError(await post('ops', id, 'cancel', {}), 403, 'FORBIDDEN');
    expectError(await hub.api(tokens.beth, 'GET', `/applications/${id}`), 403, 'FORBIDDEN');
    expectError(await hub.api(tokens.fiona, 'GET', `/applications/${id}/audit`), 403, 'FORBIDDEN');
    expect(await readModel(hub, id)).toMatchObject({ status: 'draft', version: 1 });
    const refusals = (await auditOf(hub, id)).filter((a) => a.outcome === 'refused');
    expect(
      refusals.map((a) => [a.action, a.actor_id, a.actor_role, a.error_code, a.status_before, a.status_after]),
    ).toEqual([
      ['select_products', 'usr_beth_advisor', 'advisor', 'FORBIDDEN', 'draft', 'draft'],
      ['cancel_application', 'usr_fiona_client', 'client', 'FORBIDDEN', 'draft', 'draft'],
      ['cancel_application', 'usr_omar_ops', 'ops', 'FORBIDDEN', 'draft', 'draft'],
      ['get_application_status', 'usr_beth_advisor', 'advisor', 'FORBIDDEN', 'draft', 'draft'],
      ['read_audit_trail', 'usr_fiona_client', 'client', 'FORBIDDEN', 'draft', 'draft'],
    ]);
  });

  it('400 VALIDATION_FAILED names the field: wrong types, unknown fields, malformed JSON, a missing body', async () => {
    const id = await openApplication(hub, tokens.alex);
    const cases: [string, string, unknown, string][] = [
      ['POST', '/applications', { client_id: 'cli_chris_carter', account_type: 'savings_jar' }, 'account_type'],
      ['POST', '/applications', { client_id: 42, account_type: 'individual' }, 'client_id'],
      [
        'POST',
        '/applications',
        { client_id: 'cli_chris_carter', account_type: 'individual', nickname: 'x' },
        'nickname',
      ],
      ['POST', '/applications', { client_id: 'cli_nobody', account_type: 'individual' }, 'client_id'],
      ['POST', '/applications', '{"client_id": "cli_chris_carter",', 'body'],
      ['POST', '/applications', undefined, 'client_id'],
      ['POST', `/applications/${id}/products`, { selected_products: 'prd_core_bond' }, 'selected_products'],
      ['POST', `/applications/${id}/products`, { selected_products: ['prd_core_bond'], priority: 'high' }, 'priority'],
      [
        'POST',
        `/applications/${id}/products`,
        { selected_products: ['prd_core_bond', 'prd_core_bond'] },
        'selected_products',
      ],
      ['POST', `/applications/${id}/products`, { selected_products: ['prd_no_such_fund'] }, 'selected_products'],
      [
        'POST',
        `/applications/${id}/products`,
        {
          selected_products: [
            { product_id: 'prd_core_bond', allocation_percent: 60 },
            { product_id: 'prd_treasury_mmf', allocation_percent: 30 },
          ],
        },
        'selected_products',
      ],
      ['POST', `/applications/${id}/products`, '[not json', 'body'],
      ['POST', `/applications/${id}/products`, 'null', 'body'],
      [
        'POST',
        `/applications/${id}/risk-assessment`,
        { risk_score: '55', investment_objective: 'growth', investment_horizon: 'long_term' },
        'risk_score',
      ],
      [
        'POST',
        `/applications/${id}/risk-assessment`,
        { risk_score: 101, investment_objective: 'growth', investment_horizon: 'long_term' },
        'risk_score',
      ],
      ['POST', `/applications/${id}/terms`, { terms_accepted: 'yes' }, 'terms_accepted'],
      [
        'POST',
        `/applications/${id}/funding`,
        { ...FUNDING_BODY, initial_investment_amount: -5 },
        'initial_investment_amount',
      ],
      ['POST', `/applications/${id}/funding`, { ...FUNDING_BODY, source_of_funds: undefined }, 'source_of_funds'],
      ['POST', `/applications/${id}/funding`, { ...FUNDING_BODY, currency: 'BTC' }, 'currency'],
      [
        'POST',
        `/applications/${id}/funding`,
        { ...FUNDING_BODY, initial_investment_amount: 50_000.005 },
        'initial_investment_amount',
      ],
      [
        'POST',
        `/applications/${id}/funding`,
        { ...FUNDING_BODY, currency: 'EUR', initial_investment_amount: 0.001 },
        'initial_investment_amount',
      ],
      ['POST', `/applications/${id}/reject`, undefined, 'rejection_reason'],
      ['POST', `/applications/${id}/reject`, { rejection_reason: '   ' }, 'rejection_reason'],
      ['POST', `/applications/${id}/approve`, { notes: 5 }, 'notes'],
      ['POST', `/applications/${id}/override-status`, { status: 'somewhere', reason: 'x' }, 'status'],
      [
        'POST',
        `/applications/${id}/reassign`,
        { advisor_id: 'usr_carla_compliance', reason: 'wrong desk' },
        'advisor_id',
      ],
      ['GET', '/applications?status=draft,limbo', undefined, 'status.1'],
      ['GET', '/applications?limit=0', undefined, 'limit'],
      ['GET', '/applications?cursor=bm90LWEtY3Vyc29y', undefined, 'cursor'],
      ['GET', '/events?after=-1', undefined, 'after'],
      ['GET', `/applications/${'x'.repeat(101)}`, undefined, 'id'],
    ];
    for (const [method, path, body, field] of cases) {
      const token =
        path.includes('reassign') || path.includes('override')
          ? tokens.admin
          : path.includes('reject') || path.includes('approve')
            ? tokens.carla
            : tokens.alex;
      const response = await hub.api(token, method, path, body);
      expectError(response, 400, 'VALIDATION_FAILED');
      expect({ path, body, field: response.body.error.details?.field }).toEqual({ path, body, field });
      expect(response.body.error.message.startsWith(`${field}: `), response.body.error.message).toBe(true);
    }
    const tooPrecise = await hub.api(tokens.alex, 'POST', `/applications/${id}/funding`, {
      ...FUNDING_BODY,
      initial_investment_amount: 50_000.005,
    });
    expect(tooPrecise.body.error.message).toBe('initial_investment_amount: USD amounts have at most 2 decimals');
    // A malformed body is still a refused command in the audit trail.
    const audit = await auditOf(hub, id);
    expect(
      audit.filter((a) => a.outcome === 'refused' && a.error_code === 'VALIDATION_FAILED').map((a) => a.action),
    ).toContain('provide_funding_details');
    expect(
      audit.some(
        (a) =>
          a.action === 'select_products' &&
          a.error_code === 'VALIDATION_FAILED' &&
          (a.details as { message: string }).message.startsWith('body: '),
      ),
    ).toBe(true);
    expect(await readModel(hub, id)).toMatchObject({ status: 'draft', version: 1 });
  });

  it('no input makes the server answer 500: fractional scores, odd bodies and content types', async () => {
    const id = await openApplication(hub, tokens.alex);
    expectOk(await post('alex', id, 'products', { selected_products: ['prd_treasury_mmf'] }));
    const fractional = expectOk(
      await post('alex', id, 'risk-assessment', {
        risk_score: 20.5,
        investment_objective: 'income',
        investment_horizon: 'medium_term',
      }),
    );
    expect(fractional).toMatchObject({ status: 'terms_review', risk_score: 20.5, risk_profile: 'moderate' });

    const other = await openApplication(hub, tokens.alex);
    const odd: [string, unknown, Record<string, string>?][] = [
      ['products', '42'],
      ['products', '"prd_core_bond"'],
      ['products', { selected_products: [{}] }],
      ['products', { selected_products: [null] }],
      ['products', { selected_products: Array.from({ length: 21 }, (_, i) => `prd_${i}`) }],
      ['products', { selected_products: [{ product_id: 'prd_core_bond', allocation_percent: 0 }] }],
      ['products', 'selected_products=prd_core_bond', { 'content-type': 'application/x-www-form-urlencoded' }],
      ['products', '{"selected_products":["prd_core_bond"]}', { 'content-type': 'text/plain' }],
      // eslint-disable-next-line no-loss-of-precision -- a number JSON carries but no double holds
      ['risk-assessment', { risk_score: 1e309 }],
      ['funding', { ...FUNDING_BODY, initial_investment_amount: 1e13 }],
    ];
    for (const [path, body, headers] of odd) {
      const response = await post('alex', other, path, body, headers);
      expect({ path, body, status: response.status }).toEqual({ path, body, status: expect.any(Number) });
      expect(response.status, JSON.stringify(response.body)).toBeLessThan(500);
      expect(typeof response.body.error.code).toBe('string');
    }
    expect(await readModel(hub, other)).toMatchObject({ status: 'draft', version: 1 });
  });
});
