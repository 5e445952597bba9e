import { mayRun, type ProcessRelations } from '../policy.js';
import {
  outcomeOf,
  type Actor,
  type ChangeOutcome,
  type EmittedEvent,
  type NotificationIntent,
  type ProcessCard,
  type Recipient,
  type SlaSnapshot,
} from '../process-records.js';
import { isTerminal } from '../process-spec.js';
import type {
  ApproveInput,
  DeclineInput,
  EditInput,
  OrderRecord,
  ProposalRecord,
  RebalanceContext,
  RebalanceFailure,
  RebalanceRecord,
  RebalancingInput,
  Verification,
} from './definitions.js';
import { decimal } from '../money.js';
import {
  driftOf,
  isRefusal,
  money,
  points,
  proposalValue,
  rationaleFor,
  refuse,
  reviseProposal,
  type Refusal,
} from './proposal-record.js';
import { rebalancingSpec as spec, type RebalanceCommand, type RebalanceStatus } from './spec.js';

/**
 * The rebalancing process as pure functions: checks that refuse a command with its error code, and the
 * outcomes that the workflow records. The workflow is a thin shell around these; the API asks them for
 * `allowed_actions`.
 */

export type Outcome = ChangeOutcome<RebalanceRecord>;

export function relationsOf(record: Pick<RebalanceRecord, 'client_user_id' | 'advisor_id'>): ProcessRelations {
  return { client_user_id: record.client_user_id, advisor_id: record.advisor_id };
}

// ---------------------------------------------------------------------------------------------
// The record and its card
// ---------------------------------------------------------------------------------------------

export function newRebalanceRecord(
  input: RebalancingInput,
  context: RebalanceContext,
  proposal: ProposalRecord,
  now: string,
): RebalanceRecord {
  const drift = driftOf(context);
  const value = proposalValue(proposal);
  return {
    rebalance_id: input.rebalance_id,
    portfolio_id: context.portfolio.id,
    account_number: context.portfolio.accountNumber,
    client_id: context.client.id,
    client_name: context.client.name,
    client_user_id: context.client.user_id,
    advisor_id: context.client.advisor_id,
    model_id: context.model.id,
    model_name: context.model.name,
    currency: context.portfolio.currency,
    trigger: input.trigger,
    started_by: input.started_by.user_id,
    status: 'awaiting_advisor',
    prices_as_of: context.prices_as_of,
    drift_before: drift,
    rationale: rationaleFor(context.model.name, context.prices_as_of, drift, proposal, context.portfolio.currency),
    proposal,
    proposal_value: value,
    compliance_threshold: context.compliance_threshold,
    needs_compliance: decimal(value).gt(context.compliance_threshold),
    edits: [],
    advisor_approval: null,
    compliance_approval: null,
    assigned_officer_id: null,
    decline: null,
    orders: [],
    verification: null,
    failure: null,
    status_entered_at: now,
    created_at: now,
    updated_at: now,
    version: 1,
  };
}

/** Who must act now: the advisor on a proposal, the assigned officer on a compliance approval, nobody otherwise. */
export function projectCard(record: RebalanceRecord, sla: SlaSnapshot | null = null): ProcessCard {
  const assigned =
    record.status === 'awaiting_advisor'
      ? record.advisor_id
      : record.status === 'awaiting_compliance'
        ? record.assigned_officer_id
        : null;
  return {
    title: `${record.client_name} · ${record.account_number}`,
    client_id: record.client_id,
    client_user_id: record.client_user_id,
    advisor_id: record.advisor_id,
    assigned_user_id: assigned,
    amount: record.proposal_value,
    currency: record.currency,
    status: record.status,
    status_entered_at: record.status_entered_at,
    flags: [
      record.needs_compliance ? 'needs_compliance' : null,
      record.proposal.trades.some((t) => t.wash_sale) ? 'wash_sale' : null,
      decimal(record.proposal.estimated_realized_gains.short_term).gt(0) ? 'short_term_gains' : null,
      record.edits.length ? 'edited' : null,
      record.proposal.within_bands_after ? null : 'out_of_band_after',
    ].filter((flag): flag is string => flag !== null),
    sla,
  };
}

// ---------------------------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------------------------

/**
 * May this actor run this command on the rebalance as it stands, whatever the input?
 * Order: permission (403), then status (400), then the four-eyes rule.
 */
export function checkAllowed(record: RebalanceRecord, command: RebalanceCommand, actor: Actor): Refusal | null {
  const commandSpec = spec.commands[command];
  if (!mayRun(spec, command, actor, relationsOf(record))) {
    return refuse(
      'FORBIDDEN',
      `${actor.role} ${actor.user_id} may not ${commandSpec.label.toLowerCase()} on this rebalance`,
    );
  }
  if (!(commandSpec.from as readonly string[]).includes(record.status)) {
    return refuse(
      'INVALID_STATUS_TRANSITION',
      `${commandSpec.label} is not allowed while the rebalance is ${record.status.replace(/_/g, ' ')}`,
      {
        status: record.status,
      },
    );
  }
  if (command === 'compliance_approve') {
    const involved = [record.advisor_id, record.advisor_approval?.approved_by, record.started_by].filter(
      (id): id is string => Boolean(id),
    );
    if (involved.includes(actor.user_id)) {
      return refuse(
        'FOUR_EYES_VIOLATION',
        "Four-eyes rule: the compliance approval must come from someone other than the proposal's advisor",
      );
    }
  }
  return null;
}

const isBlank = (value: unknown) =>
  value === undefined || value === null || (typeof value === 'string' && value.trim() === '');

/** Whatever the input says: is it enough to run the command? Field types were checked at the edge already. */
export function checkInput(context: RebalanceContext, command: RebalanceCommand, input: object): Refusal | null {
  if (command === 'decline' && isBlank((input as DeclineInput).reason))
    return refuse('VALIDATION_FAILED', 'reason: a decline needs a reason', { field: 'reason' });
  if (command === 'edit') {
    const edit = input as EditInput;
    if (isBlank(edit.reason))
      return refuse('VALIDATION_FAILED', 'reason: say why the trades were changed', { field: 'reason' });
    const revised = reviseProposal(context, Array.isArray(edit.trades) ? edit.trades : []);
    return isRefusal(revised) ? revised : null;
  }
  return null;
}

function statusChange(record: RebalanceRecord, status: RebalanceStatus, now: string): RebalanceRecord {
  return status === record.status ? record : { ...record, status, status_entered_at: now };
}

const advisorOf = (record: RebalanceRecord): Recipient[] =>
  record.advisor_id ? [{ user_id: record.advisor_id }] : [{ role: 'admin' }];
/** The advisor hears of a change with its reason, unless they made it themselves. */
function tellAdvisorOf(
  record: RebalanceRecord,
  actor: Actor,
  kind: NotificationIntent['kind'],
  title: string,
  reason: string,
): NotificationIntent[] {
  if (actor.user_id === record.advisor_id) return [];
  return [{ to: advisorOf(record), kind, title, body: `${actor.name}: ${reason.trim()}` }];
}
const approvalBy = (actor: Actor, notes: string | undefined, now: string) => ({
  approved_by: actor.user_id,
  approver_name: actor.name,
  role: actor.role,
  channel: actor.channel,
  at: now,
  notes: notes?.trim() || null,
});

/** Applies an accepted command. `now` is the workflow's clock; `assignedOfficerId` is who reviews when compliance must approve. */
export function applyCommand(
  record: RebalanceRecord,
  context: RebalanceContext,
  command: RebalanceCommand,
  input: object,
  actor: Actor,
  now: string,
  assignedOfficerId: string | null = null,
): Outcome {
  const base: RebalanceRecord = { ...record, updated_at: now, version: record.version + 1 };
  const id = record.rebalance_id;
  const outcome = outcomeOf(record, command, actor);

  switch (command) {
    case 'approve': {
      const { notes } = input as ApproveInput;
      const approval = approvalBy(actor, notes, now);
      const decision = {
        decision: 'approved',
        by: actor.user_id,
        notes: approval.notes,
        proposal_value: record.proposal_value,
        needs_compliance: record.needs_compliance,
      };
      if (record.needs_compliance) {
        const next = statusChange(
          { ...base, advisor_approval: approval, assigned_officer_id: assignedOfficerId },
          'awaiting_compliance',
          now,
        );
        return outcome(
          next,
          [
            {
              type: 'rebalance.advisor_approved',
              payload: { rebalance_id: id, approved_by: actor.user_id, needs_compliance: true, timestamp: now },
            },
          ],
          [
            {
              to: assignedOfficerId ? [{ user_id: assignedOfficerId }] : [{ role: 'compliance_officer' }],
              kind: 'rebalance_compliance_needed',
              title: `Compliance approval needed: rebalance for ${record.client_name}`,
              body: `${actor.name} approved ${money(record.proposal_value, record.currency)} ${record.currency} of trades, above the ${money(record.compliance_threshold, record.currency)} threshold`,
            },
          ],
          { ...decision, rationale: record.rationale, assigned_officer_id: assignedOfficerId },
        );
      }
      const next = statusChange({ ...base, advisor_approval: approval }, 'approved', now);
      return outcome(
        next,
        [
          {
            type: 'rebalance.advisor_approved',
            payload: { rebalance_id: id, approved_by: actor.user_id, needs_compliance: false, timestamp: now },
          },
          {
            type: 'rebalance.approved',
            payload: { rebalance_id: id, proposal_value: record.proposal_value, timestamp: now },
          },
        ],
        [],
        { ...decision, rationale: record.rationale },
      );
    }
    case 'compliance_approve': {
      const { notes } = input as ApproveInput;
      const approval = approvalBy(actor, notes, now);
      const next = statusChange({ ...base, compliance_approval: approval }, 'approved', now);
      return outcome(
        next,
        [
          {
            type: 'rebalance.compliance_approved',
            payload: { rebalance_id: id, approved_by: actor.user_id, timestamp: now },
          },
          {
            type: 'rebalance.approved',
            payload: { rebalance_id: id, proposal_value: record.proposal_value, timestamp: now },
          },
        ],
        [
          {
            to: advisorOf(record),
            kind: 'rebalance_approved',
            title: `Rebalance for ${record.client_name} approved by compliance`,
            body: `${actor.name} approved; orders are being placed`,
          },
        ],
        { decision: 'compliance_approved', by: actor.user_id, notes: approval.notes },
      );
    }
    case 'edit': {
      const { trades, reason } = input as EditInput;
      const proposal = reviseProposal(context, trades) as ProposalRecord;
      const value = proposalValue(proposal);
      const approvalsReset = Boolean(record.advisor_approval || record.compliance_approval);
      const next = statusChange(
        {
          ...base,
          proposal,
          proposal_value: value,
          needs_compliance: decimal(value).gt(record.compliance_threshold),
          rationale: rationaleFor(
            record.model_name,
            record.prices_as_of,
            record.drift_before,
            proposal,
            record.currency,
          ),
          edits: [
            ...record.edits,
            {
              edited_by: actor.user_id,
              editor_name: actor.name,
              at: now,
              reason: reason.trim(),
              previous_trades: record.proposal.trades,
            },
          ],
          advisor_approval: null,
          compliance_approval: null,
          assigned_officer_id: null,
        },
        'awaiting_advisor',
        now,
      );
      const notifications = tellAdvisorOf(
        record,
        actor,
        'rebalance_edited',
        `Rebalance for ${record.client_name} edited`,
        reason,
      );
      return outcome(
        next,
        [
          {
            type: 'rebalance.edited',
            payload: {
              rebalance_id: id,
              edited_by: actor.user_id,
              reason: reason.trim(),
              proposal_value: value,
              timestamp: now,
            },
          },
        ],
        notifications,
        {
          reason: reason.trim(),
          previous_trades: record.proposal.trades,
          trades: proposal.trades,
          approvals_reset: approvalsReset,
          proposal_value: value,
        },
      );
    }
    case 'decline': {
      const { reason } = input as DeclineInput;
      const decline = {
        declined_by: actor.user_id,
        decliner_name: actor.name,
        role: actor.role,
        at: now,
        reason: reason.trim(),
      };
      const next = statusChange({ ...base, decline }, 'declined', now);
      const notifications = tellAdvisorOf(
        record,
        actor,
        'rebalance_declined',
        `Rebalance for ${record.client_name} declined`,
        reason,
      );
      return outcome(
        next,
        [
          {
            type: 'rebalance.declined',
            payload: { rebalance_id: id, declined_by: actor.user_id, reason: reason.trim(), timestamp: now },
          },
        ],
        notifications,
        { decision: 'declined', by: actor.user_id, reason: reason.trim(), rationale: record.rationale },
      );
    }
    default:
      throw new Error(`${String(command)} is not applied by applyCommand`);
  }
}

/** The commands this actor could take now, for buttons and for `allowed_actions`. */
export function allowedActions(record: RebalanceRecord, actor: Actor): RebalanceCommand[] {
  if (isTerminal(spec, record.status)) return [];
  const commands: RebalanceCommand[] = ['approve', 'edit', 'decline', 'compliance_approve'];
  return commands.filter((command) => checkAllowed(record, command, actor) === null);
}

// ---------------------------------------------------------------------------------------------
// The system's own steps
// ---------------------------------------------------------------------------------------------

function systemOutcome(
  record: RebalanceRecord,
  next: RebalanceRecord,
  action: string,
  actor: Actor,
  events: EmittedEvent[],
  notifications: NotificationIntent[],
  audit: Record<string, unknown>,
): Outcome {
  return { record: next, action, actor, status_before: record.status, events, notifications, audit };
}

export function proposedOutcome(record: RebalanceRecord, actor: Actor): Outcome {
  return systemOutcome(
    record,
    record,
    'propose',
    actor,
    [
      {
        type: 'rebalance.proposed',
        payload: {
          rebalance_id: record.rebalance_id,
          portfolio_id: record.portfolio_id,
          client_id: record.client_id,
          trigger: record.trigger,
          proposal_value: record.proposal_value,
          trade_count: record.proposal.trades.length,
          needs_compliance: record.needs_compliance,
          timestamp: record.created_at,
        },
      },
    ],
    actor.user_id === record.advisor_id
      ? []
      : [
          {
            to: advisorOf(record),
            kind: 'rebalance_proposed',
            title: `Rebalancing proposal for ${record.client_name}`,
            body: `${record.proposal.trades.length} trades worth ${money(record.proposal_value, record.currency)} ${record.currency} await your decision${record.needs_compliance ? ' (compliance approval needed too)' : ''}`,
          },
        ],
    {
      rationale: record.rationale,
      drift_before: record.drift_before,
      proposal: record.proposal,
      needs_compliance: record.needs_compliance,
    },
  );
}

/** The approved trades become orders, each with its idempotency key. */
export function executionStarted(record: RebalanceRecord, actor: Actor, now: string): Outcome {
  const orders: OrderRecord[] = record.proposal.trades.map((trade, i) => ({
    n: i + 1,
    idempotency_key: `${record.rebalance_id}:${i + 1}`,
    security_id: trade.security_id,
    symbol: trade.symbol,
    side: trade.side,
    quantity: trade.quantity,
    status: 'pending',
    order_id: null,
    fill_price: null,
    fill_quantity: null,
    commission: null,
    realized_gain: null,
    filled_at: null,
  }));
  const next = statusChange({ ...record, orders, updated_at: now, version: record.version + 1 }, 'executing', now);
  return systemOutcome(
    record,
    next,
    'execute',
    actor,
    [
      {
        type: 'rebalance.execution_started',
        payload: { rebalance_id: record.rebalance_id, order_count: orders.length, timestamp: now },
      },
    ],
    [],
    {
      orders: orders.map(({ n, idempotency_key, symbol, side, quantity }) => ({
        n,
        idempotency_key,
        symbol,
        side,
        quantity,
      })),
    },
  );
}

export interface OrderFillResult {
  order_id: string;
  fill_price: number;
  fill_quantity: number;
  commission: number;
  realized_gain: number | null;
  filled_at: string;
}

export function orderFilled(
  record: RebalanceRecord,
  n: number,
  fill: OrderFillResult,
  actor: Actor,
  now: string,
): Outcome {
  const orders = record.orders.map((order) =>
    order.n === n ? { ...order, status: 'filled' as const, ...fill } : order,
  );
  const order = orders.find((o) => o.n === n)!;
  return systemOutcome(
    record,
    { ...record, orders, updated_at: now, version: record.version + 1 },
    'fill_order',
    actor,
    [
      {
        type: 'rebalance.order_filled',
        payload: {
          rebalance_id: record.rebalance_id,
          order_id: fill.order_id,
          idempotency_key: order.idempotency_key,
          security_id: order.security_id,
          side: order.side,
          quantity: fill.fill_quantity,
          price: fill.fill_price,
          timestamp: now,
        },
      },
    ],
    [],
    { order },
  );
}

const failureNotice = (record: RebalanceRecord, message: string): NotificationIntent => ({
  to: [...advisorOf(record), { role: 'ops' }],
  kind: 'rebalance_failed',
  title: `Rebalance for ${record.client_name} failed`,
  body: message,
});

export function executionFailed(record: RebalanceRecord, failure: RebalanceFailure, actor: Actor): Outcome {
  const filled = record.orders.filter((o) => o.status === 'filled');
  const next = statusChange(
    { ...record, failure, updated_at: failure.at, version: record.version + 1 },
    'failed',
    failure.at,
  );
  return systemOutcome(
    record,
    next,
    'execute',
    actor,
    [
      {
        type: 'rebalance.execution_failed',
        payload: {
          rebalance_id: record.rebalance_id,
          error_code: failure.code,
          message: failure.message,
          filled_orders: filled.length,
          timestamp: failure.at,
        },
      },
    ],
    [
      failureNotice(
        record,
        `${failure.message}. ${filled.length} of ${record.orders.length} orders were filled; the rest were not sent.`,
      ),
    ],
    { failure, orders: record.orders },
  );
}

export function verificationStarted(record: RebalanceRecord, actor: Actor, now: string): Outcome {
  const next = statusChange({ ...record, updated_at: now, version: record.version + 1 }, 'verifying', now);
  return systemOutcome(
    record,
    next,
    'verify',
    actor,
    [{ type: 'rebalance.verification_started', payload: { rebalance_id: record.rebalance_id, timestamp: now } }],
    [],
    {},
  );
}

/** The end of an executed rebalance: the decision, rationale, trades and verified result, kept together in the audit trail. */
export function verified(record: RebalanceRecord, verification: Verification, actor: Actor): Outcome {
  const now = verification.checked_at;
  const summary = {
    rationale: record.rationale,
    decision: {
      advisor_approval: record.advisor_approval,
      compliance_approval: record.compliance_approval,
      edits: record.edits.map(({ previous_trades: _previous, ...edit }) => edit),
    },
    trades: record.orders,
    verification,
  };
  const payload = {
    rebalance_id: record.rebalance_id,
    portfolio_id: record.portfolio_id,
    max_abs_drift: verification.max_abs_drift,
    timestamp: now,
  };
  if (verification.within_bands) {
    const next = statusChange(
      { ...record, verification, updated_at: now, version: record.version + 1 },
      'completed',
      now,
    );
    const recipients: Recipient[] = [
      ...advisorOf(record),
      ...(record.client_user_id ? [{ user_id: record.client_user_id }] : []),
    ];
    return systemOutcome(
      record,
      next,
      'complete',
      actor,
      [{ type: 'rebalance.completed', payload }],
      [
        {
          to: recipients,
          kind: 'rebalance_completed',
          title: `Portfolio ${record.account_number} rebalanced`,
          body: `${record.orders.length} orders filled; largest drift now ${points(verification.max_abs_drift)}, within bands`,
        },
      ],
      summary,
    );
  }
  const failure: RebalanceFailure = {
    code: 'VERIFICATION_OUT_OF_BAND',
    message: `After execution the portfolio is still outside its drift bands (largest drift ${points(verification.max_abs_drift)})`,
    at: now,
    order_n: null,
  };
  const next = statusChange(
    { ...record, verification, failure, updated_at: now, version: record.version + 1 },
    'failed',
    now,
  );
  return systemOutcome(
    record,
    next,
    'complete',
    actor,
    [{ type: 'rebalance.verification_failed', payload }],
    [failureNotice(record, failure.message)],
    { ...summary, failure },
  );
}
