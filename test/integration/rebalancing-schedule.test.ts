import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decimal, roundToCurrency, sumOf } from '../../workflows/money.js';
import { driftCheckScheduleId } from '../../workflows/rebalancing/definitions.js';
import { startTestHub, waitForNotice, waitForStatus, type TestHub } from '../support/hub.js';

async function rebalancesOf(hub: TestHub) {
  return hub.sql`SELECT process_id, status, detail FROM processes WHERE process_type = 'rebalancing' ORDER BY detail ->> 'portfolio_id'`;
}

describe('rebalancing from the drift-check schedule to a verified execution', () => {
  let hub: TestHub;
  let alex: string;
  let ops: string;
  beforeAll(async () => {
    hub = await startTestHub();
    alex = await hub.login('alex.advisor@hub.example');
    ops = await hub.login('omar.ops@hub.example');
  });
  afterAll(async () => {
    await hub?.stop();
  });

  it('shows every portfolio with its drift per asset class; two of the demo portfolios are outside their bands', async () => {
    const list = await hub.api(ops, 'GET', '/portfolios');
    expect(list.status).toBe(200);
    const byId = Object.fromEntries(list.body.portfolios.map((p: any) => [p.portfolio_id, p]));
    expect(Object.keys(byId).sort()).toEqual([
      'pf_chris_growth',
      'pf_fiona_aggressive',
      'pf_gabriel_conservative',
      'pf_priya_balanced',
    ]);
    expect(Object.fromEntries(Object.entries(byId).map(([id, p]: [string, any]) => [id, p.drift.out_of_band]))).toEqual(
      {
        pf_chris_growth: true,
        pf_fiona_aggressive: false,
        pf_gabriel_conservative: false,
        pf_priya_balanced: true,
      },
    );
    const chrisEquity = byId.pf_chris_growth.drift.asset_classes.find((row: any) => row.asset_class === 'us_equity');
    expect(chrisEquity).toMatchObject({ target: 0.48, out_of_band: true, tolerance: 0.05 });
    expect(chrisEquity.actual).toBeCloseTo(0.58, 2);
    expect(byId.pf_chris_growth.prices_as_of).toBe('2026-11-19');

    const mine = await hub.api(alex, 'GET', '/portfolios');
    expect(mine.body.portfolios.map((p: any) => p.portfolio_id).sort()).toEqual([
      'pf_chris_growth',
      'pf_gabriel_conservative',
      'pf_priya_balanced',
    ]);
  });

  it('the Schedule exists, and triggering it starts one rebalance per portfolio outside its bands', async () => {
    const schedule = hub.server.deps.temporal.schedule.getHandle(driftCheckScheduleId(hub.taskQueue));
    const description = await schedule.describe();
    expect(description.spec.timezone).toBe('America/New_York');
    expect(description.action).toMatchObject({
      type: 'startWorkflow',
      workflowType: 'driftCheckWorkflow',
      taskQueue: hub.taskQueue,
    });

    await schedule.trigger();
    const rows = await waitForNotice(hub.sql, 'process_changed', async () => {
      const found = await rebalancesOf(hub);
      return found.length === 2 && found.every((row) => row.status === 'awaiting_advisor') ? found : undefined;
    });
    expect(rows.map((row) => row.detail.portfolio_id)).toEqual(['pf_chris_growth', 'pf_priya_balanced']);
    for (const row of rows)
      expect(row.detail).toMatchObject({
        trigger: 'schedule',
        started_by: 'system',
        advisor_id: 'usr_alex_advisor',
        version: 1,
      });

    const [check] = await hub.sql`SELECT payload FROM events WHERE type = 'portfolio.drift_checked'`;
    expect(check.payload).toMatchObject({
      checked: 4,
      out_of_band: ['pf_chris_growth', 'pf_priya_balanced'],
      already_running: [],
    });

    // A second run finds both rebalances still running and starts nothing new.
    const again = await hub.api(ops, 'POST', '/portfolios/drift-check');
    expect(again.status).toBe(200);
    expect(again.body).toEqual({
      checked: 4,
      out_of_band: ['pf_chris_growth', 'pf_priya_balanced'],
      started: [],
      already_running: ['pf_chris_growth', 'pf_priya_balanced'],
    });
    expect((await rebalancesOf(hub)).length).toBe(2);
  });

  it('shows the proposal: trades with lots, before and after weights, gains, costs, a wash-sale flag and the rationale', async () => {
    const [row] =
      await hub.sql`SELECT process_id FROM processes WHERE process_type = 'rebalancing' AND detail ->> 'portfolio_id' = 'pf_chris_growth'`;
    const { status, body } = await hub.api(alex, 'GET', `/rebalances/${row.process_id}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      status: 'awaiting_advisor',
      needs_compliance: false,
      compliance_threshold: 100000,
      allowed_actions: ['approve', 'edit', 'decline'],
    });
    const vti = body.proposal.trades.find((t: any) => t.symbol === 'VTI');
    expect(vti.side).toBe('sell');
    // The lot bought at the year's peak is at a loss and goes first; the short-term gain lot is left alone.
    expect(vti.lots[0].realized_gain).toBeLessThan(0);
    expect(vti.lots.map((lot: any) => lot.lot_id)).not.toContain('lot_chris_growth_3');
    const vxus = body.proposal.trades.find((t: any) => t.symbol === 'VXUS');
    expect(vxus.side).toBe('buy');
    expect(vxus.wash_sale.reason).toContain('sale at a loss');
    expect(body.proposal.within_bands_after).toBe(true);
    expect(body.proposal.before.by_asset_class.us_equity).toBeCloseTo(0.58, 2);
    expect(Math.abs(body.proposal.after.by_asset_class.us_equity - 0.4704)).toBeLessThan(0.01);
    expect(body.proposal.estimated_costs).toBeGreaterThan(0);
    expect(body.proposal_value).toBe(
      Math.round((body.proposal.total_buy_value + body.proposal.total_sell_value) * 100) / 100,
    );
    expect(body.rationale).toContain('us_equity 58.0% vs target 48.0%');
    expect(body.rationale).toContain('Possible wash sale: VXUS');
    const [card] =
      await hub.sql`SELECT title, amount, flags, assigned_user_id FROM processes WHERE process_id = ${row.process_id}`;
    expect(card).toMatchObject({
      title: 'Chris Carter · INV-00090001',
      amount: body.proposal_value.toFixed(2),
      flags: ['wash_sale'],
      assigned_user_id: 'usr_alex_advisor',
    });
  });

  it('the advisor approves; orders fill at current prices, the drift is verified and the audit trail keeps decision, rationale, trades and result', async () => {
    const [row] =
      await hub.sql`SELECT process_id, detail FROM processes WHERE process_type = 'rebalancing' AND detail ->> 'portfolio_id' = 'pf_chris_growth'`;
    const id = row.process_id as string;
    const trades = row.detail.proposal.trades as {
      symbol: string;
      security_id: string;
      side: string;
      quantity: number;
    }[];
    const cashOf = async () =>
      decimal((await hub.sql`SELECT cash FROM portfolios WHERE id = 'pf_chris_growth'`)[0].cash as string);
    const cashBefore = await cashOf();

    const approved = await hub.api(alex, 'POST', `/rebalances/${id}/approve`, {
      notes: 'Equities ran ahead after the rally; back to the growth model',
    });
    expect(approved.status).toBe(200);
    expect(approved.body.advisor_approval).toMatchObject({
      approved_by: 'usr_alex_advisor',
      notes: 'Equities ran ahead after the rally; back to the growth model',
    });
    const done = await waitForStatus(hub.sql, id, 'completed');

    expect(done.orders).toHaveLength(trades.length);
    expect(done.orders.every((o: any) => o.status === 'filled' && o.idempotency_key === `${id}:${o.n}`)).toBe(true);
    expect(done.verification).toMatchObject({ within_bands: true, out_of_band: false });
    expect(done.failure).toBeNull();

    const orders =
      await hub.sql`SELECT idempotency_key, side, security_id, fill_quantity, status FROM orders WHERE rebalance_id = ${id} ORDER BY idempotency_key`;
    expect(orders.map((o) => [o.security_id, o.side, decimal(o.fill_quantity as string).toNumber(), o.status])).toEqual(
      [...trades]
        .map((t, i) => ({ key: `${id}:${i + 1}`, t }))
        .sort((a, b) => (a.key < b.key ? -1 : 1))
        .map(({ t }) => [t.security_id, t.side, t.quantity, 'filled']),
    );
    expect(
      (
        await hub.sql`SELECT count(*)::int AS n FROM trades WHERE portfolio_id = 'pf_chris_growth' AND order_id IS NOT NULL`
      )[0].n,
    ).toBe(trades.length);
    // Cash moved by each fill's value to the cent, less its commission: exactly, not approximately.
    const filledCash = sumOf(
      done.orders.map((o: any) =>
        roundToCurrency(decimal(o.fill_quantity).times(o.fill_price), 'USD')
          .times(o.side === 'sell' ? 1 : -1)
          .minus(o.commission),
      ),
    );
    expect((await cashOf()).toFixed(2)).toBe(cashBefore.plus(filledCash).toFixed(2));

    const events = await hub.api(alex, 'GET', `/rebalances/${id}/events`);
    expect(events.body.events.map((e: any) => e.type)).toEqual([
      'rebalance.proposed',
      'rebalance.advisor_approved',
      'rebalance.approved',
      'rebalance.execution_started',
      ...trades.map(() => 'rebalance.order_filled'),
      'rebalance.verification_started',
      'rebalance.completed',
    ]);
    const audit = await hub.api(alex, 'GET', `/rebalances/${id}/audit`);
    const last = audit.body.audit.at(-1);
    expect(last).toMatchObject({
      action: 'complete',
      outcome: 'accepted',
      status_before: 'verifying',
      status_after: 'completed',
      actor_id: 'system',
    });
    expect(last.details.rationale).toBe(row.detail.rationale);
    expect(last.details.decision.advisor_approval.notes).toBe(
      'Equities ran ahead after the rally; back to the growth model',
    );
    expect(last.details.trades).toHaveLength(trades.length);
    expect(last.details.verification.within_bands).toBe(true);

    const portfolio = await hub.api(alex, 'GET', '/portfolios/pf_chris_growth');
    expect(portfolio.body).toMatchObject({ active_rebalance: null, drift: { out_of_band: false } });
    expect(portfolio.body.rebalances[0]).toMatchObject({ rebalance_id: id, status: 'completed' });
    const notice = await waitForNotice(hub.sql, 'notification_created', async () => {
      const [found] =
        await hub.sql`SELECT title FROM notifications WHERE user_id = 'usr_chris_client' AND kind = 'rebalance_completed'`;
      return found;
    });
    expect(notice.title).toBe('Portfolio INV-00090001 rebalanced');
  });
});
