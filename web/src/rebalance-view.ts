import type { Schema } from './api-types.js';
import { h } from './dom.js';
import {
  assetClassLabel,
  formatAmount,
  formatPercent,
  formatPoints,
  formatQuantity,
  formatTimestamp,
  humanize,
} from './format.js';

export type RebalanceView = Schema<'Rebalance'>;
type TradeRecord = RebalanceView['proposal']['trades'][number];
type Approval = NonNullable<RebalanceView['advisor_approval']>;
type DriftSummary = Schema<'Drift'>;

/** The record's keys these sections show; the drawer lists the rest as plain fields. */
export const REBALANCE_SECTION_KEYS = [
  'rationale',
  'proposal',
  'drift_before',
  'proposal_value',
  'compliance_threshold',
  'needs_compliance',
  'edits',
  'advisor_approval',
  'compliance_approval',
  'decline',
  'orders',
  'verification',
  'failure',
] as const;

const table = (headers: string[], rows: Node[], attributes: Record<string, string> = {}) =>
  h(
    'table',
    attributes,
    h('thead', {}, h('tr', {}, ...headers.map((title) => h('th', {}, title)))),
    h('tbody', {}, ...rows),
  );

const figure = (label: string, value: string, tone = '') =>
  h(
    'div',
    { class: `figure ${tone}` },
    h('span', { class: 'figure-value' }, value),
    h('span', { class: 'figure-label' }, label),
  );

const yesNo = (value: boolean, yes: string, no: string) =>
  h('span', { class: `pill ${value ? 'ok' : 'bad'}` }, value ? yes : no);

function tradeRows(trades: TradeRecord[], currency: string): Node[] {
  return trades.map((trade) =>
    h(
      'tr',
      { 'data-security': trade.security_id, 'data-side': trade.side },
      h('td', {}, h('span', { class: `side ${trade.side}` }, trade.side)),
      h('td', {}, trade.symbol),
      h('td', { class: 'number' }, formatQuantity(trade.quantity)),
      h('td', { class: 'number' }, formatAmount(trade.price, currency)),
      h('td', { class: 'number' }, formatAmount(trade.value, currency)),
      h(
        'td',
        { class: 'lots' },
        trade.lots.length
          ? h(
              'ul',
              {},
              ...trade.lots.map((lot) =>
                h(
                  'li',
                  { 'data-lot': lot.lot_id },
                  `${formatQuantity(lot.quantity)} from ${lot.acquired_on} at ${formatAmount(lot.cost_basis_per_unit, currency)}: `,
                  h(
                    'span',
                    { class: lot.realized_gain < 0 ? 'loss' : 'gain' },
                    formatAmount(lot.realized_gain, currency),
                  ),
                  ` ${lot.term}-term`,
                ),
              ),
            )
          : h('span', { class: 'muted' }, '—'),
      ),
      h(
        'td',
        {},
        trade.wash_sale
          ? h(
              'span',
              { class: 'wash-sale', title: `${trade.wash_sale.reason} (${trade.wash_sale.related_trade_date})` },
              'wash sale',
            )
          : '',
      ),
    ),
  );
}

/** Target, before, after per asset class, security and cash, with the drift before and whether it was out of band. */
function weightsTable(record: RebalanceView): HTMLElement {
  const { proposal, drift_before: drift } = record;
  const row = (
    kind: string,
    label: string,
    target: number,
    before: number | undefined,
    after: number | undefined,
    deviation: number,
    outOfBand: boolean,
  ) =>
    h(
      'tr',
      { class: `${kind}${outOfBand ? ' out-of-band' : ''}`, 'data-weight': label },
      h('td', {}, label),
      h('td', { class: 'number' }, formatPercent(target)),
      h('td', { class: 'number' }, before === undefined ? '—' : formatPercent(before)),
      h('td', { class: 'number' }, after === undefined ? '—' : formatPercent(after)),
      h(
        'td',
        { class: 'number' },
        formatPoints(deviation),
        outOfBand ? h('span', { class: 'band-flag', title: 'Outside its drift band before' }, ' ⚑') : '',
      ),
    );
  return table(
    ['', 'Target', 'Before', 'After', 'Drift before'],
    [
      ...drift.asset_classes.map((c) =>
        row(
          'asset-class',
          assetClassLabel(c.asset_class),
          c.target,
          proposal.before.by_asset_class[c.asset_class],
          proposal.after.by_asset_class[c.asset_class],
          c.deviation,
          c.out_of_band,
        ),
      ),
      ...drift.securities.map((s) =>
        row(
          'security',
          s.symbol,
          s.target,
          proposal.before.by_security[s.security_id],
          proposal.after.by_security[s.security_id],
          s.deviation,
          s.out_of_band,
        ),
      ),
      row(
        'cash',
        'Cash',
        drift.cash.target,
        proposal.before.cash,
        proposal.after.cash,
        drift.cash.deviation,
        drift.cash.out_of_band,
      ),
    ],
    { class: 'weights' },
  );
}

function approvalLine(label: string, approval: Approval | null, pending: string | null): HTMLElement {
  if (!approval)
    return h('li', { class: 'pending' }, `${label}: `, h('span', { class: 'muted' }, pending ?? 'not needed'));
  return h(
    'li',
    { 'data-approved-by': approval.approved_by },
    `${label}: ${approval.approver_name} (${humanize(approval.role)}, ${approval.channel}) — ${formatTimestamp(approval.at)}`,
    approval.notes ? h('q', {}, approval.notes) : null,
  );
}

function driftResult(drift: DriftSummary): HTMLElement {
  return table(
    ['Asset class', 'Target', 'Actual', 'Drift'],
    drift.asset_classes.map((c) =>
      h(
        'tr',
        { class: c.out_of_band ? 'out-of-band' : '' },
        h('td', {}, assetClassLabel(c.asset_class)),
        h('td', { class: 'number' }, formatPercent(c.target)),
        h('td', { class: 'number' }, formatPercent(c.actual)),
        h('td', { class: 'number' }, formatPoints(c.deviation)),
      ),
    ),
  );
}

/**
 * A rebalance in the drawer: why, the proposed trades (lots sold, wash-sale flags), before and after
 * weights, estimated gains and costs, approvals, the orders with their fills, and the verified result.
 */
export function rebalanceSections(record: RebalanceView): HTMLElement[] {
  const { proposal, currency } = record;
  const money = (amount: number) => formatAmount(amount, currency);
  const gains = proposal.estimated_realized_gains;
  const sections: HTMLElement[] = [
    h(
      'section',
      { class: 'rebalance-proposal' },
      h('h3', {}, `Proposal as of ${proposal.as_of} (prices of ${record.prices_as_of})`),
      h('p', { class: 'rationale' }, record.rationale),
      h(
        'div',
        { class: 'figures' },
        figure('Traded value', money(record.proposal_value)),
        figure('Buys', money(proposal.total_buy_value)),
        figure('Sells', money(proposal.total_sell_value)),
        figure('Est. realized gains', money(gains.total), gains.total < 0 ? 'loss' : ''),
        figure('Short / long term', `${money(gains.short_term)} / ${money(gains.long_term)}`),
        figure('Est. costs', money(proposal.estimated_costs)),
        figure('Cash after', money(proposal.cash_after)),
      ),
      h(
        'p',
        {},
        yesNo(proposal.within_bands_after, 'within bands after', 'still out of band after'),
        ' ',
        record.needs_compliance
          ? h('span', { class: 'pill' }, `compliance approval needed: above ${money(record.compliance_threshold)}`)
          : h(
              'span',
              { class: 'muted' },
              `at or below the compliance threshold of ${money(record.compliance_threshold)}`,
            ),
      ),
    ),
    h(
      'section',
      { class: 'rebalance-trades' },
      h('h3', {}, `Trades (${proposal.trades.length})`),
      proposal.trades.length
        ? table(
            ['Side', 'Security', 'Quantity', 'Price', 'Value', 'Lots sold (gain)', ''],
            tradeRows(proposal.trades, currency),
            { class: 'trades' },
          )
        : h('p', { class: 'muted' }, 'No trades'),
      proposal.skipped.length
        ? h(
            'ul',
            { class: 'skipped muted' },
            ...proposal.skipped.map((s) =>
              h('li', {}, `Skipped ${s.side} ${s.symbol} (${money(s.value)}): ${s.reason}`),
            ),
          )
        : null,
    ),
    h('section', { class: 'rebalance-weights' }, h('h3', {}, 'Weights'), weightsTable(record)),
    h(
      'section',
      { class: 'approvals' },
      h('h3', {}, 'Approvals'),
      h(
        'ul',
        {},
        approvalLine('Advisor', record.advisor_approval, 'awaiting'),
        approvalLine('Compliance', record.compliance_approval, record.needs_compliance ? 'awaiting' : null),
        record.decline
          ? h(
              'li',
              { class: 'declined' },
              `Declined by ${record.decline.decliner_name} (${humanize(record.decline.role)}) — ${formatTimestamp(record.decline.at)}`,
              h('q', {}, record.decline.reason),
            )
          : null,
        ...record.edits.map((edit) =>
          h(
            'li',
            { class: 'edit' },
            `Trades edited by ${edit.editor_name} — ${formatTimestamp(edit.at)}`,
            h('q', {}, edit.reason),
          ),
        ),
      ),
    ),
  ];
  if (record.orders.length) {
    sections.push(
      h(
        'section',
        { class: 'rebalance-orders' },
        h(
          'h3',
          {},
          `Orders (${record.orders.filter((o) => o.status === 'filled').length} of ${record.orders.length} filled)`,
        ),
        table(
          ['#', 'Side', 'Security', 'Quantity', 'Status', 'Fill', 'Commission', 'Realized', 'Filled at'],
          record.orders.map((order) =>
            h(
              'tr',
              { 'data-order': order.n, 'data-status': order.status },
              h('td', {}, String(order.n)),
              h('td', {}, h('span', { class: `side ${order.side}` }, order.side)),
              h('td', {}, order.symbol),
              h('td', { class: 'number' }, formatQuantity(order.quantity)),
              h('td', {}, order.status),
              h(
                'td',
                { class: 'number' },
                order.fill_price === null
                  ? '—'
                  : `${formatQuantity(order.fill_quantity ?? order.quantity)} @ ${money(order.fill_price)}`,
              ),
              h('td', { class: 'number' }, order.commission === null ? '—' : money(order.commission)),
              h('td', { class: 'number' }, order.realized_gain === null ? '—' : money(order.realized_gain)),
              h('td', {}, order.filled_at ? formatTimestamp(order.filled_at) : '—'),
            ),
          ),
          { class: 'orders' },
        ),
      ),
    );
  }
  if (record.verification) {
    const verification = record.verification;
    sections.push(
      h(
        'section',
        { class: 'verification', 'data-within-bands': String(verification.within_bands) },
        h('h3', {}, 'Verification'),
        h(
          'p',
          {},
          yesNo(verification.within_bands, 'within bands', 'out of band'),
          ` largest drift ${formatPoints(verification.max_abs_drift, false)}, cash ${money(verification.cash_after)}, checked ${formatTimestamp(verification.checked_at)}`,
        ),
        driftResult(verification),
      ),
    );
  }
  if (record.failure) {
    sections.push(
      h(
        'section',
        { class: 'warnings failure' },
        h('h3', {}, 'Failed'),
        h(
          'p',
          {},
          `${record.failure.message} (${record.failure.code})${record.failure.order_n ? `, at order ${record.failure.order_n}` : ''} — ${formatTimestamp(record.failure.at)}`,
        ),
      ),
    );
  }
  return sections;
}
