import { type ProcessSpec, refuse } from '../process-spec.js';

/**
 * The Account Opening Blueprint (account-opening 1.0.0), encoded once. Every state, transition, actor,
 * condition, error, event and permission below is the blueprint's; where the hub adds something (admin
 * override and reassignment, the second approval for enhanced due diligence, account-creation retry),
 * it is marked as the hub's.
 */

export const APPLICATION_STATUSES = [
  'draft',
  'product_selection',
  'risk_assessment',
  'terms_review',
  'funding',
  'submitted',
  'compliance_review',
  'approved',
  'account_created',
  'rejected',
  'cancelled',
] as const;
export type ApplicationStatus = (typeof APPLICATION_STATUSES)[number];

export const ACCOUNT_TYPES = ['individual', 'joint', 'retirement_ira', 'roth_ira', 'trust', 'corporate'] as const;
export const INVESTMENT_OBJECTIVES = [
  'capital_preservation',
  'income',
  'balanced',
  'growth',
  'aggressive_growth',
] as const;
/** short_term is under 3 years, medium_term 3 to 7, long_term over 7. */
export const INVESTMENT_HORIZONS = ['short_term', 'medium_term', 'long_term'] as const;
export const CURRENCIES = ['USD', 'EUR', 'GBP', 'CHF'] as const;
export const SOURCES_OF_FUNDS = [
  'employment_income',
  'business_income',
  'savings',
  'investment_proceeds',
  'inheritance',
  'property_sale',
  'pension',
  'gift',
  'other',
] as const;
export const FUNDING_METHODS = ['bank_transfer', 'wire_transfer', 'check', 'asset_transfer'] as const;

/** Risk profiles in increasing order; product risk levels use the same ladder. */
export const RISK_PROFILES = ['conservative', 'moderate', 'balanced', 'growth', 'aggressive_growth'] as const;
export type RiskProfile = (typeof RISK_PROFILES)[number];
export const PRODUCT_LIQUIDITY = ['daily', 'monthly', 'quarterly', 'illiquid'] as const;

/** risk_score is 0..100; each band is inclusive. Documented in the README. */
export const RISK_SCORE_RANGE = { min: 0, max: 100 } as const;
export const RISK_BANDS: readonly { profile: RiskProfile; from: number; to: number }[] = [
  { profile: 'conservative', from: 0, to: 20 },
  { profile: 'moderate', from: 21, to: 40 },
  { profile: 'balanced', from: 41, to: 60 },
  { profile: 'growth', from: 61, to: 80 },
  { profile: 'aggressive_growth', from: 81, to: 100 },
];

/** The happy path, for "step n of m". */
export const HAPPY_PATH: readonly ApplicationStatus[] = [
  'draft',
  'product_selection',
  'risk_assessment',
  'terms_review',
  'funding',
  'submitted',
  'compliance_review',
  'approved',
  'account_created',
];

export const ACCOUNT_OPENING_ERRORS = {
  APPLICATION_NOT_FOUND: refuse(404, 'Account application not found'),
  ONBOARDING_INCOMPLETE: refuse(400, 'Client onboarding must be completed before opening an account'),
  NO_PRODUCTS_SELECTED: refuse(400, 'At least one investment product must be selected'),
  RISK_ASSESSMENT_REQUIRED: refuse(400, 'Risk assessment must be completed before proceeding'),
  TERMS_NOT_ACCEPTED: refuse(400, 'Terms and conditions must be accepted'),
  INVALID_STATUS_TRANSITION: refuse(400, 'This action is not allowed in the current application status'),
  PRODUCT_SUITABILITY_VIOLATION: refuse(400, 'Selected products do not match the client risk profile'),
  INSUFFICIENT_MINIMUM_INVESTMENT: refuse(400, 'Initial investment amount is below the minimum required'),
  COMPLIANCE_REVIEW_REQUIRED: refuse(400, 'Application requires compliance review before account creation'),
  CRM_ACCOUNT_CREATION_FAILED: refuse(500, 'Account creation in CRM failed. Please try again or contact support', {
    retryable: true,
  }),
} as const;
export type AccountOpeningErrorCode = keyof typeof ACCOUNT_OPENING_ERRORS;

const OPEN_STATES = ['draft', 'product_selection', 'risk_assessment', 'terms_review', 'funding'] as const;
const OVERRIDABLE = [...OPEN_STATES, 'submitted', 'compliance_review', 'approved'] as const;
const OVERRIDE_TARGETS = APPLICATION_STATUSES.filter((status) => status !== 'account_created');

export const accountOpeningSpec = {
  processType: 'account_opening',
  title: 'Account opening',
  resource: 'applications',
  states: [
    { id: 'draft', label: 'Draft', stage: 'Application', initial: true },
    { id: 'product_selection', label: 'Product selection', stage: 'Application' },
    { id: 'risk_assessment', label: 'Risk assessment', stage: 'Application' },
    { id: 'terms_review', label: 'Terms review', stage: 'Application' },
    { id: 'funding', label: 'Funding', stage: 'Application' },
    { id: 'submitted', label: 'Submitted', stage: 'Compliance' },
    { id: 'compliance_review', label: 'Compliance review', stage: 'Compliance' },
    { id: 'approved', label: 'Approved', stage: 'Account' },
    // The blueprint's table prints the terminal flag of the last three states in its Initial column.
    { id: 'account_created', label: 'Account created', stage: 'Account', terminal: true },
    { id: 'rejected', label: 'Rejected', stage: 'Closed', terminal: true },
    { id: 'cancelled', label: 'Cancelled', stage: 'Closed', terminal: true },
  ],
  transitions: [
    { name: 'draft', from: ['draft'], to: 'product_selection', actors: ['client', 'advisor'] },
    {
      name: 'product_selection',
      from: ['product_selection'],
      to: 'risk_assessment',
      actors: ['client', 'advisor'],
      condition: 'selected_products is not null',
    },
    {
      name: 'risk_assessment',
      from: ['risk_assessment'],
      to: 'terms_review',
      actors: ['client', 'advisor'],
      condition: 'risk_score is not null',
    },
    {
      name: 'terms_review',
      from: ['terms_review'],
      to: 'funding',
      actors: ['client', 'advisor'],
      condition: 'terms_accepted == true',
    },
    {
      name: 'funding',
      from: ['funding'],
      to: 'submitted',
      actors: ['client', 'advisor'],
      condition: 'funding_method is not null',
    },
    // The blueprint's table also names compliance_officer here, but no command moves a submitted application:
    // the hub assigns an officer and starts the review itself, at once.
    { name: 'submitted', from: ['submitted'], to: 'compliance_review', actors: ['system'] },
    // Admins too: the blueprint's Compliance_approve and Compliance_reject guards name Compliance and Admin.
    { name: 'compliance_review', from: ['compliance_review'], to: 'approved', actors: ['compliance_officer', 'admin'] },
    {
      name: 'compliance_review_rejected',
      from: ['compliance_review'],
      to: 'rejected',
      actors: ['compliance_officer', 'admin'],
      condition: 'rejection_reason is not null',
    },
    { name: 'approved', from: ['approved'], to: 'account_created', actors: ['system'] },
    { name: 'cancel', from: OPEN_STATES, to: 'cancelled', actors: ['client', 'advisor', 'admin'] },
    // The hub's: "Admin can override status", to any state but account_created (only the CRM opens accounts).
    ...OVERRIDE_TARGETS.map((to) => ({ name: 'override_status', from: OVERRIDABLE, to, actors: ['admin'] as const })),
  ],
  commands: {
    // The blueprint's outcomes, with its roles. `own`: a client for themselves, an advisor for assigned clients.
    start_application: {
      label: 'Start application',
      from: [],
      roles: { client: 'own', advisor: 'own', admin: 'any' },
      event: 'account.application_started',
      board: false,
    },
    select_products: {
      label: 'Select products',
      from: ['draft', 'product_selection'],
      roles: { client: 'own', advisor: 'own' },
      to: 'risk_assessment',
      event: 'account.products_selected',
      raises: ['NO_PRODUCTS_SELECTED'],
      path: 'products',
      board: false,
    },
    complete_risk_assessment: {
      label: 'Complete risk assessment',
      from: ['risk_assessment'],
      roles: { client: 'own', advisor: 'own' },
      to: 'terms_review',
      event: 'account.risk_assessed',
      raises: ['RISK_ASSESSMENT_REQUIRED', 'NO_PRODUCTS_SELECTED', 'PRODUCT_SUITABILITY_VIOLATION'],
      path: 'risk-assessment',
      board: false,
    },
    accept_terms: {
      label: 'Accept terms',
      from: ['terms_review'],
      roles: { client: 'own', advisor: 'own' },
      to: 'funding',
      event: 'account.terms_accepted',
      raises: ['RISK_ASSESSMENT_REQUIRED', 'TERMS_NOT_ACCEPTED'],
      path: 'terms',
      board: false,
    },
    provide_funding_details: {
      label: 'Provide funding details',
      from: ['funding'],
      roles: { client: 'own', advisor: 'own' },
      to: 'submitted',
      event: 'account.submitted',
      raises: [
        'NO_PRODUCTS_SELECTED',
        'RISK_ASSESSMENT_REQUIRED',
        'TERMS_NOT_ACCEPTED',
        'INSUFFICIENT_MINIMUM_INVESTMENT',
      ],
      path: 'funding',
      board: false,
    },
    compliance_approve: {
      label: 'Approve',
      from: ['compliance_review'],
      roles: { compliance_officer: 'any', admin: 'any' },
      // Stays in review while a second approval is needed (enhanced due diligence, politically exposed).
      to: ['approved', 'compliance_review'],
      event: 'account.approved',
      raises: ['FOUR_EYES_VIOLATION', 'SECOND_APPROVER_REQUIRED'],
      path: 'approve',
      board: true,
      slack: { action: 'approve_application', style: 'primary' },
    },
    compliance_reject: {
      label: 'Reject',
      from: ['compliance_review'],
      roles: { compliance_officer: 'any', admin: 'any' },
      to: 'rejected',
      event: 'account.rejected',
      path: 'reject',
      board: true,
      slack: {
        action: 'reject_application',
        style: 'danger',
        form: {
          block: 'rejection_reason',
          title: 'Reject application',
          submit: 'Reject',
          label: 'Reason (the client and advisor see it)',
          required: 'A rejection needs a reason.',
        },
      },
      reason: { field: 'rejection_reason', label: 'Reason for rejection', required: true, maxLength: 2000 },
    },
    cancel_application: {
      label: 'Cancel',
      from: OPEN_STATES,
      roles: { client: 'own', advisor: 'own', admin: 'any' },
      to: 'cancelled',
      event: 'account.cancelled',
      path: 'cancel',
      board: true,
      reason: { field: 'reason', label: 'Reason for cancelling', required: false, maxLength: 2000 },
    },
    // The hub's: "Admin can override status and reassign applications", and a retry after the CRM failed.
    override_status: {
      label: 'Override status',
      from: OVERRIDABLE,
      to: OVERRIDE_TARGETS,
      roles: { admin: 'any' },
      event: 'account.status_overridden',
      raises: ['COMPLIANCE_REVIEW_REQUIRED', 'NO_PRODUCTS_SELECTED', 'RISK_ASSESSMENT_REQUIRED', 'TERMS_NOT_ACCEPTED'],
      path: 'override-status',
      board: false,
    },
    reassign_application: {
      label: 'Reassign',
      from: OVERRIDABLE,
      roles: { admin: 'any' },
      event: 'account.reassigned',
      path: 'reassign',
      board: false,
    },
    retry_account_creation: {
      label: 'Retry account creation',
      from: ['approved'],
      roles: { admin: 'any' },
      event: 'account.creation_retried',
      raises: ['COMPLIANCE_REVIEW_REQUIRED'],
      path: 'retry-account-creation',
      board: true,
    },
    get_available_products: {
      label: 'List available products',
      from: [],
      // Get_available_products names Client and Advisor; ops and admins read everything.
      roles: { client: 'own', advisor: 'own', ops: 'any', admin: 'any' },
      event: 'products.listed',
      board: false,
      reads: true,
    },
    get_application_status: {
      label: 'View application',
      from: APPLICATION_STATUSES,
      roles: { client: 'own', advisor: 'own', compliance_officer: 'any', admin: 'any', ops: 'any', manager: 'any' },
      event: 'account.status_viewed',
      board: false,
      reads: true,
    },
  },
  /** Who sees applications at all: the blueprint's viewers, plus ops and managers who watch everything. */
  readers: { client: 'own', advisor: 'own', compliance_officer: 'any', admin: 'any', ops: 'any', manager: 'any' },
  errors: ACCOUNT_OPENING_ERRORS,
  events: {
    'account.application_started': {
      description: 'New account application created',
      payload: ['application_id', 'client_id', 'timestamp'],
    },
    'account.products_selected': {
      description: 'Investment products selected',
      payload: ['application_id', 'selected_products', 'timestamp'],
    },
    'account.risk_assessed': {
      description: 'Risk assessment completed',
      payload: ['application_id', 'risk_profile', 'risk_score', 'timestamp'],
    },
    'account.suitability_warning': {
      description: 'Product-risk suitability mismatch detected',
      payload: ['application_id', 'risk_profile', 'mismatched_products', 'timestamp'],
    },
    'account.terms_accepted': {
      description: 'Terms and conditions accepted',
      payload: ['application_id', 'terms_accepted_at', 'timestamp'],
    },
    'account.submitted': {
      description: 'Application submitted for review',
      payload: ['application_id', 'funding_method', 'amount', 'timestamp'],
    },
    'account.approved': {
      description: 'Application approved by compliance',
      payload: ['application_id', 'approved_by', 'timestamp'],
    },
    'account.rejected': {
      description: 'Application rejected by compliance',
      payload: ['application_id', 'rejection_reason', 'rejected_by', 'timestamp'],
    },
    'account.created': {
      description: 'Investment account created in CRM',
      payload: ['application_id', 'account_number', 'client_id', 'timestamp'],
    },
    'account.cancelled': {
      description: 'Application cancelled',
      payload: ['application_id', 'cancelled_by', 'timestamp'],
    },
    'account.status_viewed': {
      description: 'Application status viewed',
      payload: ['application_id', 'viewed_by', 'timestamp'],
    },
    'products.listed': { description: 'Available products listed for client', payload: ['client_id', 'timestamp'] },
    // The hub's own events, so every change to an application is in the feed.
    'account.review_started': {
      description: 'Application entered compliance review',
      payload: ['application_id', 'assigned_officer_id', 'timestamp'],
    },
    'account.approval_recorded': {
      description: 'First of two required approvals recorded (enhanced due diligence or politically exposed client)',
      payload: ['application_id', 'approved_by', 'approvals_required', 'timestamp'],
    },
    'account.creation_failed': {
      description: 'Account creation in CRM failed after all retries',
      payload: ['application_id', 'error_code', 'attempts', 'timestamp'],
    },
    'account.creation_retried': {
      description: 'Administrator retried account creation after a CRM failure',
      payload: ['application_id', 'retried_by', 'timestamp'],
    },
    'account.status_overridden': {
      description: 'Administrator overrode the application status',
      payload: ['application_id', 'from_status', 'to_status', 'reason', 'overridden_by', 'timestamp'],
    },
    'account.reassigned': {
      description: 'Administrator reassigned the application',
      payload: ['application_id', 'advisor_id', 'assigned_officer_id', 'reason', 'reassigned_by', 'timestamp'],
    },
  },
  // "Source of funds must be documented for anti-money laundering"; the signed mandate is linked by accept_terms.
  documents: {
    kinds: [
      'mandate',
      'source_of_funds_evidence',
      'identity_document',
      'proof_of_address',
      'formation_documents',
      'other',
    ],
    required: [
      {
        kind: 'source_of_funds_evidence',
        command: 'compliance_approve',
        when: 'edd_required',
        code: 'COMPLIANCE_REVIEW_REQUIRED',
        message:
          'Source-of-funds evidence must be accepted by compliance before an application above the enhanced due diligence threshold is approved',
      },
    ],
  },
  slas: [
    {
      state: 'compliance_review',
      description: 'Compliance must review applications within 2 business days',
      maxDuration: { unit: 'business_days', amount: 2 },
    },
  ],
} as const satisfies ProcessSpec<ApplicationStatus>;

export type AccountOpeningCommand = keyof typeof accountOpeningSpec.commands;
export type AccountOpeningEvent = keyof typeof accountOpeningSpec.events;

export function riskProfileFor(score: number): RiskProfile {
  // A fractional score between two bands (20.5) belongs to the higher one: each band ends at its `to`.
  const inRange = score >= RISK_SCORE_RANGE.min && score <= RISK_SCORE_RANGE.max;
  const band = inRange ? RISK_BANDS.find((b) => score <= b.to) : undefined;
  if (!band) throw new RangeError(`risk_score ${score} is outside ${RISK_SCORE_RANGE.min}..${RISK_SCORE_RANGE.max}`);
  return band.profile;
}
