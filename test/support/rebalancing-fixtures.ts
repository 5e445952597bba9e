import type { ModelPortfolio, Prices, Security } from '../../workflows/rebalancing/portfolio-math.js';

/** The securities, model and prices the rebalancing math tests share. */

export const securities: Security[] = [
  { id: 'us-eq', symbol: 'VTI', name: 'US Total Market', assetClass: 'us-equity', fractional: false },
  { id: 'intl-eq', symbol: 'VXUS', name: 'International Equity', assetClass: 'intl-equity', fractional: false },
  { id: 'bond', symbol: 'BND', name: 'Total Bond Market', assetClass: 'fixed-income', fractional: true },
  { id: 'legacy', symbol: 'XYZ', name: 'Legacy Holding', assetClass: 'us-equity', fractional: false },
  { id: 'gold', symbol: 'GLD', name: 'Gold', assetClass: 'commodities', fractional: false },
];

// Balanced: 55% US equity, 10% international, 33% bonds, 2% cash; 5/25 bands.
export const balanced: ModelPortfolio = {
  id: 'balanced',
  name: 'Balanced',
  cashWeight: 0.02,
  bands: { absolute: 0.05, relative: 0.25 },
  targets: [
    { securityId: 'us-eq', assetClass: 'us-equity', weight: 0.55 },
    { securityId: 'intl-eq', assetClass: 'intl-equity', weight: 0.1 },
    { securityId: 'bond', assetClass: 'fixed-income', weight: 0.33 },
  ],
};

export const prices: Prices = { 'us-eq': 100, 'intl-eq': 50, bond: 80, legacy: 100, gold: 100 };
