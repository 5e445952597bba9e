import { describe, expect, it } from 'vitest';
import { balanced, prices, securities } from '../support/rebalancing-fixtures.js';
import {
  computeDrift,
  roundQuantity,
  type ModelPortfolio,
  type Portfolio,
  type Prices,
  type TaxLot,
} from '../../workflows/rebalancing/portfolio-math.js';
import {
  applyFills,
  daysBetween,
  detectWashSale,
  holdingTerm,
  proposeRebalance,
  selectLotsForSale,
  type RebalanceOptions,
  type RecentTrade,
} from '../../workflows/rebalancing/proposal.js';

const asOf = '2024-06-30';

const noCosts: RebalanceOptions = {
  cashBufferWeight: 0.02,
  minTradeValue: 100,
  commissionPerTrade: 0,
  commissionRate: 0,
  recentTrades: [],
};

function lot(
  id: string,
  securityId: string,
  quantity: number,
  costBasisPerUnit: number,
  acquiredOn = '2020-01-02',
): TaxLot {
  return { id, securityId, quantity, costBasisPerUnit, acquiredOn };
}

function portfolioOf(cash: number, lots: TaxLot[]): Portfolio {
  return { id: 'pf-1', accountNumber: 'ACC-001', cash, currency: 'USD', lots };
}

/**
 * 100,000 in total: US equity 65% (target 55%) in a loss lot, a long-term gain lot and a short-term
 * gain lot; international 5% (10%); bonds 27% (33%); 1% in a legacy fund outside the model; 2% cash.
 */
const drifted = portfolioOf(2_000, [
  lot('us-loss', 'us-eq', 50, 130, '2021-03-01'), // −30/unit, long-term
  lot('us-lt', 'us-eq', 300, 80, '2019-05-01'), // +20/unit, long-term
  lot('us-st', 'us-eq', 300, 95, '2024-04-01'), // +5/unit, short-term
  lot('intl-1', 'intl-eq', 100, 45),
  lot('bond-1', 'bond', 337.5, 82),
  lot('legacy-1', 'legacy', 6, 90, '2022-01-01'), // +10/unit, long-term
  lot('legacy-2', 'legacy', 4, 120, '2024-06-01'), // −20/unit, short-term
]);

function propose(
  portfolio: Portfolio,
  options: Partial<RebalanceOptions> = {},
  overrides: { prices?: Prices; model?: ModelPortfolio } = {},
) {
  return proposeRebalance({
    portfolio,
    model: overrides.model ?? balanced,
    securities,
    prices: overrides.prices ?? prices,
    asOf,
    options: { ...noCosts, ...options },
  });
}

function tradeOf(proposal: ReturnType<typeof propose>, securityId: string) {
  const trade = proposal.trades.find((candidate) => candidate.securityId === securityId);
  if (!trade) throw new Error(`no trade for ${securityId}`);
  return trade;
}

describe('holding period and dates', () => {
  it('is long-term only after the first anniversary, also across a 29 February', () => {
    expect(holdingTerm('2023-06-30', asOf)).toBe('short');
    expect(holdingTerm('2023-06-29', asOf)).toBe('long');
    expect(daysBetween('2023-03-01', '2024-03-01')).toBe(366);
    expect(holdingTerm('2023-03-01', '2024-03-01')).toBe('short');
    expect(holdingTerm('2023-03-01', '2024-03-02')).toBe('long');
    expect(holdingTerm('2024-02-29', '2025-02-28')).toBe('short');
    expect(holdingTerm('2024-02-29', '2025-03-01')).toBe('long');
  });

  it('rejects a malformed or impossible date', () => {
    expect(() => daysBetween('2024-02-30', asOf)).toThrow('invalid date "2024-02-30": expected YYYY-MM-DD');
    expect(() => holdingTerm('30/06/2024', asOf)).toThrow('invalid date "30/06/2024"');
  });
});

describe('selectLotsForSale', () => {
  const lots = [
    lot('lt-big-gain', 'us-eq', 10, 60, '2019-01-01'),
    lot('st-gain', 'us-eq', 10, 95, '2024-04-01'),
    lot('lt-small-gain', 'us-eq', 10, 85, '2020-01-01'),
    lot('st-small-loss', 'us-eq', 10, 110, '2024-05-01'),
    lot('lt-big-loss', 'us-eq', 10, 150, '2018-01-01'),
  ];

  it('sells losses first (largest first), then long-term gains (smallest first), short-term gains last', () => {
    expect(selectLotsForSale(lots, 45, 100, asOf, 'USD')).toEqual([
      {
        lotId: 'lt-big-loss',
        acquiredOn: '2018-01-01',
        quantity: 10,
        costBasisPerUnit: 150,
        realizedGain: -500,
        term: 'long',
      },
      {
        lotId: 'st-small-loss',
        acquiredOn: '2024-05-01',
        quantity: 10,
        costBasisPerUnit: 110,
        realizedGain: -100,
        term: 'short',
      },
      {
        lotId: 'lt-small-gain',
        acquiredOn: '2020-01-01',
        quantity: 10,
        costBasisPerUnit: 85,
        realizedGain: 150,
        term: 'long',
      },
      {
        lotId: 'lt-big-gain',
        acquiredOn: '2019-01-01',
        quantity: 10,
        costBasisPerUnit: 60,
        realizedGain: 400,
        term: 'long',
      },
      {
        lotId: 'st-gain',
        acquiredOn: '2024-04-01',
        quantity: 5,
        costBasisPerUnit: 95,
        realizedGain: 25,
        term: 'short',
      },
    ]);
  });

  it('prefers a long-term gain over a smaller short-term gain', () => {
    expect(selectLotsForSale([lots[1], lots[0]], 10, 100, asOf, 'USD').map((sale) => sale.lotId)).toEqual([
      'lt-big-gain',
    ]);
  });

  it('refuses to sell more than the lots hold', () => {
    expect(() => selectLotsForSale(lots, 50.000001, 100, asOf, 'USD')).toThrow(
      'cannot sell 50.000001: only 50 held in the given lots',
    );
  });
});

describe('proposeRebalance', () => {
  it('rebalances fully to target: sells tax-aware, liquidates the out-of-model fund, buys the rest', () => {
    const proposal = propose(drifted);
    expect(proposal.trades).toEqual([
      {
        securityId: 'legacy',
        side: 'sell',
        quantity: 10,
        price: 100,
        value: 1_000,
        commission: 0,
        lots: [
          {
            lotId: 'legacy-2',
            acquiredOn: '2024-06-01',
            quantity: 4,
            costBasisPerUnit: 120,
            realizedGain: -80,
            term: 'short',
          },
          {
            lotId: 'legacy-1',
            acquiredOn: '2022-01-01',
            quantity: 6,
            costBasisPerUnit: 90,
            realizedGain: 60,
            term: 'long',
          },
        ],
      },
      {
        securityId: 'us-eq',
        side: 'sell',
        quantity: 100,
        price: 100,
        value: 10_000,
        commission: 0,
        // The loss lot first, then the long-term gain; the short-term lot (smaller gain) is left alone.
        lots: [
          {
            lotId: 'us-loss',
            acquiredOn: '2021-03-01',
            quantity: 50,
            costBasisPerUnit: 130,
            realizedGain: -1_500,
            term: 'long',
          },
          {
            lotId: 'us-lt',
            acquiredOn: '2019-05-01',
            quantity: 50,
            costBasisPerUnit: 80,
            realizedGain: 1_000,
            term: 'long',
          },
        ],
      },
      { securityId: 'bond', side: 'buy', quantity: 75, price: 80, value: 6_000, commission: 0 },
      { securityId: 'intl-eq', side: 'buy', quantity: 100, price: 50, value: 5_000, commission: 0 },
    ]);
    expect(proposal.skipped).toEqual([]);
    expect(proposal.estimatedRealizedGains).toEqual({ shortTerm: -80, longTerm: -440, total: -520 });
    expect([proposal.totalSellValue, proposal.totalBuyValue, proposal.estimatedCosts, proposal.cashAfter]).toEqual([
      11_000, 11_000, 0, 2_000,
    ]);
    expect(proposal.buyScaleFactor).toBe(1);
    expect(proposal.before.bySecurity).toEqual({ bond: 0.27, 'intl-eq': 0.05, legacy: 0.01, 'us-eq': 0.65 });
    expect(proposal.after).toEqual({
      totalValue: 100_000,
      cash: 0.02,
      bySecurity: { bond: 0.33, 'intl-eq': 0.1, 'us-eq': 0.55 },
      byAssetClass: { 'fixed-income': 0.33, 'intl-equity': 0.1, 'us-equity': 0.55 },
    });
    expect(proposal.withinBandsAfter).toBe(true);
  });

  it('is back within bands after the proposal is executed and applied', () => {
    expect(computeDrift(drifted, balanced, securities, prices).outOfBand).toBe(true);
    const proposal = propose(drifted);
    const executed = applyFills(drifted, proposal.trades, asOf);
    const drift = computeDrift(executed, balanced, securities, prices);
    expect(drift.outOfBand).toBe(false);
    expect(drift.driftScore).toBe(0);
    expect(executed.cash).toBe(2_000);
    expect(executed.lots).toEqual([
      lot('us-lt', 'us-eq', 250, 80, '2019-05-01'),
      lot('us-st', 'us-eq', 300, 95, '2024-04-01'),
      lot('intl-1', 'intl-eq', 100, 45),
      lot('bond-1', 'bond', 337.5, 82),
      lot('bond@2024-06-30', 'bond', 75, 80, asOf),
      lot('intl-eq@2024-06-30', 'intl-eq', 100, 50, asOf),
    ]);
  });

  it('proposes nothing for a portfolio on target, even with no minimum trade size', () => {
    const onTarget = portfolioOf(2_000, [
      lot('u', 'us-eq', 550, 90),
      lot('i', 'intl-eq', 200, 40),
      lot('b', 'bond', 412.5, 70),
    ]);
    const proposal = propose(onTarget, { minTradeValue: 0 });
    expect(proposal.trades).toEqual([]);
    expect(proposal.skipped).toEqual([]);
    expect(proposal.withinBandsAfter).toBe(true);
  });

  it('skips a trade below the minimum trade value and reports why', () => {
    // Bonds are 40 short of target (32,960 vs 33,000); everything else is on target.
    const nearTarget = portfolioOf(2_040, [
      lot('u', 'us-eq', 550, 90),
      lot('i', 'intl-eq', 200, 40),
      lot('b', 'bond', 412, 70),
    ]);
    const proposal = propose(nearTarget);
    expect(proposal.trades).toEqual([]);
    expect(proposal.skipped).toEqual([
      {
        securityId: 'bond',
        side: 'buy',
        value: 40,
        reason: 'trade value 40.00 is below the minimum trade value 100.00',
      },
    ]);
    expect(propose(nearTarget, { minTradeValue: 40 }).trades).toEqual([
      { securityId: 'bond', side: 'buy', quantity: 0.5, price: 80, value: 40, commission: 0 },
    ]);
  });

  it('trades whole shares of non-fractional securities, rounds down and never sells more than held', () => {
    const oddPrices: Prices = { 'us-eq': 137.13, 'intl-eq': 51.37, bond: 81.37, legacy: 12.34 };
    const portfolio = portfolioOf(1_234.56, [
      lot('u', 'us-eq', 700, 90),
      lot('i', 'intl-eq', 10, 40),
      lot('b', 'bond', 100.123, 85),
      lot('x', 'legacy', 3, 10),
    ]);
    const proposal = propose(portfolio, { minTradeValue: 10 }, { prices: oddPrices });
    // US equity wants to shed 275.16 shares: 275. International wants ~196.3: 196.
    expect(proposal.trades.map(({ securityId, side, quantity, value }) => [securityId, side, quantity, value])).toEqual(
      [
        ['legacy', 'sell', 3, 37.02],
        ['us-eq', 'sell', 275, 37_710.75],
        ['bond', 'buy', 329.253583, 26_791.36],
        ['intl-eq', 'buy', 196, 10_068.52],
      ],
    );
    const held = new Map([
      ['us-eq', 700],
      ['intl-eq', 10],
      ['bond', 100.123],
      ['legacy', 3],
    ]);
    for (const trade of proposal.trades) {
      const fractional = securities.find((security) => security.id === trade.securityId)?.fractional;
      expect(fractional ? roundQuantity(trade.quantity).eq(trade.quantity) : Number.isInteger(trade.quantity)).toBe(
        true,
      );
      if (trade.side === 'sell') expect(trade.quantity).toBeLessThanOrEqual(held.get(trade.securityId) ?? 0);
    }
    // The rounded-down sell leaves less cash than a perfect rebalance, so buys shrink to fit the 2% buffer.
    expect(proposal.buyScaleFactor).toBe(0.9993913731);
    expect(proposal.cashAfter).toBe(2_122.45);
    expect(proposal.cashAfter).toBeGreaterThanOrEqual(0.02 * 105_923.29);
    expect(proposal.withinBandsAfter).toBe(true);
  });

  describe('cash', () => {
    // 100,000 with 20% cash: everything is under target.
    const cashHeavy = portfolioOf(20_000, [
      lot('u', 'us-eq', 450, 90),
      lot('i', 'intl-eq', 190, 40),
      lot('b', 'bond', 318.75, 85),
    ]);

    it('keeps a cash buffer above the model cash weight by scaling the targets down', () => {
      const buffered = propose(cashHeavy, { cashBufferWeight: 0.05 });
      expect(buffered.effectiveCashWeight).toBe(0.05);
      expect(buffered.trades.map(({ securityId, side, quantity }) => [securityId, side, quantity])).toEqual([
        ['bond', 'buy', 81.122445],
        ['intl-eq', 'buy', 3],
        ['us-eq', 'buy', 83],
      ]);
      expect(buffered.totalBuyValue).toBe(14_939.8);
      expect(buffered.cashAfter).toBe(5_060.2);
      expect(buffered.after.cash).toBeGreaterThanOrEqual(0.05);

      // Without the extra buffer the same portfolio invests down to the model's 2%.
      const unbuffered = propose(cashHeavy, { cashBufferWeight: 0.01 });
      expect(unbuffered.effectiveCashWeight).toBe(0.02);
      expect(unbuffered.cashAfter).toBe(2_000);
    });

    it('scales buys down proportionally when cash after sells and costs is short', () => {
      // All in the legacy fund: selling it costs 5 + 1%, and so does every buy.
      const legacyOnly = portfolioOf(1_000, [lot('x', 'legacy', 990, 90)]);
      const proposal = propose(legacyOnly, { commissionPerTrade: 5, commissionRate: 0.01 });
      expect(
        proposal.trades.map(({ securityId, side, quantity, value, commission }) => [
          securityId,
          side,
          quantity,
          value,
          commission,
        ]),
      ).toEqual([
        ['legacy', 'sell', 990, 99_000, 995],
        ['bond', 'buy', 404.206657, 32_336.53, 328.37],
        ['intl-eq', 'buy', 195, 9_750, 102.5],
        ['us-eq', 'buy', 538, 53_800, 543],
      ]);
      // Cash after the sell: 1,000 + 99,000 − 995 = 99,005; 2,000 stays as the buffer.
      expect(proposal.buyScaleFactor).toBe(0.9798949283);
      const buySpend = proposal.trades
        .filter((trade) => trade.side === 'buy')
        .reduce((sum, trade) => sum + trade.value + trade.commission, 0);
      expect(buySpend).toBeLessThanOrEqual(99_005 - 2_000);
      expect(proposal.estimatedCosts).toBe(1_968.87);
      expect(proposal.cashAfter).toBe(2_144.6);
      expect(proposal.estimatedRealizedGains).toEqual({ shortTerm: 0, longTerm: 9_900, total: 9_900 });
      expect(applyFills(legacyOnly, proposal.trades, asOf).cash).toBe(2_144.6);
    });

    it('skips a buy that falls under the minimum once scaled, and rescales the rest', () => {
      // 5,000 cash, 100 kept as buffer, 10 per trade: buys scale to 99.39%, so 9.94 international
      // shares round to 9 (450, under the 500 minimum). Without it the other two fit in full.
      const allCash = portfolioOf(5_000, []);
      const proposal = propose(allCash, { commissionPerTrade: 10, minTradeValue: 500 });
      expect(proposal.trades.map(({ securityId, quantity, value }) => [securityId, quantity, value])).toEqual([
        ['bond', 20.625, 1_650],
        ['us-eq', 27, 2_700],
      ]);
      expect(proposal.skipped).toEqual([
        {
          securityId: 'intl-eq',
          side: 'buy',
          value: 500,
          reason:
            'insufficient cash, buys scaled to 0.993877551: trade value 450.00 is below the minimum trade value 500.00',
        },
      ]);
      expect(proposal.buyScaleFactor).toBe(1);

      // 1,500 per trade: three buys scale to 10.2% and all fail. Only the smallest (international)
      // drops; two buys then scale to 45.45%: 1,250 → 12 shares, 750 of bonds.
      const expensive = propose(allCash, { cashBufferWeight: 0, commissionPerTrade: 1_500, minTradeValue: 500 });
      expect(expensive.skipped.map(({ securityId }) => securityId)).toEqual(['intl-eq']);
      expect(expensive.trades.map(({ securityId, value, commission }) => [securityId, value, commission])).toEqual([
        ['bond', 750, 1_500],
        ['us-eq', 1_200, 1_500],
      ]);
      expect(expensive.cashAfter).toBe(50);
    });
  });

  describe('wash sales', () => {
    const lossSale = (tradeDate: string, realizedGain = -300): RecentTrade => ({
      securityId: 'intl-eq',
      side: 'sell',
      quantity: 20,
      price: 55,
      tradeDate,
      realizedGain,
    });

    it('flags a buy within 30 days after a sale at a loss, but not at 31 days or after a gain', () => {
      const flagged = propose(drifted, { recentTrades: [lossSale('2024-05-31')] });
      expect(tradeOf(flagged, 'intl-eq').washSale).toEqual({
        reason: 'buys back within 30 days after a sale at a loss on 2024-05-31; that loss may be disallowed',
        relatedTradeDate: '2024-05-31',
      });
      expect(tradeOf(flagged, 'intl-eq').quantity).toBe(100); // flagged, not dropped
      expect(tradeOf(flagged, 'bond').washSale).toBeUndefined();

      expect(tradeOf(propose(drifted, { recentTrades: [lossSale('2024-05-30')] }), 'intl-eq').washSale).toBeUndefined();
      expect(
        tradeOf(propose(drifted, { recentTrades: [lossSale('2024-06-20', 250)] }), 'intl-eq').washSale,
      ).toBeUndefined();
    });

    it('flags a sale at a loss within 30 days after a purchase of the same security', () => {
      const recentBuy: RecentTrade = {
        securityId: 'us-eq',
        side: 'buy',
        quantity: 5,
        price: 98,
        tradeDate: '2024-06-20',
      };
      const proposal = propose(drifted, { recentTrades: [recentBuy] });
      expect(tradeOf(proposal, 'us-eq').washSale).toEqual({
        reason: 'sells at a loss within 30 days after a purchase on 2024-06-20; the loss may be disallowed',
        relatedTradeDate: '2024-06-20',
      });
      expect(tradeOf(proposal, 'legacy').washSale).toBeUndefined();
    });

    it('does not flag a sale at a gain, whatever was bought recently', () => {
      const recentBuy: RecentTrade = {
        securityId: 'us-eq',
        side: 'buy',
        quantity: 5,
        price: 98,
        tradeDate: '2024-06-20',
      };
      const gainOnly = {
        securityId: 'us-eq',
        side: 'sell' as const,
        lots: selectLotsForSale([lot('g', 'us-eq', 10, 80)], 10, 100, asOf, 'USD'),
      };
      expect(detectWashSale(gainOnly, [recentBuy], asOf)).toBeUndefined();
      const withLoss = { ...gainOnly, lots: selectLotsForSale([lot('l', 'us-eq', 10, 120)], 10, 100, asOf, 'USD') };
      expect(detectWashSale(withLoss, [recentBuy], asOf)?.relatedTradeDate).toBe('2024-06-20');
    });
  });

  it('sells a holding outside the model entirely, even a fractional remainder of a whole-share security', () => {
    // 7.25 legacy shares (e.g. from reinvested dividends): rounding down would leave 0.25 behind.
    const withRemainder = portfolioOf(2_000, [
      lot('u', 'us-eq', 550, 90),
      lot('i', 'intl-eq', 200, 40),
      lot('b', 'bond', 412.5, 70),
      lot('x', 'legacy', 7.25, 90),
    ]);
    const proposal = propose(withRemainder);
    expect(tradeOf(proposal, 'legacy')).toMatchObject({ side: 'sell', quantity: 7.25, value: 725 });
    expect(proposal.after.bySecurity.legacy).toBeUndefined();
    expect(applyFills(withRemainder, proposal.trades, asOf).lots.some((row) => row.securityId === 'legacy')).toBe(
      false,
    );
  });

  it('throws naming the security when a model security has no price', () => {
    const { bond: _bond, ...withoutBond } = prices;
    expect(() => propose(drifted, {}, { prices: withoutBond })).toThrow('No price for security BND (bond)');
  });
});

describe('applyFills', () => {
  const start = portfolioOf(1_000, [lot('a', 'us-eq', 10, 80, '2019-01-01'), lot('b', 'us-eq', 10, 120, '2024-01-01')]);

  it('opens a lot for a buy and reduces the named lots for a sell, moving cash by value and commission', () => {
    const after = applyFills(
      start,
      [
        {
          securityId: 'us-eq',
          side: 'sell',
          quantity: 4,
          price: 100,
          commission: 1.5,
          lots: [{ lotId: 'a', quantity: 4 }],
        },
        { securityId: 'bond', side: 'buy', quantity: 2.5, price: 80, commission: 1 },
      ],
      asOf,
    );
    expect(after.cash).toBe(1_000 + 400 - 1.5 - 200 - 1);
    expect(after.lots).toEqual([
      lot('a', 'us-eq', 6, 80, '2019-01-01'),
      lot('b', 'us-eq', 10, 120, '2024-01-01'),
      lot('bond@2024-06-30', 'bond', 2.5, 80, asOf),
    ]);
    expect(start.lots[0].quantity).toBe(10); // the input is untouched
  });

  it('chooses lots tax-aware when a sell names none, and removes emptied lots', () => {
    const after = applyFills(start, [{ securityId: 'us-eq', side: 'sell', quantity: 12, price: 100 }], asOf);
    expect(after.lots).toEqual([lot('a', 'us-eq', 8, 80, '2019-01-01')]);
    expect(after.cash).toBe(2_200);
  });

  it('gives a second same-day buy its own lot id', () => {
    const buy = { securityId: 'bond', side: 'buy' as const, quantity: 1, price: 80 };
    expect(applyFills(start, [buy, buy], asOf).lots.map((row) => row.id)).toEqual([
      'a',
      'b',
      'bond@2024-06-30',
      'bond@2024-06-30#2',
    ]);
  });

  it('rejects sells that do not match the lots held', () => {
    const sell = { securityId: 'us-eq', side: 'sell' as const, price: 100 };
    expect(() => applyFills(start, [{ ...sell, quantity: 11, lots: [{ lotId: 'a', quantity: 11 }] }], asOf)).toThrow(
      'cannot sell 11 from lot a: it holds 10',
    );
    expect(() => applyFills(start, [{ ...sell, quantity: 1, lots: [{ lotId: 'zz', quantity: 1 }] }], asOf)).toThrow(
      'lot zz of us-eq is not in portfolio pf-1',
    );
    expect(() => applyFills(start, [{ ...sell, quantity: 2, lots: [{ lotId: 'a', quantity: 1 }] }], asOf)).toThrow(
      'sell of 2 us-eq names lots totalling 1',
    );
    expect(() => applyFills(start, [{ ...sell, quantity: 21 }], asOf)).toThrow(
      'cannot sell 21: only 20 held in the given lots',
    );
  });
});
