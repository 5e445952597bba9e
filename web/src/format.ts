import { Decimal } from 'decimal.js';

/** How the board writes durations, money and names. Pure: no DOM, unit-tested. */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Two units at most, the larger first: "45s", "12m 05s", "3h 05m", "2d 4h". */
export function formatDuration(ms: number): string {
  const t = Math.max(0, Math.floor(ms));
  const pad = (n: number) => String(n).padStart(2, '0');
  if (t < MINUTE) return `${Math.floor(t / SECOND)}s`;
  if (t < HOUR) return `${Math.floor(t / MINUTE)}m ${pad(Math.floor((t % MINUTE) / SECOND))}s`;
  if (t < DAY) return `${Math.floor(t / HOUR)}h ${pad(Math.floor((t % HOUR) / MINUTE))}m`;
  return `${Math.floor(t / DAY)}d ${Math.floor((t % DAY) / HOUR)}h`;
}

/** The same without seconds, for figures that move slowly (time in state, medians). */
export function formatCoarseDuration(ms: number): string {
  return ms < MINUTE ? '<1m' : formatDuration(ms).replace(/ \d+s$/, '');
}

/**
 * The decimal a JSON number carries, as text ("0.1", never 0.1000000000000000055…), so Intl formats and rounds the
 * decimal itself (half away from zero) and no float arithmetic touches an amount on its way to the screen.
 */
const decimalText = (value: number) => new Decimal(value).toFixed() as `${number}`;

const moneyFormats = new Map<string, Intl.NumberFormat>();
/** Whole units, for cards and summaries: "$250,000". */
export function formatMoney(amount: number | null, currency: string | null): string {
  if (amount === null) return '';
  if (!currency) return new Intl.NumberFormat('en-US').format(decimalText(amount));
  let format = moneyFormats.get(currency);
  if (!format) {
    format = new Intl.NumberFormat('en-US', { style: 'currency', currency, maximumFractionDigits: 0 });
    moneyFormats.set(currency, format);
  }
  return format.format(decimalText(amount));
}

/** `initial_investment_amount` → "Initial investment amount". */
export function humanize(key: string): string {
  const words = key.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function formatTimestamp(iso: string): string {
  return new Date(iso).toLocaleString('en-GB', {
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
}

/** A weight as a percentage, half away from zero: 0.0525 → "5.3%". */
export function formatPercent(weight: number, digits = 1): string {
  return `${new Decimal(weight).times(100).toFixed(digits, Decimal.ROUND_HALF_UP)}%`;
}

/** A difference of weights in percentage points, signed unless told not to be: 0.023 → "+2.3 pts". */
export function formatPoints(deviation: number, signed = true): string {
  const rounded = new Decimal(deviation).times(100).toFixed(1, Decimal.ROUND_HALF_UP);
  if (rounded === '-0.0' || rounded === '0.0') return '0.0 pts';
  return `${signed && deviation > 0 ? '+' : ''}${rounded} pts`;
}

const preciseMoneyFormats = new Map<string, Intl.NumberFormat>();
/**
 * Money to the currency's minor unit (ISO 4217, which Intl knows), for prices, trade values, gains and costs:
 * "$1,234.50", "-$12.00", "¥1,235".
 */
export function formatAmount(amount: number, currency: string): string {
  let format = preciseMoneyFormats.get(currency);
  if (!format) {
    format = new Intl.NumberFormat('en-US', { style: 'currency', currency });
    preciseMoneyFormats.set(currency, format);
  }
  return format.format(decimalText(amount));
}

const quantityFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 6 });
/** A quantity of shares: whole numbers as they are, fractions to at most 6 places. */
export function formatQuantity(quantity: number): string {
  return quantityFormat.format(decimalText(quantity));
}

/** An asset class id as people write it: `us_equity` → "US equity", `intl_bonds` → "International bonds". */
export function assetClassLabel(assetClass: string): string {
  return humanize(assetClass)
    .replace(/^Us\b/, 'US')
    .replace(/^Intl\b/, 'International');
}

/** "1 process", "3 processes". */
export const countOf = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
