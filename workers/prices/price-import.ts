import { createReadStream } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { DateTime } from 'luxon';
import type { Sql, Tx } from '../../db/client.js';
import { decimal } from '../../workflows/money.js';

/**
 * Imports daily closes from a CSV file: header `date,symbol,close`, one row per security and day, e.g.
 * `2026-11-20,VTI,322.52`. Every row is checked (a calendar date not in the future, a known symbol, a
 * positive close with at most 6 decimals, no (date, symbol) twice); any problem is reported with its line
 * number and nothing is imported. Rows are upserted in one transaction, so importing the same file again
 * changes nothing and a corrected close replaces the old one.
 */

export const PRICE_CSV_HEADER = ['date', 'symbol', 'close'] as const;
const BATCH_SIZE = 1000;
const MAX_REPORTED_ERRORS = 50;

export interface PriceFileProblem {
  line: number;
  message: string;
}

export class PriceFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: PriceFileProblem[],
    readonly moreProblems: number,
  ) {
    super(
      `${file}: ${problems.length + moreProblems} problem${problems.length + moreProblems === 1 ? '' : 's'}; nothing was imported`,
    );
    this.name = 'PriceFileError';
  }
}

export interface PriceImportSummary {
  file: string;
  rows: number;
  inserted: number;
  updated: number;
  unchanged: number;
  symbols: string[];
  first_date: string | null;
  last_date: string | null;
}

interface PriceRow {
  security_id: string;
  as_of: string;
  close: string;
  source: string;
}

/** Splits one CSV line; fields may be quoted ("VTI"), the three expected ones never contain commas. */
function fieldsOf(line: string): string[] {
  return line.split(',').map((field) =>
    field
      .trim()
      .replace(/^"(.*)"$/, '$1')
      .trim(),
  );
}

const CLOSE_PATTERN = /^\d+(\.\d{1,6})?$/;

async function upsert(tx: Tx, rows: PriceRow[]): Promise<{ inserted: number; updated: number }> {
  const changed = await tx`
    INSERT INTO prices ${tx(rows, 'security_id', 'as_of', 'close', 'source')}
    ON CONFLICT (security_id, as_of) DO UPDATE SET close = EXCLUDED.close, source = EXCLUDED.source, imported_at = now()
    WHERE prices.close IS DISTINCT FROM EXCLUDED.close
    RETURNING (xmax = 0) AS inserted`;
  const inserted = changed.filter((row) => row.inserted).length;
  return { inserted, updated: changed.length - inserted };
}

export async function importPriceFile(
  sql: Sql,
  file: string,
  options: { today: string; onProgress?: (linesRead: number) => void; progressEvery?: number },
): Promise<PriceImportSummary> {
  const securities = await sql`SELECT id, symbol FROM securities ORDER BY symbol`;
  const idOf = new Map(securities.map((row) => [row.symbol as string, row.id as string]));
  const source = `csv:${path.basename(file)}`;
  const problems: PriceFileProblem[] = [];
  let moreProblems = 0;
  const problem = (line: number, message: string) => {
    if (problems.length < MAX_REPORTED_ERRORS) problems.push({ line, message });
    else moreProblems += 1;
  };

  return sql.begin(async (tx) => {
    const summary: PriceImportSummary = {
      file,
      rows: 0,
      inserted: 0,
      updated: 0,
      unchanged: 0,
      symbols: [],
      first_date: null,
      last_date: null,
    };
    const seen = new Map<string, number>();
    const symbols = new Set<string>();
    let batch: PriceRow[] = [];
    const flush = async () => {
      if (problems.length === 0 && batch.length) {
        const { inserted, updated } = await upsert(tx, batch);
        summary.inserted += inserted;
        summary.updated += updated;
        summary.unchanged += batch.length - inserted - updated;
      }
      batch = [];
    };

    const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
    let lineNumber = 0;
    for await (const raw of lines) {
      lineNumber += 1;
      if (options.onProgress && lineNumber % (options.progressEvery ?? 50_000) === 0) options.onProgress(lineNumber);
      const line = lineNumber === 1 ? raw.replace(/^\uFEFF/, '') : raw;
      if (lineNumber === 1) {
        const header = fieldsOf(line).map((field) => field.toLowerCase());
        if (header.join(',') !== PRICE_CSV_HEADER.join(','))
          problem(1, `expected the header "${PRICE_CSV_HEADER.join(',')}", found "${line.trim()}"`);
        continue;
      }
      if (line.trim() === '') continue;
      const fields = fieldsOf(line);
      if (fields.length !== 3) {
        problem(lineNumber, `expected 3 fields (${PRICE_CSV_HEADER.join(',')}), found ${fields.length}`);
        continue;
      }
      const [date, rawSymbol, close] = fields;
      const symbol = rawSymbol.toUpperCase();
      const before = problems.length + moreProblems;
      if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || !DateTime.fromISO(date, { zone: 'utc' }).isValid) {
        problem(lineNumber, `date "${date}" is not a calendar date in YYYY-MM-DD form`);
      } else if (date > options.today) {
        problem(lineNumber, `date ${date} is in the future (today is ${options.today})`);
      }
      if (!idOf.has(symbol))
        problem(lineNumber, `unknown symbol "${rawSymbol}"; known symbols: ${[...idOf.keys()].join(', ')}`);
      if (!CLOSE_PATTERN.test(close) || decimal(close).lte(0))
        problem(lineNumber, `close "${close}" is not a positive number with at most 6 decimals`);
      const key = `${symbol} ${date}`;
      const firstLine = seen.get(key);
      if (firstLine !== undefined)
        problem(lineNumber, `${symbol} on ${date} appears twice (first on line ${firstLine})`);
      else seen.set(key, lineNumber);
      if (problems.length + moreProblems > before) continue;

      summary.rows += 1;
      symbols.add(symbol);
      if (summary.first_date === null || date < summary.first_date) summary.first_date = date;
      if (summary.last_date === null || date > summary.last_date) summary.last_date = date;
      batch.push({ security_id: idOf.get(symbol)!, as_of: date, close, source });
      if (batch.length >= BATCH_SIZE) await flush();
    }
    await flush();
    if (lineNumber === 0)
      problem(
        1,
        `the file is empty; expected the header "${PRICE_CSV_HEADER.join(',')}" and rows like "2026-11-20,VTI,322.52"`,
      );
    else if (summary.rows === 0 && problems.length === 0)
      problem(lineNumber, 'the file has a header but no price rows');
    // Throwing rolls the transaction back: a file with any bad line imports nothing.
    if (problems.length) throw new PriceFileError(file, problems, moreProblems);
    summary.symbols = [...symbols].sort();
    return summary;
  });
}
