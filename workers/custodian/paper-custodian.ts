import { createHash } from 'node:crypto';
import type { Sql, Tx } from '../../db/client.js';
import { loadRebalanceSettings } from '../../db/portfolios.js';
import { decimal, roundToCurrency, sumOf, toWireNumber, type Numeric } from '../../workflows/money.js';
import { roundQuantity, type TaxLot } from '../../workflows/rebalancing/portfolio-math.js';
import { estimateCommission, holdingTerm, selectLotsForSale } from '../../workflows/rebalancing/proposal.js';
import { createPostgresPriceSource } from '../../db/price-source.js';
import { todayIn } from '../rebalancing/firm-calendar.js';
import { OrderRejectedError, type Custodian, type OrderFill, type OrderRequest } from './custodian.js';

/** Order ids follow from the idempotency key, so the same order always has the same id. */
export function orderIdFor(idempotencyKey: string): string {
  return `ord_${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 20)}`;
}

function fillOf(row: Record<string, unknown>): OrderFill {
  return {
    order_id: row.id as string,
    idempotency_key: row.idempotency_key as string,
    fill_price: toWireNumber(row.fill_price as string),
    fill_quantity: toWireNumber(row.fill_quantity as string),
    commission: toWireNumber(row.commission as string),
    realized_gain: row.realized_gain === null ? null : toWireNumber(row.realized_gain as string),
    lots: row.lots as OrderFill['lots'],
    filled_at: new Date(row.filled_at as string).toISOString(),
  };
}

type Execution = { filled: OrderFill } | { rejected: string };

/**
 * Fills orders at the current price in the hub's own database: one transaction per order moves cash and
 * lots, books the trade and stores the order under its idempotency key. Placing an order again returns
 * the stored answer. Orders of one portfolio are serialized by a lock on the portfolio row.
 */
export function createPaperCustodian(sql: Sql, options: { timeZone: string }): Custodian {
  async function execute(tx: Tx, order: OrderRequest): Promise<Execution> {
    const [portfolio] = await tx`SELECT id, cash, currency FROM portfolios WHERE id = ${order.portfolio_id} FOR UPDATE`;
    if (!portfolio) return { rejected: `portfolio ${order.portfolio_id} does not exist` };
    const [existing] = await tx`SELECT * FROM orders WHERE idempotency_key = ${order.idempotency_key}`;
    if (existing)
      return existing.status === 'filled'
        ? { filled: fillOf(existing) }
        : { rejected: existing.reject_reason as string };

    const orderId = orderIdFor(order.idempotency_key);
    const reject = async (reason: string): Promise<Execution> => {
      await tx`
        INSERT INTO orders (id, idempotency_key, rebalance_id, portfolio_id, security_id, side, quantity, custodian, status, reject_reason)
        VALUES (${orderId}, ${order.idempotency_key}, ${order.rebalance_id}, ${order.portfolio_id}, ${order.security_id}, ${order.side},
                ${order.quantity}, 'paper', 'rejected', ${reason})`;
      return { rejected: reason };
    };
    const quote = (await createPostgresPriceSource(tx).latest([order.security_id])).get(order.security_id);
    if (!quote) return reject(`no price for ${order.security_id}`);
    const currency = portfolio.currency as string;
    const money = (amount: Numeric) => roundToCurrency(amount, currency);
    const price = decimal(quote.close);
    const tradeDate = todayIn(options.timeZone);
    const quantity = roundQuantity(order.quantity);
    const value = money(quantity.times(price));
    const commission = estimateCommission(value, (await loadRebalanceSettings(tx)).options, currency);
    let cash = decimal(portfolio.cash as string);
    let lotsSold: OrderFill['lots'] = [];

    if (order.side === 'buy') {
      const needed = value.plus(commission);
      if (cash.lt(needed))
        return reject(
          `buying ${quantity.toFixed()} ${order.security_id} needs ${needed.toFixed()}, the account has ${cash.toFixed()}`,
        );
      await tx`
        INSERT INTO tax_lots (id, portfolio_id, security_id, quantity, cost_basis_per_unit, acquired_on)
        VALUES (${`lot_${orderId.slice(4)}`}, ${order.portfolio_id}, ${order.security_id}, ${quantity.toFixed()}, ${price.toFixed()}, ${tradeDate})`;
      cash = cash.minus(needed);
    } else {
      const rows = await tx`
        SELECT id, quantity, cost_basis_per_unit, acquired_on::text AS acquired_on FROM tax_lots
        WHERE portfolio_id = ${order.portfolio_id} AND security_id = ${order.security_id} FOR UPDATE`;
      const lots: TaxLot[] = rows.map((r) => ({
        id: r.id as string,
        securityId: order.security_id,
        quantity: r.quantity as string,
        costBasisPerUnit: r.cost_basis_per_unit as string,
        acquiredOn: r.acquired_on as string,
      }));
      const held = roundQuantity(sumOf(lots.map((lot) => lot.quantity)));
      if (held.lt(quantity))
        return reject(`selling ${quantity.toFixed()} ${order.security_id} but the account holds ${held.toFixed()}`);
      // The proposal's tax-aware choice stands while those lots still hold enough; otherwise choose again now.
      const holds = (pick: OrderRequest['lots'][number]) =>
        decimal(lots.find((lot) => lot.id === pick.lot_id)?.quantity ?? 0).gte(pick.quantity);
      const namedTotal = roundQuantity(sumOf(order.lots.map((pick) => pick.quantity)));
      const picks =
        order.lots.every(holds) && namedTotal.eq(quantity)
          ? order.lots.map((p) => ({ lotId: p.lot_id, quantity: p.quantity }))
          : selectLotsForSale(lots, quantity, price, tradeDate, currency);
      lotsSold = picks.map((pick) => {
        const lot = lots.find((l) => l.id === pick.lotId)!;
        return {
          lot_id: lot.id,
          quantity: toWireNumber(pick.quantity),
          cost_basis_per_unit: toWireNumber(lot.costBasisPerUnit),
          acquired_on: lot.acquiredOn,
          realized_gain: toWireNumber(money(price.minus(lot.costBasisPerUnit).times(pick.quantity))),
          term: holdingTerm(lot.acquiredOn, tradeDate),
        };
      });
      for (const sale of lotsSold) {
        const left = roundQuantity(decimal(lots.find((l) => l.id === sale.lot_id)!.quantity).minus(sale.quantity));
        if (left.gt(0)) await tx`UPDATE tax_lots SET quantity = ${left.toFixed()} WHERE id = ${sale.lot_id}`;
        else await tx`DELETE FROM tax_lots WHERE id = ${sale.lot_id}`;
      }
      cash = cash.plus(value).minus(commission);
    }

    const realizedGain = order.side === 'sell' ? sumOf(lotsSold.map((sale) => sale.realized_gain)).toFixed() : null;
    await tx`UPDATE portfolios SET cash = ${money(cash).toFixed()}, updated_at = now() WHERE id = ${order.portfolio_id}`;
    const [stored] = await tx`
      INSERT INTO orders (id, idempotency_key, rebalance_id, portfolio_id, security_id, side, quantity, custodian, status, fill_price,
                          fill_quantity, commission, realized_gain, lots, filled_at)
      VALUES (${orderId}, ${order.idempotency_key}, ${order.rebalance_id}, ${order.portfolio_id}, ${order.security_id}, ${order.side},
              ${quantity.toFixed()}, 'paper', 'filled', ${price.toFixed()}, ${quantity.toFixed()}, ${commission.toFixed()}, ${realizedGain},
              ${tx.json(lotsSold as never)}, now())
      RETURNING *`;
    await tx`
      INSERT INTO trades (portfolio_id, security_id, side, quantity, price, trade_date, realized_gain, order_id)
      VALUES (${order.portfolio_id}, ${order.security_id}, ${order.side}, ${quantity.toFixed()}, ${price.toFixed()}, ${tradeDate}, ${realizedGain},
              ${orderId})`;
    return { filled: fillOf(stored) };
  }

  return {
    name: 'paper',
    async placeOrder(order) {
      const result = await sql.begin((tx) => execute(tx, order));
      if ('rejected' in result) throw new OrderRejectedError(result.rejected);
      return result.filled;
    },
  };
}
