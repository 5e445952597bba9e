import { describe, expect, it } from 'vitest';
import { balanced, prices, securities } from '../support/rebalancing-fixtures.js';
import {
  bandTolerance,
  computeDrift,
  floorQuantity,
  roundQuantity,
  valuePortfolio,
  type ModelPortfolio,
  type Portfolio,
  type TaxLot,
} from '../../workflows/rebalancing/portfolio-math.js';
import { decimal } from '../../workflows/money.js';

function lot(id: string, securityId: string, quantity: number, costBasisPerUnit = 10): TaxLot {
  return { id, securityId, quantity, costBasisPerUnit, acquiredOn: '2020-01-02' };
}

/** A portfolio holding the given quantities, one lot each, plus cash. */
function holding(cash: number, quantities: Record<string, number>): Portfolio {
  const lots = Object.entries(quantities).map(([securityId, quantity]) => lot(`${securityId}-1`, securityId, quantity));
  return { id: 'pf-1', accountNumber: 'ACC-001', cash, currency: 'USD', lots };
}

/** 100,000 total, exactly on the balanced model. */
const onTarget = holding(2_000, { 'us-eq': 550, 'intl-eq': 200, bond: 412.5 });

function securityRow(report: ReturnType<typeof computeDrift>, securityId: string) {
  const row = report.securities.find((candidate) => candidate.securityId === securityId);
  if (!row) throw new Error(`no drift row for ${securityId}`);
  return row;
}

describe('rounding helpers', () => {
  it('rounds quantities to 6 decimals and floors tradable quantities, in decimals', () => {
    expect(roundQuantity(12.28954160009).toFixed()).toBe('12.289542');
    expect(floorQuantity(12.28954160009, true).toFixed()).toBe('12.289541');
    // In floats 0.3 / 0.1 is 2.9999999999999996, which floors to 2 shares.
    expect(floorQuantity(decimal('0.3').div('0.1'), false).toFixed()).toBe('3');
    expect(floorQuantity(2.999, false).toFixed()).toBe('2');
  });
});

describe('valuePortfolio', () => {
  it('values lots, securities, asset classes and weights, with cash in the total', () => {
    const portfolio: Portfolio = {
      id: 'pf-2',
      accountNumber: 'ACC-002',
      cash: 1_000,
      currency: 'USD',
      lots: [
        lot('a', 'us-eq', 30, 90),
        lot('b', 'us-eq', 20, 120),
        lot('c', 'legacy', 10, 50),
        lot('d', 'bond', 12.5, 82),
      ],
    };
    const valuation = valuePortfolio(portfolio, securities, prices);
    expect(valuation.lots.map((row) => [row.lotId, row.marketValue, row.costBasis, row.unrealizedGain])).toEqual([
      ['a', 3_000, 2_700, 300],
      ['b', 2_000, 2_400, -400],
      ['c', 1_000, 500, 500],
      ['d', 1_000, 1_025, -25],
    ]);
    expect(valuation.securities).toEqual([
      { securityId: 'bond', assetClass: 'fixed-income', quantity: 12.5, price: 80, marketValue: 1_000, weight: 0.125 },
      { securityId: 'legacy', assetClass: 'us-equity', quantity: 10, price: 100, marketValue: 1_000, weight: 0.125 },
      { securityId: 'us-eq', assetClass: 'us-equity', quantity: 50, price: 100, marketValue: 5_000, weight: 0.625 },
    ]);
    expect(valuation.assetClasses).toEqual([
      { assetClass: 'fixed-income', marketValue: 1_000, weight: 0.125 },
      { assetClass: 'us-equity', marketValue: 6_000, weight: 0.75 },
    ]);
    expect([valuation.securitiesValue, valuation.cash, valuation.totalValue, valuation.cashWeight]).toEqual([
      7_000, 1_000, 8_000, 0.125,
    ]);
  });

  it('rounds each lot to cents so the parts add up to the total', () => {
    const portfolio = holding(0, {});
    portfolio.lots = [lot('a', 'bond', 3), lot('b', 'bond', 3)];
    const valuation = valuePortfolio(portfolio, securities, { bond: 33.335 });
    expect(valuation.lots.map((row) => row.marketValue)).toEqual([100.01, 100.01]);
    expect(valuation.totalValue).toBe(200.02);
  });

  it('throws naming the security when a price is missing', () => {
    const portfolio = holding(0, { 'us-eq': 1, legacy: 1 });
    expect(() => valuePortfolio(portfolio, securities, { 'us-eq': 100 })).toThrow('No price for security XYZ (legacy)');
  });
});

describe('band rule (5/25: out when the absolute OR the relative band is breached)', () => {
  it('uses min(absolute, relative × target), floored at half a point, and 0 for a zero target', () => {
    expect(bandTolerance(0.55, balanced.bands)).toBe(0.05); // big sleeve: absolute band binds
    expect(bandTolerance(0.1, balanced.bands)).toBe(0.025); // small sleeve: relative band binds
    expect(bandTolerance(0.01, balanced.bands)).toBe(0.005); // tiny sleeve: the floor binds
    expect(bandTolerance(0.01, { ...balanced.bands, relativeFloor: 0 })).toBe(0.0025);
    expect(bandTolerance(0, balanced.bands)).toBe(0);
  });
});

describe('computeDrift', () => {
  it('reports a portfolio on target as within bands with no drift', () => {
    const report = computeDrift(onTarget, balanced, securities, prices);
    expect(report.outOfBand).toBe(false);
    expect(report.driftScore).toBe(0);
    expect(report.maxAbsoluteDrift).toBe(0);
    expect(report.securities.map((row) => [row.securityId, row.target, row.actual])).toEqual([
      ['bond', 0.33, 0.33],
      ['intl-eq', 0.1, 0.1],
      ['us-eq', 0.55, 0.55],
    ]);
    expect(report.cash).toEqual({
      target: 0.02,
      actual: 0.02,
      absoluteDeviation: 0,
      relativeDeviation: 0,
      tolerance: 0.005,
      outOfBand: false,
    });
  });

  it('flags the portfolio once a price move pushes a sleeve out of band', () => {
    // International rallies 50 → 65: 13,000 of 103,000.
    const report = computeDrift(onTarget, balanced, securities, { ...prices, 'intl-eq': 65 });
    expect(securityRow(report, 'intl-eq')).toMatchObject({
      actual: 0.1262135922,
      absoluteDeviation: 0.0262135922,
      relativeDeviation: 0.262135922,
      tolerance: 0.025,
      outOfBand: true,
    });
    expect(securityRow(report, 'us-eq')).toMatchObject({ absoluteDeviation: -0.0160194175, outOfBand: false });
    expect(report.assetClasses.find((row) => row.assetClass === 'intl-equity')?.outOfBand).toBe(true);
    expect(report.outOfBand).toBe(true);
    expect(report.maxAbsoluteDrift).toBe(0.0262135922);
    expect(report.totalValue).toBe(103_000);
  });

  it('flags a breach of the absolute band even when the relative deviation is small', () => {
    // US equity 61% vs 55%: +6 points (> 5) but only +10.9% of target (< 25%).
    const report = computeDrift(
      holding(2_000, { 'us-eq': 610, 'intl-eq': 200, bond: 337.5 }),
      balanced,
      securities,
      prices,
    );
    expect(securityRow(report, 'us-eq')).toMatchObject({
      absoluteDeviation: 0.06,
      relativeDeviation: 0.1090909091,
      tolerance: 0.05,
      outOfBand: true,
    });
    expect(securityRow(report, 'bond')).toMatchObject({ absoluteDeviation: -0.06, outOfBand: true });
    expect(securityRow(report, 'intl-eq').outOfBand).toBe(false);
    expect(report.outOfBand).toBe(true);
    expect(report.driftScore).toBe(0.06);
  });

  it('flags a breach of the relative band even when the absolute deviation is small', () => {
    // International 13% vs 10%: +3 points (< 5) but +30% of target (> 25%). Bonds −3 points, −9% stay in.
    const report = computeDrift(
      holding(2_000, { 'us-eq': 550, 'intl-eq': 260, bond: 375 }),
      balanced,
      securities,
      prices,
    );
    expect(securityRow(report, 'intl-eq')).toMatchObject({
      absoluteDeviation: 0.03,
      relativeDeviation: 0.3,
      outOfBand: true,
    });
    expect(securityRow(report, 'bond')).toMatchObject({
      absoluteDeviation: -0.03,
      relativeDeviation: -0.0909090909,
      outOfBand: false,
    });
    expect(report.outOfBand).toBe(true);
  });

  it('keeps a deviation exactly at the tolerance within band', () => {
    // US +3 points, international +2 points (+20%), bonds exactly −5 points.
    const report = computeDrift(
      holding(2_000, { 'us-eq': 580, 'intl-eq': 240, bond: 350 }),
      balanced,
      securities,
      prices,
    );
    expect(securityRow(report, 'bond')).toMatchObject({ absoluteDeviation: -0.05, outOfBand: false });
    expect(securityRow(report, 'intl-eq')).toMatchObject({ relativeDeviation: 0.2, outOfBand: false });
    expect(report.outOfBand).toBe(false);
    expect(report.maxAbsoluteDrift).toBe(0.05);
  });

  it('does not let the relative band flag a tiny sleeve for sub-floor noise', () => {
    const withGold: ModelPortfolio = {
      ...balanced,
      targets: [
        { securityId: 'us-eq', assetClass: 'us-equity', weight: 0.97 },
        { securityId: 'gold', assetClass: 'commodities', weight: 0.01 },
      ],
    };
    // Gold 1.4% vs 1%: +40% relative, but only 0.4 points, under the 0.5-point floor.
    const noise = computeDrift(holding(2_000, { 'us-eq': 966, gold: 14 }), withGold, securities, prices);
    expect(securityRow(noise, 'gold')).toMatchObject({
      absoluteDeviation: 0.004,
      relativeDeviation: 0.4,
      tolerance: 0.005,
      outOfBand: false,
    });
    expect(noise.outOfBand).toBe(false);
    // Gold 1.6%: 0.6 points, past the floor.
    const signal = computeDrift(holding(2_000, { 'us-eq': 964, gold: 16 }), withGold, securities, prices);
    expect(securityRow(signal, 'gold')).toMatchObject({ absoluteDeviation: 0.006, outOfBand: true });
    expect(signal.outOfBand).toBe(true);
  });

  it('gives a held security outside the model a target of 0 and flags even a small holding', () => {
    // Legacy 500 of 100,000 (0.5%), otherwise near target.
    const report = computeDrift(
      holding(2_000, { 'us-eq': 545, 'intl-eq': 200, bond: 412.5, legacy: 5 }),
      balanced,
      securities,
      prices,
    );
    expect(securityRow(report, 'legacy')).toEqual({
      securityId: 'legacy',
      assetClass: 'us-equity',
      marketValue: 500,
      inModel: false,
      target: 0,
      actual: 0.005,
      absoluteDeviation: 0.005,
      relativeDeviation: null,
      tolerance: 0,
      outOfBand: true,
    });
    // Its asset class is in the model, so the class as a whole is on target.
    expect(report.assetClasses.find((row) => row.assetClass === 'us-equity')).toMatchObject({
      actual: 0.55,
      outOfBand: false,
    });
    expect(report.outOfBand).toBe(true);
    expect(report.driftScore).toBe(0.005);
  });

  it('rejects a model whose weights do not sum to 1 or whose asset class contradicts the security', () => {
    expect(() => computeDrift(onTarget, { ...balanced, cashWeight: 0.05 }, securities, prices)).toThrow(
      'model balanced weights sum to 1.03, not 1',
    );
    const mislabelled: ModelPortfolio = {
      ...balanced,
      targets: balanced.targets.map((target) =>
        target.securityId === 'bond' ? { ...target, assetClass: 'equity' } : target,
      ),
    };
    expect(() => computeDrift(onTarget, mislabelled, securities, prices)).toThrow(
      'model balanced puts BND in equity, but the security is fixed-income',
    );
  });
});
