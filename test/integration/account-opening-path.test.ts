import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountOpeningSpec } from '../../workflows/account-opening/spec.js';
import {
  driveTo,
  expectOk,
  FUNDING_BODY,
  loginAll,
  openApplication,
  PRODUCTS_BODY,
  RISK_BODY,
  type Login,
} from '../support/account-opening.js';
import { eventually, startTestHub, waitForStatus, type TestHub } from '../support/hub.js';

/** The blueprint's payload fields of an event, exactly: no field missing, none invented. */
function expectBlueprintPayload(event: { type: string; payload: Record<string, unknown> }) {
  const fields = accountOpeningSpec.events[event.type as keyof typeof accountOpeningSpec.events]?.payload;
  expect(fields, `${event.type} is an event of the spec`).toBeDefined();
  expect(Object.keys(event.payload).sort(), event.type).toEqual([...fields].sort());
  expect(Number.isNaN(Date.parse(event.payload.timestamp as string)), `${event.type} timestamp`).toBe(false);
}

describe('account opening through the API, from draft to account_created', () => {
  let hub: TestHub;
  let tokens: Record<Login, string>;
  beforeAll(async () => {
    hub = await startTestHub();
    tokens = await loginAll(hub);
  });
  afterAll(async () => {
    await hub?.stop();
  });

  it('the advisor opens, compliance approves, the CRM books the account; audit trail and events tell the story in order', async () => {
    const startedAt = await hub.sql`SELECT coalesce(max(sequence), 0)::bigint AS s FROM events`.then(([r]) =>
      Number(r.s),
    );

    const catalog = expectOk(await hub.api(tokens.alex, 'GET', '/clients/cli_chris_carter/products'));
    expect(catalog.client_id).toBe('cli_chris_carter');
    expect(catalog.kyc_status).toBe('complete');
    const equity = catalog.products.find((p: { id: string }) => p.id === 'prd_global_equity_index');
    expect(equity).toMatchObject({
      risk_level: 'growth',
      liquidity: 'daily',
      minimum_investment: 2500,
      management_fee_percent: 0.2,
    });
    expect(equity.description.length).toBeGreaterThan(0);

    const created = expectOk(
      await hub.api(tokens.alex, 'POST', '/applications', {
        client_id: 'cli_chris_carter',
        account_type: 'individual',
      }),
      201,
    );
    const id = created.application_id as string;
    expect(created).toMatchObject({
      status: 'draft',
      client_id: 'cli_chris_carter',
      advisor_id: 'usr_alex_advisor',
      opened_by: 'usr_alex_advisor',
    });
    expect(id).toMatch(/^app_[a-z0-9]{16}$/);

    const draft = expectOk(await hub.api(tokens.alex, 'GET', `/applications/${id}`));
    expect(draft.progress).toEqual({ step: 1, of: 9, label: 'Draft' });
    expect([...draft.allowed_actions].sort()).toEqual(['cancel_application', 'select_products']);

    const selected = expectOk(await hub.api(tokens.alex, 'POST', `/applications/${id}/products`, PRODUCTS_BODY));
    expect(selected.status).toBe('risk_assessment');
    expect(selected.selected_products).toEqual([
      {
        product_id: 'prd_global_equity_index',
        product_name: 'Global Equity Index Fund',
        product_version: 1,
        allocation_percent: 50,
      },
      { product_id: 'prd_core_bond', product_name: 'Core Bond Fund', product_version: 1, allocation_percent: 50 },
    ]);

    const assessed = expectOk(await hub.api(tokens.alex, 'POST', `/applications/${id}/risk-assessment`, RISK_BODY));
    expect(assessed).toMatchObject({
      status: 'terms_review',
      risk_score: 55,
      risk_profile: 'balanced',
      investment_objective: 'growth',
      investment_horizon: 'long_term',
    });
    // A growth fund on a balanced profile is a mismatch the blueprint warns about without refusing.
    expect(assessed.suitability_warnings).toEqual([
      expect.objectContaining({ kind: 'risk_mismatch', product_id: 'prd_global_equity_index' }),
    ]);

    const accepted = expectOk(
      await hub.api(tokens.alex, 'POST', `/applications/${id}/terms`, { terms_accepted: true }),
    );
    expect(accepted.status).toBe('funding');
    expect(accepted.terms_accepted).toBe(true);
    expect(Number.isNaN(Date.parse(accepted.terms_accepted_at))).toBe(false);

    const submitted = expectOk(await hub.api(tokens.alex, 'POST', `/applications/${id}/funding`, FUNDING_BODY));
    expect(['submitted', 'compliance_review']).toContain(submitted.status);
    expect(submitted).toMatchObject({
      funding_method: 'wire_transfer',
      initial_investment_amount: 50_000,
      currency: 'USD',
      source_of_funds: 'savings',
    });
    expect(submitted).toMatchObject({ approvals_required: 1, edd_required: false, politically_exposed: false });

    const inReview = await waitForStatus(hub.sql, id, 'compliance_review', 30_000);
    expect(['usr_carla_compliance', 'usr_colin_compliance', 'usr_helen_head']).toContain(inReview.assigned_officer_id);

    const review = expectOk(await hub.api(tokens.carla, 'GET', `/applications/${id}`));
    expect(review.progress).toEqual({ step: 7, of: 9, label: 'Compliance review' });
    expect([...review.allowed_actions].sort()).toEqual(['compliance_approve', 'compliance_reject']);
    expect(expectOk(await hub.api(tokens.alex, 'GET', `/applications/${id}`)).allowed_actions).toEqual([]);

    const approved = expectOk(
      await hub.api(tokens.carla, 'POST', `/applications/${id}/approve`, { notes: 'Source of funds verified' }),
    );
    // The answer is the application once the approval is recorded; the system may already have moved on.
    expect(['approved', 'account_created']).toContain(approved.status);
    expect(approved.approvals).toEqual([
      expect.objectContaining({
        approved_by: 'usr_carla_compliance',
        role: 'compliance_officer',
        channel: 'api',
        notes: 'Source of funds verified',
      }),
    ]);

    await waitForStatus(hub.sql, id, 'account_created', 30_000);
    const done = expectOk(await hub.api(tokens.alex, 'GET', `/applications/${id}`));
    expect(done).toMatchObject({
      status: 'account_created',
      decided_by: 'usr_carla_compliance',
      crm_failure: null,
      allowed_actions: [],
    });
    expect(done.progress).toEqual({ step: 9, of: 9, label: 'Account created' });
    expect(done.account_number).toMatch(/^INV-\d{8}$/);
    const accounts =
      await hub.sql`SELECT account_number, client_id, account_type, currency FROM accounts WHERE application_id = ${id}`;
    expect(accounts).toEqual([
      {
        account_number: done.account_number,
        client_id: 'cli_chris_carter',
        account_type: 'individual',
        currency: 'USD',
      },
    ]);

    // The audit trail, as the advisor reads it: every accepted command with actor, role, channel and statuses.
    const { audit } = expectOk(await hub.api(tokens.alex, 'GET', `/applications/${id}/audit`));
    const advisor = { actor_id: 'usr_alex_advisor', actor_role: 'advisor', channel: 'api' };
    const system = { actor_id: 'system', actor_role: 'system', channel: 'system' };
    const accepted_ = (action: string, who: object, status_before: string, status_after: string) => ({
      action,
      outcome: 'accepted',
      ...who,
      status_before,
      status_after,
      error_code: null,
    });
    expect(
      audit.map(
        ({
          action,
          outcome,
          actor_id,
          actor_role,
          channel,
          status_before,
          status_after,
          error_code,
        }: Record<string, unknown>) => ({
          action,
          outcome,
          actor_id,
          actor_role,
          channel,
          status_before,
          status_after,
          error_code,
        }),
      ),
    ).toEqual([
      accepted_('start_application', advisor, 'draft', 'draft'),
      accepted_('select_products', advisor, 'draft', 'risk_assessment'),
      accepted_('complete_risk_assessment', advisor, 'risk_assessment', 'terms_review'),
      accepted_('accept_terms', advisor, 'terms_review', 'funding'),
      accepted_('provide_funding_details', advisor, 'funding', 'submitted'),
      accepted_('begin_review', system, 'submitted', 'compliance_review'),
      accepted_(
        'compliance_approve',
        { actor_id: 'usr_carla_compliance', actor_role: 'compliance_officer', channel: 'api' },
        'compliance_review',
        'approved',
      ),
      accepted_('create_account', system, 'approved', 'account_created'),
    ]);
    expect(audit.at(-1).details).toMatchObject({ account_number: done.account_number });
    const times = audit.map((a: { at: string }) => Date.parse(a.at));
    expect([...times].sort((a, b) => a - b)).toEqual(times);

    // Events in commit order, each with exactly the blueprint's payload; the views once queued ones are drained.
    await hub.server.views.flush();
    const { events } = expectOk(await hub.api(tokens.alex, 'GET', `/applications/${id}/events`));
    const changes = events.filter((e: { type: string }) => e.type !== 'account.status_viewed');
    expect(changes.map((e: { type: string }) => e.type)).toEqual([
      'account.application_started',
      'account.products_selected',
      'account.risk_assessed',
      'account.suitability_warning',
      'account.terms_accepted',
      'account.submitted',
      'account.review_started',
      'account.approved',
      'account.created',
    ]);
    for (const event of events) expectBlueprintPayload(event);
    const sequences = events.map((e: { sequence: number }) => e.sequence);
    expect([...sequences].sort((a, b) => a - b)).toEqual(sequences);
    const payloadOf = (type: string) => changes.find((e: { type: string }) => e.type === type).payload;
    expect(payloadOf('account.application_started')).toMatchObject({
      application_id: id,
      client_id: 'cli_chris_carter',
    });
    expect(payloadOf('account.products_selected').selected_products).toEqual(selected.selected_products);
    expect(payloadOf('account.risk_assessed')).toMatchObject({ risk_profile: 'balanced', risk_score: 55 });
    expect(payloadOf('account.suitability_warning')).toMatchObject({
      risk_profile: 'balanced',
      mismatched_products: ['prd_global_equity_index'],
    });
    expect(payloadOf('account.terms_accepted').terms_accepted_at).toBe(accepted.terms_accepted_at);
    expect(payloadOf('account.submitted')).toMatchObject({ funding_method: 'wire_transfer', amount: 50_000 });
    expect(payloadOf('account.approved')).toMatchObject({ approved_by: 'usr_carla_compliance' });
    expect(payloadOf('account.created')).toMatchObject({
      account_number: done.account_number,
      client_id: 'cli_chris_carter',
    });

    // Every GET of the application was a view event, with who viewed it.
    const views = events
      .filter((e: { type: string }) => e.type === 'account.status_viewed')
      .map((e: { payload: { viewed_by: string } }) => e.payload.viewed_by);
    expect(views).toEqual(['usr_alex_advisor', 'usr_carla_compliance', 'usr_alex_advisor', 'usr_alex_advisor']);

    // The global feed has the same changes in the same order, plus the product listing.
    const feed = expectOk(await hub.api(tokens.ops, 'GET', `/events?after=${startedAt}&limit=1000`));
    const listed = feed.events.filter((e: { type: string }) => e.type === 'products.listed');
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ process_id: null, payload: { client_id: 'cli_chris_carter' } });
    expectBlueprintPayload(listed[0]);
    expect(listed[0].sequence).toBeLessThan(events[0].sequence);
    expect(
      feed.events
        .filter((e: { process_id: string | null }) => e.process_id === id)
        .map((e: { sequence: number }) => e.sequence),
    ).toEqual(sequences);
    expect(feed.last_sequence).toBe(feed.events.at(-1).sequence);

    // The client and the advisor hear about the new account.
    await eventually(
      async () =>
        (
          await hub.sql`SELECT user_id FROM notifications WHERE process_id = ${id} AND kind = 'account_created' ORDER BY user_id`
        ).length === 2,
      { what: 'account_created notifications' },
    );
    const notified =
      await hub.sql`SELECT user_id FROM notifications WHERE process_id = ${id} AND kind = 'account_created' ORDER BY user_id`;
    expect(notified.map((n) => n.user_id)).toEqual(['usr_alex_advisor', 'usr_chris_client']);
  });

  it("a command's answer is the application as that command left it, never a state the read model does not have yet", async () => {
    const id = await openApplication(hub, tokens.alex);
    await driveTo(hub, tokens.alex, id, 'compliance_review');
    // Hold the read-model row so the approval's recording waits, while the workflow already books the account.
    const holder = await hub.sql.reserve();
    try {
      await holder`BEGIN`;
      await holder`SELECT 1 FROM processes WHERE process_id = ${id} FOR UPDATE`;
      const answer = hub.api(tokens.carla, 'POST', `/applications/${id}/approve`, {});
      await eventually(async () => (await hub.sql`SELECT 1 FROM accounts WHERE application_id = ${id}`).length === 1, {
        what: 'the account booking',
      });
      await holder`COMMIT`;
      const approved = expectOk(await answer);
      expect({ status: approved.status, version: approved.version }).toEqual({ status: 'approved', version: 7 });
    } finally {
      holder.release();
    }
    await waitForStatus(hub.sql, id, 'account_created', 30_000);
  });

  it('a client opens their own application and lists it; the list shows each caller only what they may see', async () => {
    const created = expectOk(
      await hub.api(tokens.chris, 'POST', '/applications', { client_id: 'cli_chris_carter', account_type: 'roth_ira' }),
      201,
    );
    const id = created.application_id as string;
    expect(created.opened_by).toBe('usr_chris_client');
    const mine = expectOk(await hub.api(tokens.chris, 'GET', '/applications?status=draft'));
    expect(mine.applications.map((a: { application_id: string }) => a.application_id)).toContain(id);
    expect(mine.applications.every((a: { client_id: string }) => a.client_id === 'cli_chris_carter')).toBe(true);
    expect(expectOk(await hub.api(tokens.fiona, 'GET', '/applications')).applications).toEqual([]);
    expect(expectOk(await hub.api(tokens.beth, 'GET', '/applications')).applications).toEqual([]);
    const byClient = expectOk(
      await hub.api(tokens.ops, 'GET', '/applications?client_id=cli_chris_carter&status=draft,account_created'),
    );
    expect(byClient.applications.map((a: { application_id: string }) => a.application_id)).toContain(id);
    expect(new Set(byClient.applications.map((a: { status: string }) => a.status))).toEqual(
      new Set(['draft', 'account_created']),
    );
  });

  it('an Idempotency-Key makes a retried start name the same application', async () => {
    const first = expectOk(
      await hub.api(
        tokens.alex,
        'POST',
        '/applications',
        { client_id: 'cli_gabriel_garcia', account_type: 'joint' },
        { 'idempotency-key': 'open-gabriel-1' },
      ),
      201,
    );
    const again = expectOk(
      await hub.api(
        tokens.alex,
        'POST',
        '/applications',
        { client_id: 'cli_gabriel_garcia', account_type: 'joint' },
        { 'idempotency-key': 'open-gabriel-1' },
      ),
      201,
    );
    expect(again.application_id).toBe(first.application_id);
    const starts =
      await hub.sql`SELECT count(*)::int AS n FROM audit_log WHERE process_id = ${first.application_id} AND action = 'start_application'`;
    expect(starts[0].n).toBe(1);

    // Once the application has ended, the same key still names it: no second run behind the read model's back.
    expectOk(
      await hub.api(tokens.alex, 'POST', `/applications/${first.application_id}/cancel`, { reason: 'opened twice' }),
    );
    const afterEnd = await hub.api(
      tokens.alex,
      'POST',
      '/applications',
      { client_id: 'cli_gabriel_garcia', account_type: 'joint' },
      { 'idempotency-key': 'open-gabriel-1' },
    );
    expect(afterEnd.body).toMatchObject({ application_id: first.application_id, status: 'cancelled' });
    const runs = await hub.server.deps.temporal.workflow.list({
      query: `WorkflowId = 'account-opening/${first.application_id}'`,
    });
    const statuses: string[] = [];
    for await (const run of runs) statuses.push(run.status.name);
    expect(statuses).toEqual(['COMPLETED']);
  });
});
