import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpCrm } from '../../workers/crm/http-crm.js';
import {
  auditOf,
  driveTo,
  eventTypesOf,
  expectError,
  expectOk,
  FUNDING_BODY,
  loginAll,
  openApplication,
  readModel,
  TERMS_BODY,
  type Login,
} from '../support/account-opening.js';
import { startTestHub, waitForStatus, type ApiResponse, type TestHub } from '../support/hub.js';
import { startTestCrm, type TestCrm } from '../support/test-crm-server.js';

const COMMAND_TIMEOUT_MS = 3_000;
/** Longer than the activities' start-to-close timeout (30 s), the longest a lost activity attempt takes to be retried. */
const RECOVERY_MS = 75_000;

describe('a worker stopped and restarted in the middle of an application loses nothing', () => {
  let hub: TestHub;
  let crm: TestCrm;
  let tokens: Record<Login, string>;
  beforeAll(async () => {
    crm = await startTestCrm();
    hub = await startTestHub({
      crm: createHttpCrm({ url: crm.url }),
      // Enough CRM attempts, spaced out, for a worker to be stopped and started while they run.
      env: { COMMAND_TIMEOUT_MS: String(COMMAND_TIMEOUT_MS), CRM_MAX_ATTEMPTS: '30', CRM_RETRY_INITIAL_MS: '300' },
    });
    tokens = await loginAll(hub);
  });
  afterAll(async () => {
    await hub?.stop();
    await crm?.stop();
  });

  /** What a client does after a 503: send the command again (with its key, if it had one) until the hub confirms or refuses it. */
  async function untilConfirmed(send: () => Promise<ApiResponse<Record<string, any>>>) {
    const deadline = Date.now() + RECOVERY_MS;
    for (;;) {
      const response = await send();
      if (response.status !== 503 || Date.now() > deadline) return response;
    }
  }

  /** Exactly one accepted audit row per transition and one event per change: nothing lost, nothing twice. */
  async function expectRecordedOnce(id: string) {
    const accepted = (await auditOf(hub, id))
      .filter((a) => a.outcome === 'accepted')
      .map((a) => `${a.action}: ${a.status_before} → ${a.status_after}`);
    expect(accepted).toEqual([
      'start_application: draft → draft',
      'select_products: draft → risk_assessment',
      'complete_risk_assessment: risk_assessment → terms_review',
      'accept_terms: terms_review → funding',
      'provide_funding_details: funding → submitted',
      'begin_review: submitted → compliance_review',
      'compliance_approve: compliance_review → approved',
      'create_account: approved → account_created',
    ]);
    expect((await eventTypesOf(hub, id)).filter((t) => t !== 'account.status_viewed')).toEqual([
      'account.application_started',
      'account.products_selected',
      'account.risk_assessed',
      'account.suitability_warning',
      'account.terms_accepted',
      'account.submitted',
      'account.review_started',
      'account.approved',
      'account.created',
    ]);
    const versions =
      await hub.sql`SELECT (details->>'version')::int AS v FROM audit_log WHERE process_id = ${id} AND outcome = 'accepted' ORDER BY id`;
    expect(versions.map((r) => r.v)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  }

  it('commands sent while no worker runs answer 503 after the deadline, change nothing, and a retry with the same Idempotency-Key applies them once', async () => {
    const id = await openApplication(hub, tokens.alex);
    await driveTo(hub, tokens.alex, id, 'terms_review');
    await hub.stopWorker();

    // Reads come from the read model and do not need a worker.
    expect(expectOk(await hub.api(tokens.alex, 'GET', `/applications/${id}`)).status).toBe('terms_review');

    const started = Date.now();
    const unconfirmed = await hub.api(tokens.alex, 'POST', `/applications/${id}/terms`, TERMS_BODY, {
      'idempotency-key': 'terms-once',
    });
    expectError(unconfirmed, 503, 'SERVICE_UNAVAILABLE');
    expect(unconfirmed.body.error.message).toContain('Idempotency-Key');
    expect(Date.now() - started).toBeGreaterThanOrEqual(COMMAND_TIMEOUT_MS - 100);
    expect(await readModel(hub, id)).toMatchObject({ status: 'terms_review', version: 3 });
    // Not a refusal: nothing in the audit trail says it was refused.
    expect((await auditOf(hub, id)).filter((a) => a.outcome === 'refused')).toEqual([]);

    // A new application cannot be confirmed either, and says so the same way.
    expectError(
      await hub.api(tokens.alex, 'POST', '/applications', {
        client_id: 'cli_gabriel_garcia',
        account_type: 'individual',
      }),
      503,
      'SERVICE_UNAVAILABLE',
    );

    await hub.startWorker();
    const retried = expectOk(
      await untilConfirmed(() =>
        hub.api(tokens.alex, 'POST', `/applications/${id}/terms`, TERMS_BODY, { 'idempotency-key': 'terms-once' }),
      ),
    );
    expect(retried.status).toBe('funding');
    const replay = expectOk(
      await hub.api(tokens.alex, 'POST', `/applications/${id}/terms`, TERMS_BODY, { 'idempotency-key': 'terms-once' }),
    );
    expect(replay.version).toBe(retried.version);

    // Stopped right after a command, before or while the system takes its own step: it takes it once on restart.
    expectOk(await hub.api(tokens.alex, 'POST', `/applications/${id}/funding`, FUNDING_BODY));
    await hub.stopWorker();
    await hub.startWorker();
    // An activity caught by the stop is retried after its start-to-close timeout (30 s), hence the long wait.
    await waitForStatus(hub.sql, id, 'compliance_review', RECOVERY_MS);

    // An approval without a key while no worker runs: 503, and however the retry races the original, one approval counts.
    await hub.stopWorker();
    expectError(await hub.api(tokens.carla, 'POST', `/applications/${id}/approve`, {}), 503, 'SERVICE_UNAVAILABLE');
    await hub.startWorker();
    const again = await untilConfirmed(() => hub.api(tokens.carla, 'POST', `/applications/${id}/approve`, {}));
    if (again.status !== 200) expectError(again, 400, 'INVALID_STATUS_TRANSITION');
    await waitForStatus(hub.sql, id, 'account_created', RECOVERY_MS);
    await expectRecordedOnce(id);
    expect(crm.accounts.get(id)).toBe((await readModel(hub, id)).detail.account_number);
  }, 240_000);

  it('a worker stopped while the CRM call is being retried picks the application up again and books one account', async () => {
    const id = await openApplication(hub, tokens.alex);
    await driveTo(hub, tokens.alex, id, 'compliance_review');
    crm.failNext(Number.POSITIVE_INFINITY);
    expectOk(await hub.api(tokens.carla, 'POST', `/applications/${id}/approve`, {}));
    await crm.waitForCalls(id, 2);
    await hub.stopWorker();
    expect((await readModel(hub, id)).status).toBe('approved');
    crm.failNext(0);
    await hub.startWorker();
    const done = await waitForStatus(hub.sql, id, 'account_created', RECOVERY_MS);
    expect(done.crm_failure).toBeNull();
    expect(crm.calls.filter((c) => c.idempotency_key === id && c.booked)).toHaveLength(1);
    expect(done.account_number).toBe(crm.accounts.get(id));
    await expectRecordedOnce(id);
  }, 180_000);
});
