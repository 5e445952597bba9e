import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpCrm } from '../../workers/crm/http-crm.js';
import {
  accountOpeningSpec as spec,
  type AccountOpeningCommand,
  type ApplicationStatus,
} from '../../workflows/account-opening/spec.js';
import { ROLES, type Ownership, type Role } from '../../workflows/process-spec.js';
import {
  driveTo,
  expectError,
  FUNDING_BODY,
  loginAll,
  openApplication,
  PRODUCTS_BODY,
  RISK_BODY,
  TERMS_BODY,
  type DriveTarget,
  type Login,
} from '../support/account-opening.js';
import { startTestHub, waitForNotice, type TestHub } from '../support/hub.js';
import { startTestCrm, type TestCrm } from '../support/test-crm-server.js';

/**
 * The permission matrix, generated from the spec: every role, with and without a relation to the
 * application where the role can hold one, against every command and read. The expectation is computed
 * here from `commands[*].roles` and `readers` alone, so a policy that drifts from the spec fails.
 */

interface Principal {
  login: Login;
  role: Role;
  /** The client the application is for, or the advisor on it. */
  related: boolean;
}

const PRINCIPALS: Principal[] = [
  { login: 'chris', role: 'client', related: true },
  { login: 'fiona', role: 'client', related: false },
  { login: 'alex', role: 'advisor', related: true },
  { login: 'beth', role: 'advisor', related: false },
  { login: 'carla', role: 'compliance_officer', related: false },
  { login: 'manager', role: 'manager', related: false },
  { login: 'ops', role: 'ops', related: false },
  { login: 'admin', role: 'admin', related: false },
];
const describePrincipal = (p: Principal) =>
  `${p.role}${p.role === 'client' || p.role === 'advisor' ? (p.related ? ' (own)' : ' (other)') : ''}`;

function granted(grants: Partial<Record<Role, Ownership>>, principal: Principal): boolean {
  const ownership = grants[principal.role];
  return ownership === 'any' || (ownership === 'own' && principal.related);
}

type Setup = DriveTarget | 'crm_failed';

/** For each state-changing command: a state where it is legal and a valid input, so only the policy can refuse it. */
const COMMAND_CASES: Record<
  Exclude<AccountOpeningCommand, 'start_application' | 'get_application_status' | 'get_available_products'>,
  { path: string; setup: Setup; body: object }
> = {
  select_products: { path: 'products', setup: 'draft', body: PRODUCTS_BODY },
  complete_risk_assessment: { path: 'risk-assessment', setup: 'risk_assessment', body: RISK_BODY },
  accept_terms: { path: 'terms', setup: 'terms_review', body: TERMS_BODY },
  provide_funding_details: { path: 'funding', setup: 'funding', body: FUNDING_BODY },
  compliance_approve: { path: 'approve', setup: 'compliance_review', body: { notes: 'looks fine' } },
  compliance_reject: {
    path: 'reject',
    setup: 'compliance_review',
    body: { rejection_reason: 'Source of funds unclear' },
  },
  cancel_application: { path: 'cancel', setup: 'draft', body: { reason: 'client changed their mind' } },
  override_status: {
    path: 'override-status',
    setup: 'draft',
    body: { status: 'product_selection', reason: 'restart the product step' },
  },
  reassign_application: {
    path: 'reassign',
    setup: 'draft',
    body: { advisor_id: 'usr_beth_advisor', reason: 'Alex is on leave' },
  },
  retry_account_creation: { path: 'retry-account-creation', setup: 'crm_failed', body: {} },
};
const STATE_OF_SETUP: Record<Setup, ApplicationStatus> = {
  draft: 'draft',
  risk_assessment: 'risk_assessment',
  terms_review: 'terms_review',
  funding: 'funding',
  compliance_review: 'compliance_review',
  approved: 'approved',
  account_created: 'account_created',
  crm_failed: 'approved',
};

describe('permission matrix generated from the account-opening spec', () => {
  let hub: TestHub;
  let crm: TestCrm;
  let tokens: Record<Login, string>;
  beforeAll(async () => {
    // The CRM is down for the whole file, so an approved application waits for an administrator's retry.
    crm = await startTestCrm();
    crm.failNext(Number.POSITIVE_INFINITY);
    hub = await startTestHub({ crm: createHttpCrm({ url: crm.url }) });
    tokens = await loginAll(hub);
  });
  afterAll(async () => {
    await hub?.stop();
    await crm?.stop();
  });

  async function prepare(setup: Setup): Promise<string> {
    const id = await openApplication(hub, tokens.alex);
    if (setup === 'crm_failed') {
      await driveTo(hub, tokens.alex, id, 'compliance_review');
      const approved = await hub.api(tokens.colin, 'POST', `/applications/${id}/approve`, {});
      expect(approved.status).toBe(200);
      await waitForNotice(
        hub.sql,
        'process_changed',
        async () => {
          const [row] = await hub.sql`SELECT detail FROM processes WHERE process_id = ${id}`;
          return row?.detail.crm_failure ? true : undefined;
        },
        30_000,
      );
    } else {
      await driveTo(hub, tokens.alex, id, setup);
    }
    return id;
  }

  async function snapshot(id: string) {
    const [row] = await hub.sql`SELECT status, version, updated_at FROM processes WHERE process_id = ${id}`;
    const [{ n }] =
      await hub.sql`SELECT count(*)::int AS n FROM events WHERE process_id = ${id} AND type <> 'account.status_viewed'`;
    return { ...row, events: n };
  }

  it('covers every role and every command of the spec', () => {
    expect(new Set(PRINCIPALS.map((p) => p.role))).toEqual(new Set(ROLES));
    const commands = (Object.keys(spec.commands) as AccountOpeningCommand[]).filter(
      (c) => spec.commands[c].from.length > 0 && !('reads' in spec.commands[c]),
    );
    expect(Object.keys(COMMAND_CASES).sort()).toEqual(commands.sort());
    for (const [command, { setup }] of Object.entries(COMMAND_CASES)) {
      expect(spec.commands[command as AccountOpeningCommand].from as readonly string[], command).toContain(
        STATE_OF_SETUP[setup],
      );
    }
  });

  it.each(Object.entries(COMMAND_CASES))(
    '%s: allowed roles pass the policy, the others get 403 and change nothing',
    async (command, { path, setup, body }) => {
      const grants = spec.commands[command as AccountOpeningCommand].roles as Partial<Record<Role, Ownership>>;
      const allowed = PRINCIPALS.filter((p) => granted(grants, p));
      const refused = PRINCIPALS.filter((p) => !granted(grants, p));
      expect(allowed.length).toBeGreaterThan(0);

      // One application serves every refusal (a refusal changes nothing); each allowed caller gets a fresh one.
      const [shared, ...fresh] = await Promise.all([prepare(setup), ...allowed.map(() => prepare(setup))]);
      const before = await snapshot(shared);
      const outcomes: Record<string, number | string> = {};
      const expected: Record<string, number | string> = {};
      for (const principal of refused) {
        const response = await hub.api(tokens[principal.login], 'POST', `/applications/${shared}/${path}`, body);
        outcomes[describePrincipal(principal)] = response.status === 403 ? response.body.error.code : response.status;
        expected[describePrincipal(principal)] = 'FORBIDDEN';
      }
      expect(await snapshot(shared)).toEqual(before);
      for (const [index, principal] of allowed.entries()) {
        const response = await hub.api(tokens[principal.login], 'POST', `/applications/${fresh[index]}/${path}`, body);
        outcomes[describePrincipal(principal)] =
          response.status === 200 ? 200 : `${response.status} ${JSON.stringify(response.body)}`;
        expected[describePrincipal(principal)] = 200;
      }
      expect(outcomes).toEqual(expected);
      // Every refusal is in the audit trail of the shared application.
      const audited =
        await hub.sql`SELECT actor_id FROM audit_log WHERE process_id = ${shared} AND outcome = 'refused' AND error_code = 'FORBIDDEN' AND action = ${command}`;
      expect(audited).toHaveLength(refused.length);
    },
  );

  it('start_application: only the roles the spec names, and client and advisor only for their own client', async () => {
    const grants = spec.commands.start_application.roles as Partial<Record<Role, Ownership>>;
    const outcomes: Record<string, number> = {};
    const expected: Record<string, number> = {};
    for (const principal of PRINCIPALS) {
      const response = await hub.api(tokens[principal.login], 'POST', '/applications', {
        client_id: 'cli_chris_carter',
        account_type: 'individual',
      });
      outcomes[describePrincipal(principal)] = response.status;
      expected[describePrincipal(principal)] = granted(grants, principal) ? 201 : 403;
      if (response.status === 403) expect(response.body.error.code).toBe('FORBIDDEN');
    }
    expect(outcomes).toEqual(expected);
  });

  it('reads: viewing, audit, events, lists and the event feed follow `readers` and get_application_status', async () => {
    const [{ s: after }] = await hub.sql`SELECT coalesce(max(sequence), 0)::bigint AS s FROM events`;
    const id = await prepare('risk_assessment');
    const viewGrants = spec.commands.get_application_status.roles as Partial<Record<Role, Ownership>>;
    const readers = spec.readers as Partial<Record<Role, Ownership>>;
    const outcomes: Record<string, unknown> = {};
    const expected: Record<string, unknown> = {};
    for (const principal of PRINCIPALS) {
      const token = tokens[principal.login];
      const view = await hub.api(token, 'GET', `/applications/${id}`);
      const audit = await hub.api(token, 'GET', `/applications/${id}/audit`);
      const events = await hub.api(token, 'GET', `/applications/${id}/events`);
      const list = await hub.api(token, 'GET', '/applications?status=risk_assessment&limit=500');
      const feed = await hub.api(token, 'GET', `/events?after=${after}&limit=1000`);
      outcomes[describePrincipal(principal)] = {
        view: view.status,
        audit: audit.status,
        events: events.status,
        listed:
          list.status === 200 &&
          list.body.applications.some((a: { application_id: string }) => a.application_id === id),
        in_feed: feed.status === 200 && feed.body.events.some((e: { process_id: string }) => e.process_id === id),
      };
      const sees = granted(readers, principal);
      expected[describePrincipal(principal)] = {
        view: granted(viewGrants, principal) ? 200 : 403,
        audit: sees ? 200 : 403,
        events: sees ? 200 : 403,
        listed: sees,
        in_feed: sees,
      };
      for (const response of [view, audit, events])
        if (response.status === 403) expect(response.body.error.code).toBe('FORBIDDEN');
    }
    expect(outcomes).toEqual(expected);
    // Only the views that were allowed left a status_viewed event.
    await hub.server.views.flush();
    const viewers =
      await hub.sql`SELECT payload->>'viewed_by' AS v FROM events WHERE process_id = ${id} AND type = 'account.status_viewed' ORDER BY sequence`;
    const expectedViewers = await Promise.all(
      PRINCIPALS.filter((p) => granted(viewGrants, p)).map(
        async (p) => (await hub.api(tokens[p.login], 'GET', '/me')).body.id as string,
      ),
    );
    expect(viewers.map((r) => r.v)).toEqual(expectedViewers);
  });

  it("get_available_products: the client's products for the roles the spec names", async () => {
    const grants = spec.commands.get_available_products.roles as Partial<Record<Role, Ownership>>;
    const outcomes: Record<string, number> = {};
    const expected: Record<string, number> = {};
    const [{ n: listedBefore }] = await hub.sql`SELECT count(*)::int AS n FROM events WHERE type = 'products.listed'`;
    for (const principal of PRINCIPALS) {
      const response = await hub.api(tokens[principal.login], 'GET', '/clients/cli_chris_carter/products');
      outcomes[describePrincipal(principal)] = response.status;
      expected[describePrincipal(principal)] = granted(grants, principal) ? 200 : 403;
      if (response.status === 403) expectError(response, 403, 'FORBIDDEN');
    }
    expect(outcomes).toEqual(expected);
    const [{ n: listedAfter }] = await hub.sql`SELECT count(*)::int AS n FROM events WHERE type = 'products.listed'`;
    expect(listedAfter - listedBefore).toBe(PRINCIPALS.filter((p) => granted(grants, p)).length);
  });
});
