import { existsSync } from 'node:fs';
import { createSql } from '../db/client.js';
import { listPortfolioRows, loadPortfolioBooks, loadRebalanceSettings } from '../db/portfolios.js';
import { decimal } from '../workflows/money.js';
import { driftCheckScheduleId } from '../workflows/rebalancing/definitions.js';
import { percent, points } from '../workflows/rebalancing/proposal-record.js';
import { importPriceFile, PRICE_CSV_HEADER, PriceFileError } from '../workers/prices/price-import.js';
import { createPostgresPriceSource } from '../db/price-source.js';
import { todayIn } from '../workers/rebalancing/firm-calendar.js';
import { driftOfBook } from '../workers/rebalancing/portfolio-drift.js';
import { databaseUrlOf } from './addresses.js';
import { loadConfigOrExit, type HubConfig } from './config.js';

/**
 * `npm run prices:import <file.csv>`: daily closes into the hub's price table (see workers/prices/price-import.ts
 * for the format), then every portfolio's drift at the new prices.
 */

const USAGE = `usage: npm run prices:import <file.csv>

The file has the header "${PRICE_CSV_HEADER.join(',')}" and one row per security and trading day:
  date,symbol,close
  2026-11-20,VTI,322.52
Dates are YYYY-MM-DD, symbols are the hub's securities, closes are positive with at most 6 decimals.`;

const file = process.argv[2];
if (!file || file === '--help' || file === '-h') {
  console.log(USAGE);
  process.exit(file ? 0 : 2);
}
if (!existsSync(file)) {
  console.error(`${file}: no such file`);
  process.exit(2);
}

const config: HubConfig = loadConfigOrExit();

const databaseUrl = databaseUrlOf(config);
const sql = createSql(databaseUrl, { max: 2, applicationName: 'ops-hub-price-import' });
let exitCode = 0;
try {
  const started = Date.now();
  const summary = await importPriceFile(sql, file, {
    today: todayIn(config.REBALANCE_TIME_ZONE),
    onProgress: (lines) => process.stderr.write(`  ${lines.toLocaleString('en-US')} lines read\n`),
  });
  console.log(
    `Imported ${file}: ${summary.rows} rows for ${summary.symbols.length} securities (${summary.symbols.join(', ')}), ` +
      `${summary.first_date} to ${summary.last_date}, in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  console.log(`  ${summary.inserted} new, ${summary.updated} changed, ${summary.unchanged} unchanged`);

  const books = await loadPortfolioBooks(
    sql,
    createPostgresPriceSource(sql),
    await listPortfolioRows(sql, { all: true }),
  );
  if (books.length) {
    console.log('\nPortfolio drift at the latest prices:');
    let outOfBand = 0;
    const settings = await loadRebalanceSettings(sql);
    for (const book of books) {
      const drift = driftOfBook(book, settings);
      const label = `  ${book.row.client_name} ${book.row.account_number} (${book.model.name})`.padEnd(52);
      if (!drift) {
        console.log(`${label} no price yet for ${book.missing_prices.join(', ')}`);
        continue;
      }
      if (drift.out_of_band) outOfBand += 1;
      const worst = [...drift.asset_classes].sort((a, b) =>
        decimal(b.deviation).abs().comparedTo(decimal(a.deviation).abs()),
      )[0];
      console.log(
        `${label} ${drift.out_of_band ? 'OUT OF BAND' : 'within bands'}; largest drift ${points(drift.max_abs_drift)}` +
          (worst ? ` (${worst.asset_class} ${percent(worst.actual)} vs ${percent(worst.target)})` : ''),
      );
    }
    if (outOfBand) {
      console.log(
        `\n${outOfBand} portfolio${outOfBand === 1 ? ' is' : 's are'} outside their bands. The drift check (schedule ${driftCheckScheduleId(config.TEMPORAL_TASK_QUEUE)}, ` +
          `"${config.REBALANCE_SCHEDULE_CRON}" ${config.REBALANCE_TIME_ZONE}) proposes rebalances; to run it now: POST /api/portfolios/drift-check as ops or admin.`,
      );
    }
  }
} catch (error) {
  exitCode = 1;
  if (error instanceof PriceFileError) {
    for (const p of error.problems) console.error(`${file}:${p.line}: ${p.message}`);
    if (error.moreProblems) console.error(`... and ${error.moreProblems} more`);
    console.error(error.message);
  } else if ((error as { code?: string }).code === 'ECONNREFUSED') {
    console.error(
      `cannot reach PostgreSQL at ${databaseUrl.replace(/:[^:@/]*@/, ':***@')}: start the hub first (npm start), or set DATABASE_URL`,
    );
  } else {
    console.error(error);
  }
} finally {
  await sql.end({ timeout: 5 });
}
process.exit(exitCode);
