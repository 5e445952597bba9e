import type { TaxTerm, TradeSide } from '../../workflows/rebalancing/proposal.js';

/** An order as the rebalancing workflow sends it. The idempotency key names the rebalance and the trade. */
export interface OrderRequest {
  idempotency_key: string;
  rebalance_id: string;
  portfolio_id: string;
  security_id: string;
  side: TradeSide;
  quantity: number;
  /** Sells: the lots the proposal chose; the custodian sells those while they still hold enough. */
  lots: { lot_id: string; quantity: number }[];
}

export interface OrderFill {
  order_id: string;
  idempotency_key: string;
  fill_price: number;
  fill_quantity: number;
  commission: number;
  /** Sells: realized gain over the lots sold (before costs); null for buys. */
  realized_gain: number | null;
  lots: {
    lot_id: string;
    quantity: number;
    cost_basis_per_unit: number;
    acquired_on: string;
    realized_gain: number;
    term: TaxTerm;
  }[];
  filled_at: string;
}

/** The custodian refused the order for good (not enough cash or units); retrying cannot help. */
export class OrderRejectedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OrderRejectedError';
  }
}

/**
 * Where orders are executed. Implementations must be idempotent per `idempotency_key`: placing the same
 * order again returns the first fill (or the first rejection) and changes nothing.
 */
export interface Custodian {
  readonly name: string;
  placeOrder(order: OrderRequest): Promise<OrderFill>;
}
