import { describe, expect, it } from 'vitest';
import { DEMO_PRODUCTS } from '../../runtime/seed-demo.js';
import type {
  AccountOpeningInput,
  ApplicationRecord,
  ProductSnapshot,
  SelectedProduct,
} from '../../workflows/account-opening/definitions.js';
import {
  allowedActions,
  applyCommand,
  assessSuitability,
  checkAllowed,
  checkInput,
  minimumShortfalls,
  newApplicationRecord,
  normalizeSelection,
} from '../../workflows/account-opening/rules.js';
import {
  accountOpeningSpec,
  RISK_BANDS,
  riskProfileFor,
  type ApplicationStatus,
} from '../../workflows/account-opening/spec.js';
import type { Actor } from '../../workflows/process-records.js';

const CATALOG: ProductSnapshot[] = DEMO_PRODUCTS.map(
  ([id, name, , category, risk_level, liquidity, minimum_investment, management_fee_percent]) => ({
    id,
    name,
    category,
    risk_level,
    liquidity,
    minimum_investment,
    management_fee_percent,
  }),
);

const actor = (user_id: string, role: Actor['role']): Actor => ({ user_id, role, name: user_id, channel: 'api' });
const ALEX = actor('usr_alex_advisor', 'advisor');
const BETH = actor('usr_beth_advisor', 'advisor');
const CHRIS = actor('usr_chris_client', 'client');
const CARLA = actor('usr_carla_compliance', 'compliance_officer');
const COLIN = actor('usr_colin_compliance', 'compliance_officer');
const ADA = actor('usr_ada_admin', 'admin');
const OMAR = actor('usr_omar_ops', 'ops');

function context(overrides: Partial<AccountOpeningInput> = {}): AccountOpeningInput {
  return {
    application_id: 'app_unit',
    account_type: 'individual',
    client: {
      id: 'cli_chris_carter',
      name: 'Chris Carter',
      advisor_id: 'usr_alex_advisor',
      user_id: 'usr_chris_client',
      politically_exposed: false,
    },
    catalog: CATALOG,
    edd_threshold: 250_000,
    opened_by: ALEX,
    crm_retry: { maximum_attempts: 3, initial_interval_ms: 50 },
    ...overrides,
  };
}

const NOW = '2026-03-02T10:00:00.000Z';
const selection = (...ids: string[]): SelectedProduct[] => normalizeSelection(ids, CATALOG) as SelectedProduct[];

function record(status: ApplicationStatus, overrides: Partial<ApplicationRecord> = {}): ApplicationRecord {
  return { ...newApplicationRecord(context(), NOW), status, ...overrides };
}

describe('risk bands', () => {
  it.each([
    [0, 'conservative'],
    [20, 'conservative'],
    [20.5, 'moderate'],
    [21, 'moderate'],
    [40, 'moderate'],
    [41, 'balanced'],
    [60, 'balanced'],
    [61, 'growth'],
    [80, 'growth'],
    [81, 'aggressive_growth'],
    [100, 'aggressive_growth'],
  ])('risk_score %s is %s', (score, profile) => {
    expect(riskProfileFor(score)).toBe(profile);
  });

  it('refuses scores outside 0..100', () => {
    for (const score of [-1, -0.01, 100.01, 101, Number.NaN]) expect(() => riskProfileFor(score)).toThrow(RangeError);
  });

  it('the bands cover 0..100 without gaps or overlaps', () => {
    expect(RISK_BANDS[0].from).toBe(0);
    expect(RISK_BANDS.at(-1)!.to).toBe(100);
    for (let i = 1; i < RISK_BANDS.length; i++) expect(RISK_BANDS[i].from).toBe(RISK_BANDS[i - 1].to + 1);
  });
});

describe('suitability', () => {
  it('a conservative profile taking an aggressive-growth product is a violation, not a warning', () => {
    const { violations, warnings } = assessSuitability(
      'conservative',
      'long_term',
      selection('prd_emerging_markets', 'prd_core_bond'),
      CATALOG,
    );
    expect(violations.map((p) => p.id)).toEqual(['prd_emerging_markets']);
    expect(warnings).toEqual([]);
  });

  it('other products riskier than the profile warn', () => {
    const conservative = assessSuitability(
      'conservative',
      'long_term',
      selection('prd_global_equity_index', 'prd_treasury_mmf'),
      CATALOG,
    );
    expect(conservative.violations).toEqual([]);
    expect(conservative.warnings.map((w) => [w.kind, w.product_id])).toEqual([
      ['risk_mismatch', 'prd_global_equity_index'],
    ]);
    const moderate = assessSuitability('moderate', 'long_term', selection('prd_emerging_markets'), CATALOG);
    expect(moderate.violations).toEqual([]);
    expect(moderate.warnings.map((w) => [w.kind, w.product_id])).toEqual([['risk_mismatch', 'prd_emerging_markets']]);
  });

  it('products at or below the profile are suitable', () => {
    expect(
      assessSuitability(
        'growth',
        'long_term',
        selection('prd_global_equity_index', 'prd_core_bond', 'prd_balanced_income'),
        CATALOG,
      ),
    ).toEqual({ violations: [], warnings: [] });
    expect(
      assessSuitability(
        'aggressive_growth',
        'medium_term',
        selection('prd_emerging_markets', 'prd_venture_growth'),
        CATALOG,
      ),
    ).toEqual({ violations: [], warnings: [] });
  });

  it('an illiquid product on a short horizon warns; on a longer horizon it does not', () => {
    const short = assessSuitability('moderate', 'short_term', selection('prd_capital_protected_note'), CATALOG);
    expect(short.warnings.map((w) => [w.kind, w.product_id])).toEqual([
      ['illiquid_short_horizon', 'prd_capital_protected_note'],
    ]);
    expect(
      assessSuitability('moderate', 'medium_term', selection('prd_capital_protected_note'), CATALOG).warnings,
    ).toEqual([]);
    // Quarterly redemption is not illiquid.
    expect(assessSuitability('balanced', 'short_term', selection('prd_real_estate_income'), CATALOG).warnings).toEqual(
      [],
    );
  });

  it('a product can both exceed the profile and be illiquid on a short horizon', () => {
    const { warnings } = assessSuitability('balanced', 'short_term', selection('prd_private_credit'), CATALOG);
    expect(warnings.map((w) => w.kind)).toEqual(['risk_mismatch', 'illiquid_short_horizon']);
  });

  it('a violating product on a short horizon is refused, not also warned about', () => {
    const { violations, warnings } = assessSuitability(
      'conservative',
      'short_term',
      selection('prd_venture_growth'),
      CATALOG,
    );
    expect(violations.map((p) => p.id)).toEqual(['prd_venture_growth']);
    expect(warnings).toEqual([]);
  });
});

describe('product selection and allocations', () => {
  it('needs at least one product', () => {
    expect(normalizeSelection([], CATALOG)).toMatchObject({ code: 'NO_PRODUCTS_SELECTED' });
    expect(normalizeSelection(undefined, CATALOG)).toMatchObject({ code: 'NO_PRODUCTS_SELECTED' });
  });

  it('refuses unknown and duplicate products, naming the field', () => {
    expect(normalizeSelection(['prd_nope'], CATALOG)).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { field: 'selected_products' },
    });
    expect(
      normalizeSelection(['prd_core_bond', { product_id: 'prd_core_bond', allocation_percent: 50 }], CATALOG),
    ).toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('explicit allocations must be given for all products and sum to 100', () => {
    expect(
      normalizeSelection([{ product_id: 'prd_core_bond', allocation_percent: 60 }, 'prd_treasury_mmf'], CATALOG),
    ).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(
      normalizeSelection(
        [
          { product_id: 'prd_core_bond', allocation_percent: 60 },
          { product_id: 'prd_treasury_mmf', allocation_percent: 39 },
        ],
        CATALOG,
      ),
    ).toMatchObject({
      code: 'VALIDATION_FAILED',
      message: expect.stringContaining('99'),
    });
    expect(
      normalizeSelection(
        [
          { product_id: 'prd_core_bond', allocation_percent: 60 },
          { product_id: 'prd_treasury_mmf', allocation_percent: 40.001 },
        ],
        CATALOG,
      ),
    ).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(
      normalizeSelection(
        [
          { product_id: 'prd_core_bond', allocation_percent: 60 },
          { product_id: 'prd_treasury_mmf', allocation_percent: 40 },
        ],
        CATALOG,
      ),
    ).toEqual([
      { product_id: 'prd_core_bond', product_name: 'Core Bond Fund', allocation_percent: 60 },
      { product_id: 'prd_treasury_mmf', product_name: 'Treasury Money Market Fund', allocation_percent: 40 },
    ]);
  });

  it.each([1, 2, 3, 6, 7])('an equal split over %i products sums to exactly 100', (count) => {
    const ids = CATALOG.slice(0, count).map((p) => p.id);
    const split = normalizeSelection(ids, CATALOG) as SelectedProduct[];
    const cents = split.map((s) => Math.round(s.allocation_percent * 100));
    expect(cents.reduce((a, b) => a + b, 0)).toBe(10_000);
    expect(Math.max(...cents) - Math.min(...cents)).toBeLessThanOrEqual(1);
    for (const s of split) expect(Number.isInteger(Math.round(s.allocation_percent * 100))).toBe(true);
  });
});

describe('minimum investment per allocation', () => {
  it('applies each minimum to the share of the amount the product gets', () => {
    const half = selection('prd_global_equity_index', 'prd_core_bond');
    expect(minimumShortfalls(10_000, 'USD', half, CATALOG)).toEqual([]);
    expect(minimumShortfalls(9_999.98, 'USD', half, CATALOG)).toEqual([
      { product_id: 'prd_core_bond', product_name: 'Core Bond Fund', allocated: 4_999.99, minimum_investment: 5_000 },
    ]);
    expect(minimumShortfalls(4_000, 'USD', half, CATALOG).map((s) => s.product_id)).toEqual([
      'prd_global_equity_index',
      'prd_core_bond',
    ]);
  });

  it('weights minimums by explicit allocations', () => {
    const skewed = normalizeSelection(
      [
        { product_id: 'prd_global_equity_index', allocation_percent: 10 },
        { product_id: 'prd_core_bond', allocation_percent: 90 },
      ],
      CATALOG,
    ) as SelectedProduct[];
    expect(minimumShortfalls(25_000, 'USD', skewed, CATALOG)).toEqual([]);
    expect(minimumShortfalls(24_999, 'USD', skewed, CATALOG).map((s) => [s.product_id, s.allocated])).toEqual([
      ['prd_global_equity_index', 2_499.9],
    ]);
  });

  it('rounds each share half up at the currency precision, exactly (floats put 1024.09 × 50% at 512.04)', () => {
    const catalog = CATALOG.map((p) =>
      p.id === 'prd_core_bond' ? { ...p, minimum_investment: 512.05 } : { ...p, minimum_investment: 0 },
    );
    const half = selection('prd_global_equity_index', 'prd_core_bond');
    expect(minimumShortfalls(1_024.09, 'USD', half, catalog)).toEqual([]);
    expect(minimumShortfalls(1_024.08, 'USD', half, catalog)).toEqual([
      { product_id: 'prd_core_bond', product_name: 'Core Bond Fund', allocated: 512.04, minimum_investment: 512.05 },
    ]);
  });

  it('refuses an amount with more decimals than its currency, naming the field', () => {
    const funding = record('funding', {
      selected_products: selection('prd_core_bond'),
      risk_profile: 'growth',
      terms_accepted: true,
    });
    const input = {
      funding_method: 'wire_transfer',
      initial_investment_amount: 50_000.005,
      currency: 'USD',
      source_of_funds: 'savings',
    };
    expect(checkInput(funding, context(), 'provide_funding_details', input)).toEqual({
      code: 'VALIDATION_FAILED',
      message: 'initial_investment_amount: USD amounts have at most 2 decimals',
      details: { field: 'initial_investment_amount' },
    });
    expect(
      checkInput(funding, context(), 'provide_funding_details', { ...input, initial_investment_amount: 50_000.5 }),
    ).toBeNull();
  });

  it('is checked when funding details are given', () => {
    const funding = record('funding', {
      selected_products: selection('prd_private_credit'),
      risk_profile: 'growth',
      terms_accepted: true,
    });
    const input = {
      funding_method: 'wire_transfer',
      initial_investment_amount: 99_999,
      currency: 'USD',
      source_of_funds: 'savings',
    };
    expect(checkInput(funding, context(), 'provide_funding_details', input)).toMatchObject({
      code: 'INSUFFICIENT_MINIMUM_INVESTMENT',
    });
    expect(
      checkInput(funding, context(), 'provide_funding_details', { ...input, initial_investment_amount: 100_000 }),
    ).toBeNull();
  });
});

describe('checkAllowed: permission, then status, then the command preconditions', () => {
  it('refuses a caller without permission with FORBIDDEN even in the wrong state', () => {
    expect(checkAllowed(record('draft'), 'compliance_approve', ALEX)).toMatchObject({ code: 'FORBIDDEN' });
    expect(checkAllowed(record('account_created'), 'select_products', BETH)).toMatchObject({ code: 'FORBIDDEN' });
    expect(checkAllowed(record('funding'), 'cancel_application', OMAR)).toMatchObject({ code: 'FORBIDDEN' });
  });

  it('refuses a permitted caller in the wrong state with INVALID_STATUS_TRANSITION', () => {
    expect(checkAllowed(record('draft'), 'compliance_approve', CARLA)).toMatchObject({
      code: 'INVALID_STATUS_TRANSITION',
      details: { status: 'draft' },
    });
    expect(checkAllowed(record('submitted'), 'cancel_application', CHRIS)).toMatchObject({
      code: 'INVALID_STATUS_TRANSITION',
    });
    expect(checkAllowed(record('risk_assessment'), 'select_products', ALEX)).toMatchObject({
      code: 'INVALID_STATUS_TRANSITION',
    });
  });

  it('four eyes: nobody approves an application they opened or advise on', () => {
    expect(
      checkAllowed(record('compliance_review', { opened_by: 'usr_ada_admin' }), 'compliance_approve', ADA),
    ).toMatchObject({ code: 'FOUR_EYES_VIOLATION' });
    expect(
      checkAllowed(record('compliance_review', { advisor_id: 'usr_ada_admin' }), 'compliance_approve', ADA),
    ).toMatchObject({ code: 'FOUR_EYES_VIOLATION' });
    expect(checkAllowed(record('compliance_review'), 'compliance_approve', ADA)).toBeNull();
    expect(checkAllowed(record('compliance_review'), 'compliance_approve', CARLA)).toBeNull();
  });

  it('a second approval must come from someone else', () => {
    const once = applyCommand(
      record('compliance_review', { approvals_required: 2 }),
      context(),
      'compliance_approve',
      {},
      CARLA,
      NOW,
    ).record;
    expect(checkAllowed(once, 'compliance_approve', CARLA)).toMatchObject({ code: 'SECOND_APPROVER_REQUIRED' });
    expect(checkAllowed(once, 'compliance_approve', COLIN)).toBeNull();
  });

  it('retrying account creation needs an approval first and a CRM failure', () => {
    for (const status of ['draft', 'funding', 'submitted', 'compliance_review'] as const) {
      expect(checkAllowed(record(status), 'retry_account_creation', ADA)).toMatchObject({
        code: 'COMPLIANCE_REVIEW_REQUIRED',
      });
    }
    expect(checkAllowed(record('approved'), 'retry_account_creation', ADA)).toMatchObject({
      code: 'INVALID_STATUS_TRANSITION',
    });
    const failure = { code: 'CRM_ACCOUNT_CREATION_FAILED' as const, message: 'down', attempts: 3, at: NOW };
    expect(checkAllowed(record('approved', { crm_failure: failure }), 'retry_account_creation', ADA)).toBeNull();
    expect(checkAllowed(record('account_created'), 'retry_account_creation', ADA)).toMatchObject({
      code: 'INVALID_STATUS_TRANSITION',
    });
    expect(checkAllowed(record('approved'), 'override_status', ADA)).toMatchObject({
      code: 'INVALID_STATUS_TRANSITION',
    });
    expect(checkAllowed(record('approved', { crm_failure: failure }), 'override_status', ADA)).toBeNull();
  });
});

describe('checkInput', () => {
  it('risk assessment: every answer is needed, in range, and suitable', () => {
    const assessing = record('risk_assessment', { selected_products: selection('prd_emerging_markets') });
    expect(checkInput(assessing, context(), 'complete_risk_assessment', {})).toMatchObject({
      code: 'RISK_ASSESSMENT_REQUIRED',
      details: { missing: ['risk_score', 'investment_objective', 'investment_horizon'] },
    });
    expect(
      checkInput(assessing, context(), 'complete_risk_assessment', {
        risk_score: 101,
        investment_objective: 'growth',
        investment_horizon: 'long_term',
      }),
    ).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(
      checkInput(assessing, context(), 'complete_risk_assessment', {
        risk_score: 10,
        investment_objective: 'growth',
        investment_horizon: 'long_term',
      }),
    ).toMatchObject({
      code: 'PRODUCT_SUITABILITY_VIOLATION',
      details: { risk_profile: 'conservative', mismatched_products: ['prd_emerging_markets'] },
    });
    expect(
      checkInput(assessing, context(), 'complete_risk_assessment', {
        risk_score: 30,
        investment_objective: 'growth',
        investment_horizon: 'long_term',
      }),
    ).toBeNull();
  });

  it('terms must be accepted, after the risk assessment', () => {
    expect(checkInput(record('terms_review'), context(), 'accept_terms', { terms_accepted: true })).toMatchObject({
      code: 'RISK_ASSESSMENT_REQUIRED',
    });
    const reviewing = record('terms_review', { risk_profile: 'balanced' });
    expect(checkInput(reviewing, context(), 'accept_terms', { terms_accepted: false })).toMatchObject({
      code: 'TERMS_NOT_ACCEPTED',
    });
    expect(checkInput(reviewing, context(), 'accept_terms', {})).toMatchObject({ code: 'TERMS_NOT_ACCEPTED' });
    expect(checkInput(reviewing, context(), 'accept_terms', { terms_accepted: true })).toBeNull();
  });

  it('funding: the source of funds is mandatory and "other" needs its detail', () => {
    const funding = record('funding', {
      selected_products: selection('prd_treasury_mmf'),
      risk_profile: 'conservative',
      terms_accepted: true,
    });
    const input = {
      funding_method: 'check',
      initial_investment_amount: 5_000,
      currency: 'EUR',
      source_of_funds: 'other',
    };
    expect(checkInput(funding, context(), 'provide_funding_details', { ...input, source_of_funds: '' })).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { field: 'source_of_funds' },
    });
    expect(checkInput(funding, context(), 'provide_funding_details', input)).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { field: 'source_of_funds_detail' },
    });
    expect(
      checkInput(funding, context(), 'provide_funding_details', { ...input, source_of_funds_detail: 'lottery win' }),
    ).toBeNull();
    expect(
      checkInput({ ...funding, terms_accepted: false }, context(), 'provide_funding_details', input),
    ).toMatchObject({ code: 'TERMS_NOT_ACCEPTED' });
  });

  it('override: a reason, a different status, never account_created, approved only with the approvals', () => {
    const review = record('compliance_review');
    expect(checkInput(review, context(), 'override_status', { status: 'approved', reason: ' ' })).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { field: 'reason' },
    });
    expect(
      checkInput(review, context(), 'override_status', { status: 'compliance_review', reason: 'x' }),
    ).toMatchObject({ code: 'VALIDATION_FAILED', details: { field: 'status' } });
    expect(checkInput(review, context(), 'override_status', { status: 'account_created', reason: 'x' })).toMatchObject({
      code: 'INVALID_STATUS_TRANSITION',
    });
    expect(checkInput(review, context(), 'override_status', { status: 'approved', reason: 'x' })).toMatchObject({
      code: 'COMPLIANCE_REVIEW_REQUIRED',
    });
    expect(checkInput(review, context(), 'override_status', { status: 'rejected', reason: 'x' })).toBeNull();
  });

  it('override into compliance needs what the client-side steps gather', () => {
    const override = (status: string, overrides: Partial<ApplicationRecord>) =>
      checkInput(record('draft', overrides), context(), 'override_status', { status, reason: 'skip ahead' });
    expect(override('submitted', { selected_products: null })).toMatchObject({ code: 'NO_PRODUCTS_SELECTED' });
    const products = [{ product_id: 'prd_core_bond', product_name: 'Core Bond Fund', allocation_percent: 100 }];
    expect(override('compliance_review', { selected_products: products, risk_profile: null })).toMatchObject({
      code: 'RISK_ASSESSMENT_REQUIRED',
    });
    expect(
      override('submitted', { selected_products: products, risk_profile: 'balanced', terms_accepted: false }),
    ).toMatchObject({ code: 'TERMS_NOT_ACCEPTED' });
    expect(
      override('submitted', {
        selected_products: products,
        risk_profile: 'balanced',
        terms_accepted: true,
        funding_method: null,
      }),
    ).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { field: 'status' },
    });
    expect(override('funding', { selected_products: null })).toBeNull();
  });

  it('a rejection needs a reason', () => {
    expect(
      checkInput(record('compliance_review'), context(), 'compliance_reject', { rejection_reason: '' }),
    ).toMatchObject({ code: 'VALIDATION_FAILED', details: { field: 'rejection_reason' } });
  });
});

describe('applying commands', () => {
  const funded = (amount: number, politically_exposed = false) =>
    applyCommand(
      record('funding', {
        selected_products: selection('prd_global_equity_index', 'prd_core_bond'),
        risk_profile: 'balanced',
        terms_accepted: true,
        politically_exposed,
      }),
      context(),
      'provide_funding_details',
      {
        funding_method: 'wire_transfer',
        initial_investment_amount: amount,
        currency: 'USD',
        source_of_funds: 'savings',
      },
      ALEX,
      NOW,
    ).record;

  it('enhanced due diligence above the threshold, or a politically exposed client, needs two approvals', () => {
    expect(funded(250_000)).toMatchObject({ status: 'submitted', edd_required: false, approvals_required: 1 });
    expect(funded(250_000.01)).toMatchObject({ edd_required: true, approvals_required: 2 });
    expect(funded(10_000, true)).toMatchObject({ edd_required: false, approvals_required: 2 });
    expect(
      newApplicationRecord(context({ client: { ...context().client, politically_exposed: true } }), NOW)
        .approvals_required,
    ).toBe(2);
  });

  it('the first of two approvals is recorded without approving; the second approves', () => {
    const review = { ...funded(300_000), status: 'compliance_review' as const };
    const first = applyCommand(review, context(), 'compliance_approve', { notes: 'ok' }, CARLA, NOW);
    expect(first.record).toMatchObject({ status: 'compliance_review', decided_by: null });
    expect(first.record.approvals).toEqual([
      {
        approved_by: CARLA.user_id,
        approver_name: CARLA.name,
        role: 'compliance_officer',
        channel: 'api',
        at: NOW,
        notes: 'ok',
      },
    ]);
    expect(first.events.map((e) => e.type)).toEqual(['account.approval_recorded']);
    const second = applyCommand(first.record, context(), 'compliance_approve', {}, COLIN, NOW);
    expect(second.record).toMatchObject({ status: 'approved', decided_by: COLIN.user_id });
    expect(second.events).toEqual([
      { type: 'account.approved', payload: { application_id: 'app_unit', approved_by: COLIN.user_id, timestamp: NOW } },
    ]);
  });

  it('selecting products from draft passes through product_selection to risk_assessment', () => {
    const outcome = applyCommand(
      record('draft'),
      context(),
      'select_products',
      { selected_products: ['prd_core_bond'] },
      CHRIS,
      NOW,
    );
    expect(outcome.record.status).toBe('risk_assessment');
    expect(outcome.audit).toEqual({ path: ['draft', 'product_selection', 'risk_assessment'] });
    expect(outcome.record.version).toBe(2);
  });

  it('every event the rules emit is in the spec with exactly its payload fields', () => {
    const outcomes = [
      applyCommand(record('draft'), context(), 'select_products', { selected_products: ['prd_core_bond'] }, CHRIS, NOW),
      applyCommand(
        record('risk_assessment', { selected_products: selection('prd_private_credit') }),
        context(),
        'complete_risk_assessment',
        { risk_score: 45, investment_objective: 'income', investment_horizon: 'short_term' },
        ALEX,
        NOW,
      ),
      applyCommand(
        record('terms_review', { risk_profile: 'balanced' }),
        context(),
        'accept_terms',
        { terms_accepted: true },
        ALEX,
        NOW,
      ),
      applyCommand(record('compliance_review'), context(), 'compliance_reject', { rejection_reason: 'no' }, CARLA, NOW),
      applyCommand(record('draft'), context(), 'cancel_application', {}, CHRIS, NOW),
      applyCommand(
        record('draft'),
        context(),
        'reassign_application',
        { advisor_id: 'usr_beth_advisor', reason: 'leave' },
        ADA,
        NOW,
      ),
      applyCommand(record('draft'), context(), 'override_status', { status: 'cancelled', reason: 'dup' }, ADA, NOW),
    ];
    const events = outcomes.flatMap((o) => o.events);
    expect(events.map((e) => e.type)).toContain('account.suitability_warning');
    for (const event of events) {
      const spec = accountOpeningSpec.events[event.type as keyof typeof accountOpeningSpec.events];
      expect(Object.keys(event.payload).sort(), event.type).toEqual([...spec.payload].sort());
    }
  });
});

describe('allowed actions', () => {
  it('are what checkAllowed lets through, per caller and state', () => {
    expect(allowedActions(record('draft'), ALEX).sort()).toEqual(['cancel_application', 'select_products']);
    expect(allowedActions(record('draft'), ADA).sort()).toEqual([
      'cancel_application',
      'override_status',
      'reassign_application',
    ]);
    expect(allowedActions(record('draft'), BETH)).toEqual([]);
    expect(allowedActions(record('compliance_review'), CARLA).sort()).toEqual([
      'compliance_approve',
      'compliance_reject',
    ]);
    expect(allowedActions(record('compliance_review'), OMAR)).toEqual([]);
    expect(allowedActions(record('account_created'), ADA)).toEqual([]);
  });
});
