import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applicationWorkflowId } from '../../workflows/account-opening/definitions.js';
import { rebalanceWorkflowId } from '../../workflows/rebalancing/definitions.js';
import { applicationInReview, expectError, expectOk, loginAll, type Login } from '../support/account-opening.js';
import { keepHistory } from '../support/histories.js';
import { startTestHub, waitForStatus, type TestHub } from '../support/hub.js';

const COMMAND_TIMEOUT_MS = 3_000;

/** The one command service every process type runs on: kept outcomes, the deadline, audited reads, live SLA. */
describe('commands of every process type', () => {
  let hub: TestHub;
  let tokens: Record<Login, string>;
  beforeAll(async () => {
    hub = await startTestHub({ env: { COMMAND_TIMEOUT_MS: String(COMMAND_TIMEOUT_MS) } });
    tokens = await loginAll(hub);
  });
  afterAll(async () => {
    await hub?.stop();
  });

  const refusalsOf = (id: string) =>
    hub.sql`SELECT actor_id, action, error_code FROM audit_log WHERE process_id = ${id} AND outcome = 'refused' ORDER BY id`;

  it('a command repeated with its Idempotency-Key answers its first outcome, after the process moved on, with no false refusal', async () => {
    const id = await applicationInReview(hub, { advisor: tokens.alex });
    const key = { 'idempotency-key': 'approve-once' };
    const first = expectOk(await hub.api(tokens.carla, 'POST', `/applications/${id}/approve`, { notes: 'Fine' }, key));
    expect(first.status).toBe('approved');
    await waitForStatus(hub.sql, id, 'account_created');
    await keepHistory(hub, applicationWorkflowId(id), 'account-opening--approved-and-created');

    // The application is finished now: without the kept outcome the repeat would be refused and audited.
    const again = expectOk(await hub.api(tokens.carla, 'POST', `/applications/${id}/approve`, { notes: 'Fine' }, key));
    expect({ status: again.status, version: again.version, approvals: again.approvals }).toEqual({
      status: first.status,
      version: first.version,
      approvals: first.approvals,
    });
    expect(await refusalsOf(id)).toEqual([]);
    const approvals =
      await hub.sql`SELECT count(*)::int AS n FROM audit_log WHERE process_id = ${id} AND action = 'compliance_approve'`;
    expect(approvals[0].n).toBe(1);

    // Another key is another command: that one meets the finished application.
    expectError(
      await hub.api(tokens.carla, 'POST', `/applications/${id}/approve`, {}, { 'idempotency-key': 'approve-twice' }),
      400,
      'INVALID_STATUS_TRANSITION',
    );
    expect(await refusalsOf(id)).toHaveLength(1);
  });

  it('a refused command repeated with its key is refused the same, audited once', async () => {
    const id = await applicationInReview(hub, { advisor: tokens.alex });
    const key = { 'idempotency-key': 'reject-by-advisor' };
    for (let i = 0; i < 3; i += 1) {
      expectError(
        await hub.api(tokens.alex, 'POST', `/applications/${id}/reject`, { rejection_reason: 'no' }, key),
        403,
        'FORBIDDEN',
      );
    }
    expect(await refusalsOf(id)).toEqual([
      { actor_id: 'usr_alex_advisor', action: 'compliance_reject', error_code: 'FORBIDDEN' },
    ]);
  });

  it('a rebalance shows its live SLA, and a refused read of it is audited', async () => {
    const started = await hub.api(tokens.alex, 'POST', '/portfolios/pf_priya_balanced/rebalance');
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    const id = started.body.rebalance_id as string;
    expect(started.body.sla).toMatchObject({ state: 'awaiting_advisor', status: 'on_track', paused: false });
    const view = expectOk(await hub.api(tokens.alex, 'GET', `/rebalances/${id}`));
    expect(view.sla).toMatchObject({ state: 'awaiting_advisor', deadline: started.body.sla.deadline });
    const listed = expectOk(await hub.api(tokens.alex, 'GET', '/rebalances?status=awaiting_advisor'));
    expect(listed.rebalances.find((r: { rebalance_id: string }) => r.rebalance_id === id).sla.state).toBe(
      'awaiting_advisor',
    );

    expectError(await hub.api(tokens.beth, 'GET', `/rebalances/${id}`), 403, 'FORBIDDEN');
    expectError(await hub.api(tokens.beth, 'GET', `/rebalances/${id}/audit`), 403, 'FORBIDDEN');
    expect(await refusalsOf(id)).toEqual([
      { actor_id: 'usr_beth_advisor', action: 'get_rebalance', error_code: 'FORBIDDEN' },
      { actor_id: 'usr_beth_advisor', action: 'read_audit_trail', error_code: 'FORBIDDEN' },
    ]);
  });

  it('a rebalance command sent while no worker runs answers 503 after the deadline; its retry with the key applies it once', async () => {
    const started = await hub.api(tokens.alex, 'POST', '/portfolios/pf_chris_growth/rebalance');
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    const id = started.body.rebalance_id as string;
    const key = { 'idempotency-key': 'decline-while-down' };
    await hub.stopWorker();
    try {
      const begun = Date.now();
      expectError(
        await hub.api(tokens.alex, 'POST', `/rebalances/${id}/decline`, { reason: 'Client is moving' }, key),
        503,
        'SERVICE_UNAVAILABLE',
      );
      expect(Date.now() - begun).toBeGreaterThanOrEqual(COMMAND_TIMEOUT_MS - 100);
      expect(await refusalsOf(id)).toEqual([]);
    } finally {
      await hub.startWorker();
    }
    const applied = expectOk(
      await hub.api(tokens.alex, 'POST', `/rebalances/${id}/decline`, { reason: 'Client is moving' }, key),
    );
    expect(applied.status).toBe('declined');
    const declines =
      await hub.sql`SELECT count(*)::int AS n FROM audit_log WHERE process_id = ${id} AND action = 'decline' AND outcome = 'accepted'`;
    expect(declines[0].n).toBe(1);
    await keepHistory(hub, rebalanceWorkflowId(hub.taskQueue, 'pf_chris_growth'), 'rebalancing--declined-after-503');
  });
});
