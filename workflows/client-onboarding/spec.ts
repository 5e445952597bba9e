import type { ErrorSpec, ProcessSpec } from '../process-spec.js';

/**
 * Client onboarding (KYC): the advisor invites a client, the client fills the profile and uploads the
 * documents their client type needs, the names are screened against the firm's sanctions and PEP lists,
 * compliance decides every possible match and then the onboarding itself. Approval completes the client's
 * KYC until its periodic review falls due; only then may accounts be opened for them.
 */

export const ONBOARDING_STATUSES = [
  'invited',
  'profile',
  'documents',
  'screening',
  'compliance_review',
  'approved',
  'rejected',
  'cancelled',
  'expired',
] as const;
export type OnboardingStatus = (typeof ONBOARDING_STATUSES)[number];

export const HAPPY_PATH: readonly OnboardingStatus[] = [
  'invited',
  'profile',
  'documents',
  'screening',
  'compliance_review',
  'approved',
];

export const OPEN_STATES = ['invited', 'profile', 'documents', 'screening', 'compliance_review'] as const;
/** The client's part: it expires if not finished in time; the firm's part runs on its SLA instead. */
export const CLIENT_STATES = ['invited', 'profile', 'documents'] as const;

export const CLIENT_TYPES = ['individual', 'joint', 'entity'] as const;
export type ClientType = (typeof CLIENT_TYPES)[number];
export const EMPLOYMENT_STATUSES = ['employed', 'self_employed', 'retired', 'student', 'unemployed', 'not_applicable'];
export const SOURCES_OF_WEALTH = [
  'employment_income',
  'business_ownership',
  'investments',
  'inheritance',
  'property',
  'pension',
  'gift',
  'other',
] as const;
export type SourceOfWealth = (typeof SOURCES_OF_WEALTH)[number];
/** The bands people answer in: the hub keeps no amounts it does not need. */
export const WEALTH_BANDS = ['under_250k', '250k_1m', '1m_5m', 'over_5m'] as const;
export const ACTIVITY_BANDS = ['under_50k', '50k_250k', '250k_1m', 'over_1m'] as const;
export const INVESTMENT_EXPERIENCE = ['none', 'limited', 'good', 'extensive'] as const;
export const RISK_RATINGS = ['low', 'medium', 'high'] as const;
export type RiskRating = (typeof RISK_RATINGS)[number];

export const ONBOARDING_ERRORS = {
  ONBOARDING_NOT_FOUND: { status: 404, message: 'Onboarding not found', retryable: false },
  ONBOARDING_IN_PROGRESS: {
    status: 409,
    message: 'This client already has an onboarding in progress',
    retryable: false,
  },
  PROFILE_INCOMPLETE: {
    status: 400,
    message: 'Every section of the profile must be filled in before it is submitted',
    retryable: false,
  },
  DOCUMENTS_MISSING: {
    status: 400,
    message: 'The documents this client type needs must be uploaded first',
    retryable: false,
  },
  SCREENING_HIT_NOT_FOUND: { status: 404, message: 'No such screening hit on this onboarding', retryable: false },
  SCREENING_HIT_DECIDED: { status: 409, message: 'This screening hit has been decided already', retryable: false },
  SCREENING_UNRESOLVED: {
    status: 400,
    message: 'Every screening hit needs a compliance decision first',
    retryable: false,
  },
  SECOND_OFFICER_REQUIRED: {
    status: 403,
    message: 'A cleared screening hit needs a second, different compliance officer',
    retryable: false,
  },
  INVALID_STATUS_TRANSITION: {
    status: 400,
    message: 'This action is not allowed in the current status',
    retryable: false,
  },
  KYC_REVIEW_REQUIRED: {
    status: 400,
    message: 'Enhanced due diligence evidence must be accepted before a high-risk client is approved',
    retryable: false,
  },
} as const satisfies Record<string, ErrorSpec>;

export const clientOnboardingSpec = {
  processType: 'client_onboarding',
  title: 'Client onboarding',
  resource: 'onboardings',
  states: [
    { id: 'invited', label: 'Invited', stage: 'Client', initial: true },
    { id: 'profile', label: 'Profile', stage: 'Client' },
    { id: 'documents', label: 'Documents', stage: 'Client' },
    { id: 'screening', label: 'Screening', stage: 'Compliance' },
    { id: 'compliance_review', label: 'Compliance review', stage: 'Compliance' },
    { id: 'approved', label: 'KYC complete', stage: 'Done', terminal: true },
    { id: 'rejected', label: 'Rejected', stage: 'Closed', terminal: true },
    { id: 'cancelled', label: 'Cancelled', stage: 'Closed', terminal: true },
    { id: 'expired', label: 'Expired', stage: 'Closed', terminal: true },
  ],
  transitions: [
    { name: 'save_profile', from: ['invited', 'profile'], to: 'profile', actors: ['client', 'advisor'] },
    {
      name: 'submit_profile',
      from: ['invited', 'profile', 'documents'],
      to: 'documents',
      actors: ['client', 'advisor'],
      condition: 'every profile section is valid',
    },
    {
      name: 'submit_documents',
      from: ['documents'],
      to: 'screening',
      actors: ['client', 'advisor'],
      condition: 'the documents of the client type are uploaded',
    },
    {
      name: 'screening_clear',
      from: ['screening'],
      to: 'compliance_review',
      actors: ['system', 'compliance_officer', 'admin'],
      condition: 'no hit, or every hit cleared by two officers or confirmed for enhanced due diligence',
    },
    {
      name: 'screening_true_match',
      from: ['screening'],
      to: 'rejected',
      actors: ['compliance_officer', 'admin'],
      condition: 'a hit confirmed as a true match with the outcome reject',
    },
    {
      name: 'approve',
      from: ['compliance_review'],
      to: 'approved',
      actors: ['compliance_officer', 'admin'],
      condition: 'two different officers when the risk is high',
    },
    {
      name: 'reject',
      from: ['compliance_review'],
      to: 'rejected',
      actors: ['compliance_officer', 'admin'],
      condition: 'rejection_reason is not null',
    },
    { name: 'cancel', from: OPEN_STATES, to: 'cancelled', actors: ['advisor', 'admin'] },
    { name: 'expire', from: CLIENT_STATES, to: 'expired', actors: ['system'], condition: 'not finished in time' },
  ],
  commands: {
    invite_client: {
      label: 'Invite client',
      from: [],
      roles: { advisor: 'own', admin: 'any' },
      event: 'onboarding.invited',
      board: false,
    },
    save_profile: {
      label: 'Save profile',
      from: ['invited', 'profile'],
      to: 'profile',
      roles: { client: 'own', advisor: 'own' },
      event: 'onboarding.profile_saved',
      path: 'profile',
      board: false,
    },
    submit_profile: {
      label: 'Submit profile',
      from: ['invited', 'profile', 'documents'],
      to: 'documents',
      roles: { client: 'own', advisor: 'own' },
      event: 'onboarding.profile_submitted',
      path: 'submit-profile',
      board: false,
    },
    submit_documents: {
      label: 'Submit documents',
      from: ['documents'],
      to: 'screening',
      roles: { client: 'own', advisor: 'own' },
      event: 'onboarding.documents_submitted',
      path: 'submit-documents',
      board: true,
    },
    clear_screening_hit: {
      label: 'Clear screening hit',
      from: ['screening'],
      to: ['screening', 'compliance_review'],
      roles: { compliance_officer: 'any', admin: 'any' },
      event: 'onboarding.screening_hit_cleared',
      path: 'clear-hit',
      board: false,
    },
    confirm_screening_hit: {
      label: 'Confirm screening hit',
      from: ['screening'],
      to: ['screening', 'compliance_review', 'rejected'],
      roles: { compliance_officer: 'any', admin: 'any' },
      event: 'onboarding.screening_hit_confirmed',
      path: 'confirm-hit',
      board: false,
    },
    compliance_approve: {
      label: 'Approve',
      from: ['compliance_review'],
      // Stays in review while a high-risk client still needs a second approval.
      to: ['approved', 'compliance_review'],
      roles: { compliance_officer: 'any', admin: 'any' },
      event: 'onboarding.approved',
      path: 'approve',
      board: true,
      slack: { action: 'approve_onboarding', style: 'primary' },
    },
    compliance_reject: {
      label: 'Reject',
      from: ['compliance_review'],
      to: 'rejected',
      roles: { compliance_officer: 'any', admin: 'any' },
      event: 'onboarding.rejected',
      path: 'reject',
      board: true,
      slack: {
        action: 'reject_onboarding',
        style: 'danger',
        form: {
          block: 'rejection_reason',
          title: 'Reject onboarding',
          submit: 'Reject',
          label: 'Reason (the client and advisor see it)',
          required: 'A rejection needs a reason.',
        },
      },
      reason: { field: 'rejection_reason', label: 'Reason for rejection', required: true, maxLength: 2000 },
    },
    cancel_onboarding: {
      label: 'Cancel',
      from: OPEN_STATES,
      to: 'cancelled',
      roles: { advisor: 'own', admin: 'any' },
      event: 'onboarding.cancelled',
      path: 'cancel',
      board: true,
      reason: { field: 'reason', label: 'Reason for cancelling', required: false, maxLength: 2000 },
    },
  },
  readers: { client: 'own', advisor: 'own', compliance_officer: 'any', admin: 'any', ops: 'any', manager: 'any' },
  errors: ONBOARDING_ERRORS,
  events: {
    'onboarding.invited': {
      description: 'Client invited to onboarding',
      payload: ['onboarding_id', 'client_id', 'invited_by', 'timestamp'],
    },
    'onboarding.profile_saved': { description: 'Profile saved as a draft', payload: ['onboarding_id', 'timestamp'] },
    'onboarding.profile_submitted': {
      description: 'Profile complete and submitted',
      payload: ['onboarding_id', 'client_type', 'timestamp'],
    },
    'onboarding.documents_submitted': {
      description: 'Documents submitted; screening starts',
      payload: ['onboarding_id', 'kinds', 'timestamp'],
    },
    'onboarding.screened': {
      description: 'Names screened against the sanctions and PEP lists',
      payload: ['onboarding_id', 'hits', 'lists_as_of', 'timestamp'],
    },
    'onboarding.screening_hit_cleared': {
      description: 'A compliance officer cleared a screening hit as a false positive',
      payload: ['onboarding_id', 'hit_id', 'cleared_by', 'clearances', 'reason', 'timestamp'],
    },
    'onboarding.screening_hit_confirmed': {
      description: 'A compliance officer confirmed a screening hit as a true match',
      payload: ['onboarding_id', 'hit_id', 'outcome', 'confirmed_by', 'reason', 'timestamp'],
    },
    'onboarding.review_started': {
      description: 'Onboarding entered compliance review with its risk rating',
      payload: ['onboarding_id', 'risk_rating', 'factors', 'assigned_officer_id', 'timestamp'],
    },
    'onboarding.approval_recorded': {
      description: 'First of two approvals of a high-risk client recorded',
      payload: ['onboarding_id', 'approved_by', 'timestamp'],
    },
    'onboarding.approved': {
      description: 'Onboarding approved by compliance',
      payload: ['onboarding_id', 'approved_by', 'risk_rating', 'timestamp'],
    },
    'onboarding.kyc_completed': {
      description: "The client's KYC is complete until its periodic review",
      payload: ['onboarding_id', 'client_id', 'kyc_expires_at', 'timestamp'],
    },
    'onboarding.rejected': {
      description: 'Onboarding rejected by compliance',
      payload: ['onboarding_id', 'rejection_reason', 'rejected_by', 'timestamp'],
    },
    'onboarding.cancelled': {
      description: 'Onboarding cancelled',
      payload: ['onboarding_id', 'cancelled_by', 'timestamp'],
    },
    'onboarding.expired': {
      description: 'Onboarding not finished within its time limit',
      payload: ['onboarding_id', 'timestamp'],
    },
  },
  documents: {
    kinds: ['identity_document', 'proof_of_address', 'formation_documents', 'source_of_funds_evidence', 'other'],
    // Uploaded to submit, accepted by compliance to approve: the papers each client type needs.
    required: [
      ...(['identity_document', 'proof_of_address'] as const).flatMap((kind) => [
        {
          kind,
          command: 'submit_documents',
          when: 'needs_personal_documents',
          state: 'uploaded' as const,
          code: 'DOCUMENTS_MISSING',
          message: `Upload the ${kind.replace(/_/g, ' ')} before submitting the documents`,
        },
        {
          kind,
          command: 'compliance_approve',
          when: 'needs_personal_documents',
          code: 'COMPLIANCE_REVIEW_REQUIRED',
          message: `The ${kind.replace(/_/g, ' ')} must be accepted by compliance before the onboarding is approved`,
        },
      ]),
      {
        kind: 'formation_documents',
        command: 'submit_documents',
        when: 'needs_entity_documents',
        state: 'uploaded' as const,
        code: 'DOCUMENTS_MISSING',
        message: 'Upload the formation documents (with the beneficial owners) before submitting the documents',
      },
      {
        kind: 'formation_documents',
        command: 'compliance_approve',
        when: 'needs_entity_documents',
        code: 'COMPLIANCE_REVIEW_REQUIRED',
        message: 'The formation documents must be accepted by compliance before the onboarding is approved',
      },
      {
        kind: 'source_of_funds_evidence',
        command: 'compliance_approve',
        when: 'edd_required',
        code: 'KYC_REVIEW_REQUIRED',
        message: 'Source-of-wealth evidence must be accepted before a high-risk client is approved',
      },
    ],
  },
  slas: [
    {
      state: 'compliance_review',
      description: 'Compliance must review onboardings within 3 business days',
      maxDuration: { unit: 'business_days', amount: 3 },
    },
  ],
} as const satisfies ProcessSpec<OnboardingStatus>;

export type OnboardingCommand = keyof typeof clientOnboardingSpec.commands;
