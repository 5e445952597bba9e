import { describe, expect, it } from 'vitest';
import { blocksText, buttonsOf } from '../support/slack.js';
import { alreadyDecidedText, type RebalanceSummary } from '../../bots/slack/processes/rebalance-blocks.js';
import { rebalancingSlack } from '../../bots/slack/processes/rebalancing.js';
import { buttonsIn } from '../../bots/slack/slack-process.js';
import type { RebalanceRecord, TradeRecord } from '../../workflows/rebalancing/definitions.js';

const trade = (symbol: string, side: 'buy' | 'sell', quantity: number, value: number, wash = false): TradeRecord => ({
  security_id: `sec_${symbol.toLowerCase()}`,
  symbol,
  side,
  quantity,
  price: value / quantity,
  value,
  commission: 1,
  lots: [],
  wash_sale: wash ? { reason: 'VXUS sold at a loss on 2026-11-09', related_trade_date: '2026-11-09' } : null,
});
const drift = (target: number, actual: number, out_of_band: boolean) => ({
  target,
  actual,
  deviation: actual - target,
  tolerance: 0.05,
  out_of_band,
});

const record: RebalanceRecord = {
  rebalance_id: 'rb_1',
  portfolio_id: 'pf_1',
  account_number: 'INV-1',
  client_id: 'cli_x',
  client_name: 'Ann <Admin> & Co',
  client_user_id: null,
  advisor_id: 'usr_alex',
  model_id: 'growth',
  model_name: 'Growth',
  currency: 'USD',
  trigger: 'schedule',
  started_by: 'system',
  status: 'awaiting_advisor',
  prices_as_of: '2026-11-20',
  drift_before: {
    total_value: 100_000,
    max_abs_drift: 0.092,
    drift_score: 0.1,
    out_of_band: true,
    asset_classes: [
      { asset_class: 'us_equity', ...drift(0.5, 0.592, true) },
      { asset_class: 'intl_bonds', ...drift(0.45, 0.4, false) },
    ],
    securities: [],
    cash: drift(0.05, 0.008, false),
  },
  rationale: 'Why',
  proposal: {
    as_of: '2026-11-21',
    model_id: 'growth',
    effective_cash_weight: 0.05,
    buy_scale_factor: 1,
    trades: [trade('VTI', 'sell', 30.5, 9_200), trade('VXUS', 'buy', 100, 5_000, true)],
    skipped: [],
    before: {
      total_value: 100_000,
      cash: 0.008,
      by_security: {},
      by_asset_class: { us_equity: 0.592, intl_bonds: 0.4 },
    },
    after: { total_value: 99_998, cash: 0.05, by_security: {}, by_asset_class: { us_equity: 0.5, intl_bonds: 0.45 } },
    estimated_realized_gains: { short_term: 120.5, long_term: -40, total: 80.5 },
    estimated_costs: 2,
    total_buy_value: 5_000,
    total_sell_value: 9_200,
    cash_after: 5_000,
    within_bands_after: true,
  },
  proposal_value: 14_200,
  compliance_threshold: 10_000,
  needs_compliance: true,
  edits: [],
  advisor_approval: null,
  compliance_approval: null,
  assigned_officer_id: null,
  decline: null,
  orders: [],
  verification: null,
  failure: null,
  status_entered_at: '2026-11-21T10:00:00.000Z',
  created_at: '2026-11-21T10:00:00.000Z',
  updated_at: '2026-11-21T10:00:00.000Z',
  version: 1,
};
const names = { usr_alex: 'Alex Advisor', usr_carla: 'Carla Compliance' };
const summary = (over: Partial<RebalanceRecord> = {}): RebalanceSummary => ({
  processId: 'rb_1',
  record: { ...record, ...over },
  assignedUserId: null,
  statusEnteredAt: record.status_entered_at,
  sla: { status: 'on_track', deadline: '2026-11-24T22:00:00.000Z', paused: false },
  names,
  boardUrl: 'https://hub.example/#/process/rb_1',
  documents: [],
});
const [advisorMessage, complianceMessage] = rebalancingSlack.messages;
const render = (message: typeof advisorMessage, s: RebalanceSummary) =>
  message.render(s, buttonsIn(rebalancingSlack, message, s.record.status));

const DEADLINE = '<!date^1795557600^{date_short_pretty} at {time}|2026-11-24 22:00 UTC>';
const AT = '2026-11-21T11:00:00.000Z';
const AT_SLACK = '<!date^1795258800^{date_short_pretty} at {time}|2026-11-21 11:00 UTC>';
const alexApproval = {
  approved_by: 'usr_alex',
  approver_name: 'Alex Advisor',
  role: 'advisor' as const,
  channel: 'slack' as const,
  at: AT,
  notes: null,
};

describe('Slack blocks of a rebalance', () => {
  it('puts the proposal to the advisor: trades, taxes, costs, drift before and after, the SLA, and their buttons', () => {
    const message = render(advisorMessage, summary());
    const text = blocksText(message.blocks);
    for (const line of [
      'Rebalancing proposal: Ann <Admin> & Co',
      '*Awaiting advisor* · prices as of 2026-11-20 · found by the drift check · <https://hub.example/#/process/rb_1|rb_1>',
      '*Client*\nAnn &lt;Admin&gt; &amp; Co (cli_x)',
      '*Account*\nINV-1 · Growth model',
      '*Proposal value*\n14,200.00 USD\n(sell 9,200.00 USD, buy 5,000.00 USD)',
      '*Estimated realized gains*\nShort term 120.50 USD\nLong term -40.00 USD',
      '*Estimated costs*\n2.00 USD',
      '*Approvals*\nAdvisor: pending\nCompliance: needed above 10,000.00 USD, pending',
      `*SLA deadline*\n${DEADLINE} (on track)`,
      '*Trades* (2)\n• Sell 30.5 VTI · 9,200.00 USD\n• Buy 100 VXUS · 5,000.00 USD :warning: possible wash sale (VXUS sold at a loss on 2026-11-09)',
      '*Drift* (before → after the trades)\n• US equity: 59.2% → 50.0% (target 50.0%) :warning:\n• International bonds: 40.0% → 45.0% (target 45.0%)\n• Cash: 0.8% → 5.0% (target 5.0%)\n' +
        'Before: largest drift 9.2 pts, out of band · after the trades: within bands.',
      ':warning: Possible wash sale · Short-term gains',
    ]) {
      expect(text).toContain(line);
    }
    expect(buttonsOf(message.blocks)).toEqual({
      approve_rebalance: 'rb_1',
      decline_rebalance: 'rb_1',
      open_in_board: 'https://hub.example/#/process/rb_1',
    });
    expect(message.text).toBe('Rebalancing proposal for Ann &lt;Admin&gt; &amp; Co: 2 trades, 14,200.00 USD (rb_1)');
  });

  it('hands the buttons to compliance once the advisor approved above the threshold', () => {
    const waiting = summary({
      status: 'awaiting_compliance',
      advisor_approval: alexApproval,
      assigned_officer_id: 'usr_carla',
    });
    const compliance = render(complianceMessage, waiting);
    expect(buttonsOf(compliance.blocks)).toEqual({
      compliance_approve_rebalance: 'rb_1',
      decline_rebalance: 'rb_1',
      open_in_board: 'https://hub.example/#/process/rb_1',
    });
    expect(compliance.text).toBe(
      'Compliance approval needed: rebalance for Ann &lt;Admin&gt; &amp; Co, 14,200.00 USD (rb_1)',
    );
    expect(blocksText(compliance.blocks)).toContain(
      `*Approvals*\nAdvisor: Alex Advisor via Slack at ${AT_SLACK}\nCompliance: needed above 10,000.00 USD, pending (Carla Compliance)`,
    );
    const advisor = render(advisorMessage, waiting);
    expect(Object.keys(buttonsOf(advisor.blocks))).toEqual(['open_in_board']);
    expect(advisor.text).toBe(
      `Ann &lt;Admin&gt; &amp; Co (rb_1): Approved by Alex Advisor via Slack at ${AT_SLACK}; awaiting compliance approval by Carla Compliance.`,
    );

    // Edited back to the advisor: compliance's message loses its buttons until the proposal returns, and says why.
    const edited = summary({
      edits: [
        { edited_by: 'usr_alex', editor_name: 'Alex Advisor', at: AT, reason: 'Keep <VTI> lots', previous_trades: [] },
      ],
    });
    const back = render(complianceMessage, edited);
    expect(Object.keys(buttonsOf(back.blocks))).toEqual(['open_in_board']);
    expect(back.text).toBe('Ann &lt;Admin&gt; &amp; Co (rb_1): Awaiting advisor');
    expect(blocksText(back.blocks)).toContain(
      `:pencil2: Trades edited by Alex Advisor at ${AT_SLACK}: Keep &lt;VTI&gt; lots`,
    );
  });

  it('says who decided and how it went, and nothing else once it is decided', () => {
    const carla = {
      ...alexApproval,
      approved_by: 'usr_carla',
      approver_name: 'Carla Compliance',
      role: 'compliance_officer' as const,
      channel: 'board' as const,
    };
    const order = (n: number, status: 'pending' | 'filled') => ({
      n,
      idempotency_key: `rb_1:${n}`,
      security_id: 's',
      symbol: 'S',
      side: 'buy' as const,
      quantity: 1,
      status,
      order_id: null,
      fill_price: null,
      fill_quantity: null,
      commission: null,
      realized_gain: null,
      filled_at: null,
    });
    const cases: [Partial<RebalanceRecord>, string][] = [
      [
        {
          status: 'executing',
          advisor_approval: alexApproval,
          compliance_approval: carla,
          orders: [order(1, 'filled'), order(2, 'pending')],
        },
        `:white_check_mark: Approved by Carla Compliance via board at ${AT_SLACK}; 1 of 2 orders filled.`,
      ],
      [
        {
          status: 'completed',
          advisor_approval: alexApproval,
          orders: [order(1, 'filled')],
          verification: {
            ...record.drift_before,
            max_abs_drift: 0.004,
            out_of_band: false,
            checked_at: AT,
            within_bands: true,
            cash_after: 100,
          },
        },
        `:white_check_mark: Approved by Alex Advisor via Slack at ${AT_SLACK}. Completed: 1 order filled; largest drift now 0.4 pts, within bands.`,
      ],
      [
        {
          status: 'declined',
          decline: {
            declined_by: 'usr_carla',
            decliner_name: 'Carla Compliance',
            role: 'compliance_officer',
            at: AT,
            reason: 'Not <now>',
          },
        },
        `:x: Declined by Carla Compliance at ${AT_SLACK}: Not &lt;now&gt;`,
      ],
      [
        {
          status: 'failed',
          advisor_approval: alexApproval,
          failure: { code: 'ORDER_REJECTED', message: 'Order 1 (buy 1 S) was rejected: halted', at: AT, order_n: 1 },
        },
        `:warning: Approved by Alex Advisor via Slack at ${AT_SLACK}; the rebalance failed: Order 1 (buy 1 S) was rejected: halted`,
      ],
    ];
    for (const [over, line] of cases) {
      for (const message of [advisorMessage, complianceMessage]) {
        const rendered = render(message, summary(over));
        expect(blocksText(rendered.blocks)).toContain(line);
        expect(blocksText(rendered.blocks)).not.toContain('*SLA deadline*');
        expect(Object.keys(buttonsOf(rendered.blocks))).toEqual(['open_in_board']);
      }
      expect(alreadyDecidedText({ ...record, ...over }, names)).toBe(
        `Nothing changed: this rebalance was already decided. ${line.replace(/^:[a-z_]+: /, '')}`,
      );
    }
    expect(alreadyDecidedText(record, names)).toBe(
      'Nothing changed: the rebalance changed meanwhile and is awaiting advisor now; look at it again.',
    );
  });

  it('lists at most 25 trades and points to the board for the rest', () => {
    const many = Array.from({ length: 30 }, (_, i) => trade(`S${i}`, 'buy', 1, 100));
    const text = blocksText(render(advisorMessage, summary({ proposal: { ...record.proposal, trades: many } })).blocks);
    expect(text).toContain('• Buy 1 S24 · 100.00 USD\n…and 5 more on the board.');
    expect(text).not.toContain('S25 ');
  });
});
