import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { driveTo, expectError, expectOk, loginAll, openApplication, type Login } from '../support/account-opening.js';
import { startTestHub, waitForStatus, type TestHub } from '../support/hub.js';

describe('saved views, bulk reassign and the board as CSV', () => {
  let hub: TestHub;
  let tokens: Record<Login, string>;

  beforeAll(async () => {
    hub = await startTestHub();
    tokens = await loginAll(hub);
  });
  afterAll(() => hub?.stop());

  const refusals = (action: string) =>
    hub.sql`
      SELECT actor_id, error_code, process_id FROM audit_log
      WHERE action = ${action} AND outcome = 'refused' ORDER BY id`;

  it('saves filters under a name, opens them by id for anyone, and lets only the owner or an admin change them', async () => {
    const filters = {
      office: 'ofc_london',
      team: 'team_london_wealth',
      state: ['compliance_review', 'funding'],
      sla: ['warning'],
      q: 'carter',
    };
    const saved = expectOk(
      await hub.api(tokens.carla, 'POST', '/saved-views', {
        name: 'Late reviews',
        process_type: 'account_opening',
        filters,
      }),
      201,
    );
    expect(saved).toMatchObject({ name: 'Late reviews', owner_name: 'Carla Compliance', team_role: null, filters });

    // The link opens it for another person; it is not in their list until it is their team's.
    const opened = expectOk(await hub.api(tokens.colin, 'GET', `/saved-views/${saved.id}`));
    expect(opened.filters).toEqual(filters);
    const colinsBefore = expectOk(await hub.api(tokens.colin, 'GET', '/saved-views?process_type=account_opening'));
    expect(colinsBefore.saved_views.map((v: { id: string }) => v.id)).not.toContain(saved.id);

    expectError(await hub.api(tokens.colin, 'PATCH', `/saved-views/${saved.id}`, { name: 'Mine' }), 403, 'FORBIDDEN');
    expectError(await hub.api(tokens.colin, 'DELETE', `/saved-views/${saved.id}`), 403, 'FORBIDDEN');
    const refused = await refusals('change_saved_view');
    expect(refused).toEqual([{ actor_id: 'usr_colin_compliance', error_code: 'FORBIDDEN', process_id: saved.id }]);

    const shared = expectOk(await hub.api(tokens.carla, 'PATCH', `/saved-views/${saved.id}`, { team: true }));
    expect(shared.team_role).toBe('compliance_officer');
    const colins = expectOk(await hub.api(tokens.colin, 'GET', '/saved-views'));
    expect(colins.saved_views.map((v: { id: string }) => v.id)).toContain(saved.id);
    const alexs = expectOk(await hub.api(tokens.alex, 'GET', '/saved-views'));
    expect(alexs.saved_views.map((v: { id: string }) => v.id)).not.toContain(saved.id);

    // An administrator may change and delete anyone's; the team stays the owner's role.
    const renamed = expectOk(await hub.api(tokens.admin, 'PATCH', `/saved-views/${saved.id}`, { name: 'Reviews' }));
    expect(renamed).toMatchObject({ name: 'Reviews', team_role: 'compliance_officer' });
    expect((await hub.api(tokens.admin, 'DELETE', `/saved-views/${saved.id}`)).status).toBe(204);
    expectError(await hub.api(tokens.carla, 'GET', `/saved-views/${saved.id}`), 404, 'NOT_FOUND');

    const trail = await hub.sql`
      SELECT action, actor_id FROM audit_log WHERE process_type = 'saved_view' AND outcome = 'accepted' ORDER BY id`;
    expect(trail.map((r) => `${r.action} ${r.actor_id}`)).toEqual([
      'save_view usr_carla_compliance',
      'change_saved_view usr_carla_compliance',
      'change_saved_view usr_ada_admin',
      'delete_saved_view usr_ada_admin',
    ]);
  });

  it('refuses bad saved views with a 400 naming the field, and a board the person may not see', async () => {
    const base = { name: 'x', process_type: 'account_opening', filters: {} };
    const bad = [
      [{ ...base, name: '' }, 'name'],
      [{ ...base, filters: { sla: ['late'] } }, 'filters.sla.0'],
      [{ ...base, filters: { colour: 'red' } }, 'filters.colour'],
      [{ ...base, process_type: 'payroll' }, 'process_type'],
    ] as const;
    for (const [body, field] of bad) {
      const response = await hub.api(tokens.alex, 'POST', '/saved-views', body);
      expectError(response, 400, 'VALIDATION_FAILED');
      expect(response.body.error.details.field).toBe(field);
    }
    expectError(await hub.api(tokens.alex, 'PATCH', '/saved-views/view_nothing', {}), 400, 'VALIDATION_FAILED');
    // Each refusal is in the audit trail once, whether the route's schema or the use case refused it.
    const refused = await hub.sql`
      SELECT action, error_code FROM audit_log
      WHERE actor_id = 'usr_alex_advisor' AND outcome = 'refused' AND process_type = 'saved_view'`;
    expect(refused.map((r) => `${r.action} ${r.error_code}`)).toEqual([
      ...Array(4).fill('save_view VALIDATION_FAILED'),
      'change_saved_view VALIDATION_FAILED',
    ]);
  });

  it('reassigns several applications one command each, reporting a refusal per card and auditing each', async () => {
    const open = await openApplication(hub, tokens.alex, 'cli_chris_carter');
    const review = await openApplication(hub, tokens.alex, 'cli_gabriel_garcia');
    await driveTo(hub, tokens.alex, review, 'compliance_review');
    const cancelled = await openApplication(hub, tokens.alex, 'cli_priya_patel');
    expectOk(await hub.api(tokens.alex, 'POST', `/applications/${cancelled}/cancel`, {}));

    const body = {
      process_ids: [open, review, cancelled, 'app_missing'],
      advisor_id: 'usr_beth_advisor',
      reason: 'Alex is on leave',
    };
    const answer = expectOk(await hub.api(tokens.admin, 'POST', '/applications/bulk-reassign', body));
    expect(answer).toMatchObject({ done: 2, refused: 2 });
    expect(answer.results.map((r: { process_id: string; ok: boolean }) => [r.process_id, r.ok])).toEqual([
      [open, true],
      [review, true],
      [cancelled, false],
      ['app_missing', false],
    ]);
    expect(answer.results[2].code).toBe('INVALID_STATUS_TRANSITION');
    expect(answer.results[3].code).toBe('APPLICATION_NOT_FOUND');
    const rows = await hub.sql`
      SELECT process_id, outcome FROM audit_log WHERE action = 'reassign_application' ORDER BY id`;
    expect(rows.map((r) => [r.process_id, r.outcome])).toEqual([
      [open, 'accepted'],
      [review, 'accepted'],
      [cancelled, 'refused'],
      ['app_missing', 'refused'],
    ]);
    const [moved] = await hub.sql`SELECT advisor_id FROM processes WHERE process_id = ${review}`;
    expect(moved.advisor_id).toBe('usr_beth_advisor');

    // Ops may look but the blueprint lets only administrators reassign: each card says so, and is audited.
    const ops = expectOk(
      await hub.api(tokens.ops, 'POST', '/applications/bulk-reassign', { ...body, process_ids: [open] }),
    );
    expect(ops.results).toEqual([expect.objectContaining({ process_id: open, ok: false, code: 'FORBIDDEN' })]);
    expect((await refusals('reassign_application')).some((r) => r.actor_id === 'usr_omar_ops')).toBe(true);

    const missing = await hub.api(tokens.admin, 'POST', '/applications/bulk-reassign', {
      ...body,
      advisor_id: undefined,
    });
    expectError(missing, 400, 'VALIDATION_FAILED');
    expect(missing.body.error.details.field).toBe('advisor_id');
    expect((await refusals('bulk_reassign')).map((r) => r.error_code)).toEqual(['VALIDATION_FAILED']);
    const empty = await hub.api(tokens.admin, 'POST', '/applications/bulk-reassign', { ...body, process_ids: [] });
    expect(empty.body.error.details.field).toBe('process_ids');
    expect(await refusals('bulk_reassign')).toHaveLength(2);
  });

  it('exports the filtered board as CSV, quoted, with formulas neutralized, only what the person may see', async () => {
    const client = expectOk(
      await hub.api(tokens.admin, 'POST', '/admin/clients', {
        name: '=HYPERLINK("http://x.example","Carter, Chris")',
        email: 'formula@client.example',
        client_type: 'individual',
        kyc_status: 'complete',
        advisor_id: 'usr_beth_advisor',
      }),
      201,
    );
    const id = await openApplication(hub, tokens.beth, client.id);
    const csvOf = async (token: string, query: string) => {
      const response = await fetch(`${hub.url}/api/board-export?${query}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
    };

    const all = await csvOf(tokens.ops, 'process_type=account_opening&status=draft');
    expect(all.status).toBe(200);
    expect(all.type).toContain('text/csv');
    const rows = parse(all.text, { columns: true }) as Record<string, string>[];
    const row = rows.find((r) => r.process_id === id)!;
    expect(row).toMatchObject({
      title: `'=HYPERLINK("http://x.example","Carter, Chris")`,
      state: 'Draft',
      advisor: 'Beth Advisor',
    });
    expect(rows.every((r) => r.state === 'Draft')).toBe(true);

    // Alex sees only his own clients' applications, filters or not.
    const alexs = parse((await csvOf(tokens.alex, 'process_type=account_opening')).text, {
      columns: true,
    }) as Record<string, string>[];
    expect(alexs.length).toBeGreaterThan(0);
    expect(alexs.every((r) => r.advisor !== 'Beth Advisor')).toBe(true);

    const badState = await csvOf(tokens.ops, 'process_type=account_opening&status=nowhere');
    expect(badState.status).toBe(400);
    expect(JSON.parse(badState.text).error.details.field).toBe('status');
    const badType = await csvOf(tokens.chris, 'process_type=payroll');
    expect(badType.status).toBe(400);
    expect(JSON.parse(badType.text).error.details.field).toBe('process_type');
    expect((await refusals('export_board')).map((r) => r.actor_id)).toEqual(['usr_omar_ops', 'usr_chris_client']);
  });

  it('gives the ops center its 30-day trends: openings, decisions, SLA compliance and time per stage', async () => {
    const id = await openApplication(hub, tokens.alex, 'cli_chris_carter');
    await driveTo(hub, tokens.alex, id, 'compliance_review');
    expectOk(await hub.api(tokens.carla, 'POST', `/applications/${id}/approve`, {}));
    await waitForStatus(hub.sql, id, 'account_created', 30_000);

    const trends = expectOk(await hub.api(tokens.ops, 'GET', '/ops/trends?process_type=account_opening'));
    expect(trends.days).toHaveLength(30);
    const today = trends.days.at(-1);
    expect(today.day).toBe(new Date().toISOString().slice(0, 10));
    const [{ opened }] = await hub.sql`
      SELECT count(*)::int AS opened FROM processes WHERE process_type = 'account_opening'`;
    const [{ decided }] = await hub.sql`
      SELECT count(*)::int AS decided FROM audit_log
      WHERE action IN ('compliance_approve', 'compliance_reject', 'cancel_application', 'retry_account_creation')
        AND outcome = 'accepted'`;
    expect(today).toMatchObject({ opened, decided, sla_compliance_percent: 100 });
    expect(today.sla_ended).toBeGreaterThanOrEqual(1);
    expect(trends.days.slice(0, -1).every((d: { opened: number }) => d.opened === 0)).toBe(true);
    const stages = Object.fromEntries(
      trends.stages.map((s: { stage: string; per_day: { day: string }[] }) => [s.stage, s.per_day]),
    );
    expect(Object.keys(stages)).toEqual(['Application', 'Compliance', 'Account']);
    for (const stage of ['Application', 'Compliance', 'Account'])
      expect(stages[stage].at(-1)).toMatchObject({ day: today.day, samples: expect.any(Number) });
    expect(stages.Compliance.at(-1).median_ms).toBeGreaterThan(0);

    // Alex's view of the trends counts only his own clients' applications.
    const alexs = expectOk(await hub.api(tokens.alex, 'GET', '/ops/trends?process_type=account_opening&days=7'));
    const [{ own }] = await hub.sql`
      SELECT count(*)::int AS own FROM processes WHERE process_type = 'account_opening' AND advisor_id = 'usr_alex_advisor'`;
    expect(alexs.days).toHaveLength(7);
    expect(alexs.days.at(-1).opened).toBe(own);
    expectError(
      await hub.api(tokens.ops, 'GET', '/ops/trends?process_type=account_opening&days=0'),
      400,
      'VALIDATION_FAILED',
    );
  });
});
