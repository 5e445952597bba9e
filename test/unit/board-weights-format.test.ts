import { describe, expect, it } from 'vitest';
import {
  assetClassLabel,
  formatAmount,
  formatMoney,
  formatPercent,
  formatPoints,
  formatQuantity,
} from '../../web/src/format.js';

describe('how the board writes weights, drift, prices and quantities', () => {
  it('writes weights as percentages and drift as signed points', () => {
    expect(formatPercent(0.0525)).toBe('5.3%');
    expect(formatPercent(0.05, 0)).toBe('5%');
    expect(formatPoints(0.023)).toBe('+2.3 pts');
    expect(formatPoints(-0.0104)).toBe('-1.0 pts');
    expect(formatPoints(0.0004)).toBe('0.0 pts');
    expect(formatPoints(-0.0004)).toBe('0.0 pts');
    expect(formatPoints(0.02, false)).toBe('2.0 pts');
    // In floats 0.0045 * 100 is 0.44999999999999996 and 0.0185 * 100 is 1.8499999999999999, which round down.
    expect(formatPercent(0.0045)).toBe('0.5%');
    expect(formatPoints(-0.0185)).toBe('-1.9 pts');
  });

  it('writes money to the cent and quantities as they are', () => {
    expect(formatAmount(11200, 'USD')).toBe('$11,200.00');
    expect(formatAmount(-12.5, 'USD')).toBe('-$12.50');
    expect(formatAmount(1.005, 'USD')).toBe('$1.01');
    expect(formatAmount(1234, 'JPY')).toBe('¥1,234');
    expect(formatMoney(250_000.5, 'USD')).toBe('$250,001');
    expect(formatQuantity(156)).toBe('156');
    expect(formatQuantity(39.588561)).toBe('39.588561');
    expect(formatQuantity(1234.5)).toBe('1,234.5');
  });

  it('names asset classes as people write them', () => {
    expect(assetClassLabel('us_equity')).toBe('US equity');
    expect(assetClassLabel('intl_bonds')).toBe('International bonds');
    expect(assetClassLabel('real_estate')).toBe('Real estate');
    expect(assetClassLabel('business_development')).toBe('Business development');
  });
});
