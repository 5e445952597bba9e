import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_SECURITIES, tradingDays } from '../../runtime/seed-demo-portfolios.js';
import { startTestHub, waitForNotice, type TestHub } from '../support/hub.js';

describe('npm run prices:import', () => {
  let hub: TestHub;
  let dir: string;
  beforeAll(async () => {
    hub = await startTestHub();
    dir = mkdtempSync(path.join(os.tmpdir(), 'hub-prices-'));
  });
  afterAll(async () => {
    await hub?.stop();
  });

  /** Runs the import command as a person would, against this test's database. */
  function importPrices(file: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'runtime/import-prices.ts', file], {
        env: { ...process.env, DATABASE_URL: hub.config.DATABASE_URL!, LOG_LEVEL: 'warn' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk) => (stdout += chunk));
      child.stderr.on('data', (chunk) => (stderr += chunk));
      child.on('exit', (code) => resolve({ code, stdout, stderr }));
    });
  }
  const write = (name: string, text: string) => {
    const file = path.join(dir, name);
    writeFileSync(file, text);
    return file;
  };
  const priceRows = async () => (await hub.sql`SELECT count(*)::int AS n FROM prices`)[0].n as number;
  const latestVti = async () =>
    (
      await hub.sql`SELECT as_of::text AS as_of, close FROM prices WHERE security_id = 'sec_vti' ORDER BY as_of DESC LIMIT 1`
    )[0];

  it('imports the example file that moves the market, shows the new drift, and the drift check starts a rebalance for the portfolio it pushed out', async () => {
    const before = await priceRows();
    const result = await importPrices('examples/prices-market-move.csv');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      'Imported examples/prices-market-move.csv: 9 rows for 9 securities (BND, BNDX, GLDM, SCHD, VNQ, VTI, VTIP, VWO, VXUS), 2026-11-20 to 2026-11-20',
    );
    expect(result.stdout).toContain('9 new, 0 changed, 0 unchanged');
    expect(result.stdout).toMatch(/Fiona Fischer INV-00090004 \(Aggressive\)\s+OUT OF BAND/);
    expect(result.stdout).toMatch(/Gabriel Garcia INV-00090003 \(Conservative\)\s+within bands/);
    expect(result.stdout).toContain('3 portfolios are outside their bands');
    expect(await priceRows()).toBe(before + 9);
    expect(await latestVti()).toEqual({ as_of: '2026-11-20', close: '322.520000' });

    const fiona = await hub.api(await hub.login('beth.advisor@hub.example'), 'GET', '/portfolios/pf_fiona_aggressive');
    expect(fiona.body).toMatchObject({ prices_as_of: '2026-11-20', drift: { out_of_band: true } });

    const check = await hub.api(await hub.login('omar.ops@hub.example'), 'POST', '/portfolios/drift-check');
    expect(check.status).toBe(200);
    expect(check.body.out_of_band).toEqual(['pf_chris_growth', 'pf_fiona_aggressive', 'pf_priya_balanced']);
    expect(check.body.started.map((s: any) => s.portfolio_id)).toEqual([
      'pf_chris_growth',
      'pf_fiona_aggressive',
      'pf_priya_balanced',
    ]);
    const fionaRebalance = check.body.started.find((s: any) => s.portfolio_id === 'pf_fiona_aggressive').rebalance_id;
    const proposed = await waitForNotice(hub.sql, 'process_changed', async () => {
      const [row] = await hub.sql`SELECT detail FROM processes WHERE process_id = ${fionaRebalance}`;
      return row?.detail;
    });
    expect(proposed).toMatchObject({
      status: 'awaiting_advisor',
      prices_as_of: '2026-11-20',
      advisor_id: 'usr_beth_advisor',
    });
    expect(proposed.proposal.trades.find((t: any) => t.symbol === 'VTI')).toMatchObject({
      side: 'sell',
      price: 322.52,
    });
  });

  it('importing the same file again changes nothing; a corrected close replaces the old one', async () => {
    const before = await priceRows();
    const again = await importPrices('examples/prices-market-move.csv');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('0 new, 0 changed, 9 unchanged');
    expect(await priceRows()).toBe(before);

    const corrected = await importPrices(
      write('corrected.csv', 'Date,Symbol,Close\r\n2026-11-20,vti,"323.10"\r\n\r\n'),
    );
    expect(corrected.code).toBe(0);
    expect(corrected.stdout).toContain('0 new, 1 changed, 0 unchanged');
    expect(await latestVti()).toEqual({ as_of: '2026-11-20', close: '323.100000' });
  });

  it('refuses a file with bad lines, naming each line, and imports none of it', async () => {
    const before = await priceRows();
    const file = write(
      'bad.csv',
      [
        'date,symbol,close',
        '2026-11-18,VTI,300.00',
        '2026-13-01,VTI,300.00',
        '2026-11-18,XYZ,10',
        '2026-11-18,BND,-4',
        '2026-11-18,VTI,301.00',
        '2026-11-18,VXUS',
        '2099-01-02,VTI,1.5',
        '2026-11-18,GLDM,12.1234567',
      ].join('\n'),
    );
    const result = await importPrices(file);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toEqual([
      `${file}:3: date "2026-13-01" is not a calendar date in YYYY-MM-DD form`,
      `${file}:4: unknown symbol "XYZ"; known symbols: BND, BNDX, GLDM, SCHD, VNQ, VTI, VTIP, VWO, VXUS`,
      `${file}:5: close "-4" is not a positive number with at most 6 decimals`,
      `${file}:6: VTI on 2026-11-18 appears twice (first on line 2)`,
      `${file}:7: expected 3 fields (date,symbol,close), found 2`,
      expect.stringMatching(
        new RegExp(`^${file}:8: date 2099-01-02 is in the future \\(today is \\d{4}-\\d{2}-\\d{2}\\)$`),
      ),
      `${file}:9: close "12.1234567" is not a positive number with at most 6 decimals`,
      `${file}: 7 problems; nothing was imported`,
    ]);
    expect(await priceRows()).toBe(before);

    const header = await importPrices(write('header.csv', 'symbol,date,close\nVTI,2026-11-18,300\n'));
    expect(header.code).toBe(1);
    expect(header.stderr).toContain(':1: expected the header "date,symbol,close", found "symbol,date,close"');
    const empty = await importPrices(write('empty.csv', ''));
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain(':1: the file is empty');
  });

  it('reports progress on a large file', async () => {
    const days = tradingDays('2001-01-01', '2024-11-19');
    const lines = [
      'date,symbol,close',
      ...days.flatMap((day, i) => DEMO_SECURITIES.map((s) => `${day},${s.symbol},${(50 + (i % 100) / 10).toFixed(2)}`)),
    ];
    expect(lines.length).toBeGreaterThan(50_000);
    const before = await priceRows();
    const result = await importPrices(write('history.csv', lines.join('\n')));
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('50,000 lines read');
    expect(result.stdout).toContain(`${lines.length - 1} new, 0 changed, 0 unchanged`);
    expect(await priceRows()).toBe(before + lines.length - 1);
  }, 60_000);
});
