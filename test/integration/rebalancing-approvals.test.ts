import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, waitForNotice, waitForStatus, type TestHub } from '../support/hub.js';

describe('rebalancing approvals: the advisor, and compliance (four eyes) above the threshold', () => {
  let hub: TestHub;
  let alex: string;
  let beth: string;
  let carla: string;
  let colin: string;
  let ada: string;
  beforeAll(async () => {
    hub = await startTestHub();
    [alex, beth, carla, colin, ada] = await Promise.all(
      ['alex.advisor', 'beth.advisor', 'carla.compliance', 'colin.compliance', 'ada.admin'].map((name) =>
        hub.login(`${name}@hub.example`),
      ),
    );
  });
  afterAll(async () => {
    await hub?.stop();
  });

  const refusalsOf = (id: string) =>
    hub.sql`SELECT actor_id, action, error_code FROM audit_log WHERE process_id = ${id} AND outcome = 'refused' ORDER BY id`;

  it('above the threshold: the advisor approves, compliance must approve too, and the advisor may not give that approval', async () => {
    const started = await hub.api(alex, 'POST', '/portfolios/pf_priya_balanced/rebalance', undefined, {
      'idempotency-key': 'priya-1',
    });
    expect(started.status).toBe(201);
    const id = started.body.rebalance_id as string;
    expect(started.body).toMatchObject({
      status: 'awaiting_advisor',
      trigger: 'manual',
      started_by: 'usr_alex_advisor',
      needs_compliance: true,
      compliance_threshold: 100000,
    });
    expect(started.body.proposal_value).toBeGreaterThan(100000);

    // The same request again names the same rebalance; another one is refused while it runs.
    const retried = await hub.api(alex, 'POST', '/portfolios/pf_priya_balanced/rebalance', undefined, {
      'idempotency-key': 'priya-1',
    });
    expect(retried.status).toBe(201);
    expect(retried.body.rebalance_id).toBe(id);
    const second = await hub.api(alex, 'POST', '/portfolios/pf_priya_balanced/rebalance');
    expect(second.status).toBe(409);
    expect(second.body.error).toMatchObject({
      code: 'REBALANCE_IN_PROGRESS',
      details: { rebalance_id: id, status: 'awaiting_advisor' },
    });

    const early = await hub.api(carla, 'POST', `/rebalances/${id}/compliance-approve`, {});
    expect(early.status).toBe(400);
    expect(early.body.error.code).toBe('INVALID_STATUS_TRANSITION');

    const approved = await hub.api(alex, 'POST', `/rebalances/${id}/approve`, {
      notes: 'Bonds are 7 points under target',
    });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ status: 'awaiting_compliance', allowed_actions: ['edit', 'decline'] });
    expect(['usr_carla_compliance', 'usr_colin_compliance', 'usr_helen_head']).toContain(
      approved.body.assigned_officer_id,
    );
    const [card] = await hub.sql`SELECT status, assigned_user_id, flags FROM processes WHERE process_id = ${id}`;
    expect(card).toMatchObject({ status: 'awaiting_compliance', assigned_user_id: approved.body.assigned_officer_id });
    expect(card.flags).toContain('needs_compliance');
    const notice = await waitForNotice(hub.sql, 'notification_created', async () => {
      const [found] =
        await hub.sql`SELECT user_id, title FROM notifications WHERE process_id = ${id} AND kind = 'rebalance_compliance_needed'`;
      return found;
    });
    expect(notice).toEqual({
      user_id: approved.body.assigned_officer_id,
      title: 'Compliance approval needed: rebalance for Priya Patel',
    });

    const byAdvisor = await hub.api(alex, 'POST', `/rebalances/${id}/compliance-approve`, {});
    expect(byAdvisor.status).toBe(403);
    expect(byAdvisor.body.error.code).toBe('FORBIDDEN');
    const byOtherAdvisor = await hub.api(beth, 'POST', `/rebalances/${id}/compliance-approve`, {});
    expect(byOtherAdvisor.status).toBe(403);

    const complianceView = await hub.api(carla, 'GET', `/rebalances/${id}`);
    expect(complianceView.body.allowed_actions).toEqual(['decline', 'compliance_approve']);
    const done = await hub.api(carla, 'POST', `/rebalances/${id}/compliance-approve`, {
      notes: 'Reviewed: within mandate',
    });
    expect(done.status).toBe(200);
    expect(done.body.compliance_approval).toMatchObject({
      approved_by: 'usr_carla_compliance',
      notes: 'Reviewed: within mandate',
    });
    const completed = await waitForStatus(hub.sql, id, 'completed');
    expect(completed.verification.within_bands).toBe(true);
    expect(completed.advisor_approval.approved_by).toBe('usr_alex_advisor');

    expect((await refusalsOf(id)).map((r) => [r.actor_id, r.action, r.error_code])).toEqual([
      ['usr_carla_compliance', 'compliance_approve', 'INVALID_STATUS_TRANSITION'],
      ['usr_alex_advisor', 'compliance_approve', 'FORBIDDEN'],
      ['usr_beth_advisor', 'compliance_approve', 'FORBIDDEN'],
    ]);
    const [portfolioRefusal] =
      await hub.sql`SELECT actor_id, error_code FROM audit_log WHERE process_id = 'pf_priya_balanced' AND outcome = 'refused'`;
    expect(portfolioRefusal).toEqual({ actor_id: 'usr_alex_advisor', error_code: 'REBALANCE_IN_PROGRESS' });
  });

  it('an administrator who approved as the advisor may not also give the compliance approval', async () => {
    await hub.sql`UPDATE settings SET value = '50000' WHERE key = 'rebalance_compliance_threshold'`;
    const started = await hub.api(ada, 'POST', '/portfolios/pf_chris_growth/rebalance');
    expect(started.status).toBe(201);
    const id = started.body.rebalance_id as string;
    expect(started.body).toMatchObject({
      needs_compliance: true,
      compliance_threshold: 50000,
      started_by: 'usr_ada_admin',
    });

    expect((await hub.api(ada, 'POST', `/rebalances/${id}/approve`, {})).body.status).toBe('awaiting_compliance');
    const sameEyes = await hub.api(ada, 'POST', `/rebalances/${id}/compliance-approve`, {});
    expect(sameEyes.status).toBe(403);
    expect(sameEyes.body.error).toEqual({
      code: 'FOUR_EYES_VIOLATION',
      message: "Four-eyes rule: the compliance approval must come from someone other than the proposal's advisor",
    });

    expect((await hub.api(colin, 'POST', `/rebalances/${id}/compliance-approve`, {})).status).toBe(200);
    await waitForStatus(hub.sql, id, 'completed');
    expect((await refusalsOf(id)).map((r) => [r.actor_id, r.error_code])).toEqual([
      ['usr_ada_admin', 'FOUR_EYES_VIOLATION'],
    ]);
    await hub.sql`UPDATE settings SET value = '100000' WHERE key = 'rebalance_compliance_threshold'`;
  });

  it('below the threshold the advisor’s approval is enough: no compliance step, and a compliance approval is refused', async () => {
    // Fiona's portfolio is within its bands; her advisor rebalances it to target by hand.
    const started = await hub.api(beth, 'POST', '/portfolios/pf_fiona_aggressive/rebalance');
    expect(started.status).toBe(201);
    const id = started.body.rebalance_id as string;
    expect(started.body.needs_compliance).toBe(false);
    expect(started.body.proposal_value).toBeLessThanOrEqual(100000);
    expect(started.body.rationale).toContain('Within bands');

    const approved = await hub.api(beth, 'POST', `/rebalances/${id}/approve`, {});
    expect(approved.status).toBe(200);
    expect(['approved', 'executing', 'verifying', 'completed']).toContain(approved.body.status);
    const done = await waitForStatus(hub.sql, id, 'completed');
    expect(done.compliance_approval).toBeNull();
    const late = await hub.api(carla, 'POST', `/rebalances/${id}/compliance-approve`, {});
    expect(late.status).toBe(400);
    expect(late.body.error.code).toBe('INVALID_STATUS_TRANSITION');
    const events = await hub.sql`SELECT type FROM events WHERE process_id = ${id} AND type LIKE 'rebalance.%approved'`;
    expect(events.map((e) => e.type)).toEqual(['rebalance.advisor_approved', 'rebalance.approved']);
  });

  it('an edit replaces the trades with validated quantities, recomputes the proposal and resets every approval', async () => {
    await hub.sql`UPDATE settings SET value = '5000' WHERE key = 'rebalance_compliance_threshold'`;
    const started = await hub.api(alex, 'POST', '/portfolios/pf_gabriel_conservative/rebalance');
    expect(started.status).toBe(201);
    const id = started.body.rebalance_id as string;
    const path = `/rebalances/${id}/edit`;
    expect((await hub.api(alex, 'POST', `/rebalances/${id}/approve`, {})).body.status).toBe('awaiting_compliance');

    const cases: [unknown, number, string, string][] = [
      [
        { trades: [{ security_id: 'sec_vtip', side: 'buy', quantity: 2.5 }], reason: 'x' },
        400,
        'INVALID_TRADE',
        'trades[0]: VTIP trades in whole shares only',
      ],
      [
        { trades: [{ security_id: 'sec_vti', side: 'sell', quantity: 100000 }], reason: 'x' },
        400,
        'INVALID_TRADE',
        'trades[0]: sells 100000 VTI but the portfolio holds',
      ],
      [
        { trades: [{ security_id: 'sec_nope', side: 'buy', quantity: 1 }], reason: 'x' },
        400,
        'INVALID_TRADE',
        'trades[0]: unknown security sec_nope',
      ],
      [
        { trades: [{ security_id: 'sec_bnd', side: 'buy', quantity: 0.5 }], reason: 'x' },
        400,
        'INVALID_TRADE',
        'is below the minimum trade value 100.00',
      ],
      [
        { trades: [{ security_id: 'sec_bnd', side: 'buy', quantity: 100000 }], reason: 'x' },
        400,
        'INVALID_TRADE',
        'more cash than the portfolio has after the sells',
      ],
      [{ trades: [], reason: 'x' }, 400, 'VALIDATION_FAILED', 'trades'],
      [
        { trades: [{ security_id: 'sec_bnd', side: 'hold', quantity: 1 }], reason: 'x' },
        400,
        'VALIDATION_FAILED',
        'trades.0.side',
      ],
      [{ trades: [{ security_id: 'sec_bnd', side: 'buy', quantity: 10 }] }, 400, 'VALIDATION_FAILED', 'reason'],
    ];
    for (const [body, status, code, message] of cases) {
      const response = await hub.api(alex, 'POST', path, body);
      expect({ status: response.status, code: response.body.error?.code }).toEqual({ status, code });
      expect(response.body.error.message).toContain(message);
    }

    const vti = started.body.proposal.trades.find((t: any) => t.symbol === 'VTI');
    const edited = await hub.api(alex, 'POST', path, {
      trades: [
        { security_id: 'sec_bnd', side: 'buy', quantity: 40 },
        { security_id: 'sec_vti', side: 'sell', quantity: 10 },
      ],
      reason: 'Keep the bond purchase small; trim US equities a little',
    });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({
      status: 'awaiting_advisor',
      advisor_approval: null,
      compliance_approval: null,
      assigned_officer_id: null,
    });
    expect(edited.body.proposal.trades.map((t: any) => [t.symbol, t.side, t.quantity])).toEqual([
      ['VTI', 'sell', 10],
      ['BND', 'buy', 40],
    ]);
    const [sell, buy] = edited.body.proposal.trades;
    expect(buy.value).toBe(Math.round(40 * buy.price * 100) / 100);
    expect(sell.lots.reduce((sum: number, lot: any) => sum + lot.quantity, 0)).toBe(10);
    expect(edited.body.proposal.total_sell_value).toBe(sell.value);
    expect(edited.body.proposal_value).toBe(Math.round((sell.value + buy.value) * 100) / 100);
    expect(edited.body.proposal.after.by_security.sec_vti).toBeLessThan(
      edited.body.proposal.before.by_security.sec_vti,
    );
    expect(edited.body.edits).toHaveLength(1);
    expect(edited.body.edits[0]).toMatchObject({
      edited_by: 'usr_alex_advisor',
      reason: 'Keep the bond purchase small; trim US equities a little',
    });
    expect(edited.body.edits[0].previous_trades.find((t: any) => t.symbol === 'VTI')).toEqual(vti);
    expect(edited.body.needs_compliance).toBe(edited.body.proposal_value > 5000);
    const [audit] =
      await hub.sql`SELECT details FROM audit_log WHERE process_id = ${id} AND action = 'edit' AND outcome = 'accepted'`;
    expect(audit.details).toMatchObject({
      approvals_reset: true,
      reason: 'Keep the bond purchase small; trim US equities a little',
    });

    const noReason = await hub.api(alex, 'POST', `/rebalances/${id}/decline`, {});
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.code).toBe('VALIDATION_FAILED');
    const declined = await hub.api(alex, 'POST', `/rebalances/${id}/decline`, {
      reason: 'Client asked to wait until January',
    });
    expect(declined.status).toBe(200);
    expect(declined.body).toMatchObject({
      status: 'declined',
      allowed_actions: [],
      decline: { declined_by: 'usr_alex_advisor', reason: 'Client asked to wait until January' },
    });
    const after = await hub.api(alex, 'POST', `/rebalances/${id}/approve`, {});
    expect(after.status).toBe(400);
    expect(after.body.error.code).toBe('INVALID_STATUS_TRANSITION');
    expect((await hub.sql`SELECT count(*)::int AS n FROM orders WHERE rebalance_id = ${id}`)[0].n).toBe(0);
    // Every refusal is in the audit trail, whether the body was malformed or the process refused it.
    expect((await refusalsOf(id)).map((r) => `${r.action}:${r.error_code}`)).toEqual([
      ...cases.map(([, , code]) => `edit:${code}`),
      'decline:VALIDATION_FAILED',
      'approve:INVALID_STATUS_TRANSITION',
    ]);
    await hub.sql`UPDATE settings SET value = '100000' WHERE key = 'rebalance_compliance_threshold'`;
  });

  it('refuses to start when there is nothing worth trading, or when a price is missing, and leaves nothing running', async () => {
    await hub.sql`UPDATE settings SET value = '10000000' WHERE key = 'rebalance_min_trade_value'`;
    const nothing = await hub.api(alex, 'POST', '/portfolios/pf_gabriel_conservative/rebalance');
    expect(nothing.status).toBe(409);
    expect(nothing.body.error.code).toBe('REBALANCE_NOT_NEEDED');
    await hub.sql`UPDATE settings SET value = '100' WHERE key = 'rebalance_min_trade_value'`;

    await hub.sql`INSERT INTO securities (id, symbol, name, asset_class, fractional) VALUES ('sec_new', 'NEWX', 'New listing', 'us_equity', true)`;
    await hub.sql`INSERT INTO tax_lots (id, portfolio_id, security_id, quantity, cost_basis_per_unit, acquired_on) VALUES ('lot_new', 'pf_gabriel_conservative', 'sec_new', 10, 20, '2026-11-02')`;
    const unpriced = await hub.api(alex, 'POST', '/portfolios/pf_gabriel_conservative/rebalance');
    expect(unpriced.status).toBe(409);
    expect(unpriced.body.error).toMatchObject({
      code: 'PRICE_NOT_AVAILABLE',
      message: 'No price for NEWX; import prices first',
    });
    const view = await hub.api(alex, 'GET', '/portfolios/pf_gabriel_conservative');
    expect(view.body).toMatchObject({ missing_prices: ['NEWX'], drift: null, total_value: null });
    const check = await hub.api(ada, 'POST', '/portfolios/drift-check');
    expect(check.body.out_of_band).not.toContain('pf_gabriel_conservative');

    await hub.sql`INSERT INTO prices (security_id, as_of, close, source) VALUES ('sec_new', '2026-11-19', 21.5, 'test')`;
    const started = await hub.api(alex, 'POST', '/portfolios/pf_gabriel_conservative/rebalance');
    expect(started.status).toBe(201);
    // Held but not in the model: sold in full.
    expect(started.body.proposal.trades.find((t: any) => t.symbol === 'NEWX')).toMatchObject({
      side: 'sell',
      quantity: 10,
      price: 21.5,
    });
  });
});
