import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventJob } from '../../db/transitions.js';
import { openPortfolioForAccount } from '../../workers/jobs/open-portfolio.js';
import { eventually, startTestHub, waitForStatus, type TestHub } from '../support/hub.js';

describe('an account opened by the hub becomes a portfolio kept on its model', () => {
  let hub: TestHub;
  let alex: string;
  let applicationId: string;
  let accountNumber: string;
  beforeAll(async () => {
    hub = await startTestHub();
    alex = await hub.login('alex.advisor@hub.example');
  });
  afterAll(async () => {
    await hub?.stop();
  });

  it('opens a portfolio of cash on the model of the risk profile when the account is created', async () => {
    const carla = await hub.login('carla.compliance@hub.example');
    const created = await hub.api(alex, 'POST', '/applications', {
      client_id: 'cli_chris_carter',
      account_type: 'individual',
    });
    applicationId = created.body.application_id;
    const steps: [string, unknown][] = [
      ['products', { selected_products: ['prd_global_equity_index', 'prd_core_bond'] }],
      ['risk-assessment', { risk_score: 55, investment_objective: 'growth', investment_horizon: 'long_term' }],
      ['terms', { terms_accepted: true }],
      [
        'funding',
        {
          funding_method: 'wire_transfer',
          initial_investment_amount: 50000,
          currency: 'USD',
          source_of_funds: 'savings',
        },
      ],
    ];
    for (const [step, body] of steps)
      expect((await hub.api(alex, 'POST', `/applications/${applicationId}/${step}`, body)).status).toBe(200);
    await waitForStatus(hub.sql, applicationId, 'compliance_review');
    expect((await hub.api(carla, 'POST', `/applications/${applicationId}/approve`, {})).status).toBe(200);
    accountNumber = (await waitForStatus(hub.sql, applicationId, 'account_created')).account_number;

    const portfolio = await eventually(
      async () => (await hub.sql`SELECT * FROM portfolios WHERE account_number = ${accountNumber}`)[0],
      { what: 'the portfolio' },
    );
    expect(portfolio).toMatchObject({
      id: `pf_${accountNumber.toLowerCase().replace('-', '')}`,
      client_id: 'cli_chris_carter',
      model_id: 'balanced',
      cash: '50000.00',
      currency: 'USD',
    });
    const [event] = await hub.sql`SELECT payload FROM events WHERE type = 'portfolio.opened'`;
    expect(event.payload).toMatchObject({
      portfolio_id: portfolio.id,
      account_number: accountNumber,
      client_id: 'cli_chris_carter',
      model_id: 'balanced',
      cash: 50000,
    });
    const [audit] = await hub.sql`SELECT actor_id, action, details FROM audit_log WHERE process_id = ${portfolio.id}`;
    expect(audit).toMatchObject({
      actor_id: 'system',
      action: 'open_portfolio',
      details: { application_id: applicationId, risk_profile: 'balanced' },
    });

    const view = await hub.api(alex, 'GET', `/portfolios/${portfolio.id}`);
    expect(view.status).toBe(200);
    expect(view.body).toMatchObject({
      holdings: [],
      cash: 50000,
      total_value: 50000,
      drift: { out_of_band: true, cash: { actual: 1, target: 0.03 } },
    });

    // The job may run again (a retry, a redelivery): still one portfolio.
    const job: EventJob = {
      process_type: 'account_opening',
      process_id: applicationId,
      type: 'account.created',
      payload: { account_number: accountNumber },
    };
    expect(await openPortfolioForAccount(hub.sql, job)).toBeNull();
    expect(
      (await hub.sql`SELECT count(*)::int AS n FROM portfolios WHERE account_number = ${accountNumber}`)[0].n,
    ).toBe(1);
  });

  it('the advisor changes the model, then invests the cash with a rebalance', async () => {
    const id = `pf_${accountNumber.toLowerCase().replace('-', '')}`;
    const unknown = await hub.api(alex, 'PUT', `/portfolios/${id}/model`, { model_id: 'daring', reason: 'x' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toBe(
      'model_id: no model daring; models: conservative, balanced, growth, aggressive',
    );
    const changed = await hub.api(alex, 'PUT', `/portfolios/${id}/model`, {
      model_id: 'growth',
      reason: 'Long horizon; client prefers growth',
    });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ model_id: 'growth', model: { id: 'growth', cash_weight: 0.02 } });
    const [event] = await hub.sql`SELECT payload FROM events WHERE type = 'portfolio.model_changed'`;
    expect(event.payload).toMatchObject({
      portfolio_id: id,
      from_model: 'balanced',
      to_model: 'growth',
      changed_by: 'usr_alex_advisor',
    });

    const started = await hub.api(alex, 'POST', `/portfolios/${id}/rebalance`);
    expect(started.status).toBe(201);
    expect(started.body.proposal.trades.every((t: any) => t.side === 'buy')).toBe(true);
    expect(started.body.proposal.trades.map((t: any) => t.symbol).sort()).toEqual([
      'BND',
      'BNDX',
      'GLDM',
      'SCHD',
      'VNQ',
      'VTI',
      'VWO',
      'VXUS',
    ]);
    expect(started.body.model_id).toBe('growth');
    expect((await hub.api(alex, 'POST', `/rebalances/${started.body.rebalance_id}/approve`, {})).status).toBe(200);
    const done = await waitForStatus(hub.sql, started.body.rebalance_id, 'completed');
    expect(done.verification).toMatchObject({ within_bands: true });
    const view = await hub.api(alex, 'GET', `/portfolios/${id}`);
    expect(view.body.holdings).toHaveLength(8);
    expect(view.body.holdings.every((h: any) => h.lots.length === 1 && h.lots[0].term === 'short')).toBe(true);
    expect(view.body.drift.out_of_band).toBe(false);
  });
});
