import { outcomeOf, type Actor, type ChangeOutcome, type EmittedEvent, type Recipient } from '../process-records.js';
import { amountProblem, decimal, roundToCurrency, sumOf, toWireNumber } from '../money.js';
import { isTerminal } from '../process-spec.js';
import { mayRun, type ProcessRelations } from '../policy.js';
import type {
  AcceptTermsInput,
  AccountOpeningInput,
  ApplicationRecord,
  ApproveInput,
  CancelInput,
  FundingInput,
  OverrideStatusInput,
  ProductChoice,
  ProductSnapshot,
  ReassignInput,
  RejectInput,
  RiskAssessmentInput,
  SelectedProduct,
  SelectProductsInput,
  SuitabilityWarning,
} from './definitions.js';
import {
  accountOpeningSpec as spec,
  APPLICATION_STATUSES,
  CURRENCIES,
  FUNDING_METHODS,
  INVESTMENT_HORIZONS,
  INVESTMENT_OBJECTIVES,
  RISK_PROFILES,
  RISK_SCORE_RANGE,
  riskProfileFor,
  SOURCES_OF_FUNDS,
  type AccountOpeningCommand,
  type ApplicationStatus,
} from './spec.js';

/**
 * The blueprint's rules as pure functions: checks that refuse a command with its error code, and
 * transitions that compute the new record, its events and its notifications. The workflow is a thin
 * shell around these; the API asks them for `allowed_actions`.
 */

export interface Refusal {
  code: string;
  message?: string;
  details?: Record<string, unknown>;
}

/** The result of an accepted command: what is recorded in one transaction. */
export type Outcome = ChangeOutcome<ApplicationRecord>;

function refuse(code: string, message?: string, details?: Record<string, unknown>): Refusal {
  return { code, message, details };
}

export function relationsOf(record: Pick<ApplicationRecord, 'client_user_id' | 'advisor_id'>): ProcessRelations {
  return { client_user_id: record.client_user_id, advisor_id: record.advisor_id };
}

const PRE_APPROVAL: readonly ApplicationStatus[] = [
  'draft',
  'product_selection',
  'risk_assessment',
  'terms_review',
  'funding',
  'submitted',
  'compliance_review',
];

/**
 * May this actor run this command on the application as it stands, whatever the input?
 * Order: permission (403), then status (400), then the command's own preconditions.
 */
export function checkAllowed(record: ApplicationRecord, command: AccountOpeningCommand, actor: Actor): Refusal | null {
  const commandSpec = spec.commands[command];
  if (!mayRun(spec, command, actor, relationsOf(record))) {
    return refuse(
      'FORBIDDEN',
      `${actor.role} ${actor.user_id} may not ${commandSpec.label.toLowerCase()} on this application`,
    );
  }
  if (!(commandSpec.from as readonly string[]).includes(record.status)) {
    if (command === 'retry_account_creation' && PRE_APPROVAL.includes(record.status)) {
      return refuse('COMPLIANCE_REVIEW_REQUIRED');
    }
    return refuse(
      'INVALID_STATUS_TRANSITION',
      `${commandSpec.label} is not allowed while the application is ${record.status}`,
      {
        status: record.status,
      },
    );
  }
  if (command === 'compliance_approve') {
    if (actor.user_id === record.opened_by || actor.user_id === record.advisor_id) {
      return refuse('FOUR_EYES_VIOLATION');
    }
    if (record.approvals.some((a) => a.approved_by === actor.user_id)) {
      return refuse(
        'SECOND_APPROVER_REQUIRED',
        'You have already approved this application; a different compliance officer must give the second approval',
      );
    }
  }
  if (command === 'override_status' && record.status === 'approved' && !record.crm_failure) {
    return refuse(
      'INVALID_STATUS_TRANSITION',
      'The account is being created; an override is possible only if account creation fails',
    );
  }
  if (command === 'retry_account_creation' && !record.crm_failure) {
    return refuse(
      'INVALID_STATUS_TRANSITION',
      'Account creation is still in progress; a retry is possible only after it has failed',
    );
  }
  return null;
}

const isBlank = (value: unknown) =>
  value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
const invalid = (field: string, message: string) => refuse('VALIDATION_FAILED', `${field}: ${message}`, { field });

/** Turns the caller's choice into allocations over the catalog; equal split when none are given. */
export function normalizeSelection(
  choices: ProductChoice[] | undefined,
  catalog: ProductSnapshot[],
): SelectedProduct[] | Refusal {
  if (!choices || choices.length === 0) return refuse('NO_PRODUCTS_SELECTED');
  const picked = choices.map((c) => (typeof c === 'string' ? { product_id: c, allocation_percent: undefined } : c));
  const ids = picked.map((p) => p.product_id);
  const duplicate = ids.find((id, i) => ids.indexOf(id) !== i);
  if (duplicate) return invalid('selected_products', `product ${duplicate} is selected twice`);
  const unknown = ids.find((id) => !catalog.some((p) => p.id === id));
  if (unknown)
    return invalid(
      'selected_products',
      `unknown product ${unknown}; list the client's products with GET /api/clients/:id/products`,
    );
  const given = picked.filter((p) => p.allocation_percent !== undefined);
  if (given.length > 0 && given.length < picked.length) {
    return invalid('selected_products', 'give allocation_percent for every product or for none');
  }
  if (given.length > 0) {
    const total = sumOf(given.map((p) => p.allocation_percent ?? 0));
    // Decimals add up exactly, so no tolerance for float noise is needed: the shares sum to 100 or they do not.
    if (!total.eq(100)) return invalid('selected_products', `allocations add up to ${total.toFixed()}%, not 100%`);
  }
  // An equal split in hundredths of a percent, the remainder spread one hundredth at a time, so it sums to exactly 100.
  const baseShare = Math.floor(10_000 / picked.length);
  const remainder = 10_000 - baseShare * picked.length;
  return picked.map((p, index) => {
    const product = catalog.find((c) => c.id === p.product_id)!;
    return {
      product_id: p.product_id,
      product_name: product.name,
      // The shelf's version whose terms this application took; later edits make new versions.
      ...(product.version === undefined ? {} : { product_version: product.version }),
      allocation_percent:
        p.allocation_percent ?? toWireNumber(decimal(baseShare + (index < remainder ? 1 : 0)).div(100)),
    };
  });
}

/**
 * Suitability: a conservative profile may not take aggressive-growth products (refused); any other
 * product riskier than the profile, and illiquid products on a short horizon, are warnings.
 */
export function assessSuitability(
  profile: (typeof RISK_PROFILES)[number],
  horizon: string,
  selection: SelectedProduct[],
  catalog: ProductSnapshot[],
): { violations: ProductSnapshot[]; warnings: SuitabilityWarning[] } {
  const products = selection.map((s) => catalog.find((p) => p.id === s.product_id)!);
  const rank = (level: string) => RISK_PROFILES.indexOf(level as (typeof RISK_PROFILES)[number]);
  const violations = profile === 'conservative' ? products.filter((p) => p.risk_level === 'aggressive_growth') : [];
  const warnings: SuitabilityWarning[] = [];
  for (const product of products) {
    if (violations.includes(product)) continue;
    if (rank(product.risk_level) > rank(profile)) {
      warnings.push({
        kind: 'risk_mismatch',
        product_id: product.id,
        product_name: product.name,
        message: `${product.name} is ${product.risk_level.replace(/_/g, ' ')} risk, above the client's ${profile.replace(/_/g, ' ')} profile`,
      });
    }
    if (horizon === 'short_term' && product.liquidity === 'illiquid') {
      warnings.push({
        kind: 'illiquid_short_horizon',
        product_id: product.id,
        product_name: product.name,
        message: `${product.name} is illiquid but the investment horizon is short term`,
      });
    }
  }
  return { violations, warnings };
}

/** Each product's minimum applies to its share of the initial investment, rounded to the currency's minor unit. */
export function minimumShortfalls(
  amount: number,
  currency: string,
  selection: SelectedProduct[],
  catalog: ProductSnapshot[],
) {
  return selection
    .map((s) => {
      const product = catalog.find((p) => p.id === s.product_id)!;
      const allocated = roundToCurrency(decimal(amount).times(s.allocation_percent).div(100), currency);
      return {
        product_id: product.id,
        product_name: product.name,
        allocated,
        minimum_investment: product.minimum_investment,
      };
    })
    .filter((s) => s.allocated.lt(s.minimum_investment))
    .map((s) => ({ ...s, allocated: toWireNumber(s.allocated) }));
}

/** Whatever the input says: is it enough to run the command? Field types were checked at the edge already. */
export function checkInput(
  record: ApplicationRecord,
  context: AccountOpeningInput,
  command: AccountOpeningCommand,
  input: object,
): Refusal | null {
  switch (command) {
    case 'select_products': {
      const selection = normalizeSelection((input as SelectProductsInput).selected_products, context.catalog);
      return 'code' in selection ? selection : null;
    }
    case 'complete_risk_assessment': {
      const { risk_score, investment_objective, investment_horizon } = input as RiskAssessmentInput;
      const missing = [
        risk_score === undefined || risk_score === null ? 'risk_score' : null,
        isBlank(investment_objective) ? 'investment_objective' : null,
        isBlank(investment_horizon) ? 'investment_horizon' : null,
      ].filter(Boolean);
      if (missing.length)
        return refuse(
          'RISK_ASSESSMENT_REQUIRED',
          `Risk assessment must be completed before proceeding: ${missing.join(', ')} missing`,
          { missing },
        );
      if (!Number.isFinite(risk_score) || risk_score! < RISK_SCORE_RANGE.min || risk_score! > RISK_SCORE_RANGE.max) {
        return invalid('risk_score', `must be a number from ${RISK_SCORE_RANGE.min} to ${RISK_SCORE_RANGE.max}`);
      }
      if (!(INVESTMENT_OBJECTIVES as readonly string[]).includes(investment_objective!))
        return invalid('investment_objective', `must be one of ${INVESTMENT_OBJECTIVES.join(', ')}`);
      if (!(INVESTMENT_HORIZONS as readonly string[]).includes(investment_horizon!))
        return invalid('investment_horizon', `must be one of ${INVESTMENT_HORIZONS.join(', ')}`);
      if (!record.selected_products?.length) return refuse('NO_PRODUCTS_SELECTED');
      const profile = riskProfileFor(risk_score!);
      const { violations } = assessSuitability(profile, investment_horizon!, record.selected_products, context.catalog);
      if (violations.length) {
        return refuse(
          'PRODUCT_SUITABILITY_VIOLATION',
          `Selected products do not match the client risk profile: a ${profile} profile cannot take ${violations.map((p) => p.name).join(', ')}`,
          { risk_profile: profile, mismatched_products: violations.map((p) => p.id) },
        );
      }
      return null;
    }
    case 'accept_terms': {
      if (!record.risk_profile) return refuse('RISK_ASSESSMENT_REQUIRED');
      return (input as AcceptTermsInput).terms_accepted === true ? null : refuse('TERMS_NOT_ACCEPTED');
    }
    case 'provide_funding_details': {
      const funding = input as FundingInput;
      if (!record.selected_products?.length) return refuse('NO_PRODUCTS_SELECTED');
      if (!record.risk_profile) return refuse('RISK_ASSESSMENT_REQUIRED');
      if (!record.terms_accepted)
        return refuse('TERMS_NOT_ACCEPTED', 'Terms and conditions must be accepted before submission');
      if (isBlank(funding.funding_method)) return invalid('funding_method', 'is required');
      if (!(FUNDING_METHODS as readonly string[]).includes(funding.funding_method))
        return invalid('funding_method', `must be one of ${FUNDING_METHODS.join(', ')}`);
      if (isBlank(funding.source_of_funds))
        return invalid('source_of_funds', 'the source of funds declaration is mandatory for compliance');
      if (!(SOURCES_OF_FUNDS as readonly string[]).includes(funding.source_of_funds))
        return invalid('source_of_funds', `must be one of ${SOURCES_OF_FUNDS.join(', ')}`);
      if (funding.source_of_funds === 'other' && isBlank(funding.source_of_funds_detail)) {
        return invalid('source_of_funds_detail', 'describe the source of funds when it is "other"');
      }
      if (!(CURRENCIES as readonly string[]).includes(funding.currency))
        return invalid('currency', `must be one of ${CURRENCIES.join(', ')}`);
      if (!Number.isFinite(funding.initial_investment_amount) || funding.initial_investment_amount <= 0) {
        return invalid('initial_investment_amount', 'must be greater than 0');
      }
      const amountRefusal = amountProblem(funding.initial_investment_amount, funding.currency);
      if (amountRefusal) return invalid('initial_investment_amount', amountRefusal);
      const shortfalls = minimumShortfalls(
        funding.initial_investment_amount,
        funding.currency,
        record.selected_products,
        context.catalog,
      );
      if (shortfalls.length) {
        return refuse(
          'INSUFFICIENT_MINIMUM_INVESTMENT',
          `Initial investment amount is below the minimum required: ${shortfalls
            .map((s) => `${s.product_name} needs ${s.minimum_investment}, gets ${s.allocated}`)
            .join('; ')}`,
          { shortfalls },
        );
      }
      return null;
    }
    case 'compliance_reject':
      return isBlank((input as RejectInput).rejection_reason)
        ? invalid('rejection_reason', 'a rejection needs a reason')
        : null;
    case 'override_status': {
      const { status, reason } = input as OverrideStatusInput;
      if (isBlank(reason)) return invalid('reason', 'an override needs a reason');
      if (!(APPLICATION_STATUSES as readonly string[]).includes(status))
        return invalid('status', `must be one of ${APPLICATION_STATUSES.join(', ')}`);
      if (status === record.status) return invalid('status', `the application is already ${status}`);
      if (status === 'account_created') {
        return refuse(
          'INVALID_STATUS_TRANSITION',
          'An account is created only by the CRM; override to approved to let the hub create it',
        );
      }
      if (status === 'approved' && record.approvals.length < record.approvals_required)
        return refuse('COMPLIANCE_REVIEW_REQUIRED');
      // Sending an application to compliance needs everything the client-side steps would have gathered.
      if (status === 'submitted' || status === 'compliance_review') {
        if (!record.selected_products?.length) return refuse('NO_PRODUCTS_SELECTED');
        if (!record.risk_profile) return refuse('RISK_ASSESSMENT_REQUIRED');
        if (!record.terms_accepted) return refuse('TERMS_NOT_ACCEPTED');
        if (!record.funding_method || !record.source_of_funds)
          return invalid('status', 'the funding details are missing; override to funding instead');
      }
      return null;
    }
    case 'reassign_application': {
      const { advisor_id, assigned_officer_id, reason } = input as ReassignInput;
      if (isBlank(reason)) return invalid('reason', 'a reassignment needs a reason');
      if (isBlank(advisor_id) && isBlank(assigned_officer_id))
        return invalid('advisor_id', 'give advisor_id, assigned_officer_id or both');
      return null;
    }
    default:
      return null;
  }
}

function statusChange(record: ApplicationRecord, status: ApplicationStatus, now: string): ApplicationRecord {
  return status === record.status ? record : { ...record, status, status_entered_at: now };
}

const CLIENT_AND_ADVISOR = (record: ApplicationRecord): Recipient[] =>
  [record.client_user_id, record.advisor_id].filter((id): id is string => Boolean(id)).map((user_id) => ({ user_id }));

/** Applies an accepted command. `now` is the workflow's clock. */
export function applyCommand(
  record: ApplicationRecord,
  context: AccountOpeningInput,
  command: AccountOpeningCommand,
  input: object,
  actor: Actor,
  now: string,
): Outcome {
  const base = { ...record, updated_at: now, version: record.version + 1 };
  const id = record.application_id;
  const outcome = outcomeOf(record, command, actor);

  switch (command) {
    case 'select_products': {
      const selection = normalizeSelection(
        (input as SelectProductsInput).selected_products,
        context.catalog,
      ) as SelectedProduct[];
      // From draft the blueprint passes through product_selection on its way to risk_assessment.
      const next = statusChange({ ...base, selected_products: selection }, 'risk_assessment', now);
      return outcome(
        next,
        [
          {
            type: 'account.products_selected',
            payload: { application_id: id, selected_products: selection, timestamp: now },
          },
        ],
        [],
        {
          path:
            record.status === 'draft'
              ? ['draft', 'product_selection', 'risk_assessment']
              : ['product_selection', 'risk_assessment'],
        },
      );
    }
    case 'complete_risk_assessment': {
      const assessment = input as Required<RiskAssessmentInput>;
      const profile = riskProfileFor(assessment.risk_score);
      const { warnings } = assessSuitability(
        profile,
        assessment.investment_horizon,
        record.selected_products ?? [],
        context.catalog,
      );
      const next = statusChange(
        {
          ...base,
          risk_score: assessment.risk_score,
          risk_profile: profile,
          investment_objective: assessment.investment_objective,
          investment_horizon: assessment.investment_horizon,
          suitability_warnings: warnings,
        },
        'terms_review',
        now,
      );
      const events: EmittedEvent[] = [
        {
          type: 'account.risk_assessed',
          payload: { application_id: id, risk_profile: profile, risk_score: assessment.risk_score, timestamp: now },
        },
      ];
      if (warnings.length) {
        events.push({
          type: 'account.suitability_warning',
          payload: {
            application_id: id,
            risk_profile: profile,
            mismatched_products: [...new Set(warnings.map((w) => w.product_id))],
            timestamp: now,
          },
        });
      }
      const notifications = warnings.length
        ? [
            {
              to: CLIENT_AND_ADVISOR(record),
              kind: 'suitability_warning',
              title: 'Suitability warning',
              body: warnings.map((w) => w.message).join('; '),
            },
          ]
        : [];
      return outcome(next, events, notifications);
    }
    case 'accept_terms': {
      const terms = input as AcceptTermsInput;
      const next = statusChange(
        {
          ...base,
          terms_accepted: true,
          terms_accepted_at: now,
          mandate_document_id: terms.mandate_document_id ?? record.mandate_document_id,
        },
        'funding',
        now,
      );
      return outcome(next, [
        { type: 'account.terms_accepted', payload: { application_id: id, terms_accepted_at: now, timestamp: now } },
      ]);
    }
    case 'provide_funding_details': {
      const funding = input as FundingInput;
      const eddRequired = decimal(funding.initial_investment_amount).gt(context.edd_threshold);
      const approvalsRequired = eddRequired || record.politically_exposed ? 2 : 1;
      const next = statusChange(
        {
          ...base,
          funding_method: funding.funding_method,
          initial_investment_amount: funding.initial_investment_amount,
          currency: funding.currency,
          source_of_funds: funding.source_of_funds,
          source_of_funds_detail: funding.source_of_funds_detail ?? null,
          funding_reference: funding.funding_reference ?? null,
          edd_required: eddRequired,
          approvals_required: approvalsRequired,
        },
        'submitted',
        now,
      );
      const flags = [
        eddRequired ? 'enhanced due diligence' : null,
        record.politically_exposed ? 'politically exposed client' : null,
      ].filter(Boolean);
      return outcome(
        next,
        [
          {
            type: 'account.submitted',
            payload: {
              application_id: id,
              funding_method: funding.funding_method,
              amount: funding.initial_investment_amount,
              timestamp: now,
            },
          },
        ],
        [
          {
            to: [{ role: 'compliance_officer' }],
            kind: 'application_submitted',
            title: `Application for ${record.client_name} submitted`,
            body: `${funding.initial_investment_amount} ${funding.currency} ${record.account_type} account awaits compliance review${flags.length ? ` (${flags.join(', ')}: two approvals needed)` : ''}`,
          },
        ],
      );
    }
    case 'compliance_approve': {
      const approve = input as ApproveInput;
      const approvals = [
        ...record.approvals,
        {
          approved_by: actor.user_id,
          approver_name: actor.name,
          role: actor.role,
          channel: actor.channel,
          at: now,
          notes: approve.notes ?? null,
        },
      ];
      const audit = { notes: approve.notes ?? null, compliance_notes: approve.notes_snapshot ?? null };
      if (approvals.length < record.approvals_required) {
        return outcome(
          { ...base, approvals },
          [
            {
              type: 'account.approval_recorded',
              payload: {
                application_id: id,
                approved_by: actor.user_id,
                approvals_required: record.approvals_required,
                timestamp: now,
              },
            },
          ],
          [
            {
              to: [{ role: 'compliance_officer' }],
              except: [actor.user_id],
              kind: 'second_approval_needed',
              title: `Second approval needed for ${record.client_name}`,
              body: `${actor.name} gave the first approval; a different compliance officer must approve`,
            },
          ],
          audit,
        );
      }
      const next = statusChange(
        {
          ...base,
          approvals,
          decided_by: actor.user_id,
          decided_at: now,
          compliance_notes: approve.notes_snapshot ?? record.compliance_notes,
        },
        'approved',
        now,
      );
      return outcome(
        next,
        [{ type: 'account.approved', payload: { application_id: id, approved_by: actor.user_id, timestamp: now } }],
        [
          {
            to: CLIENT_AND_ADVISOR(record),
            kind: 'application_approved',
            title: 'Application approved',
            body: `The ${record.account_type} account application was approved; the account is being created`,
          },
        ],
        audit,
      );
    }
    case 'compliance_reject': {
      const reject = input as RejectInput;
      const next = statusChange(
        {
          ...base,
          rejection_reason: reject.rejection_reason,
          decided_by: actor.user_id,
          decided_at: now,
          compliance_notes: reject.notes_snapshot ?? record.compliance_notes,
        },
        'rejected',
        now,
      );
      return outcome(
        next,
        [
          {
            type: 'account.rejected',
            payload: {
              application_id: id,
              rejection_reason: reject.rejection_reason,
              rejected_by: actor.user_id,
              timestamp: now,
            },
          },
        ],
        [
          {
            to: CLIENT_AND_ADVISOR(record),
            kind: 'application_rejected',
            title: 'Application rejected',
            body: reject.rejection_reason,
          },
        ],
        { reason: reject.rejection_reason, compliance_notes: reject.notes_snapshot ?? null },
      );
    }
    case 'cancel_application': {
      const { reason } = input as CancelInput;
      return outcome(
        statusChange(base, 'cancelled', now),
        [{ type: 'account.cancelled', payload: { application_id: id, cancelled_by: actor.user_id, timestamp: now } }],
        [],
        {
          reason: reason ?? null,
        },
      );
    }
    case 'override_status': {
      const { status, reason } = input as OverrideStatusInput;
      const next = statusChange(
        { ...base, rejection_reason: status === 'rejected' ? reason : base.rejection_reason, crm_failure: null },
        status,
        now,
      );
      return outcome(
        next,
        [
          {
            type: 'account.status_overridden',
            payload: {
              application_id: id,
              from_status: record.status,
              to_status: status,
              reason,
              overridden_by: actor.user_id,
              timestamp: now,
            },
          },
        ],
        [
          {
            to: CLIENT_AND_ADVISOR(record),
            kind: 'status_overridden',
            title: 'Application status changed by an administrator',
            body: `${record.status} → ${status}: ${reason}`,
          },
        ],
        { reason },
      );
    }
    case 'reassign_application': {
      const { advisor_id, assigned_officer_id, reason } = input as ReassignInput;
      const next = {
        ...base,
        advisor_id: advisor_id ?? record.advisor_id,
        assigned_officer_id: assigned_officer_id ?? record.assigned_officer_id,
      };
      const newlyAssigned = [advisor_id, assigned_officer_id]
        .filter((u): u is string => Boolean(u))
        .map((user_id) => ({ user_id }));
      return outcome(
        next,
        [
          {
            type: 'account.reassigned',
            payload: {
              application_id: id,
              advisor_id: next.advisor_id,
              assigned_officer_id: next.assigned_officer_id,
              reason,
              reassigned_by: actor.user_id,
              timestamp: now,
            },
          },
        ],
        [
          {
            to: newlyAssigned,
            kind: 'assignment',
            title: `You were assigned the application for ${record.client_name}`,
            body: reason,
          },
        ],
        { reason, previous: { advisor_id: record.advisor_id, assigned_officer_id: record.assigned_officer_id } },
      );
    }
    case 'retry_account_creation':
      return outcome({ ...base, crm_failure: null }, [
        {
          type: 'account.creation_retried',
          payload: { application_id: id, retried_by: actor.user_id, timestamp: now },
        },
      ]);
    default:
      throw new Error(`${command} is not applied by applyCommand`);
  }
}

/** The system's own steps: submitted → compliance_review, approved → account_created, and a CRM failure. */
export function beginReview(
  record: ApplicationRecord,
  assignedOfficerId: string | null,
  actor: Actor,
  now: string,
): Outcome {
  const next = statusChange(
    { ...record, assigned_officer_id: assignedOfficerId, updated_at: now, version: record.version + 1 },
    'compliance_review',
    now,
  );
  return {
    record: next,
    action: 'begin_review',
    actor,
    status_before: record.status,
    events: [
      {
        type: 'account.review_started',
        payload: { application_id: record.application_id, assigned_officer_id: assignedOfficerId, timestamp: now },
      },
    ],
    notifications: assignedOfficerId
      ? [
          {
            to: [{ user_id: assignedOfficerId }],
            kind: 'assignment',
            title: `Review the application for ${record.client_name}`,
            body: 'You are the assigned compliance officer',
          },
        ]
      : [],
    audit: {},
  };
}

export function accountCreated(record: ApplicationRecord, accountNumber: string, actor: Actor, now: string): Outcome {
  const next = statusChange(
    { ...record, account_number: accountNumber, crm_failure: null, updated_at: now, version: record.version + 1 },
    'account_created',
    now,
  );
  return {
    record: next,
    action: 'create_account',
    actor,
    status_before: record.status,
    events: [
      {
        type: 'account.created',
        payload: {
          application_id: record.application_id,
          account_number: accountNumber,
          client_id: record.client_id,
          timestamp: now,
        },
      },
    ],
    notifications: [
      {
        to: CLIENT_AND_ADVISOR(record),
        kind: 'account_created',
        title: 'Investment account opened',
        body: `Account ${accountNumber} is open`,
      },
    ],
    audit: { account_number: accountNumber },
  };
}

export function accountCreationFailed(
  record: ApplicationRecord,
  message: string,
  attempts: number,
  actor: Actor,
  now: string,
): Outcome {
  const failure = { code: 'CRM_ACCOUNT_CREATION_FAILED' as const, message, attempts, at: now };
  return {
    record: { ...record, crm_failure: failure, updated_at: now, version: record.version + 1 },
    action: 'create_account',
    actor,
    status_before: record.status,
    events: [
      {
        type: 'account.creation_failed',
        payload: { application_id: record.application_id, error_code: failure.code, attempts, timestamp: now },
      },
    ],
    notifications: [
      {
        to: [{ role: 'admin' }],
        kind: 'crm_failure',
        title: `Account creation failed for ${record.client_name}`,
        body: `${message}. Retry from the application once the CRM is back.`,
      },
    ],
    audit: { error_code: failure.code, message, attempts },
  };
}

export function newApplicationRecord(input: AccountOpeningInput, now: string): ApplicationRecord {
  return {
    application_id: input.application_id,
    client_id: input.client.id,
    client_name: input.client.name,
    client_user_id: input.client.user_id,
    advisor_id: input.client.advisor_id,
    opened_by: input.opened_by.user_id,
    account_type: input.account_type,
    status: 'draft',
    selected_products: null,
    risk_score: null,
    risk_profile: null,
    investment_objective: null,
    investment_horizon: null,
    initial_investment_amount: null,
    currency: null,
    source_of_funds: null,
    source_of_funds_detail: null,
    terms_accepted: false,
    terms_accepted_at: null,
    mandate_document_id: null,
    funding_method: null,
    funding_reference: null,
    compliance_notes: null,
    rejection_reason: null,
    suitability_warnings: [],
    approvals: [],
    approvals_required: input.client.politically_exposed ? 2 : 1,
    edd_required: false,
    politically_exposed: input.client.politically_exposed,
    assigned_officer_id: null,
    account_number: null,
    crm_failure: null,
    decided_by: null,
    decided_at: null,
    status_entered_at: now,
    created_at: now,
    updated_at: now,
    version: 1,
  };
}

export function startOutcome(record: ApplicationRecord, actor: Actor): Outcome {
  return {
    record,
    action: 'start_application',
    actor,
    status_before: 'draft',
    events: [
      {
        type: 'account.application_started',
        payload: { application_id: record.application_id, client_id: record.client_id, timestamp: record.created_at },
      },
    ],
    notifications: [],
    audit: { account_type: record.account_type },
  };
}

/** The commands this actor could take now, for buttons and for `allowed_actions`. */
export function allowedActions(record: ApplicationRecord, actor: Actor): AccountOpeningCommand[] {
  if (isTerminal(spec, record.status)) return [];
  return (Object.keys(spec.commands) as AccountOpeningCommand[]).filter((command) => {
    const commandSpec: { from: readonly string[]; reads?: true } = spec.commands[command];
    return commandSpec.from.length > 0 && !commandSpec.reads && checkAllowed(record, command, actor) === null;
  });
}
