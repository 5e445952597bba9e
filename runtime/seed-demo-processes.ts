import type PgBoss from 'pg-boss';
import type { Sql } from '../db/client.js';
import { acceptedActions, beginDemoSeeding, finishDemoSeeding, getDemoSeeding } from '../db/demo-seeding.js';
import { getProcess, type ProcessRow } from '../db/processes.js';
import { watchProcesses, type ProcessWatch } from '../db/process-watch.js';
import { loadSlaPolicy } from '../db/sla.js';
import { createAccountOpeningService, type AccountOpeningService } from '../hub/account-opening.js';
import type { HubDeps } from '../hub/context.js';
import { createQueryThreadService, type QueryThreadService } from '../hub/query-threads.js';
import { createRebalancingService, type RebalancingService } from '../hub/rebalancing.js';
import type { ApplicationCommand } from '../workflows/account-opening/definitions.js';
import type { QueryKind } from '../workflows/query-threads.js';
import type { Actor } from '../workflows/process-records.js';
import { clockTimeBetween, computeDeadline, HOUR_MS } from '../workflows/sla/business-calendar.js';
import { policyCalendar } from '../workflows/sla/sla-schedule.js';
import type { HubConfig } from './config.js';
import type { Logger } from './logger.js';
import { DEMO_USERS } from './seed-demo.js';
import { connectTemporalClient } from './temporal-connection.js';

/**
 * The demo firm at work: applications at every step, reviews near and past their SLA, a politically exposed
 * client waiting for the second approval, rebalances awaiting people, open query threads, and a month of
 * finished history. Everything goes through the hub's own command services and the real workflows; what lies
 * in the past is sent with `occurred_at` (workflows/business-clock.ts). Every command has an idempotency
 * key and the timeline is kept in `demo_seeding`, so a start after a crash resumes where this one stopped.
 */

const MINUTE_MS = 60_000;
const DAY_MS = 24 * HOUR_MS;
/** Applications worked on at once: enough to keep the worker busy without queueing the database. */
const PARALLEL = 6;

type DemoUserId = (typeof DEMO_USERS)[number]['id'];

function actor(userId: string): Actor {
  const user = DEMO_USERS.find((u) => u.id === userId);
  if (!user) throw new Error(`no demo user ${userId}`);
  return { user_id: user.id, role: user.role, name: user.name, channel: 'api' };
}

/** A risk profile the demo uses, with products that suit it and meet their minimums at the amounts below. */
const PROFILES = {
  conservative: {
    risk: { risk_score: 15, investment_objective: 'capital_preservation', investment_horizon: 'short_term' },
    products: ['prd_treasury_mmf', 'prd_core_bond'],
  },
  balanced: {
    risk: { risk_score: 52, investment_objective: 'balanced', investment_horizon: 'medium_term' },
    products: ['prd_balanced_income', 'prd_core_bond'],
  },
  growth: {
    risk: { risk_score: 72, investment_objective: 'growth', investment_horizon: 'long_term' },
    products: ['prd_global_equity_index', 'prd_dividend_growth', 'prd_core_bond'],
  },
} as const;
type Profile = keyof typeof PROFILES;

const CLIENTS = {
  cli_chris_carter: 'usr_alex_advisor',
  cli_priya_patel: 'usr_alex_advisor',
  cli_gabriel_garcia: 'usr_alex_advisor',
  cli_fiona_fischer: 'usr_beth_advisor',
} as const satisfies Record<string, DemoUserId>;
type DemoClient = keyof typeof CLIENTS;

/** A step of an application: a command at a time (null: now), by a person or by whoever reviews it. */
interface Step {
  command: ApplicationCommand;
  input: object;
  at: number | null;
  by: DemoUserId | 'assigned_officer';
  /** For a reassignment: the officer it goes to, or the one who is not reviewing it now. */
  assignTo?: DemoUserId | 'other_officer';
  /** The workflow takes a step of its own after this command (starts the review, opens the account): wait for it. */
  thenSystemStep?: true;
}

interface DemoApplication {
  key: string;
  client: DemoClient;
  account_type: string;
  startedAt: number;
  steps: Step[];
  /** Open query threads, once the steps are done. */
  threads?: DemoThread[];
}

interface DemoThread {
  key: string;
  by: DemoUserId;
  kind: QueryKind;
  assignee?: DemoUserId;
  title: string;
  body: string;
}

interface Walk {
  profile: Profile;
  amount: number;
  /** Times of the steps; a step without one is not taken. null: now. */
  products?: number | null;
  risk?: number | null;
  terms?: number | null;
  funding?: number | null;
  decision?: { at: number | null; verdict: 'approve' | 'reject' | 'first_approval'; note: string };
  /** An administrator moves the review to another officer, now. */
  reassign?: { to: DemoUserId | 'other_officer'; reason: string };
  cancel?: { at: number; reason: string };
}

/** The steps of one application along the blueprint's path, as far as `walk` goes. */
function stepsOf(client: DemoClient, walk: Walk): Step[] {
  const advisor = CLIENTS[client];
  const { risk, products } = PROFILES[walk.profile];
  const steps: Step[] = [];
  if (walk.products !== undefined)
    steps.push({ command: 'select_products', input: { selected_products: products }, at: walk.products, by: advisor });
  if (walk.risk !== undefined)
    steps.push({ command: 'complete_risk_assessment', input: risk, at: walk.risk, by: advisor });
  if (walk.terms !== undefined)
    steps.push({ command: 'accept_terms', input: { terms_accepted: true }, at: walk.terms, by: advisor });
  if (walk.funding !== undefined) {
    const funding = {
      funding_method: walk.amount > 100_000 ? 'wire_transfer' : 'bank_transfer',
      initial_investment_amount: walk.amount,
      currency: 'USD',
      source_of_funds: walk.amount > 150_000 ? 'investment_proceeds' : 'savings',
    };
    steps.push({
      command: 'provide_funding_details',
      input: funding,
      at: walk.funding,
      by: advisor,
      thenSystemStep: true,
    });
  }
  if (walk.cancel)
    steps.push({
      command: 'cancel_application',
      input: { reason: walk.cancel.reason },
      at: walk.cancel.at,
      by: advisor,
    });
  const decision = walk.decision;
  if (decision?.verdict === 'approve')
    steps.push({
      command: 'compliance_approve',
      input: { notes: decision.note },
      at: decision.at,
      by: 'assigned_officer',
      thenSystemStep: true,
    });
  if (decision?.verdict === 'first_approval')
    steps.push({
      command: 'compliance_approve',
      input: { notes: decision.note },
      at: decision.at,
      by: 'assigned_officer',
    });
  if (decision?.verdict === 'reject')
    steps.push({
      command: 'compliance_reject',
      input: { rejection_reason: decision.note },
      at: decision.at,
      by: 'assigned_officer',
    });
  if (walk.reassign)
    steps.push({
      command: 'reassign_application',
      input: { reason: walk.reassign.reason },
      at: null,
      by: 'usr_ada_admin',
      assignTo: walk.reassign.to,
    });
  return steps;
}

/** A small, fixed spread in [min, max): the same demo every time, without a random generator. */
function spread(i: number, salt: number, min: number, max: number): number {
  const x = Math.sin(i * 12.9898 + salt * 78.233) * 43758.5453;
  return min + (x - Math.floor(x)) * (max - min);
}

/** The working day `daysAgo` before the anchor (weekends move to Friday), at `hourUtc`. */
function workingDay(anchor: number, daysAgo: number, hourUtc: number): number {
  const day = new Date(anchor - daysAgo * DAY_MS);
  const weekday = day.getUTCDay();
  const back = weekday === 0 ? 2 : weekday === 6 ? 1 : 0;
  return Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate() - back, hourUtc);
}

const HISTORY_CLIENTS: DemoClient[] = ['cli_chris_carter', 'cli_gabriel_garcia', 'cli_fiona_fischer'];
const HISTORY_PROFILES: Profile[] = ['growth', 'conservative', 'balanced'];
const ACCOUNT_TYPES = ['individual', 'retirement_ira', 'joint', 'roth_ira', 'individual', 'trust'];
const HISTORY_SIZE = 26;

/** A month of finished applications: most opened an account, some were rejected, a few cancelled. */
function history(anchor: number): DemoApplication[] {
  return Array.from({ length: HISTORY_SIZE }, (_, i) => {
    const client = HISTORY_CLIENTS[i % HISTORY_CLIENTS.length];
    const started = workingDay(anchor, 30 - Math.floor((i * 27) / HISTORY_SIZE), 13) + spread(i, 1, 0, 5) * HOUR_MS;
    const products = started + spread(i, 2, 15, 90) * MINUTE_MS;
    const risk = products + spread(i, 3, 10, 60) * MINUTE_MS;
    const terms = risk + spread(i, 4, 1, 26) * HOUR_MS;
    const funding = terms + spread(i, 5, 0.5, 20) * HOUR_MS;
    const decided = funding + spread(i, 6, 1.5, 30) * HOUR_MS;
    const amount = Math.round(spread(i, 7, 25, 220)) * 1000;
    const walk: Walk =
      i % 9 === 5
        ? {
            profile: HISTORY_PROFILES[i % 3],
            amount,
            products,
            risk,
            cancel: { at: terms, reason: 'The client chose to wait' },
          }
        : {
            profile: HISTORY_PROFILES[i % 3],
            amount,
            products,
            risk,
            terms,
            funding,
            decision:
              i % 7 === 3
                ? {
                    at: decided,
                    verdict: 'reject',
                    note: 'Source of funds could not be verified from the statements provided',
                  }
                : { at: decided, verdict: 'approve', note: 'KYC, suitability and source of funds in order' },
          };
    return {
      key: `demo-history-${i + 1}`,
      client,
      account_type: ACCOUNT_TYPES[i % ACCOUNT_TYPES.length],
      startedAt: started,
      steps: stepsOf(client, walk),
    };
  });
}

/** When a review must have started for `percent` of its SLA to be used at `now`, on the policy's own calendar. */
type ReviewStart = (percent: number) => number;

/** The open work of today: one application at each step, and the reviews the board is about. */
function openWork(anchor: number, reviewStart: ReviewStart): DemoApplication[] {
  const ago = (ms: number) => anchor - ms;
  const h = HOUR_MS;
  const app = (
    key: string,
    client: DemoClient,
    account_type: string,
    startedAt: number,
    walk: Walk,
    threads?: DemoThread[],
  ) => ({
    key: `demo-${key}`,
    client,
    account_type,
    startedAt,
    steps: stepsOf(client, walk),
    threads,
  });
  const warningStart = reviewStart(68);
  const breachStart = reviewStart(170);
  const pepStart = reviewStart(35);
  return [
    app('draft', 'cli_chris_carter', 'joint', ago(40 * MINUTE_MS), { profile: 'growth', amount: 0 }),
    app('risk-assessment', 'cli_gabriel_garcia', 'retirement_ira', ago(26 * h), {
      profile: 'conservative',
      amount: 0,
      products: ago(25 * h),
    }),
    app('terms-review', 'cli_fiona_fischer', 'roth_ira', ago(8 * h), {
      profile: 'balanced',
      amount: 0,
      products: ago(7.5 * h),
      risk: ago(5 * h),
    }),
    app(
      'funding',
      'cli_chris_carter',
      'trust',
      ago(3 * DAY_MS),
      { profile: 'growth', amount: 0, products: ago(3 * DAY_MS - h), risk: ago(2 * DAY_MS), terms: ago(22 * h) },
      [
        {
          key: 'demo-thread-funding',
          by: 'usr_omar_ops',
          kind: 'question_to_advisor',
          title: 'Which bank account funds the trust?',
          body: 'The trust deed names two accounts. @alex.advisor, which one will the transfer come from? cc @carla.compliance',
        },
      ],
    ),
    app('review-near-warning', 'cli_gabriel_garcia', 'individual', warningStart - 2 * DAY_MS, {
      profile: 'conservative',
      amount: 85_000,
      products: warningStart - 2 * DAY_MS + 30 * MINUTE_MS,
      risk: warningStart - 2 * DAY_MS + h,
      terms: warningStart - 3 * h,
      funding: warningStart,
      reassign: { to: 'other_officer', reason: 'Balancing the review queue' },
    }),
    app(
      'review-breached',
      'cli_chris_carter',
      'individual',
      breachStart - DAY_MS,
      {
        profile: 'growth',
        amount: 140_000,
        products: breachStart - DAY_MS + 20 * MINUTE_MS,
        risk: breachStart - DAY_MS + 40 * MINUTE_MS,
        terms: breachStart - 2 * h,
        funding: breachStart,
        reassign: { to: 'usr_helen_head', reason: 'Past its SLA: the Head of Compliance takes it over' },
      },
      [
        {
          key: 'demo-thread-breach',
          by: 'usr_maya_manager',
          kind: 'operational_issue',
          assignee: 'usr_helen_head',
          title: 'Review past its SLA',
          body: '@helen.head this review breached its SLA and was escalated to you. Can you decide today? @alex.advisor FYI',
        },
      ],
    ),
    app(
      'pep-second-approval',
      'cli_priya_patel',
      'individual',
      pepStart - DAY_MS,
      {
        profile: 'balanced',
        amount: 180_000,
        products: pepStart - DAY_MS + 25 * MINUTE_MS,
        risk: pepStart - DAY_MS + h,
        terms: pepStart - 4 * h,
        funding: pepStart,
        decision: { at: null, verdict: 'first_approval', note: 'PEP screening done; source of wealth documented' },
      },
      [
        {
          key: 'demo-thread-pep',
          by: 'usr_carla_compliance',
          kind: 'document_request',
          assignee: 'usr_alex_advisor',
          title: 'Source-of-wealth letter for the second approval',
          body: '@alex.advisor Priya is politically exposed: please upload her signed source-of-wealth letter. @helen.head for the second approval.',
        },
      ],
    ),
    app('rejected', 'cli_fiona_fischer', 'individual', ago(4 * DAY_MS), {
      profile: 'balanced',
      amount: 240_000,
      products: ago(4 * DAY_MS - 30 * MINUTE_MS),
      risk: ago(4 * DAY_MS - h),
      terms: ago(3 * DAY_MS),
      funding: ago(3 * DAY_MS - 2 * h),
      decision: { at: ago(DAY_MS), verdict: 'reject', note: 'The gift letter does not match the bank statements' },
    }),
    app('cancelled', 'cli_gabriel_garcia', 'joint', ago(5 * DAY_MS), {
      profile: 'balanced',
      amount: 0,
      products: ago(5 * DAY_MS - h),
      cancel: { at: ago(2 * DAY_MS), reason: 'The clients will open it after the year-end' },
    }),
  ];
}

export interface DemoSeedSummary {
  finished: number;
  open: number;
  rebalances: number;
  threads: number;
  ms: number;
}

/**
 * Seeds the demo firm's processes once: on a firm whose people were just seeded (`freshFirm`), or to finish
 * a seeding a crash interrupted. Returns what it made, or null when there was nothing to do.
 */
export async function seedDemoProcesses(deps: HubDeps, freshFirm: boolean): Promise<DemoSeedSummary | null> {
  const { sql, log } = deps;
  const earlier = await getDemoSeeding(sql);
  if (earlier?.finished_at || (!earlier && !freshFirm)) return null;
  const began = Date.now();
  const { anchor } = await beginDemoSeeding(sql, new Date().toISOString());
  if (earlier) log.info({ anchor }, 'demo processes: resuming the seeding a stop interrupted');

  const services = {
    sql,
    accountOpening: createAccountOpeningService(deps),
    queryThreads: createQueryThreadService(deps),
    rebalancing: createRebalancingService(deps),
  };
  const watch = await watchProcesses(sql);
  try {
    // Before the applications: the accounts they open are the 06:00 check's to rebalance, not the demo's.
    const rebalances = await seedRebalances(services.rebalancing, watch);
    const reviewStart = await reviewStartOn(deps, Date.now());
    const past = history(Date.parse(anchor));
    const today = openWork(Date.parse(anchor), reviewStart);
    const all = [...past, ...today];
    let done = 0;
    const progress = () => {
      done += 1;
      if (done % 6 === 0 || done === all.length) log.info(`demo processes: ${done} of ${all.length} applications`);
    };
    await inParallel(all, PARALLEL, async (application) => {
      await runApplication(services, watch, application, anchor);
      progress();
    });
    await finishDemoSeeding(sql);
    const summary = {
      finished: past.length,
      open: today.length,
      rebalances,
      threads: today.reduce((n, a) => n + (a.threads?.length ?? 0), 0),
      ms: Date.now() - began,
    };
    log.info(
      summary,
      `demo processes seeded: ${summary.finished} finished applications over 30 days, ${summary.open} more in ` +
        `every state, ${summary.rebalances} rebalances and ${summary.threads} query threads in ` +
        `${(summary.ms / 1000).toFixed(1)} s`,
    );
    return summary;
  } finally {
    await watch.stop();
  }
}

type DemoServices = {
  sql: Sql;
  accountOpening: AccountOpeningService;
  queryThreads: QueryThreadService;
  rebalancing: RebalancingService;
};

async function runApplication(
  services: DemoServices,
  watch: ProcessWatch,
  application: DemoApplication,
  seeding: string,
) {
  const { accountOpening, queryThreads } = services;
  // Keys name this seeding: application ids derive from them, and other hubs may share the Temporal namespace.
  const appKey = `${application.key}@${seeding}`;
  const iso = (at: number | null) => (at === null ? undefined : new Date(at).toISOString());
  const started = await accountOpening.start(
    actor(CLIENTS[application.client]),
    { client_id: application.client, account_type: application.account_type },
    appKey,
    iso(application.startedAt),
  );
  const id = started.application_id;
  // After a crash a step may be taken while its outcome was never kept: the process may since have ended.
  const taken = await acceptedActions(services.sql, id);
  let officer = started.assigned_officer_id;
  for (const [n, step] of application.steps.entries()) {
    if (taken.has(step.command)) {
      const row = step.thenSystemStep
        ? await watch.until(id, settled, 'its own step')
        : await getProcess(services.sql, id);
      officer = (row?.detail.assigned_officer_id as string | null) ?? officer;
      continue;
    }
    const by = step.by === 'assigned_officer' ? officer! : step.by;
    const assignee = step.assignTo === 'other_officer' ? otherOfficer(officer) : step.assignTo;
    const input = assignee ? { ...step.input, assigned_officer_id: assignee } : step.input;
    const key = `${appKey}:${n}`;
    const view = await accountOpening.runCommand(actor(by), id, step.command, input, key, iso(step.at));
    const row = step.thenSystemStep ? await watch.until(id, settled, `its own step after ${step.command}`) : undefined;
    officer = ((row?.detail ?? view).assigned_officer_id as string | null) ?? officer;
  }
  for (const thread of application.threads ?? []) {
    const assignee = thread.assignee ? { assignee_id: thread.assignee } : {};
    await queryThreads.open(
      actor(thread.by),
      id,
      { kind: thread.kind, title: thread.title, body: thread.body, ...assignee },
      thread.key,
    );
  }
}

/** No step of the workflow's own is due: the review has begun, the account is open (or its creation failed). */
const settled = (row: ProcessRow) =>
  row.status !== 'submitted' && (row.status !== 'approved' || Boolean(row.detail.crm_failure));

const OFFICERS = ['usr_carla_compliance', 'usr_colin_compliance'] as const;
const otherOfficer = (officer: string | null) => (officer === OFFICERS[0] ? OFFICERS[1] : OFFICERS[0]);

/**
 * A review start such that `percent` of the compliance-review SLA is used at `now`, on the active policy and
 * its business calendar: the workflow's SLA clock then counts from there and fires what is due.
 */
async function reviewStartOn(deps: HubDeps, now: number): Promise<ReviewStart> {
  const loaded = await loadSlaPolicy(deps.sql, 'account_opening', 'compliance_review', new Date(now));
  if (!loaded) return (percent) => now - (percent / 100) * 2 * DAY_MS;
  const calendar = policyCalendar(loaded.calendar, loaded.policy);
  const target = clockTimeBetween(calendar, now, computeDeadline(calendar, now, loaded.policy.target));
  return (percent) => {
    // Clock time is monotonic in the start: bisect over the last 30 days to the minute.
    let [early, late] = [now - 30 * DAY_MS, now];
    while (late - early > MINUTE_MS) {
      const mid = (early + late) / 2;
      if (clockTimeBetween(calendar, mid, now) > (percent / 100) * target) early = mid;
      else late = mid;
    }
    return Math.round(late);
  };
}

/**
 * The drift check, run now rather than at 06:00: the drifted portfolios get rebalances. Priya's is large, so
 * after Alex approves it, it waits for compliance; Chris's waits for Alex.
 */
async function seedRebalances(rebalancing: RebalancingService, watch: ProcessWatch): Promise<number> {
  // A resumed seeding keeps the rebalances it started: checking again would also catch the accounts it opened since.
  const earlier = await rebalancing.listRebalances(actor('usr_ada_admin'), { limit: 100 });
  const rebalances = earlier.length
    ? earlier.filter((r) => r.status.startsWith('awaiting_'))
    : (await rebalancing.runDriftCheck(actor('usr_omar_ops'))).started;
  for (const { rebalance_id } of rebalances)
    await watch.until(rebalance_id, (r) => r.status.startsWith('awaiting_'), 'a proposal awaiting people');
  const priya = rebalances.find((r) => r.portfolio_id === 'pf_priya_balanced');
  if (priya) {
    await rebalancing.runCommand(
      actor('usr_alex_advisor'),
      priya.rebalance_id,
      'approve',
      { notes: 'Equities ran ahead of bonds; back to the balanced model' },
      'demo-rebalance-priya:approve',
    );
  }
  return rebalances.length;
}

async function inParallel<T>(items: readonly T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, lane));
}

/**
 * For entry points: the seeding with a Temporal client of its own. A failure is logged, not thrown: the hub
 * works without its demo processes, and the next start resumes the seeding.
 */
export async function runDemoSeeding(options: {
  config: HubConfig;
  sql: Sql;
  boss: PgBoss;
  log: Logger;
  temporalAddress: string;
  taskQueue?: string;
  freshFirm: boolean;
}): Promise<DemoSeedSummary | null> {
  const { config, sql, boss, log } = options;
  const temporal = await connectTemporalClient(options.temporalAddress, config);
  try {
    const taskQueue = options.taskQueue ?? config.TEMPORAL_TASK_QUEUE;
    return await seedDemoProcesses({ config, sql, boss, log, temporal, taskQueue }, options.freshFirm);
  } catch (error) {
    log.error({ err: error }, 'demo processes: the seeding stopped; the next start resumes it');
    return null;
  } finally {
    await temporal.connection.close();
  }
}
