import { describe, expect, it } from 'vitest';
import {
  amountInCurrencySchema,
  amountProblem,
  decimal,
  minorUnit,
  minorUnitsOf,
  quantize,
  roundToCurrency,
  sumOf,
  toWireNumber,
  wireAmount,
} from '../../workflows/money.js';

describe('decimals', () => {
  it('adds tenths exactly where floats do not', () => {
    expect(0.1 + 0.2).not.toBe(0.3);
    expect(toWireNumber(decimal(0.1).plus(0.2))).toBe(0.3);
    expect(toWireNumber(sumOf(Array.from({ length: 10 }, () => '0.1')))).toBe(1);
    expect(decimal('0.3').div('0.1').toFixed()).toBe('3');
  });

  it('rounds half away from zero, down and up, at a number of places', () => {
    expect(quantize(1.005, 2).toFixed()).toBe('1.01');
    expect(quantize(-1.005, 2).toFixed()).toBe('-1.01');
    expect(quantize('12.28954160009', 6, 'down').toFixed()).toBe('12.289541');
    expect(quantize('2.0000001', 2, 'up').toFixed()).toBe('2.01');
  });

  it('puts a decimal on the wire only when a double carries it exactly, never as -0', () => {
    expect(toWireNumber('1234567.89')).toBe(1234567.89);
    expect(Object.is(toWireNumber(quantize(-0.001, 2)), 0)).toBe(true);
    expect(() => toWireNumber('0.1000000000000000001')).toThrow(/more digits than a JSON number/);
  });

  it('refuses text that is not a number', () => {
    expect(() => decimal('abc')).toThrow();
    expect(() => decimal(Number.NaN)).toThrow(/not a finite number/);
  });
});

describe('currencies', () => {
  it('knows ISO 4217 minor units', () => {
    expect([minorUnitsOf('USD'), minorUnitsOf('EUR'), minorUnitsOf('JPY'), minorUnitsOf('KWD')]).toEqual([2, 2, 0, 3]);
    expect(minorUnit('JPY').toFixed()).toBe('1');
    expect(minorUnit('USD').toFixed()).toBe('0.01');
    expect(() => minorUnitsOf('usd')).toThrow(/ISO 4217/);
  });

  it('rounds at the currency precision', () => {
    expect(wireAmount(0.1 + 0.2, 'USD')).toBe(0.3);
    expect(wireAmount('1234.5', 'JPY')).toBe(1235);
    expect(wireAmount('1.0005', 'KWD')).toBe(1.001);
    expect(roundToCurrency('99.999', 'USD', 'down').toFixed()).toBe('99.99');
  });

  it('says why an amount does not fit its currency', () => {
    expect(amountProblem(1250.5, 'USD')).toBeNull();
    expect(amountProblem(1250.505, 'USD')).toBe('USD amounts have at most 2 decimals');
    expect(amountProblem(10.5, 'JPY')).toBe('JPY amounts have no decimals');
    expect(amountProblem('10.125', 'KWD')).toBeNull();
    expect(amountProblem('1234567890123456', 'JPY')).toMatch(/more than 15 significant digits/);
  });
});

describe('amountInCurrencySchema', () => {
  it('accepts an amount within its currency precision', () => {
    expect(amountInCurrencySchema.parse({ amount: 1250.5, currency: 'USD' })).toEqual({
      amount: 1250.5,
      currency: 'USD',
    });
    expect(amountInCurrencySchema.safeParse({ amount: 1000, currency: 'JPY' }).success).toBe(true);
  });

  it('refuses a USD amount with three decimals, naming the amount', () => {
    const result = amountInCurrencySchema.safeParse({ amount: 10.005, currency: 'USD' });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => [issue.path.join('.'), issue.message])).toEqual([
      ['amount', 'USD amounts have at most 2 decimals'],
    ]);
  });

  it('refuses a JPY amount with decimals, naming the amount', () => {
    const result = amountInCurrencySchema.safeParse({ amount: 10.5, currency: 'JPY' });
    expect(result.error?.issues.map((issue) => [issue.path.join('.'), issue.message])).toEqual([
      ['amount', 'JPY amounts have no decimals'],
    ]);
  });

  it('reports a bad currency on the currency, not the amount', () => {
    const result = amountInCurrencySchema.safeParse({ amount: 10.5, currency: 'yen' });
    expect(result.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['currency']);
  });
});
