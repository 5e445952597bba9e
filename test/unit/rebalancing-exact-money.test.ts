import { describe, expect, it } from 'vitest';
import { balanced, prices, securities } from '../support/rebalancing-fixtures.js';
import { decimal } from '../../workflows/money.js';
import {
  computeDrift,
  floorQuantity,
  valuePortfolio,
  type ModelPortfolio,
  type Portfolio,
} from '../../workflows/rebalancing/portfolio-math.js';
import {
  applyCashBuffer,
  applyFills,
  proposeRebalance,
  type RebalanceOptions,
} from '../../workflows/rebalancing/proposal.js';

/** Cases where binary floats, even rounded to 15 significant digits, give a wrong cent, share or weight. */

const asOf = '2024-06-30';
const noCosts: RebalanceOptions = {
  cashBufferWeight: 0,
  minTradeValue: 0,
  commissionPerTrade: 0,
  commissionRate: 0,
  recentTrades: [],
};

function portfolio(cash: string | number, lots: Portfolio['lots'] = [], currency = 'USD'): Portfolio {
  return { id: 'pf-x', accountNumber: 'ACC-X', cash, currency, lots };
}

describe('exact money in the rebalancing math', () => {
  it('values a billion-dollar lot to the right cent (floats rounded to 15 digits say .23)', () => {
    // 8,744,782 × 123.456789 = 1,079,602,706.224998: the cents are .22.
    const book = portfolio('0.00', [
      { id: 'big', securityId: 'us-eq', quantity: '8744782', costBasisPerUnit: '100', acquiredOn: '2020-01-02' },
    ]);
    const valuation = valuePortfolio(book, securities, { ...prices, 'us-eq': '123.456789' });
    expect(valuation.lots[0]).toMatchObject({
      marketValue: 1_079_602_706.22,
      costBasis: 874_478_200,
      unrealizedGain: 205_124_506.22,
    });
    expect(valuation.totalValue).toBe(1_079_602_706.22);
  });

  it('scales model weights for the cash buffer without float noise (0.27 × 0.99 is 0.26730000000000004 in floats)', () => {
    const model: ModelPortfolio = {
      id: 'two',
      name: 'Two funds',
      cashWeight: 0,
      bands: balanced.bands,
      targets: [
        { securityId: 'us-eq', assetClass: 'us-equity', weight: 0.73 },
        { securityId: 'bond', assetClass: 'fixed-income', weight: 0.27 },
      ],
    };
    const buffered = applyCashBuffer(model, 0.01);
    expect(buffered.targets.map((target) => target.weight)).toEqual([0.7227, 0.2673]);
    const drift = computeDrift(portfolio(100_000), buffered, securities, prices);
    expect(drift.securities.map((row) => [row.securityId, row.target, row.absoluteDeviation])).toEqual([
      ['bond', 0.2673, -0.2673],
      ['us-eq', 0.7227, -0.7227],
    ]);
    expect(drift.cash).toMatchObject({ target: 0.01, actual: 1, absoluteDeviation: 0.99 });
  });

  it('floors a trade quantity down, never up (floats rounded to 15 digits buy 142857142.857143)', () => {
    expect(floorQuantity(decimal(1_000_000_000).div(7), true).toFixed()).toBe('142857142.857142');
  });

  it('sizes a billion-dollar buy by flooring, not rounding, its quantity', () => {
    const model: ModelPortfolio = {
      id: 'all-bond',
      name: 'All bonds',
      cashWeight: 0,
      bands: balanced.bands,
      targets: [{ securityId: 'bond', assetClass: 'fixed-income', weight: 1 }],
    };
    const proposal = proposeRebalance({
      portfolio: portfolio('1000000000.00'),
      model,
      securities,
      prices: { ...prices, bond: 7 },
      asOf,
      options: noCosts,
    });
    expect(proposal.trades).toEqual([
      { securityId: 'bond', side: 'buy', quantity: 142_857_142.857142, price: 7, value: 1_000_000_000, commission: 0 },
    ]);
    expect(proposal.cashAfter).toBe(0);
  });

  it('takes cash and prices as decimal text and moves cash exactly across fills', () => {
    const start = portfolio('0.10');
    const after = applyFills(start, [{ securityId: 'bond', side: 'buy', quantity: 1, price: 80, commission: 0 }], asOf);
    expect(after.cash).toBe(-79.9);
    const back = applyFills(after, [{ securityId: 'bond', side: 'sell', quantity: 1, price: '80.20' }], asOf);
    expect(back.cash).toBe(0.3);
    expect(back.lots).toEqual([]);
  });

  it('rounds at the portfolio currency: a yen portfolio has no decimals', () => {
    const book = portfolio(
      '1000',
      [{ id: 'jp', securityId: 'us-eq', quantity: '3.5', costBasisPerUnit: '101.1', acquiredOn: '2020-01-02' }],
      'JPY',
    );
    const valuation = valuePortfolio(book, securities, { ...prices, 'us-eq': '100.3' });
    // 3.5 × 100.3 = 351.05 → 351 yen; 3.5 × 101.1 = 353.85 → 354 yen.
    expect(valuation.lots[0]).toMatchObject({ marketValue: 351, costBasis: 354, unrealizedGain: -3 });
    expect(valuation.totalValue).toBe(1_351);
  });
});
