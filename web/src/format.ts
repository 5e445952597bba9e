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

const moneyFormats = new Map<string, Intl.NumberFormat>();
export function formatMoney(amount: number | null, currency: string | null): string {
  if (amount === null) return '';
  if (!currency) return amount.toLocaleString('en-US');
  let format = moneyFormats.get(currency);
  if (!format) {
    format = new Intl.NumberFormat('en-US', { style: 'currency', currency, maximumFractionDigits: 0 });
    moneyFormats.set(currency, format);
  }
  return format.format(amount);
}

/** `initial_investment_amount` → "Initial investment amount". */
export function humanize(key: string): string {
  const words = key.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function formatTimestamp(iso: string): string {
  return new Date(iso).toLocaleString('en-GB', { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/** A weight as a percentage: 0.0525 → "5.3%". */
export function formatPercent(weight: number, digits = 1): string {
  return `${(weight * 100).toFixed(digits)}%`;
}

/** A difference of weights in percentage points, signed unless told not to be: 0.023 → "+2.3 pts". */
export function formatPoints(deviation: number, signed = true): string {
  const rounded = (deviation * 100).toFixed(1);
  if (rounded === '-0.0' || rounded === '0.0') return '0.0 pts';
  return `${signed && deviation > 0 ? '+' : ''}${rounded} pts`;
}

const preciseMoneyFormats = new Map<string, Intl.NumberFormat>();
/** Money to the cent, for prices, trade values, gains and costs: "$1,234.50", "-$12.00". */
export function formatAmount(amount: number, currency: string): string {
  let format = preciseMoneyFormats.get(currency);
  if (!format) {
    format = new Intl.NumberFormat('en-US', { style: 'currency', currency, minimumFractionDigits: 2, maximumFractionDigits: 2 });
    preciseMoneyFormats.set(currency, format);
  }
  return format.format(amount);
}

/** A quantity of shares: whole numbers as they are, fractions to at most 6 places. */
export function formatQuantity(quantity: number): string {
  return quantity.toLocaleString('en-US', { maximumFractionDigits: 6 });
}

/** An asset class id as people write it: `us_equity` → "US equity", `intl_bonds` → "International bonds". */
export function assetClassLabel(assetClass: string): string {
  return humanize(assetClass).replace(/^Us\b/, 'US').replace(/^Intl\b/, 'International');
}
