import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applicationWorkflowId, slaPauseSignal } from '../../workflows/account-opening/definitions.js';
import { createBuiltinCrm } from '../../workers/crm/builtin-crm.js';
import { startTestHub, waitForNotice, type TestHub } from '../support/hub.js';
import { applicationInReview } from '../support/account-opening.js';

const seconds = (s: number) => s / 3600;

interface StoredEvent {
  sequence: number;
  type: string;
  payload: Record<string, any>;
}

describe('compliance SLA on the real Temporal dev server', () => {
  let hub: TestHub;
  let admin: string;
  let advisor: string;
  let compliance: string;

  // Account creation can be held, so an approved application stays approved past the old deadline.
  let crmGate: Promise<void> = Promise.resolve();
  beforeAll(async () => {
    hub = await startTestHub({
      crm: {
        name: 'held',
        createAccount: async (request) => {
          await crmGate;
          return createBuiltinCrm(hub.sql).createAccount(request);
        },
      },
    });
    [admin, advisor, compliance] = await Promise.all([
      hub.login('ada.admin@hub.example'),
      hub.login('alex.advisor@hub.example'),
      hub.login('carla.compliance@hub.example'),
    ]);
  });
  afterAll(async () => {
    await hub?.stop();
  });

  /** Replaces the seeded compliance-review policy with a wall-clock one of a few seconds. */
  async function useShortPolicy(
    targetSeconds: number,
    rungs: { kind: string; at_percent: number; notify: string[] }[],
  ) {
    const response = await hub.api(admin, 'PUT', '/sla/policies/account-opening-compliance-review', {
      process_type: 'account_opening',
      state: 'compliance_review',
      target: { unit: 'wall_clock_hours', amount: seconds(targetSeconds) },
      calendar_id: null,
      rungs,
    });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
  }

  async function slaEvents(processId: string): Promise<StoredEvent[]> {
    return (await hub.sql`
      SELECT sequence, type, payload FROM events WHERE process_id = ${processId} AND type LIKE 'sla.%' ORDER BY sequence`) as unknown as StoredEvent[];
  }

  const waitForSlaEvents = (processId: string, count: number) =>
    waitForNotice(
      hub.sql,
      'process_changed',
      async () => {
        const events = await slaEvents(processId);
        return events.length >= count ? events : undefined;
      },
      30_000,
    );

  const FULL_CHAIN = [
    { kind: 'warning', at_percent: 50, notify: ['assigned_officer'] },
    { kind: 'breach', at_percent: 100, notify: ['role:manager'] },
    { kind: 'escalation', at_percent: 150, notify: ['user:usr_helen_head'] },
  ];

  it('fires warning, breach and escalation in order, once each, to the right people', async () => {
    await useShortPolicy(2, FULL_CHAIN);
    const id = await applicationInReview(hub, { advisor: advisor });
    const events = await waitForSlaEvents(id, 3);
    expect(events.map((e) => e.type)).toEqual(['sla.warning', 'sla.breached', 'sla.escalated']);
    const officer = (await hub.sql`SELECT assigned_user_id FROM processes WHERE process_id = ${id}`)[0]
      .assigned_user_id as string;
    expect(events[0].payload).toMatchObject({
      process_type: 'account_opening',
      process_id: id,
      state: 'compliance_review',
      notified: [officer],
    });
    expect(events[1].payload.notified).toEqual(['role:manager']);
    expect(events[2].payload.notified).toEqual(['usr_helen_head']);
    expect(events[1].payload.elapsed_ms).toBeGreaterThanOrEqual(2_000);
    expect(Date.parse(events[0].payload.deadline)).toBeGreaterThan(0);

    const audit = await hub.api(compliance, 'GET', `/applications/${id}/audit`);
    expect(
      audit.body.audit
        .filter((a: { action: string }) => a.action.startsWith('sla_'))
        .map((a: { action: string }) => a.action),
    ).toEqual(['sla_warning', 'sla_breach', 'sla_escalation']);

    const notified = async (userId: string, kind: string) =>
      (
        await hub.sql`SELECT count(*)::int AS n FROM notifications WHERE user_id = ${userId} AND process_id = ${id} AND kind = ${kind}`
      )[0].n;
    await waitForNotice(
      hub.sql,
      'notification_created',
      async () => (await notified('usr_helen_head', 'sla_escalated')) === 1,
    );
    expect(await notified(officer, 'sla_warning')).toBe(1);
    expect(await notified('usr_maya_manager', 'sla_breached')).toBe(1);

    const view = await hub.api(compliance, 'GET', `/applications/${id}`);
    expect(view.body.sla).toMatchObject({ state: 'compliance_review', status: 'breached', paused: false });
    expect(view.body.sla.rungs_fired.map((r: { kind: string }) => r.kind)).toEqual(['warning', 'breach', 'escalation']);
    expect(view.body.sla.percent_elapsed).toBeGreaterThanOrEqual(150);

    const breaches = await hub.api(
      compliance,
      'GET',
      `/sla/breaches?since=${encodeURIComponent(new Date(Date.now() - 60_000).toISOString())}`,
    );
    expect(
      breaches.body.breaches
        .filter((b: { process_id: string }) => b.process_id === id)
        .map((b: { type: string }) => b.type),
    ).toEqual(['sla.escalated', 'sla.breached']);
    const managerBell = await hub.api(await hub.login('maya.manager@hub.example'), 'GET', '/notifications?unread=true');
    expect(
      managerBell.body.notifications.some(
        (n: { kind: string; process_id: string }) => n.kind === 'sla_breached' && n.process_id === id,
      ),
    ).toBe(true);
  });

  it('cancels the remaining rungs when the application is approved before the deadline', async () => {
    await useShortPolicy(4, [
      { kind: 'warning', at_percent: 25, notify: ['assigned_officer'] },
      { kind: 'breach', at_percent: 100, notify: ['role:manager'] },
      { kind: 'escalation', at_percent: 150, notify: ['role:manager'] },
    ]);
    const id = await applicationInReview(hub, { advisor: advisor });
    const [warning] = await waitForSlaEvents(id, 1);
    let release = () => {};
    crmGate = new Promise((resolve) => (release = resolve));
    const approved = await hub.api(compliance, 'POST', `/applications/${id}/approve`, {});
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    // The application now waits in approved while the review's breach and escalation times pass.
    const escalationDue = Date.parse(warning.payload.deadline) + 2_000;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, escalationDue + 500 - Date.now())));
    const [held] = await hub.sql`SELECT status, sla FROM processes WHERE process_id = ${id}`;
    expect(held).toEqual({ status: 'approved', sla: null });
    expect((await slaEvents(id)).map((e) => e.type)).toEqual(['sla.warning']);
    release();
    await hub.server.deps.temporal.workflow.getHandle(applicationWorkflowId(id)).result();
    expect((await slaEvents(id)).map((e) => e.type)).toEqual(['sla.warning']);
  });

  it('pauses while a query waits on the advisor and delays every rung by the paused time', async () => {
    await useShortPolicy(3, [{ kind: 'breach', at_percent: 100, notify: ['role:manager'] }]);
    const id = await applicationInReview(hub, { advisor: advisor });
    const handle = hub.server.deps.temporal.workflow.getHandle(applicationWorkflowId(id));
    await handle.signal(slaPauseSignal, { key: 'query-1', active: true, reason: 'question to the advisor' });
    const paused = await waitForNotice(hub.sql, 'process_changed', async () => {
      const [row] = await hub.sql`SELECT sla FROM processes WHERE process_id = ${id}`;
      return row.sla?.paused ? row.sla : undefined;
    });
    expect(paused.status).toBe('paused');
    const startedAt = Date.parse(paused.started_at);

    // Hold the pause past the original deadline: the time passing is what is under test.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, startedAt + 4_000 - Date.now())));
    expect(await slaEvents(id)).toEqual([]);
    const view = await hub.api(compliance, 'GET', `/applications/${id}`);
    expect(view.body.sla).toMatchObject({ status: 'paused', paused: true });

    await handle.signal(slaPauseSignal, { key: 'query-1', active: false, reason: 'answered' });
    const [breach] = await waitForSlaEvents(id, 1);
    const [row] = await hub.sql`SELECT sla FROM processes WHERE process_id = ${id}`;
    const pausedMs = row.sla.paused_total_ms as number;
    expect(pausedMs).toBeGreaterThanOrEqual(3_000);
    const firedAt = Date.parse(row.sla.rungs_fired[0].fired_at);
    expect(firedAt - startedAt).toBeGreaterThanOrEqual(3_000 + pausedMs - 50);
    expect(breach.payload.elapsed_ms).toBeGreaterThanOrEqual(3_000 - 50);
    const actions = (await hub.api(compliance, 'GET', `/applications/${id}/audit`)).body.audit.map(
      (a: { action: string }) => a.action,
    );
    expect(actions.filter((a: string) => a.startsWith('sla_'))).toEqual(['sla_paused', 'sla_resumed', 'sla_breach']);
  });

  it('fires every rung exactly once across a worker restart between rungs', async () => {
    await useShortPolicy(3, FULL_CHAIN);
    const id = await applicationInReview(hub, { advisor: advisor });
    const [warning] = await waitForSlaEvents(id, 1);
    expect(warning.type).toBe('sla.warning');
    await hub.stopWorker();
    // While no worker runs, the breach falls due on the server.
    const [row] = await hub.sql`SELECT sla FROM processes WHERE process_id = ${id}`;
    await new Promise((resolve) =>
      setTimeout(resolve, Math.max(0, Date.parse(row.sla.started_at) + 3_500 - Date.now())),
    );
    expect((await slaEvents(id)).map((e) => e.type)).toEqual(['sla.warning']);
    await hub.startWorker();
    const events = await waitForSlaEvents(id, 3);
    expect(events.map((e) => e.type)).toEqual(['sla.warning', 'sla.breached', 'sla.escalated']);
    const audit =
      await hub.sql`SELECT action FROM audit_log WHERE process_id = ${id} AND action LIKE 'sla_%' ORDER BY id`;
    expect(audit.map((a) => a.action)).toEqual(['sla_warning', 'sla_breach', 'sla_escalation']);
  });

  it('lets only administrators change policies, and validates them', async () => {
    const body = {
      process_type: 'account_opening',
      state: 'compliance_review',
      target: { unit: 'business_days', amount: 2 },
      calendar_id: 'us-new-york',
      rungs: FULL_CHAIN,
    };
    expect(
      (await hub.api(compliance, 'PUT', '/sla/policies/account-opening-compliance-review', body)).body.error.code,
    ).toBe('FORBIDDEN');
    const badState = await hub.api(admin, 'PUT', '/sla/policies/x', { ...body, state: 'account_created' });
    expect(badState.body.error).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(badState.body.error.message).toContain('state');
    const badRecipient = await hub.api(admin, 'PUT', '/sla/policies/x', {
      ...body,
      rungs: [{ kind: 'breach', at_percent: 100, notify: ['role:nobody'] }],
    });
    expect(badRecipient.body.error.message).toContain('role:nobody');
    const clash = await hub.api(admin, 'PUT', '/sla/policies/another', body);
    expect(clash.status).toBe(409);
    const ok = await hub.api(admin, 'PUT', '/sla/policies/account-opening-compliance-review', body);
    expect(ok.status).toBe(200);
    const [audited] =
      await hub.sql`SELECT action, actor_id FROM audit_log WHERE process_id = 'sla_policy:account-opening-compliance-review' ORDER BY id DESC LIMIT 1`;
    expect(audited).toEqual({ action: 'update_sla_policy', actor_id: 'usr_ada_admin' });

    const calendar = await hub.api(admin, 'PUT', '/sla/calendars/london', {
      name: 'London office',
      time_zone: 'Europe/London',
      working_hours: { mon: [{ start: '09:00', end: '17:30' }] },
      holiday_region: 'GB-ENG',
    });
    expect(calendar.status, JSON.stringify(calendar.body)).toBe(200);
    const badZone = await hub.api(admin, 'PUT', '/sla/calendars/mars', {
      name: 'Mars',
      time_zone: 'Mars/Olympus',
      working_hours: { mon: [{ start: '09:00', end: '17:00' }] },
      holiday_region: null,
    });
    expect(badZone.body.error.code).toBe('VALIDATION_FAILED');
    const inUse = await hub.api(admin, 'DELETE', '/sla/calendars/us-new-york');
    expect(inUse.status).toBe(409);
  });

  it('shows the SLA on the business calendar for a fresh application', async () => {
    const policy = {
      process_type: 'account_opening',
      state: 'compliance_review',
      target: { unit: 'business_days', amount: 2 },
      calendar_id: 'us-new-york',
      rungs: FULL_CHAIN,
    };
    expect((await hub.api(admin, 'PUT', '/sla/policies/account-opening-compliance-review', policy)).status).toBe(200);
    const id = await applicationInReview(hub, { advisor: advisor });
    const view = await hub.api(compliance, 'GET', `/applications/${id}`);
    expect(view.body.sla).toMatchObject({
      policy_id: 'account-opening-compliance-review',
      state: 'compliance_review',
      paused: false,
      rungs_fired: [],
    });
    // Two business days of eight hours: 57,600,000 ms of working time at most.
    expect(view.body.sla.remaining_ms).toBeLessThanOrEqual(16 * 3600_000);
    expect(view.body.sla.remaining_ms).toBeGreaterThan(15 * 3600_000);
  });

  it('keeps a calendar that a running clock uses, and never fails a read because of one', async () => {
    const week = {
      mon: [{ start: '09:00', end: '17:00' }],
      tue: [{ start: '09:00', end: '17:00' }],
      wed: [{ start: '09:00', end: '17:00' }],
    };
    const paris = { name: 'Paris office', time_zone: 'Europe/Paris', working_hours: week, holiday_region: 'FR' };
    expect((await hub.api(admin, 'PUT', '/sla/calendars/paris', paris)).status).toBe(200);
    const policy = {
      process_type: 'account_opening',
      state: 'compliance_review',
      target: { unit: 'business_days', amount: 2 },
      calendar_id: 'paris',
      rungs: FULL_CHAIN,
    };
    expect((await hub.api(admin, 'PUT', '/sla/policies/account-opening-compliance-review', policy)).status).toBe(200);
    const id = await applicationInReview(hub, { advisor: advisor });
    expect((await hub.api(compliance, 'GET', `/applications/${id}`)).body.sla).toMatchObject({
      state: 'compliance_review',
    });

    // The policies move on; the running clock still counts on Paris, so Paris stays.
    expect(
      (
        await hub.api(admin, 'PUT', '/sla/policies/account-opening-compliance-review', {
          ...policy,
          calendar_id: 'us-new-york',
        })
      ).status,
    ).toBe(200);
    const refused = await hub.api(admin, 'DELETE', '/sla/calendars/paris');
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toContain(id);

    // Gone anyway (removed behind the API's back): reads show the clock as its workflow recorded it.
    await hub.sql`DELETE FROM business_calendars WHERE id = 'paris'`;
    const [{ sla: recorded }] = await hub.sql`SELECT sla FROM processes WHERE process_id = ${id}`;
    const one = await hub.api(compliance, 'GET', `/applications/${id}`);
    expect(one.status).toBe(200);
    expect(one.body.sla).toMatchObject({
      state: 'compliance_review',
      deadline: recorded.deadline,
      status: recorded.status,
    });
    const list = await hub.api(compliance, 'GET', '/applications?status=compliance_review');
    expect(list.status).toBe(200);
    expect(list.body.applications.find((a: { application_id: string }) => a.application_id === id)?.sla).toMatchObject({
      deadline: recorded.deadline,
    });
  });
});
