import type { Page } from 'playwright-core';
import { PROCESS_CHANGED_CHANNEL, type ProcessChangedNotice } from '../db/transitions.js';
import { DEMO_PASSWORD } from '../runtime/seed-demo.js';
import { launchChromium } from '../test/support/chromium.js';
import type { BenchHub } from './support/bench-hub.js';
import { summarize, type Benchmark } from './support/benchmark.js';

const CARDS = Number(process.env.BENCH_BOARD_CARDS ?? 10_000);
/** Applications of Beth's client: the small board (Beth's) and the large one (ops) both show them. */
const SHARED = Number(process.env.BENCH_BOARD_BASELINE_CARDS ?? 100);
/** Of those, how many move twice while both boards watch. */
const MOVED = 20;
const CONCURRENCY = 24;
const PRODUCTS = { selected_products: ['prd_global_equity_index', 'prd_core_bond'] };
const RISK = { risk_score: 55, investment_objective: 'growth', investment_horizon: 'long_term' };

const epochNow = () => performance.timeOrigin + performance.now();
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function inParallel<T>(items: T[], work: (item: T, index: number) => Promise<unknown>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < items.length) {
        const index = next++;
        await work(items[index], index);
      }
    }),
  );
}

/**
 * Fills the board. Beth's applications go through the API (they move while measured); the other cards are
 * copies of one real application's read-model row spread over the first columns, as a busy day leaves them:
 * ten thousand workflows would take the run many minutes to start and show the board nothing more.
 */
async function fillBoard(hub: BenchHub, alex: string, beth: string): Promise<string[]> {
  const { application_id: template } = await hub.api<{ application_id: string }>(alex, 'POST', '/applications', {
    client_id: 'cli_chris_carter',
    account_type: 'individual',
  });
  // Up to CARDS in all: the benchmarks before this one in a run leave their own applications on the board.
  const [{ existing }] = await hub.sql`
    SELECT count(*)::int AS existing FROM processes WHERE process_type = 'account_opening'`;
  const copies = Math.max(0, CARDS - SHARED - (existing as number));
  await hub.sql`
    INSERT INTO processes (process_id, process_type, version, title, client_id, client_user_id, advisor_id,
                           assigned_user_id, amount, currency, status, status_entered_at, flags, sla, detail,
                           created_at, updated_at)
    SELECT 'app_bench_' || g, process_type, version, title || ' #' || g, client_id, client_user_id, advisor_id,
           assigned_user_id, amount, currency, (ARRAY['draft', 'risk_assessment', 'terms_review'])[g % 3 + 1],
           status_entered_at - make_interval(mins => g), flags, sla, detail, created_at, updated_at
    FROM processes, generate_series(1, ${copies}) AS g
    WHERE process_id = ${template}`;
  const shared: string[] = [];
  await inParallel(
    Array.from({ length: SHARED }, (_, i) => i),
    async () => {
      shared.push(
        (
          await hub.api<{ application_id: string }>(beth, 'POST', '/applications', {
            client_id: 'cli_fiona_fischer',
            account_type: 'joint',
          })
        ).application_id,
      );
    },
  );
  return shared;
}

/** The page's JavaScript heap after a full collection, through the DevTools protocol. */
async function pageMemoryMiB(page: Page): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  await cdp.detach();
  return Number((usedSize / 1024 / 1024).toFixed(1));
}

/**
 * Signs in through the form; returns how long until the board holds `expected` cards (its column counts add up,
 * with each column's first page drawn), and the longest task meanwhile.
 */
async function openBoard(page: Page, url: string, email: string, expected: number) {
  await page.goto(`${url}/`);
  await page.evaluate(() => {
    const w = window as unknown as { longTasks: number[] };
    w.longTasks = [];
    new PerformanceObserver((list) => list.getEntries().forEach((e) => w.longTasks.push(e.duration))).observe({
      type: 'longtask',
    });
  });
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', DEMO_PASSWORD);
  const started = Date.now();
  await page.click('button[type=submit]');
  await page.waitForFunction(
    (n) =>
      document.querySelector('.card') !== null &&
      [...document.querySelectorAll('.column .count')].reduce((sum, count) => sum + Number(count.textContent), 0) >= n,
    expected,
    { polling: 'raf', timeout: 60_000 },
  );
  const shownMs = Date.now() - started;
  // Every card that lands in a column from now on, and every change of a column's count, with when (epoch ms):
  // a card past the first page of its new column shows as that column's count.
  const longest = await page.evaluate(() => {
    const w = window as unknown as {
      longTasks: number[];
      landed: Record<string, number>;
      counted: Record<string, number[]>;
    };
    w.landed = {};
    w.counted = {};
    new MutationObserver((records) => {
      const at = performance.timeOrigin + performance.now();
      for (const record of records) {
        const target = record.target instanceof Element ? record.target : record.target.parentElement;
        const column = target?.closest('.column')?.getAttribute('data-state');
        if (!column) continue;
        if (target!.closest('.count')) (w.counted[column] ??= []).push(at);
        for (const node of record.addedNodes) {
          const id = (node as Element).getAttribute?.('data-process-id');
          if (id) w.landed[`${id}:${column}`] ??= at;
        }
      }
    }).observe(document.querySelector('.columns')!, { childList: true, subtree: true, characterData: true });
    const max = Math.max(0, ...w.longTasks);
    w.longTasks = [];
    return max;
  });
  return { shownMs, longestTaskMs: Math.round(longest) };
}

/**
 * A board of ten thousand cards against a board of a hundred, open at once in Chromium: how long until the
 * cards are on screen, the page's heap, and how long from a committed transition until it shows in its new column.
 */
const boardWithManyCards: Benchmark = {
  name: 'board-with-many-cards',
  description: `The ops board with ${CARDS} cards vs an advisor's board with ${SHARED}, side by side in Chromium; ${MOVED * 2} transitions both show.`,
  async run({ hub: startHub }) {
    const hub = await startHub();
    const [alex, beth] = [await hub.login('alex.advisor@hub.example'), await hub.login('beth.advisor@hub.example')];
    const shared = await fillBoard(hub, alex, beth);
    const [{ ops: opsCards, beth: bethCards }] = await hub.sql`
      SELECT count(*)::int AS ops, (count(*) FILTER (WHERE advisor_id = 'usr_beth_advisor'))::int AS beth FROM processes WHERE process_type = 'account_opening'`;

    const browser = await launchChromium();
    try {
      const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
      const [opsPage, bethPage] = [
        await context.newPage(),
        await (await browser.newContext({ viewport: { width: 1920, height: 1080 } })).newPage(),
      ];
      const opened = {
        ops: await openBoard(opsPage, hub.url, 'omar.ops@hub.example', opsCards),
        beth: await openBoard(bethPage, hub.url, 'beth.advisor@hub.example', bethCards),
      };

      const committed = new Map<string, number>();
      const listener = await hub.sql.listen(PROCESS_CHANGED_CHANNEL, (payload) => {
        const notice = JSON.parse(payload) as ProcessChangedNotice;
        committed.set(notice.process_id, epochNow());
      });
      const latencies: Record<'ops' | 'beth', number[]> = { ops: [], beth: [] };
      // When the card shows in its new column: drawn there, or, past the column's first page, counted there.
      const landed = (page: Page, id: string, state: string, since: number) =>
        page
          .waitForFunction(
            ({ key, column, since }) => {
              const w = window as unknown as { landed: Record<string, number>; counted: Record<string, number[]> };
              return w.landed[key] ?? w.counted[column]?.find((at) => at > since);
            },
            { key: `${id}:${state}`, column: state, since },
            { timeout: 15_000 },
          )
          .then((h) => h.jsonValue() as Promise<number>);
      for (const [step, path, body, state] of [
        [1, 'products', PRODUCTS, 'risk_assessment'],
        [2, 'risk-assessment', RISK, 'terms_review'],
      ] as const) {
        for (const id of shared.slice(0, MOVED)) {
          await pause(100 + Math.random() * 150);
          const sent = epochNow();
          await hub.api(beth, 'POST', `/applications/${id}/${path}`, body);
          const [onOps, onBeth] = await Promise.all([
            landed(opsPage, id, state, sent),
            landed(bethPage, id, state, sent),
          ]);
          latencies.ops.push(onOps - committed.get(id)!);
          latencies.beth.push(onBeth - committed.get(id)!);
          void step;
        }
      }
      await listener.unlisten();
      const longTasks = async (page: Page) =>
        page.evaluate(() => (window as unknown as { longTasks: number[] }).longTasks.length);
      const row = async (
        name: string,
        cards: number,
        page: Page,
        open: { shownMs: number; longestTaskMs: number },
        samples: number[],
      ) => {
        const s = summarize(samples);
        return [
          name,
          cards,
          open.shownMs,
          await pageMemoryMiB(page),
          open.longestTaskMs,
          s.p50,
          s.p95,
          await longTasks(page),
        ];
      };
      return {
        columns: [
          'board',
          'cards',
          'sign-in → cards shown ms',
          'page heap MiB',
          'longest task ms',
          'commit → card moved p50 ms',
          'p95 ms',
          'long tasks while moving',
        ],
        rows: [
          await row('ops: every process (measured)', opsCards, opsPage, opened.ops, latencies.ops),
          await row("advisor: own clients' (baseline)", bethCards, bethPage, opened.beth, latencies.beth),
        ],
        notes: [
          '"Card moved" is the DOM mutation that shows the card in its new column: the card itself where it falls in the column\'s first page of 100, else the column\'s count (a moved card is the newest in its state, so on the large board it sits past the first page, behind "+n more"). Both boards receive the same transitions.',
        ],
      };
    } finally {
      await browser.close();
    }
  },
};

export default boardWithManyCards;
