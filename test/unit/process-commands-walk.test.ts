import { describe, expect, it } from 'vitest';
import { DEMO_PRODUCTS } from '../../runtime/seed-demo.js';
import {
  APPLICATION_COMMANDS,
  type AccountOpeningInput,
  type ApplicationRecord,
  type ProductSnapshot,
} from '../../workflows/account-opening/definitions.js';
import * as accountOpeningRules from '../../workflows/account-opening/rules.js';
import { accountOpeningSpec, type ApplicationStatus } from '../../workflows/account-opening/spec.js';
import type { CommandDefinition } from '../../workflows/process-kit.js';
import { checkCommandInput } from '../../workflows/process-kit.js';
import type { Actor, EmittedEvent } from '../../workflows/process-records.js';
import { reachableBy, ROLES, targetsOf, type ProcessSpec, type Role } from '../../workflows/process-spec.js';
import {
  REBALANCE_COMMANDS,
  type RebalanceContext,
  type RebalanceRecord,
} from '../../workflows/rebalancing/definitions.js';
import { proposeFor } from '../../workflows/rebalancing/proposal-record.js';
import * as rebalancingRules from '../../workflows/rebalancing/rules.js';
import type { RebalanceStatus } from '../../workflows/rebalancing/spec.js';
import { rebalancingSpec } from '../../workflows/rebalancing/spec.js';
import { PROCESS_SPECS } from '../../workflows/specs.js';
import {
  ONBOARDING_COMMANDS,
  type OnboardingInput,
  type OnboardingRecord,
  type Profile,
} from '../../workflows/client-onboarding/definitions.js';
import * as onboardingRules from '../../workflows/client-onboarding/rules.js';
import { clientOnboardingSpec, type OnboardingStatus } from '../../workflows/client-onboarding/spec.js';
import { PROFILE } from '../support/onboarding.js';

/**
 * Walks every command of every spec through the process type's own rules: in each state it is legal in, for
 * each role it names (and, where a command branches, for each branch), the command is accepted and moves the
 * process along declared transitions whose actors include that role; every other role is refused; every event
 * it emits is declared with exactly its payload keys.
 */

const NOW = '2026-11-21T10:00:00.000Z';
const person = (user_id: string, role: Role): Actor => ({ user_id, role, name: user_id, channel: 'api' });
/** One person per role: the client and advisor are the process's own, the others unrelated to it. */
const PEOPLE: Record<Role, Actor> = {
  client: person('usr_client', 'client'),
  advisor: person('usr_advisor', 'advisor'),
  compliance_officer: person('usr_compliance', 'compliance_officer'),
  manager: person('usr_manager', 'manager'),
  ops: person('usr_ops', 'ops'),
  admin: person('usr_admin', 'admin'),
};

interface Refusal {
  code: string;
  message?: string;
}
interface Outcome {
  record: { status: string };
  events: EmittedEvent[];
}

/** How the walk drives one process type: records set up so the command may run, and an input it accepts. */
interface Walk<R extends { status: string }> {
  spec: ProcessSpec;
  commands: Record<string, CommandDefinition<unknown, never>>;
  /** The records to try the command on in a state: one per branch its rules can take. */
  recordsIn(state: string, command: string, actor: Actor): R[];
  inputFor(command: string, record: R): object;
  allowed(record: R, command: string, actor: Actor): Refusal | null;
  inputRefusal(record: R, command: string, input: object): Refusal | null;
  apply(record: R, command: string, input: object, actor: Actor): Outcome;
}

// ---- Account opening ----

const CATALOG: ProductSnapshot[] = DEMO_PRODUCTS.map(
  ([id, name, , category, risk_level, liquidity, minimum_investment, fee]) => ({
    id,
    name,
    category,
    risk_level,
    liquidity,
    minimum_investment,
    management_fee_percent: fee,
  }),
);
const APPLICATION_INPUT: AccountOpeningInput = {
  application_id: 'app_walk',
  account_type: 'individual',
  client: {
    id: 'cli_walk',
    name: 'Walk Client',
    advisor_id: 'usr_advisor',
    user_id: 'usr_client',
    politically_exposed: false,
  },
  catalog: CATALOG,
  edd_threshold: 250_000,
  opened_by: PEOPLE.advisor,
  crm_retry: { maximum_attempts: 3, initial_interval_ms: 50 },
};
const PRODUCTS = ['prd_global_equity_index', 'prd_core_bond'];
const FUNDING = {
  funding_method: 'bank_transfer',
  initial_investment_amount: 50_000,
  currency: 'USD',
  source_of_funds: 'savings',
} as const;

/** An application with everything its earlier steps gather, in `status`. */
function application(status: ApplicationStatus, overrides: Partial<ApplicationRecord> = {}): ApplicationRecord {
  const fresh = accountOpeningRules.newApplicationRecord(APPLICATION_INPUT, NOW);
  const selected = accountOpeningRules.normalizeSelection(PRODUCTS, CATALOG) as ApplicationRecord['selected_products'];
  return {
    ...fresh,
    status,
    selected_products: selected,
    risk_score: 55,
    risk_profile: 'balanced',
    investment_objective: 'growth',
    investment_horizon: 'long_term',
    terms_accepted: true,
    terms_accepted_at: NOW,
    ...FUNDING,
    ...overrides,
  };
}

const firstApproval = {
  approved_by: 'usr_other_officer',
  approver_name: 'Other',
  role: 'compliance_officer' as const,
  channel: 'api' as const,
  at: NOW,
  notes: null,
};

const accountOpeningWalk: Walk<ApplicationRecord> = {
  spec: accountOpeningSpec,
  commands: APPLICATION_COMMANDS as unknown as Walk<ApplicationRecord>['commands'],
  recordsIn(state, command) {
    const s = state as ApplicationStatus;
    if (command === 'select_products')
      return [application(s, { selected_products: null, risk_profile: null, terms_accepted: false })];
    if (command === 'complete_risk_assessment') return [application(s, { risk_profile: null, terms_accepted: false })];
    if (command === 'compliance_approve') {
      // One approval needed (the application is approved), or the first of two (it stays in review).
      return [application(s), application(s, { approvals_required: 2 })];
    }
    if (command === 'override_status' || command === 'retry_account_creation') {
      return [
        application(s, {
          approvals: [firstApproval],
          crm_failure: { code: 'CRM_ACCOUNT_CREATION_FAILED', message: 'down', attempts: 3, at: NOW },
        }),
      ];
    }
    return [application(s)];
  },
  inputFor(command, record) {
    switch (command) {
      case 'select_products':
        return { selected_products: PRODUCTS };
      case 'complete_risk_assessment':
        return { risk_score: 55, investment_objective: 'growth', investment_horizon: 'long_term' };
      case 'accept_terms':
        return { terms_accepted: true };
      case 'provide_funding_details':
        return { ...FUNDING };
      case 'compliance_reject':
        return { rejection_reason: 'Source of funds not evidenced' };
      case 'override_status':
        return { status: record.status === 'cancelled' ? 'draft' : 'cancelled', reason: 'Client asked by phone' };
      case 'reassign_application':
        return { advisor_id: 'usr_advisor_2', reason: 'Holiday cover' };
      default:
        return {};
    }
  },
  allowed: (record, command, actor) => accountOpeningRules.checkAllowed(record, command as never, actor),
  inputRefusal: (record, command, input) =>
    accountOpeningRules.checkInput(record, APPLICATION_INPUT, command as never, input),
  apply: (record, command, input, actor) =>
    accountOpeningRules.applyCommand(record, APPLICATION_INPUT, command as never, input, actor, NOW),
};

// ---- Rebalancing ----

/** 100,000: equity at 60% (target 45%), bonds at 35% (50%), 5% cash; threshold set per case. */
function rebalanceContext(complianceThreshold: number): RebalanceContext {
  return {
    portfolio: {
      id: 'pf_walk',
      accountNumber: 'INV-WALK',
      cash: 5_000,
      currency: 'USD',
      lots: [
        { id: 'eq-1', securityId: 'eq', quantity: 600, costBasisPerUnit: 90, acquiredOn: '2024-01-10' },
        { id: 'bd-1', securityId: 'bd', quantity: 437.5, costBasisPerUnit: 82, acquiredOn: '2024-12-01' },
      ],
    },
    client: { id: 'cli_walk', name: 'Walk Client', user_id: 'usr_client', advisor_id: 'usr_advisor' },
    model: {
      id: 'balanced',
      name: 'Balanced',
      cashWeight: 0.05,
      bands: { absolute: 0.05, relative: 0.25, relativeFloor: 0.01 },
      targets: [
        { securityId: 'eq', assetClass: 'equity', weight: 0.45 },
        { securityId: 'bd', assetClass: 'bonds', weight: 0.5 },
      ],
    },
    securities: [
      { id: 'eq', symbol: 'EQ', name: 'Equity fund', assetClass: 'equity', fractional: false },
      { id: 'bd', symbol: 'BD', name: 'Bond fund', assetClass: 'bonds', fractional: true },
    ],
    prices: { eq: 100, bd: 80 },
    prices_as_of: '2026-11-20',
    as_of: '2026-11-21',
    options: { cashBufferWeight: 0.02, minTradeValue: 100, commissionPerTrade: 1, commissionRate: 0, recentTrades: [] },
    compliance_threshold: complianceThreshold,
  };
}
const SMALL = rebalanceContext(1_000_000);
const LARGE = rebalanceContext(1_000);
const contexts = new Map<string, RebalanceContext>();

function rebalance(status: RebalanceStatus, ctx: RebalanceContext): RebalanceRecord {
  const input = {
    rebalance_id: `rb_${contexts.size}`,
    portfolio_id: 'pf_walk',
    trigger: 'schedule' as const,
    started_by: { user_id: 'system', role: 'system' as const, name: 'System', channel: 'system' as const },
    order_retry: { maximum_attempts: 3, initial_interval_ms: 10 },
  };
  const record = rebalancingRules.newRebalanceRecord(input, ctx, proposeFor(ctx), NOW);
  contexts.set(record.rebalance_id, ctx);
  if (status === 'awaiting_advisor') return record;
  const advisorApproval = {
    approved_by: 'usr_advisor',
    approver_name: 'Advisor',
    role: 'advisor' as const,
    channel: 'api' as const,
    at: NOW,
    notes: null,
  };
  return { ...record, status, needs_compliance: true, advisor_approval: advisorApproval };
}

const rebalancingWalk: Walk<RebalanceRecord> = {
  spec: rebalancingSpec,
  commands: REBALANCE_COMMANDS as unknown as Walk<RebalanceRecord>['commands'],
  recordsIn(state, command) {
    const s = state as RebalanceStatus;
    // An approval goes straight to approved under the threshold, and to compliance above it.
    return command === 'approve' ? [rebalance(s, SMALL), rebalance(s, LARGE)] : [rebalance(s, LARGE)];
  },
  inputFor(command) {
    if (command === 'edit') return { trades: [{ security_id: 'eq', side: 'sell', quantity: 5 }], reason: 'Trim only' };
    if (command === 'decline') return { reason: 'The client is moving the account' };
    return {};
  },
  allowed: (record, command, actor) => rebalancingRules.checkAllowed(record, command as never, actor),
  inputRefusal: (record, command, input) =>
    rebalancingRules.checkInput(contexts.get(record.rebalance_id)!, command as never, input),
  apply: (record, command, input, actor) =>
    rebalancingRules.applyCommand(
      record,
      contexts.get(record.rebalance_id)!,
      command as never,
      input,
      actor,
      NOW,
      'usr_compliance',
    ),
};

// ---- Client onboarding ----

const ONBOARDING_INPUT: OnboardingInput = {
  onboarding_id: 'onb_walk',
  client: {
    id: 'cli_walk',
    name: 'Walk Client',
    advisor_id: 'usr_advisor',
    user_id: 'usr_client',
    client_type: 'individual',
    politically_exposed: false,
  },
  invited_by: PEOPLE.advisor,
  kyc_review_years: { high: 1, medium: 2, low: 3 },
  expires_after_days: 30,
};
const HIT = { list: 'sanctions', entry_id: '1', listed_name: 'CLIENT, Walk', matched_name: 'Walk Client', score: 100 };

/** An onboarding with its profile in, and one open screening hit (cleared once already, for `cleared`). */
function onboarding(status: OnboardingStatus, overrides: Partial<OnboardingRecord> = {}, cleared = false) {
  const fresh = onboardingRules.newOnboardingRecord(ONBOARDING_INPUT, NOW);
  const clearances = cleared ? [{ by: 'usr_other_officer', name: 'Other', reason: 'dob differs', at: NOW }] : [];
  const hit = { ...HIT, program: null, hit_id: 'hit_1', status: 'open', clearances, confirmation: null } as const;
  return {
    ...fresh,
    status,
    profile: PROFILE as Profile,
    profile_submitted_at: NOW,
    screening: { screened_at: NOW, lists_as_of: NOW, names: ['Walk Client'], hits: [hit] },
    ...overrides,
  } as OnboardingRecord;
}

const onboardingWalk: Walk<OnboardingRecord> = {
  spec: clientOnboardingSpec,
  commands: ONBOARDING_COMMANDS as unknown as Walk<OnboardingRecord>['commands'],
  recordsIn(state, command) {
    const s = state as OnboardingStatus;
    if (command === 'clear_screening_hit') return [onboarding(s), onboarding(s, {}, true)];
    if (command === 'compliance_approve') return [onboarding(s), onboarding(s, { approvals_required: 2 })];
    return [onboarding(s)];
  },
  inputFor(command) {
    switch (command) {
      case 'save_profile':
        return { identity: PROFILE.identity };
      case 'submit_profile':
        return { ...PROFILE };
      case 'clear_screening_hit':
        return { hit_id: 'hit_1', reason: 'Another date of birth' };
      case 'confirm_screening_hit':
        return { hit_id: 'hit_1', outcome: 'enhanced_due_diligence', reason: 'The same person; legitimate wealth' };
      case 'compliance_reject':
        return { rejection_reason: 'Identity not evidenced' };
      default:
        return {};
    }
  },
  allowed: (record, command, actor) => onboardingRules.checkAllowed(record, command as never, actor),
  inputRefusal: (record, command, input) => onboardingRules.checkInput(record, command as never, input),
  apply: (record, command, input, actor) => onboardingRules.applyCommand(record, command as never, input, actor, NOW),
};

const WALKS: Walk<{ status: string }>[] = [
  accountOpeningWalk as Walk<{ status: string }>,
  rebalancingWalk as Walk<{ status: string }>,
  onboardingWalk as Walk<{ status: string }>,
];

describe('the spec command table', () => {
  it('is walked for every process type with commands on a process', () => {
    expect(WALKS.map((w) => w.spec.processType)).toEqual(
      PROCESS_SPECS.filter((spec) => spec.resource).map((spec) => spec.processType),
    );
  });

  it.each(PROCESS_SPECS.map((spec) => [spec.processType, spec] as const))(
    '%s: every target is reachable by every role the command names',
    (_type, spec) => {
      for (const [name, command] of Object.entries(spec.commands)) {
        if (command.event) expect(spec.events, `${name} emits ${command.event}`).toHaveProperty([command.event]);
        for (const from of command.from) {
          if (command.reads) continue;
          for (const to of targetsOf(command, from)) {
            for (const role of Object.keys(command.roles) as Role[]) {
              if (to !== from)
                expect(reachableBy(spec, from, to, role), `${name}: ${from} → ${to} by ${role}`).toBe(true);
            }
          }
        }
      }
    },
  );

  it.each(PROCESS_SPECS.map((spec) => [spec.processType, spec] as const))(
    '%s: every transition a person causes is some command',
    (_type, spec) => {
      for (const transition of spec.transitions) {
        for (const actor of transition.actors) {
          if (actor === 'system') continue;
          const covered = Object.values(spec.commands).some(
            (command) =>
              actor in command.roles &&
              transition.from.some(
                (from) =>
                  command.from.includes(from) &&
                  reachableBy(spec, from, transition.to, actor) &&
                  targetsOf(command, from).some((to) => reachableBy(spec, transition.to, to, actor)),
              ),
          );
          expect(covered, `${transition.name} (${transition.from.join(',')} → ${transition.to}) by ${actor}`).toBe(
            true,
          );
        }
      }
    },
  );
});

describe.each(WALKS.map((walk) => [walk.spec.processType, walk] as const))(
  'every %s command, walked',
  (_type, walk) => {
    const cases = Object.keys(walk.commands).flatMap((command) =>
      walk.spec.commands[command]!.from.flatMap((state) => ROLES.map((role) => [command, state, role] as const)),
    );

    it.each(cases)('%s from %s by %s', (command, state, role) => {
      const spec = walk.spec;
      const commandSpec = spec.commands[command]!;
      const actor = PEOPLE[role];
      for (const record of walk.recordsIn(state, command, actor)) {
        const refusal = walk.allowed(record, command, actor);
        if (!(role in commandSpec.roles)) {
          expect(refusal?.code, `${role} may not ${command}`).toBe('FORBIDDEN');
          continue;
        }
        const input = walk.inputFor(command, record);
        expect(
          refusal ??
            checkCommandInput(walk.commands[command]!.input, input) ??
            walk.inputRefusal(record, command, input),
        ).toBeNull();
        const outcome = walk.apply(record, command, input, actor);
        const after = outcome.record.status;
        expect(targetsOf(commandSpec, state)).toContain(after);
        if (after !== state) expect(reachableBy(spec, state, after, role), `${state} → ${after} by ${role}`).toBe(true);
        for (const event of outcome.events) {
          expect(Object.keys(event.payload).sort(), event.type).toEqual(
            [...(spec.events[event.type]?.payload ?? ['(undeclared)'])].sort(),
          );
        }
        // The command's own event whenever it reached its first target (a first approval of two records its own).
        if (commandSpec.event && after === targetsOf(commandSpec, state)[0])
          expect(outcome.events.map((e) => e.type)).toContain(commandSpec.event);
      }
    });
  },
);
