import { expect } from 'vitest';
import type { ApiResponse, TestHub } from './hub.js';
import { waitForStatus } from './hub.js';

/** Demo logins by what they are in the account-opening process. */
export const LOGINS = {
  admin: 'ada.admin@hub.example',
  ops: 'omar.ops@hub.example',
  manager: 'maya.manager@hub.example',
  carla: 'carla.compliance@hub.example',
  colin: 'colin.compliance@hub.example',
  helen: 'helen.head@hub.example',
  alex: 'alex.advisor@hub.example',
  beth: 'beth.advisor@hub.example',
  chris: 'chris.carter@client.example',
  priya: 'priya.patel@client.example',
  dana: 'dana.diaz@client.example',
  fiona: 'fiona.fischer@client.example',
} as const;
export type Login = keyof typeof LOGINS;

/** Signs every demo user in once; a login pays for a memory-hard hash, so tests share the tokens. */
export async function loginAll(hub: TestHub): Promise<Record<Login, string>> {
  const entries = await Promise.all(
    (Object.keys(LOGINS) as Login[]).map(async (name) => [name, await hub.login(LOGINS[name])] as const),
  );
  return Object.fromEntries(entries) as Record<Login, string>;
}

export const PRODUCTS_BODY = { selected_products: ['prd_global_equity_index', 'prd_core_bond'] };
export const RISK_BODY = { risk_score: 55, investment_objective: 'growth', investment_horizon: 'long_term' };
export const TERMS_BODY = { terms_accepted: true };
export const FUNDING_BODY = {
  funding_method: 'wire_transfer',
  initial_investment_amount: 50_000,
  currency: 'USD',
  source_of_funds: 'savings',
};

/** Asserts the hub's one error shape, with the status and code the blueprint gives. */
export function expectError(response: ApiResponse<Record<string, any>>, status: number, code: string): void {
  expect({ status: response.status, code: response.body?.error?.code }, JSON.stringify(response.body)).toEqual({
    status,
    code,
  });
  expect(typeof response.body.error.message).toBe('string');
  expect(response.body.error.message.length).toBeGreaterThan(0);
}

export function expectOk(response: ApiResponse<Record<string, any>>, status = 200): Record<string, any> {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  return response.body;
}

export async function openApplication(
  hub: TestHub,
  token: string,
  clientId = 'cli_chris_carter',
  accountType = 'individual',
): Promise<string> {
  const created = expectOk(
    await hub.api(token, 'POST', '/applications', { client_id: clientId, account_type: accountType }),
    201,
  );
  expect(created.status).toBe('draft');
  return created.application_id as string;
}

export type DriveTarget =
  'draft' | 'risk_assessment' | 'terms_review' | 'funding' | 'compliance_review' | 'approved' | 'account_created';

const STEPS: { reaches: DriveTarget; path: string; body: (options: DriveOptions) => object }[] = [
  { reaches: 'risk_assessment', path: 'products', body: (o) => o.products ?? PRODUCTS_BODY },
  { reaches: 'terms_review', path: 'risk-assessment', body: (o) => o.risk ?? RISK_BODY },
  { reaches: 'funding', path: 'terms', body: () => TERMS_BODY },
  { reaches: 'compliance_review', path: 'funding', body: (o) => o.funding ?? FUNDING_BODY },
];

export interface DriveOptions {
  products?: object;
  risk?: object;
  funding?: object;
  /** Compliance officer tokens that approve, in order, once the application is in review. */
  approvers?: string[];
}

/** Takes an application through the API, as its advisor (or client), to the given state. */
export async function driveTo(
  hub: TestHub,
  token: string,
  applicationId: string,
  target: DriveTarget,
  options: DriveOptions = {},
) {
  let detail: Record<string, any> | undefined;
  if (target === 'draft') return;
  for (const step of STEPS) {
    const answer = expectOk(
      await hub.api(token, 'POST', `/applications/${applicationId}/${step.path}`, step.body(options)),
    );
    if (step.reaches === 'compliance_review') {
      // The system moves submitted → compliance_review on its own, possibly before the answer is built.
      expect(['submitted', 'compliance_review']).toContain(answer.status);
      detail = await waitForStatus(hub.sql, applicationId, 'compliance_review', 30_000);
    } else {
      expect(answer.status).toBe(step.reaches);
    }
    if (step.reaches === target) return detail;
  }
  for (const approver of options.approvers ?? []) {
    expectOk(await hub.api(approver, 'POST', `/applications/${applicationId}/approve`, {}));
  }
  if (target === 'approved')
    return hub.sql`SELECT detail FROM processes WHERE process_id = ${applicationId}`.then(([row]) => row.detail);
  return waitForStatus(hub.sql, applicationId, 'account_created', 30_000);
}

export async function auditOf(hub: TestHub, applicationId: string) {
  return hub.sql`
    SELECT action, outcome, actor_id, actor_role, channel, status_before, status_after, error_code, details
    FROM audit_log WHERE process_id = ${applicationId} ORDER BY id`;
}

export async function eventTypesOf(hub: TestHub, applicationId: string): Promise<string[]> {
  const rows = await hub.sql`SELECT type FROM events WHERE process_id = ${applicationId} ORDER BY sequence`;
  return rows.map((r) => r.type as string);
}

/** The application's read-model row as the workflow last recorded it. */
export async function readModel(hub: TestHub, applicationId: string): Promise<Record<string, any>> {
  const [row] = await hub.sql`SELECT status, version, detail FROM processes WHERE process_id = ${applicationId}`;
  return row as Record<string, any>;
}

/** One step after the draft (0: products … 3: funding) as the advisor sends it, with the default bodies. */
export async function runStep(
  hub: TestHub,
  token: string,
  applicationId: string,
  step: number,
): Promise<Record<string, any>> {
  const { path, body } = STEPS[step];
  return expectOk(await hub.api(token, 'POST', `/applications/${applicationId}/${path}`, body({})));
}

export interface ReviewOptions {
  /** The advisor's token; Alex's by default. */
  advisor?: string;
  clientId?: string;
  amount?: number;
  riskScore?: number;
  sourceOfFundsDetail?: string;
}

/**
 * A new application its advisor took through the API to compliance review. Priya is a politically exposed
 * client, and above 250,000 an application needs enhanced due diligence.
 */
export async function applicationInReview(hub: TestHub, options: ReviewOptions = {}): Promise<string> {
  const advisor = options.advisor ?? (await hub.login(LOGINS.alex));
  const id = await openApplication(hub, advisor, options.clientId);
  await driveTo(hub, advisor, id, 'compliance_review', {
    risk: { ...RISK_BODY, risk_score: options.riskScore ?? RISK_BODY.risk_score },
    funding: {
      ...FUNDING_BODY,
      initial_investment_amount: options.amount ?? FUNDING_BODY.initial_investment_amount,
      ...(options.sourceOfFundsDetail ? { source_of_funds_detail: options.sourceOfFundsDetail } : {}),
    },
  });
  return id;
}
