import { Decimal } from 'decimal.js';
import { z } from 'zod';

/**
 * Exact money for every layer: decimal arithmetic (decimal.js), ISO 4217 minor units and the check of an amount in a
 * currency. Pure, so the workflow sandbox runs it too.
 *
 * Amounts arrive as JSON numbers (read by their shortest decimal text: 0.1 is one tenth) or as the text of a
 * PostgreSQL numeric; both become decimals and are never computed on as binary floats. On the wire they go back out
 * as JSON numbers only when a double carries them exactly (`toWireNumber`).
 */

/** 40 significant digits, far beyond any amount, quantity or weight the hub holds; ties go away from zero. */
export const Dec = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP, toExpNeg: -40, toExpPos: 40 });
export type Dec = Decimal;

/** A decimal as it arrives: a JSON number, the text of a numeric column, or a decimal already. */
export type Numeric = Decimal.Value;

/** Reads a decimal; throws on text that is not a finite number. */
export function decimal(value: Numeric): Decimal {
  const result = new Dec(value);
  if (!result.isFinite()) throw new Error(`${String(value)} is not a finite number`);
  return result;
}

export const ZERO = new Dec(0);

export function sumOf(values: Iterable<Numeric>): Decimal {
  let total = ZERO;
  for (const value of values) total = total.plus(value);
  return total;
}

export const maxOf = (...values: Numeric[]): Decimal => Dec.max(...values);
export const minOf = (...values: Numeric[]): Decimal => Dec.min(...values);

export type Rounding = 'nearest' | 'down' | 'up';
const ROUNDING: Record<Rounding, Decimal.Rounding> = {
  nearest: Decimal.ROUND_HALF_UP,
  down: Decimal.ROUND_DOWN,
  up: Decimal.ROUND_UP,
};

/** Rounds to `places` decimals: 'nearest' is half away from zero, 'down'/'up' go towards/away from zero. */
export function quantize(value: Numeric, places: number, mode: Rounding = 'nearest'): Decimal {
  return decimal(value).toDecimalPlaces(places, ROUNDING[mode]);
}

/** A double holds 15 significant decimal digits exactly; more would change on the way through JSON. */
export const WIRE_DIGITS = 15;

/**
 * The JSON number that carries a decimal exactly (its shortest text reads back as the same decimal), never -0.
 * Throws when a double cannot carry it, so no amount is silently changed on the wire.
 */
export function toWireNumber(value: Numeric): number {
  const exact = decimal(value);
  if (exact.isZero()) return 0;
  const carried = exact.toNumber();
  if (!new Dec(carried).eq(exact))
    throw new Error(`${exact.toFixed()} has more digits than a JSON number carries exactly`);
  return carried;
}

/** Fixed-point text for people and logs, e.g. fixed(1234.5, 2) → "1234.50". */
export const fixed = (value: Numeric, places: number): string => quantize(value, places).toFixed(places);

// ---------------------------------------------------------------------------------------------
// Currencies
// ---------------------------------------------------------------------------------------------

/** ISO 4217 minor units of the currencies that do not have two (cents); every other code has two. */
const MINOR_UNITS: Readonly<Record<string, number>> = {
  BHD: 3,
  BIF: 0,
  CLF: 4,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  IQD: 3,
  ISK: 0,
  JOD: 3,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  PYG: 0,
  RWF: 0,
  TND: 3,
  UGX: 0,
  UYI: 0,
  UYW: 4,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
};

export const CURRENCY_CODE = /^[A-Z]{3}$/;

/** How many decimals an amount in this currency has: 2 for USD, 0 for JPY, 3 for KWD. */
export function minorUnitsOf(currency: string): number {
  if (!CURRENCY_CODE.test(currency)) throw new Error(`${JSON.stringify(currency)} is not an ISO 4217 currency code`);
  return Object.hasOwn(MINOR_UNITS, currency) ? MINOR_UNITS[currency]! : 2;
}

/** The smallest amount of a currency: 0.01 USD, 1 JPY. */
export const minorUnit = (currency: string): Decimal => new Dec(10).pow(-minorUnitsOf(currency));

/** An amount at its currency's precision, half away from zero unless told otherwise. */
export function roundToCurrency(value: Numeric, currency: string, mode: Rounding = 'nearest'): Decimal {
  return quantize(value, minorUnitsOf(currency), mode);
}

/** An amount rounded to its currency, as the JSON number the records carry. */
export const wireAmount = (value: Numeric, currency: string): number => toWireNumber(roundToCurrency(value, currency));

/** Why an amount does not fit its currency (too many decimals, too many digits), or null when it does. */
export function amountProblem(value: Numeric, currency: string): string | null {
  const amount = decimal(value);
  const places = minorUnitsOf(currency);
  if (amount.decimalPlaces() > places) {
    return places === 0
      ? `${currency} amounts have no decimals`
      : `${currency} amounts have at most ${places} decimals`;
  }
  if (amount.precision(true) > WIRE_DIGITS) return `has more than ${WIRE_DIGITS} significant digits`;
  return null;
}

/**
 * A zod refinement for an object holding an amount and its currency: refuses an amount with more decimals than the
 * currency allows, naming the amount's field. Use as `schema.superRefine(refineAmountInCurrency('amount', 'currency'))`.
 */
export function refineAmountInCurrency<A extends string, C extends string>(amountKey: A, currencyKey: C) {
  return (value: { [K in A | C]?: unknown }, ctx: z.RefinementCtx): void => {
    const amount = value[amountKey];
    const currency = value[currencyKey];
    if (typeof currency !== 'string' || !CURRENCY_CODE.test(currency)) return;
    if (typeof amount !== 'number' && typeof amount !== 'string') return;
    let problem: string | null;
    try {
      problem = amountProblem(amount, currency);
    } catch {
      problem = 'is not a number';
    }
    if (problem) ctx.addIssue({ code: 'custom', path: [amountKey], message: problem });
  };
}

/** An amount in a currency, e.g. `{ "amount": 1250.5, "currency": "USD" }`; 1250.505 USD and 10.5 JPY are refused. */
export const amountInCurrencySchema = z
  .object({
    amount: z.number().finite(),
    currency: z.string().regex(CURRENCY_CODE, 'must be an ISO 4217 code such as USD'),
  })
  .superRefine(refineAmountInCurrency('amount', 'currency'));
export type AmountInCurrency = z.infer<typeof amountInCurrencySchema>;
