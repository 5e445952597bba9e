import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decimal, roundToCurrency, sumOf, type Dec } from '../../workflows/money.js';
import type { Custodian, OrderRequest } from '../../workers/custodian/custodian.js';
import { createPaperCustodian } from '../../workers/custodian/paper-custodian.js';
import { startTestHub, waitForNotice, type TestHub } from '../support/hub.js';

/**
 * The paper custodian behind a faulty line: the third order is filled on the first attempt but the answer
 * is lost, the second attempt finds the custodian down, the third gets through.
 */
function flakyCustodian() {
  let paper: Custodian | undefined;
  const attempts = new Map<string, number>();
  let reportFirstFailure: () => void = () => {};
  const firstFailure = new Promise<void>((resolve) => (reportFirstFailure = resolve));
  const custodian: Custodian = {
    name: 'flaky-paper',
    async placeOrder(order: OrderRequest) {
      const attempt = (attempts.get(order.idempotency_key) ?? 0) + 1;
      attempts.set(order.idempotency_key, attempt);
      if (order.idempotency_key.endsWith(':3') && attempt === 1) {
        await paper!.placeOrder(order);
        reportFirstFailure();
        throw new Error('connection reset before the fill was acknowledged');
      }
      if (order.idempotency_key.endsWith(':3') && attempt === 2) throw new Error('custodian unavailable');
      return paper!.placeOrder(order);
    },
  };
  return {
    custodian,
    attempts,
    firstFailure,
    connect: (hub: TestHub) => (paper = createPaperCustodian(hub.sql, { timeZone: hub.config.REBALANCE_TIME_ZONE })),
  };
}

describe('a custodian failing after two of five orders', () => {
  const flaky = flakyCustodian();
  let hub: TestHub;
  let alex: string;
  beforeAll(async () => {
    hub = await startTestHub({ custodian: flaky.custodian, env: { REBALANCE_ORDER_RETRY_INITIAL_MS: '1000' } });
    flaky.connect(hub);
    alex = await hub.login('alex.advisor@hub.example');
  });
  afterAll(async () => {
    await hub?.stop();
  });

  it('resumes after retries and a worker restart without placing a filled order twice', async () => {
    const started = await hub.api(alex, 'POST', '/portfolios/pf_chris_growth/rebalance');
    expect(started.status).toBe(201);
    const id = started.body.rebalance_id as string;
    const five = started.body.proposal.trades
      .slice(0, 5)
      .map((t: any) => ({ security_id: t.security_id, side: t.side, quantity: t.quantity }));
    expect(five).toHaveLength(5);
    const edited = await hub.api(alex, 'POST', `/rebalances/${id}/edit`, {
      trades: five,
      reason: 'Five trades today, the rest next week',
    });
    expect(edited.status).toBe(200);
    expect(edited.body.proposal.trades).toHaveLength(5);

    const holdings = async () => {
      const rows =
        await hub.sql`SELECT security_id, sum(quantity) AS quantity FROM tax_lots WHERE portfolio_id = 'pf_chris_growth' GROUP BY security_id`;
      return Object.fromEntries(rows.map((r) => [r.security_id as string, decimal(r.quantity as string)]));
    };
    const cash = async () =>
      decimal((await hub.sql`SELECT cash FROM portfolios WHERE id = 'pf_chris_growth'`)[0].cash as string);
    const [heldBefore, cashBefore] = [await holdings(), await cash()];

    expect((await hub.api(alex, 'POST', `/rebalances/${id}/approve`, {})).status).toBe(200);
    await flaky.firstFailure;
    // The worker goes away while order 3 waits for its retry; a new one picks the rebalance up from its history.
    await hub.stopWorker();
    await hub.startWorker();

    const expected = edited.body.proposal.within_bands_after ? 'completed' : 'failed';
    const done = await waitForNotice(hub.sql, 'process_changed', async () => {
      const [row] = await hub.sql`SELECT status, detail FROM processes WHERE process_id = ${id}`;
      return row.status === 'completed' || row.status === 'failed' ? row : undefined;
    });
    expect(done.status).toBe(expected);
    expect(done.detail.failure?.code ?? null).toBe(expected === 'failed' ? 'VERIFICATION_OUT_OF_BAND' : null);

    expect(Object.fromEntries(flaky.attempts)).toEqual({
      [`${id}:1`]: 1,
      [`${id}:2`]: 1,
      [`${id}:3`]: 3,
      [`${id}:4`]: 1,
      [`${id}:5`]: 1,
    });
    const orders =
      await hub.sql`SELECT id, idempotency_key, status, fill_price, fill_quantity, commission FROM orders WHERE rebalance_id = ${id} ORDER BY idempotency_key`;
    expect(orders.map((o) => [o.idempotency_key, o.status])).toEqual(
      [1, 2, 3, 4, 5].map((n) => [`${id}:${n}`, 'filled']),
    );
    expect(
      (
        await hub.sql`SELECT count(*)::int AS n FROM trades WHERE order_id = ANY(${orders.map((o) => o.id as string)})`
      )[0].n,
    ).toBe(5);

    const recorded = done.detail.orders as any[];
    expect(recorded.map((o) => [o.n, o.status, o.order_id])).toEqual(orders.map((o, i) => [i + 1, 'filled', o.id]));
    const filledEvents =
      await hub.sql`SELECT payload ->> 'idempotency_key' AS key FROM events WHERE process_id = ${id} AND type = 'rebalance.order_filled' ORDER BY sequence`;
    expect(filledEvents.map((e) => e.key)).toEqual([1, 2, 3, 4, 5].map((n) => `${id}:${n}`));

    // Cash and lots moved exactly once per order, to the cent and the millionth of a share.
    const expectedHeld: Record<string, Dec> = { ...heldBefore };
    const cashMoves: Dec[] = [];
    for (const order of recorded) {
      const sign = order.side === 'sell' ? -1 : 1;
      expectedHeld[order.security_id] = (expectedHeld[order.security_id] ?? decimal(0)).plus(
        decimal(order.fill_quantity).times(sign),
      );
      const value = roundToCurrency(decimal(order.fill_quantity).times(order.fill_price), 'USD');
      cashMoves.push(value.times(-sign).minus(order.commission));
    }
    const heldAfter = await holdings();
    for (const [securityId, quantity] of Object.entries(expectedHeld)) {
      expect((heldAfter[securityId] ?? decimal(0)).toFixed(6)).toBe(quantity.toFixed(6));
    }
    expect((await cash()).toFixed(2)).toBe(cashBefore.plus(sumOf(cashMoves)).toFixed(2));
  }, 60_000);
});
