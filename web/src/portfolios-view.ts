import { Decimal } from 'decimal.js';
import type { RealtimeUser } from '../../contracts/socket-events.js';
import { rebalancingSpec } from '../../workflows/rebalancing/spec.js';
import { mayRun } from '../../workflows/policy.js';
import { ApiError, answerOf, hub } from './api.js';
import type { Schema } from './api-types.js';
import { h, replaceChildren, setText } from './dom.js';
import {
  assetClassLabel,
  formatAmount,
  formatMoney,
  formatPercent,
  formatPoints,
  formatQuantity,
  humanize,
} from './format.js';
import { processHash } from './router.js';

type PortfolioSummary = Schema<'PortfolioSummary'>;

const REFRESH_AT_MOST_EVERY_MS = 1_000;

const errorText = (error: unknown, fallback: string) =>
  error instanceof ApiError ? `${error.message} (${error.code})` : fallback;

/** Whether this person may start a rebalance of the portfolio by hand, by the rebalancing spec's policy. */
export function mayStartRebalance(
  user: Pick<RealtimeUser, 'id' | 'role'>,
  portfolio: Pick<PortfolioSummary, 'advisor_id'>,
): boolean {
  return mayRun(
    rebalancingSpec,
    'start_rebalance',
    { user_id: user.id, role: user.role },
    { client_user_id: null, advisor_id: portfolio.advisor_id },
  );
}

/** One cell per asset class: actual weight, drift from target, flagged when out of its band. */
function driftCell(drift: Schema<'Drift'> | null, assetClass: string): HTMLElement {
  const row = drift?.asset_classes.find((c) => c.asset_class === assetClass);
  if (!row) return h('td', { class: 'muted' }, '—');
  return h(
    'td',
    {
      class: `number drift${row.out_of_band ? ' out-of-band' : ''}`,
      title: `target ${formatPercent(row.target)}, band ±${formatPercent(row.tolerance)}`,
    },
    formatPercent(row.actual),
    h('span', { class: 'deviation' }, ` ${formatPoints(row.deviation)}`),
  );
}

/**
 * The portfolios this person may see: value, drift per asset class against the model, and whether the
 * portfolio is out of band; a row opens its holdings. Advisors (for their clients) and administrators
 * may start a rebalance from here.
 */
export class PortfoliosView {
  readonly element = h('div', { class: 'portfolios' });
  private readonly message = h('p', { class: 'portfolios-message', role: 'status' });
  private readonly table = h('div', { class: 'portfolio-table' });
  private readonly detail = h('div', { class: 'portfolio-detail' });
  private portfolios: PortfolioSummary[] = [];
  private selected: string | undefined;
  private timer: number | undefined;
  private lastRefresh = 0;
  private destroyed = false;

  constructor(
    private readonly user: RealtimeUser,
    private readonly options: { open(rebalanceId: string): void },
  ) {
    replaceChildren(
      this.element,
      h('h1', { class: 'page-title' }, 'Portfolios'),
      this.message,
      this.table,
      this.detail,
    );
  }

  destroy(): void {
    this.destroyed = true;
    clearTimeout(this.timer);
  }

  /** A rebalance changed: refresh soon, at most once a second. */
  changed(): void {
    if (this.timer !== undefined) return;
    const wait = Math.max(0, this.lastRefresh + REFRESH_AT_MOST_EVERY_MS - Date.now());
    this.timer = window.setTimeout(() => {
      this.timer = undefined;
      void this.refresh();
    }, wait);
  }

  async refresh(): Promise<void> {
    this.lastRefresh = Date.now();
    try {
      const { portfolios } = await answerOf(hub.GET('/api/portfolios'));
      if (this.destroyed) return;
      this.portfolios = portfolios;
      this.render();
      if (this.selected) await this.showDetail(this.selected);
    } catch (error) {
      if (!this.destroyed) this.say(errorText(error, 'Could not load the portfolios'), 'error');
    }
  }

  private say(text: string, tone: 'error' | 'ok' | '' = '') {
    this.message.className = `portfolios-message ${tone}`;
    setText(this.message, text);
  }

  private render() {
    if (this.portfolios.length === 0)
      return replaceChildren(this.table, h('p', { class: 'empty' }, 'There are no portfolios you may see.'));
    const classes = [
      ...new Set(this.portfolios.flatMap((p) => p.drift?.asset_classes.map((c) => c.asset_class) ?? [])),
    ].sort();
    replaceChildren(
      this.table,
      h(
        'table',
        {},
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', {}, 'Client'),
            h('th', {}, 'Model'),
            h('th', { class: 'number' }, 'Value'),
            ...classes.map((c) => h('th', { class: 'number' }, assetClassLabel(c))),
            h('th', { class: 'number' }, 'Cash'),
            h('th', {}, 'Drift'),
            h('th', {}, ''),
          ),
        ),
        h('tbody', {}, ...this.portfolios.map((p) => this.row(p, classes))),
      ),
    );
  }

  private row(portfolio: PortfolioSummary, classes: string[]): HTMLElement {
    const drift = portfolio.drift;
    const active = portfolio.active_rebalance;
    const status = drift
      ? h(
          'span',
          { class: `pill ${drift.out_of_band ? 'bad' : 'ok'}` },
          drift.out_of_band ? 'out of band' : 'within bands',
        )
      : h('span', { class: 'pill', title: `No price for ${portfolio.missing_prices.join(', ')}` }, 'no price');
    return h(
      'tr',
      {
        'data-portfolio-id': portfolio.portfolio_id,
        'data-out-of-band': String(drift?.out_of_band ?? false),
        class: portfolio.portfolio_id === this.selected ? 'selected' : '',
      },
      h(
        'td',
        {},
        h(
          'button',
          { type: 'button', class: 'link', onclick: () => void this.select(portfolio.portfolio_id) },
          portfolio.client_name,
        ),
        h('div', { class: 'muted' }, portfolio.account_number),
      ),
      h('td', {}, portfolio.model_name),
      h(
        'td',
        { class: 'number' },
        portfolio.total_value === null ? '—' : formatMoney(portfolio.total_value, portfolio.currency),
      ),
      ...classes.map((c) => driftCell(drift, c)),
      drift
        ? h(
            'td',
            { class: `number drift${drift.cash.out_of_band ? ' out-of-band' : ''}` },
            formatPercent(drift.cash.actual),
            h('span', { class: 'deviation' }, ` ${formatPoints(drift.cash.deviation)}`),
          )
        : h('td', { class: 'muted' }, '—'),
      h(
        'td',
        {},
        status,
        drift ? h('span', { class: 'muted' }, ` max ${formatPoints(drift.max_abs_drift, false)}`) : null,
      ),
      h(
        'td',
        {},
        active
          ? h(
              'a',
              { href: processHash(active.rebalance_id), class: 'active-rebalance' },
              `Rebalance ${humanize(active.status).toLowerCase()}`,
            )
          : mayStartRebalance(this.user, portfolio)
            ? h(
                'button',
                {
                  type: 'button',
                  class: 'primary',
                  'data-action': 'start-rebalance',
                  onclick: (event: Event) => void this.start(portfolio, event.currentTarget as HTMLButtonElement),
                },
                'Start rebalance',
              )
            : null,
      ),
    );
  }

  private async start(portfolio: PortfolioSummary, button: HTMLButtonElement) {
    button.disabled = true;
    this.say(`Proposing a rebalance for ${portfolio.client_name}…`);
    try {
      const rebalance = await answerOf(
        hub.POST('/api/portfolios/{id}/rebalance', { params: { path: { id: portfolio.portfolio_id } } }),
      );
      this.say('');
      this.options.open(rebalance.rebalance_id);
    } catch (error) {
      this.say(errorText(error, 'The rebalance was not started'), 'error');
      button.disabled = false;
    }
  }

  private async select(portfolioId: string) {
    this.selected = this.selected === portfolioId ? undefined : portfolioId;
    for (const row of this.table.querySelectorAll<HTMLElement>('tr[data-portfolio-id]'))
      row.classList.toggle('selected', row.dataset.portfolioId === this.selected);
    if (this.selected) await this.showDetail(this.selected);
    else this.detail.replaceChildren();
  }

  /** Holdings with their lots, and drift per security against the model. */
  private async showDetail(portfolioId: string) {
    let portfolio: Schema<'Portfolio'>;
    try {
      portfolio = await answerOf(hub.GET('/api/portfolios/{id}', { params: { path: { id: portfolioId } } }));
    } catch (error) {
      return this.say(errorText(error, 'Could not load the portfolio'), 'error');
    }
    // The chart library loads with a portfolio's detail, never with the board.
    const charts = portfolio.drift ? await import('./charts.js').catch(() => null) : null;
    if (this.destroyed || this.selected !== portfolioId) return;
    const money = (n: number) => formatAmount(n, portfolio.currency);
    const drift = portfolio.drift;
    const driftChart =
      drift &&
      charts?.categoryChart(
        'Drift per asset class (points from target)',
        drift.asset_classes.map((c) => assetClassLabel(c.asset_class)),
        {
          label: 'Drift',
          values: drift.asset_classes.map((c) => new Decimal(c.deviation).times(100).toNumber()),
          color: '#2454d6',
        },
        (points) => formatPoints(points / 100),
      );
    replaceChildren(
      this.detail,
      h('h2', {}, `${portfolio.client_name} · ${portfolio.account_number}`),
      h(
        'p',
        { class: 'muted' },
        `${portfolio.model.name}: ${portfolio.model.description} Bands ±${formatPercent(portfolio.model.bands.absolute, 0)} or ${formatPercent(portfolio.model.bands.relative, 0)} of target. Prices of ${portfolio.prices_as_of ?? '—'}.`,
      ),
      h(
        'table',
        { class: 'holdings' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ...['Security', 'Asset class', 'Quantity', 'Price', 'Value', 'Weight', 'Target', 'Drift', 'Lots'].map((t) =>
              h('th', {}, t),
            ),
          ),
        ),
        h(
          'tbody',
          {},
          ...portfolio.holdings.map((holding) => {
            const row = drift?.securities.find((s) => s.security_id === holding.security_id);
            return h(
              'tr',
              { 'data-security': holding.security_id, class: row?.out_of_band ? 'out-of-band' : '' },
              h('td', { title: holding.name }, holding.symbol),
              h('td', {}, assetClassLabel(holding.asset_class)),
              h('td', { class: 'number' }, formatQuantity(holding.quantity)),
              h('td', { class: 'number' }, money(holding.price)),
              h('td', { class: 'number' }, money(holding.market_value)),
              h('td', { class: 'number' }, formatPercent(holding.weight)),
              h('td', { class: 'number' }, row ? formatPercent(row.target) : '—'),
              h('td', { class: 'number' }, row ? formatPoints(row.deviation) : '—'),
              h(
                'td',
                {},
                holding.lots
                  .map((lot) => `${formatQuantity(lot.quantity)} (${lot.acquired_on}, ${lot.term})`)
                  .join('; '),
              ),
            );
          }),
        ),
      ),
      h('p', {}, `Cash ${money(portfolio.cash)}`),
      driftChart,
      portfolio.rebalances.length
        ? h(
            'ul',
            { class: 'rebalance-history' },
            ...portfolio.rebalances.map((r) =>
              h(
                'li',
                {},
                h('a', { href: processHash(r.rebalance_id) }, r.rebalance_id),
                ` ${humanize(r.status)}${r.proposal_value === null ? '' : `, ${money(r.proposal_value)} traded`}`,
              ),
            ),
          )
        : null,
    );
  }
}
