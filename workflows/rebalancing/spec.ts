import { type ErrorSpec, type ProcessSpec, refuse } from '../process-spec.js';

/**
 * Portfolio rebalancing as a process: a proposal brings a drifted portfolio back to its model, the
 * advisor approves it (and compliance too above a threshold), orders go to the custodian, and the
 * result is verified against the drift bands. Same shape as account opening: the workflow enforces it,
 * the API maps its errors, the policy reads its roles, the board draws its states.
 */

export const REBALANCE_STATUSES = [
  'awaiting_advisor',
  'awaiting_compliance',
  'approved',
  'executing',
  'verifying',
  'completed',
  'declined',
  'failed',
] as const;
export type RebalanceStatus = (typeof REBALANCE_STATUSES)[number];

export const HAPPY_PATH: readonly RebalanceStatus[] = [
  'awaiting_advisor',
  'awaiting_compliance',
  'approved',
  'executing',
  'verifying',
  'completed',
];

/** Where an account's model comes from: the risk profile its application ended with. */
export const MODEL_FOR_RISK_PROFILE = {
  conservative: 'conservative',
  moderate: 'conservative',
  balanced: 'balanced',
  growth: 'growth',
  aggressive_growth: 'aggressive',
} as const;

const PENDING_DECISION = ['awaiting_advisor', 'awaiting_compliance'] as const;

/** Codes this process shares with account opening: the same status, its own message. */
const SHARED_ERRORS = {
  INVALID_STATUS_TRANSITION: refuse(400, 'This action is not allowed in the current status'),
} as const satisfies Record<string, ErrorSpec>;

export const REBALANCING_ERRORS = {
  PORTFOLIO_NOT_FOUND: refuse(404, 'Portfolio not found'),
  REBALANCE_NOT_FOUND: refuse(404, 'Rebalance not found'),
  REBALANCE_IN_PROGRESS: refuse(409, 'A rebalance is already running for this portfolio'),
  REBALANCE_NOT_NEEDED: refuse(409, 'The portfolio is on its model: there is nothing worth trading'),
  PRICE_NOT_AVAILABLE: refuse(409, 'A security in the portfolio or its model has no price; import prices first'),
  PROPOSAL_NOT_POSSIBLE: refuse(409, 'No proposal can be made for this portfolio as its data stands'),
  INVALID_TRADE: refuse(400, 'A trade in the edited proposal is not valid'),
  ORDER_REJECTED: refuse(422, 'The custodian rejected an order'),
  CUSTODIAN_UNAVAILABLE: refuse(503, 'The custodian did not fill an order after all retries', { retryable: true }),
  VERIFICATION_OUT_OF_BAND: refuse(409, 'After execution the portfolio is still outside its drift bands'),
} as const satisfies Record<string, ErrorSpec>;

export const rebalancingSpec = {
  processType: 'rebalancing',
  title: 'Rebalancing',
  resource: 'rebalances',
  states: [
    { id: 'awaiting_advisor', label: 'Awaiting advisor', stage: 'Approval', initial: true },
    { id: 'awaiting_compliance', label: 'Awaiting compliance', stage: 'Approval' },
    { id: 'approved', label: 'Approved', stage: 'Execution' },
    { id: 'executing', label: 'Executing orders', stage: 'Execution' },
    { id: 'verifying', label: 'Verifying drift', stage: 'Execution' },
    { id: 'completed', label: 'Completed', stage: 'Done', terminal: true },
    { id: 'declined', label: 'Declined', stage: 'Closed', terminal: true },
    { id: 'failed', label: 'Failed', stage: 'Closed', terminal: true },
  ],
  transitions: [
    {
      name: 'advisor_approve',
      from: ['awaiting_advisor'],
      to: 'approved',
      actors: ['advisor', 'admin'],
      condition: 'proposal_value <= rebalance_compliance_threshold',
    },
    {
      name: 'advisor_approve_large',
      from: ['awaiting_advisor'],
      to: 'awaiting_compliance',
      actors: ['advisor', 'admin'],
      condition: 'proposal_value > rebalance_compliance_threshold',
    },
    {
      name: 'compliance_approve',
      from: ['awaiting_compliance'],
      to: 'approved',
      actors: ['compliance_officer', 'admin'],
      condition: 'approver is not the advisor',
    },
    {
      name: 'edit',
      from: PENDING_DECISION,
      to: 'awaiting_advisor',
      actors: ['advisor', 'admin'],
      condition: 'every approval is reset',
    },
    {
      name: 'decline',
      from: PENDING_DECISION,
      to: 'declined',
      actors: ['advisor', 'compliance_officer', 'admin'],
      condition: 'reason is not null',
    },
    { name: 'execute', from: ['approved'], to: 'executing', actors: ['system'] },
    { name: 'verify', from: ['executing'], to: 'verifying', actors: ['system'], condition: 'every order filled' },
    { name: 'complete', from: ['verifying'], to: 'completed', actors: ['system'], condition: 'drift within bands' },
    {
      name: 'fail',
      from: ['executing', 'verifying'],
      to: 'failed',
      actors: ['system'],
      condition: 'an order failed, or drift still out of band',
    },
  ],
  commands: {
    start_rebalance: {
      label: 'Rebalance',
      from: [],
      roles: { advisor: 'own', admin: 'any' },
      event: 'rebalance.proposed',
      board: false,
    },
    change_model: {
      label: 'Change model',
      from: [],
      roles: { advisor: 'own', admin: 'any' },
      event: 'portfolio.model_changed',
      board: false,
    },
    run_drift_check: {
      label: 'Check drift now',
      from: [],
      roles: { ops: 'any', admin: 'any' },
      event: 'portfolio.drift_checked',
      board: false,
    },
    approve: {
      label: 'Approve',
      from: ['awaiting_advisor'],
      roles: { advisor: 'own', admin: 'any' },
      // Straight to approved, or to compliance first above the threshold.
      to: ['approved', 'awaiting_compliance'],
      event: 'rebalance.advisor_approved',
      path: 'approve',
      board: true,
      // Slack approves with one click; the rationale is the board's.
      slack: { action: 'approve_rebalance', style: 'primary' },
      reason: { field: 'notes', label: 'Rationale for the record', required: false, maxLength: 5000 },
    },
    // Takes a table of trades, so it needs its own form rather than a plain button.
    edit: {
      label: 'Edit trades',
      from: PENDING_DECISION,
      roles: { advisor: 'own', admin: 'any' },
      to: 'awaiting_advisor',
      event: 'rebalance.edited',
      raises: ['INVALID_TRADE', 'PRICE_NOT_AVAILABLE'],
      path: 'edit',
      board: false,
    },
    decline: {
      label: 'Decline',
      from: PENDING_DECISION,
      roles: { advisor: 'own', compliance_officer: 'any', admin: 'any' },
      to: 'declined',
      event: 'rebalance.declined',
      path: 'decline',
      board: true,
      slack: {
        action: 'decline_rebalance',
        style: 'danger',
        form: {
          block: 'decline_reason',
          title: 'Decline rebalance',
          submit: 'Decline',
          label: 'Reason (kept in the audit trail)',
          required: 'A decline needs a reason.',
        },
      },
      reason: { field: 'reason', label: 'Reason for declining', required: true, maxLength: 2000 },
    },
    compliance_approve: {
      label: 'Approve as compliance',
      from: ['awaiting_compliance'],
      roles: { compliance_officer: 'any', admin: 'any' },
      to: 'approved',
      event: 'rebalance.compliance_approved',
      raises: ['FOUR_EYES_VIOLATION'],
      path: 'compliance-approve',
      board: true,
      slack: { action: 'compliance_approve_rebalance', label: 'Compliance approve', style: 'primary' },
      reason: { field: 'notes', label: 'Compliance notes', required: false, maxLength: 5000 },
    },
    get_rebalance: {
      label: 'View rebalance',
      from: REBALANCE_STATUSES,
      roles: { client: 'own', advisor: 'own', compliance_officer: 'any', admin: 'any', ops: 'any', manager: 'any' },
      board: false,
      reads: true,
    },
  },
  /** Portfolios and their rebalances: the client and advisor their own, the firm's oversight roles all. */
  readers: { client: 'own', advisor: 'own', compliance_officer: 'any', admin: 'any', ops: 'any', manager: 'any' },
  errors: { ...SHARED_ERRORS, ...REBALANCING_ERRORS },
  events: {
    'rebalance.proposed': {
      description: 'A rebalancing proposal was made for a portfolio outside its bands (or started by hand)',
      payload: [
        'rebalance_id',
        'portfolio_id',
        'client_id',
        'trigger',
        'proposal_value',
        'trade_count',
        'needs_compliance',
        'timestamp',
      ],
    },
    'rebalance.edited': {
      description: 'The advisor replaced the proposed trades; approvals start over',
      payload: ['rebalance_id', 'edited_by', 'reason', 'proposal_value', 'timestamp'],
    },
    'rebalance.advisor_approved': {
      description: 'The advisor approved the proposal',
      payload: ['rebalance_id', 'approved_by', 'needs_compliance', 'timestamp'],
    },
    'rebalance.compliance_approved': {
      description: 'Compliance approved a proposal above the threshold',
      payload: ['rebalance_id', 'approved_by', 'timestamp'],
    },
    'rebalance.approved': {
      description: 'Every approval the proposal needs is in; orders follow',
      payload: ['rebalance_id', 'proposal_value', 'timestamp'],
    },
    'rebalance.declined': {
      description: 'The proposal was declined',
      payload: ['rebalance_id', 'declined_by', 'reason', 'timestamp'],
    },
    'rebalance.execution_started': {
      description: 'Orders are being sent to the custodian',
      payload: ['rebalance_id', 'order_count', 'timestamp'],
    },
    'rebalance.order_filled': {
      description: 'The custodian filled an order',
      payload: ['rebalance_id', 'order_id', 'idempotency_key', 'security_id', 'side', 'quantity', 'price', 'timestamp'],
    },
    'rebalance.execution_failed': {
      description: 'An order failed after all retries; the rest were not sent',
      payload: ['rebalance_id', 'error_code', 'message', 'filled_orders', 'timestamp'],
    },
    'rebalance.verification_started': {
      description: 'Every order filled; drift is being recomputed',
      payload: ['rebalance_id', 'timestamp'],
    },
    'rebalance.completed': {
      description: 'Executed and verified within bands',
      payload: ['rebalance_id', 'portfolio_id', 'max_abs_drift', 'timestamp'],
    },
    'rebalance.verification_failed': {
      description: 'Executed, but the portfolio is still outside its bands',
      payload: ['rebalance_id', 'portfolio_id', 'max_abs_drift', 'timestamp'],
    },
    'portfolio.opened': {
      description: 'A portfolio was opened for a new account',
      payload: ['portfolio_id', 'account_number', 'client_id', 'model_id', 'cash', 'timestamp'],
    },
    'portfolio.model_changed': {
      description: "The advisor changed the portfolio's model",
      payload: ['portfolio_id', 'client_id', 'from_model', 'to_model', 'changed_by', 'timestamp'],
    },
    'portfolio.drift_checked': {
      description: 'Every portfolio was checked against its bands; rebalances were started for those outside',
      payload: ['checked', 'out_of_band', 'started', 'already_running', 'timestamp'],
    },
  },
  slas: [
    {
      state: 'awaiting_advisor',
      description: 'Advisors decide on a rebalancing proposal within 2 business days',
      maxDuration: { unit: 'business_days', amount: 2 },
    },
    {
      state: 'awaiting_compliance',
      description: 'Compliance approves a large rebalance within 1 business day',
      maxDuration: { unit: 'business_days', amount: 1 },
    },
  ],
} as const satisfies ProcessSpec<RebalanceStatus>;

export type RebalancingCommand = keyof typeof rebalancingSpec.commands;
/** The commands that act on one rebalance (the rest act on a portfolio or on all of them). */
export type RebalanceCommand = 'approve' | 'edit' | 'decline' | 'compliance_approve';
export type RebalancingEvent = keyof typeof rebalancingSpec.events;
