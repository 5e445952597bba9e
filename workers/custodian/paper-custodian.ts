import { createHash } from 'node:crypto';
import type { Sql, Tx } from '../../db/client.js';
import { loadRebalanceSettings } from '../../db/portfolios.js';
import { roundMoney, roundQuantity, type TaxLot } from '../../workflows/rebalancing/portfolio-math.js';
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
    fill_price: Number(row.fill_price),
    fill_quantity: Number(row.fill_quantity),
    commission: Number(row.commission),
    realized_gain: row.realized_gain === null ? null : Number(row.realized_gain),
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
    const [portfolio] = await tx`SELECT id, cash FROM portfolios WHERE id = ${order.portfolio_id} FOR UPDATE`;
    if (!portfolio) return { rejected: `portfolio ${order.portfolio_id} does not exist` };
    const [existing] = await tx`SELECT * FROM orders WHERE idempotency_key = ${order.idempotency_key}`;
    if (existing) return existing.status === 'filled' ? { filled: fillOf(existing) } : { rejected: existing.reject_reason as string };

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
    const price = quote.close;
    const tradeDate = todayIn(options.timeZone);
    const quantity = roundQuantity(order.quantity);
    const value = roundMoney(quantity * price);
    const commission = estimateCommission(value, (await loadRebalanceSettings(tx)).options);
    let cash = Number(portfolio.cash);
    let lotsSold: OrderFill['lots'] = [];

    if (order.side === 'buy') {
      if (cash < value + commission) return reject(`buying ${quantity} ${order.security_id} needs ${roundMoney(value + commission)}, the account has ${cash}`);
      await tx`
        INSERT INTO tax_lots (id, portfolio_id, security_id, quantity, cost_basis_per_unit, acquired_on)
        VALUES (${`lot_${orderId.slice(4)}`}, ${order.portfolio_id}, ${order.security_id}, ${quantity}, ${price}, ${tradeDate})`;
      cash = roundMoney(cash - value - commission);
    } else {
      const rows = await tx`
        SELECT id, quantity, cost_basis_per_unit, acquired_on::text AS acquired_on FROM tax_lots
        WHERE portfolio_id = ${order.portfolio_id} AND security_id = ${order.security_id} FOR UPDATE`;
      const lots: TaxLot[] = rows.map((r) => ({
        id: r.id as string,
        securityId: order.security_id,
        quantity: Number(r.quantity),
        costBasisPerUnit: Number(r.cost_basis_per_unit),
        acquiredOn: r.acquired_on as string,
      }));
      const held = roundQuantity(lots.reduce((sum, lot) => sum + lot.quantity, 0));
      if (held < quantity) return reject(`selling ${quantity} ${order.security_id} but the account holds ${held}`);
      // The proposal's tax-aware choice stands while those lots still hold enough; otherwise choose again now.
      const named = order.lots.every((pick) => (lots.find((lot) => lot.id === pick.lot_id)?.quantity ?? 0) >= pick.quantity);
      const namedTotal = roundQuantity(order.lots.reduce((sum, pick) => sum + pick.quantity, 0));
      const picks = named && namedTotal === quantity ? order.lots.map((p) => ({ lotId: p.lot_id, quantity: p.quantity })) : selectLotsForSale(lots, quantity, price, tradeDate);
      lotsSold = picks.map((pick) => {
        const lot = lots.find((l) => l.id === pick.lotId)!;
        return {
          lot_id: lot.id,
          quantity: pick.quantity,
          cost_basis_per_unit: lot.costBasisPerUnit,
          acquired_on: lot.acquiredOn,
          realized_gain: roundMoney(pick.quantity * (price - lot.costBasisPerUnit)),
          term: holdingTerm(lot.acquiredOn, tradeDate),
        };
      });
      for (const sale of lotsSold) {
        const left = roundQuantity(lots.find((l) => l.id === sale.lot_id)!.quantity - sale.quantity);
        if (left > 0) await tx`UPDATE tax_lots SET quantity = ${left} WHERE id = ${sale.lot_id}`;
        else await tx`DELETE FROM tax_lots WHERE id = ${sale.lot_id}`;
      }
      cash = roundMoney(cash + value - commission);
    }

    const realizedGain = order.side === 'sell' ? roundMoney(lotsSold.reduce((sum, sale) => sum + sale.realized_gain, 0)) : null;
    await tx`UPDATE portfolios SET cash = ${cash}, updated_at = now() WHERE id = ${order.portfolio_id}`;
    const [stored] = await tx`
      INSERT INTO orders (id, idempotency_key, rebalance_id, portfolio_id, security_id, side, quantity, custodian, status, fill_price,
                          fill_quantity, commission, realized_gain, lots, filled_at)
      VALUES (${orderId}, ${order.idempotency_key}, ${order.rebalance_id}, ${order.portfolio_id}, ${order.security_id}, ${order.side},
              ${quantity}, 'paper', 'filled', ${price}, ${quantity}, ${commission}, ${realizedGain}, ${tx.json(lotsSold as never)}, now())
      RETURNING *`;
    await tx`
      INSERT INTO trades (portfolio_id, security_id, side, quantity, price, trade_date, realized_gain, order_id)
      VALUES (${order.portfolio_id}, ${order.security_id}, ${order.side}, ${quantity}, ${price}, ${tradeDate}, ${realizedGain}, ${orderId})`;
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
