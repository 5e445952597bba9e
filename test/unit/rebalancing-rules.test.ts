import { describe, expect, it } from 'vitest';
import type { Actor } from '../../workflows/process-records.js';
import type {
  RebalanceContext,
  RebalanceRecord,
  RebalancingInput,
  Verification,
} from '../../workflows/rebalancing/definitions.js';
import { isRefusal, proposeFor, reviseProposal, type Refusal } from '../../workflows/rebalancing/proposal-record.js';
import {
  allowedActions,
  applyCommand,
  checkAllowed,
  checkInput,
  executionStarted,
  newRebalanceRecord,
  projectCard,
  verified,
} from '../../workflows/rebalancing/rules.js';

const actor = (user_id: string, role: Actor['role'], name = user_id): Actor => ({
  user_id,
  role,
  name,
  channel: 'api',
});
const ALEX = actor('usr_alex', 'advisor', 'Alex Advisor');
const BETH = actor('usr_beth', 'advisor');
const CARLA = actor('usr_carla', 'compliance_officer', 'Carla Compliance');
const ADA = actor('usr_ada', 'admin');
const NOW = '2026-11-21T10:00:00.000Z';

/** 100,000: US equity 60% (target 45%) in a loss lot and a short-term gain lot, bonds 35% (50%), 5% cash. */
function context(overrides: Partial<RebalanceContext> = {}): RebalanceContext {
  return {
    portfolio: {
      id: 'pf_test',
      accountNumber: 'INV-1',
      cash: 5_000,
      currency: 'USD',
      lots: [
        { id: 'eq-loss', securityId: 'eq', quantity: 300, costBasisPerUnit: 120, acquiredOn: '2025-01-10' },
        { id: 'eq-short', securityId: 'eq', quantity: 300, costBasisPerUnit: 90, acquiredOn: '2026-09-01' },
        { id: 'bd-1', securityId: 'bd', quantity: 437.5, costBasisPerUnit: 82, acquiredOn: '2024-12-01' },
      ],
    },
    client: { id: 'cli_1', name: 'Test Client', user_id: 'usr_client', advisor_id: 'usr_alex' },
    model: {
      id: 'balanced',
      name: 'Balanced',
      cashWeight: 0.05,
      bands: { absolute: 0.05, relative: 0.25, relativeFloor: 0.01 },
      targets: [
        { securityId: 'eq', assetClass: 'equity', weight: 0.45 },
        { securityId: 'bd', assetClass: 'bonds', weight: 0.5 },
      ],
    },
    securities: [
      { id: 'eq', symbol: 'EQ', name: 'Equity fund', assetClass: 'equity', fractional: false },
      { id: 'bd', symbol: 'BD', name: 'Bond fund', assetClass: 'bonds', fractional: true },
    ],
    prices: { eq: 100, bd: 80 },
    prices_as_of: '2026-11-20',
    as_of: '2026-11-21',
    options: {
      cashBufferWeight: 0.02,
      minTradeValue: 100,
      commissionPerTrade: 1,
      commissionRate: 0,
      recentTrades: [
        { securityId: 'bd', side: 'sell', quantity: 10, price: 85, tradeDate: '2026-11-10', realizedGain: -30 },
      ],
    },
    compliance_threshold: 100_000,
    ...overrides,
  };
}

const INPUT: RebalancingInput = {
  rebalance_id: 'rb_1',
  portfolio_id: 'pf_test',
  trigger: 'schedule',
  started_by: { user_id: 'system', role: 'system', name: 'System', channel: 'system' },
  order_retry: { maximum_attempts: 3, initial_interval_ms: 10 },
};

function record(overrides: Partial<RebalanceRecord> = {}, ctx = context()): RebalanceRecord {
  return { ...newRebalanceRecord(INPUT, ctx, proposeFor(ctx), NOW), ...overrides };
}

describe('the proposal record', () => {
  it('sells the overweight equity from the loss lot, buys bonds flagged as a possible wash sale, and explains why', () => {
    const r = record();
    expect(r.proposal.trades.map((t) => [t.symbol, t.side, t.quantity])).toEqual([
      ['EQ', 'sell', 150],
      ['BD', 'buy', 187.5],
    ]);
    expect(r.proposal.trades[0].lots).toEqual([
      {
        lot_id: 'eq-loss',
        acquired_on: '2025-01-10',
        quantity: 150,
        cost_basis_per_unit: 120,
        realized_gain: -3000,
        term: 'long',
      },
    ]);
    expect(r.proposal.trades[1].wash_sale?.related_trade_date).toBe('2026-11-10');
    expect(r.proposal_value).toBe(30_000);
    expect(r.needs_compliance).toBe(false);
    expect(r.rationale).toBe(
      'Balanced model, prices as of 2026-11-20. Out of band: bonds 35.0% vs target 50.0% (band ±5.0 pts); equity 60.0% vs target 45.0% (band ±5.0 pts); BD 35.0% vs target 50.0% (band ±5.0 pts); EQ 60.0% vs target 45.0% (band ±5.0 pts). ' +
        'Trades: sell 150 EQ (15000.00 USD); buy 187.5 BD (15000.00 USD). Estimated realized gains -3000.00 (short-term 0.00, long-term -3000.00); costs 2.00. ' +
        'Possible wash sale: BD. Within bands after the trades.',
    );
    expect(projectCard(r)).toMatchObject({
      title: 'Test Client · INV-1',
      amount: 30_000,
      assigned_user_id: 'usr_alex',
      flags: ['wash_sale'],
      sla: null,
    });
  });

  it('needs compliance when the traded value is above the threshold', () => {
    const r = record({}, context({ compliance_threshold: 29_999.99 }));
    expect(r.needs_compliance).toBe(true);
    expect(projectCard(r).flags).toEqual(['needs_compliance', 'wash_sale']);
  });
});

describe('editing a proposal', () => {
  const refusal = (trades: Parameters<typeof reviseProposal>[1]) => reviseProposal(context(), trades) as Refusal;

  it.each([
    [[{ security_id: 'zz', side: 'buy', quantity: 1 }], 'trades[0]: unknown security zz'],
    [[{ security_id: 'eq', side: 'sell', quantity: 1.5 }], 'trades[0]: EQ trades in whole shares only'],
    [[{ security_id: 'eq', side: 'sell', quantity: 601 }], 'trades[0]: sells 601 EQ but the portfolio holds 600'],
    [
      [{ security_id: 'bd', side: 'buy', quantity: 1 }],
      'trades[0]: BD trade value 80.00 is below the minimum trade value 100.00',
    ],
    [[{ security_id: 'bd', side: 'buy', quantity: 0.0000001 }], 'trades[0]: quantity has more than 6 decimals'],
    [[{ security_id: 'bd', side: 'buy', quantity: -2 }], 'trades[0]: quantity must be greater than 0'],
    [
      [
        { security_id: 'bd', side: 'buy', quantity: 2 },
        { security_id: 'bd', side: 'sell', quantity: 2 },
      ],
      'trades[1]: BD is traded twice; give one trade per security',
    ],
    [
      [{ security_id: 'bd', side: 'buy', quantity: 100 }],
      'the buys and costs need 3001.00 USD more cash than the portfolio has after the sells',
    ],
  ] as const)('refuses %j', (trades, message) => {
    expect(refusal([...trades])).toMatchObject({ code: 'INVALID_TRADE', message });
  });

  it('costs, lots, wash-sale flags and after-weights are computed as for a proposal', () => {
    const revised = reviseProposal(context(), [
      { security_id: 'bd', side: 'buy', quantity: 100 },
      { security_id: 'eq', side: 'sell', quantity: 100 },
    ]);
    expect(isRefusal(revised)).toBe(false);
    if (isRefusal(revised)) return;
    expect(revised.trades.map((t) => [t.symbol, t.side, t.value, t.commission])).toEqual([
      ['EQ', 'sell', 10_000, 1],
      ['BD', 'buy', 8_000, 1],
    ]);
    expect(revised.trades[0].lots.map((l) => [l.lot_id, l.quantity])).toEqual([['eq-loss', 100]]);
    expect(revised.trades[1].wash_sale).not.toBeNull();
    expect(revised.cash_after).toBe(6_998);
    // 99,998 after the two commissions.
    expect(revised.after).toMatchObject({ total_value: 99_998, by_security: { bd: 0.4300086002, eq: 0.5000100002 } });
    expect(revised.estimated_realized_gains).toEqual({ short_term: 0, long_term: -2_000, total: -2_000 });
    // A timid edit: bonds stay 7 points under target, so the projection is still out of band.
    expect(revised.within_bands_after).toBe(false);
  });

  it('resets every approval and returns to the advisor', () => {
    const ctx = context({ compliance_threshold: 1_000 });
    const approved = applyCommand(record({}, ctx), ctx, 'approve', {}, ALEX, NOW, 'usr_carla').record;
    expect(approved).toMatchObject({ status: 'awaiting_compliance', assigned_officer_id: 'usr_carla' });
    const edit = applyCommand(
      approved,
      ctx,
      'edit',
      { trades: [{ security_id: 'eq', side: 'sell', quantity: 5 }], reason: 'trim only' },
      ALEX,
      NOW,
    );
    expect(edit.record).toMatchObject({
      status: 'awaiting_advisor',
      advisor_approval: null,
      compliance_approval: null,
      assigned_officer_id: null,
      proposal_value: 500,
      needs_compliance: false,
    });
    expect(edit.record.edits[0].previous_trades).toEqual(approved.proposal.trades);
    expect(edit.audit).toMatchObject({ approvals_reset: true, reason: 'trim only' });
    expect(
      checkInput(ctx, 'edit', { trades: [{ security_id: 'eq', side: 'sell', quantity: 5 }], reason: ' ' }),
    ).toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});

describe('who may do what', () => {
  const large = context({ compliance_threshold: 1_000 });
  const awaitingCompliance = applyCommand(record({}, large), large, 'approve', {}, ALEX, NOW, 'usr_carla').record;

  it('permission first, then status, then four eyes', () => {
    expect(checkAllowed(record(), 'approve', BETH)?.code).toBe('FORBIDDEN');
    expect(checkAllowed(record(), 'compliance_approve', CARLA)?.code).toBe('INVALID_STATUS_TRANSITION');
    expect(checkAllowed(awaitingCompliance, 'compliance_approve', ALEX)?.code).toBe('FORBIDDEN');
    expect(checkAllowed(awaitingCompliance, 'compliance_approve', CARLA)).toBeNull();
    const byAdmin = applyCommand(record({}, large), large, 'approve', {}, ADA, NOW, null).record;
    expect(checkAllowed(byAdmin, 'compliance_approve', ADA)?.code).toBe('FOUR_EYES_VIOLATION');
    expect(checkAllowed({ ...awaitingCompliance, started_by: 'usr_carla' }, 'compliance_approve', CARLA)?.code).toBe(
      'FOUR_EYES_VIOLATION',
    );
  });

  it('offers each person the commands they may take now', () => {
    expect(allowedActions(record(), ALEX)).toEqual(['approve', 'edit', 'decline']);
    expect(allowedActions(record(), CARLA)).toEqual(['decline']);
    expect(allowedActions(awaitingCompliance, CARLA)).toEqual(['decline', 'compliance_approve']);
    expect(allowedActions({ ...awaitingCompliance, status: 'completed' }, ADA)).toEqual([]);
  });
});

describe('execution and verification', () => {
  const approved = applyCommand(record(), context(), 'approve', { notes: 'go' }, ALEX, NOW).record;

  it('an approval below the threshold goes straight to approved; each trade becomes an order with its idempotency key', () => {
    expect(approved.status).toBe('approved');
    const started = executionStarted(approved, INPUT.started_by, NOW);
    expect(started.record.orders.map((o) => [o.n, o.idempotency_key, o.symbol, o.side, o.quantity, o.status])).toEqual([
      [1, 'rb_1:1', 'EQ', 'sell', 150, 'pending'],
      [2, 'rb_1:2', 'BD', 'buy', 187.5, 'pending'],
    ]);
  });

  it('completes within bands, fails outside them, and keeps decision, rationale, trades and result in the audit', () => {
    const verifying = { ...executionStarted(approved, INPUT.started_by, NOW).record, status: 'verifying' as const };
    const verification = (within: boolean): Verification => ({
      ...verifying.drift_before,
      out_of_band: !within,
      max_abs_drift: within ? 0.004 : 0.07,
      within_bands: within,
      checked_at: NOW,
      cash_after: 1_998,
    });
    const done = verified(verifying, verification(true), INPUT.started_by);
    expect(done.record.status).toBe('completed');
    expect(done.events.map((e) => e.type)).toEqual(['rebalance.completed']);
    expect(done.audit).toMatchObject({
      rationale: verifying.rationale,
      decision: { advisor_approval: { approved_by: 'usr_alex', notes: 'go' } },
      trades: verifying.orders,
    });
    const failed = verified(verifying, verification(false), INPUT.started_by);
    expect(failed.record).toMatchObject({
      status: 'failed',
      failure: {
        code: 'VERIFICATION_OUT_OF_BAND',
        message: 'After execution the portfolio is still outside its drift bands (largest drift 7.0 pts)',
      },
    });
    expect(failed.notifications[0]).toMatchObject({
      kind: 'rebalance_failed',
      to: [{ user_id: 'usr_alex' }, { role: 'ops' }],
    });
  });
});
