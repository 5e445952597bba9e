import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expandHolidays } from '../../db/holidays.js';
import { resolveCalendar } from '../../db/sla.js';
import { accountOpeningSpec as spec } from '../../workflows/account-opening/spec.js';
import type { BusinessCalendar } from '../../workflows/sla/business-calendar.js';
import { slaStatus, startClock } from '../../workflows/sla/sla-schedule.js';
import { applicationInReview, expectError, expectOk } from '../support/account-opening.js';
import { addStaff, placeClient, placeUser, setUpTwoOffices, type TwoOffices } from '../support/hierarchy.js';
import { startTestHub, waitForNotice, type TestHub } from '../support/hub.js';
import { connectHubSocket, emitWithAck, recordEvents, type HubSocket } from '../support/sockets.js';

/**
 * Two offices (New York, London), two teams each. Visibility follows the office or team a role is granted
 * over on every channel; SLAs run on the office's calendar; escalations reach whoever holds a position
 * when the rung fires.
 */
describe('offices and teams', () => {
  let hub: TestHub;
  let admin: string;
  let advisor: string;
  let londonOps: string;
  let newYorkOps: string;
  let londonCompliance: string;
  let office: TwoOffices['office'];
  let team: TwoOffices['team'];
  let londonApp: string;
  let newYorkApp: string;
  /** A closed day of the London calendar, inside the first SLA window: the "bank holiday" of the test. */
  let bankHoliday: string;

  const LONDON_HOURS = Object.fromEntries(
    ['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, [{ start: '09:00', end: '17:30' }]]),
  );

  const place = (userId: string, body: object) => placeUser(hub, admin, userId, body);

  beforeAll(async () => {
    hub = await startTestHub();
    await addStaff(hub, 'usr_liam_manager', 'liam.manager@hub.example', 'Liam Manager', 'manager');
    [admin, advisor] = await Promise.all([hub.login('ada.admin@hub.example'), hub.login('alex.advisor@hub.example')]);

    // London's calendar: English bank holidays, and one more closed day inside the window a clock started now has.
    const london = DateTime.now().setZone('Europe/London');
    const bankHolidays = new Set(expandHolidays('GB-ENG', london.year, london.year + 1));
    let day = london.plus({ days: london.hour >= 17 ? 1 : 0 });
    while (day.weekday > 5 || bankHolidays.has(day.toISODate()!)) day = day.plus({ days: 1 });
    bankHoliday = day.toISODate()!;
    expectOk(
      await hub.api(admin, 'PUT', '/sla/calendars/gb-london', {
        name: 'London office',
        time_zone: 'Europe/London',
        working_hours: LONDON_HOURS,
        holiday_region: 'GB-ENG',
        closures: [bankHoliday],
      }),
    );

    ({ office, team } = await setUpTwoOffices(hub, admin, 'gb-london'));
    expectOk(await hub.api(admin, 'PATCH', `/admin/offices/${office.london}`, { manager_id: 'usr_liam_manager' }));
    await place('usr_alex_advisor', { team_id: team.ldnWealth });
    [londonOps, newYorkOps, londonCompliance] = await Promise.all([
      hub.login('omar.ops@hub.example'),
      hub.login('nora.ops@hub.example'),
      hub.login('carla.compliance@hub.example'),
    ]);

    londonApp = await applicationInReview(hub, { advisor, clientId: 'cli_chris_carter' });
    newYorkApp = await applicationInReview(hub, { advisor, clientId: 'cli_priya_patel' });
  }, 180_000);

  afterAll(async () => {
    await hub?.stop();
  });

  it('refuses bad hierarchy input with a 400 naming the field, and non-administrators with an audited 403', async () => {
    const badZone = await hub.api(admin, 'POST', '/admin/offices', { name: 'Atlantis', time_zone: 'Mars/Olympus' });
    expectError(badZone, 400, 'VALIDATION_FAILED');
    expect(badZone.body.error.message).toContain('time_zone');
    const noOffice = await hub.api(admin, 'POST', '/admin/teams', { office_id: 'off_nowhere', name: 'Ghosts' });
    expectError(noOffice, 404, 'OFFICE_NOT_FOUND');
    expect(noOffice.body.error.message).toContain('office_id');
    const both = await hub.api(admin, 'PUT', '/admin/users/usr_nora_ops/place', {
      team_id: team.nyWealth,
      office_id: office.newYork,
    });
    expectError(both, 400, 'VALIDATION_FAILED');
    const notAManager = await hub.api(admin, 'PATCH', `/admin/teams/${team.nyWealth}`, { manager_id: 'usr_nora_ops' });
    expectError(notAManager, 400, 'VALIDATION_FAILED');
    expect(notAManager.body.error.message).toContain('manager_id');
    const taken = await hub.api(admin, 'POST', '/admin/offices', { name: 'London', time_zone: 'Europe/London' });
    expectError(taken, 409, 'NAME_TAKEN');

    expectError(
      await hub.api(londonOps, 'POST', '/admin/offices', { name: 'Paris', time_zone: 'Europe/Paris' }),
      403,
      'FORBIDDEN',
    );
    const [refusal] = await hub.sql`
      SELECT action, outcome, error_code FROM audit_log WHERE actor_id = 'usr_omar_ops' AND action = 'manage_hierarchy'`;
    expect(refusal).toMatchObject({ outcome: 'refused', error_code: 'FORBIDDEN' });
    const [move] = await hub.sql`
      SELECT details FROM audit_log WHERE action = 'place_client' AND process_id = 'cli_chris_carter' ORDER BY id DESC LIMIT 1`;
    expect(move.details).toMatchObject({ before: { team_id: null }, after: { team_id: team.ldnWealth } });
  });

  it('places each process where its client is', async () => {
    const rows = await hub.sql`
      SELECT process_id, office_id, team_id FROM processes WHERE process_id IN (${londonApp}, ${newYorkApp})`;
    expect(Object.fromEntries(rows.map((r) => [r.process_id, [r.office_id, r.team_id]]))).toEqual({
      [londonApp]: [office.london, team.ldnWealth],
      [newYorkApp]: [office.newYork, team.nyWealth],
    });
    // The London officer reviews the London application: officers of the office come first.
    const [assigned] = await hub.sql`SELECT assigned_user_id FROM processes WHERE process_id = ${londonApp}`;
    expect(assigned.assigned_user_id).toBe('usr_carla_compliance');
  });

  it('never shows a London ops user a New York process through the API', async () => {
    const applications = expectOk(await hub.api(londonOps, 'GET', '/applications'));
    const listed = (applications.applications as { application_id: string }[]).map((a) => a.application_id);
    expect(listed).toContain(londonApp);
    expect(listed).not.toContain(newYorkApp);
    const cards = expectOk(await hub.api(londonOps, 'GET', '/processes'));
    const cardIds = (cards.processes as { process_id: string }[]).map((c) => c.process_id);
    expect(cardIds).toContain(londonApp);
    expect(cardIds).not.toContain(newYorkApp);

    expectOk(await hub.api(londonOps, 'GET', `/applications/${londonApp}`));
    expectError(await hub.api(londonOps, 'GET', `/applications/${newYorkApp}`), 403, 'FORBIDDEN');
    expectError(await hub.api(londonOps, 'GET', `/processes/${newYorkApp}`), 403, 'FORBIDDEN');
    expectError(await hub.api(londonOps, 'GET', `/applications/${newYorkApp}/audit`), 403, 'FORBIDDEN');
    expectError(await hub.api(londonOps, 'GET', `/processes/${newYorkApp}/queries`), 403, 'FORBIDDEN');
    expectOk(await hub.api(londonOps, 'GET', `/processes/${londonApp}/queries`));
    // The New York ops user sees the mirror image; the firm-wide administrator both.
    expectError(await hub.api(newYorkOps, 'GET', `/applications/${londonApp}`), 403, 'FORBIDDEN');
    expectOk(await hub.api(newYorkOps, 'GET', `/applications/${newYorkApp}`));
    const all = expectOk(await hub.api(admin, 'GET', '/processes'));
    expect((all.processes as { process_id: string }[]).map((c) => c.process_id)).toEqual(
      expect.arrayContaining([londonApp, newYorkApp]),
    );
    // A filter by team on the board's list.
    const byTeam = expectOk(await hub.api(admin, 'GET', `/processes?team_id=${team.nyWealth}`));
    expect((byTeam.processes as { process_id: string }[]).map((c) => c.process_id)).toEqual([newYorkApp]);
  });

  it('keeps New York out of the London events feed and the London audit export', async () => {
    const feed = expectOk(await hub.api(londonOps, 'GET', '/events?limit=1000'));
    const processIds = new Set((feed.events as { process_id: string | null }[]).map((e) => e.process_id));
    expect(processIds.has(londonApp)).toBe(true);
    expect(processIds.has(newYorkApp)).toBe(false);

    const exported = async (token: string) => {
      const from = new Date(Date.now() - 3600_000).toISOString();
      const to = new Date(Date.now() + 3600_000).toISOString();
      const response = await fetch(`${hub.url}/api/audit/export?from=${from}&to=${to}&format=ndjson`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(response.status).toBe(200);
      return (await response.text())
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, any>);
    };
    const londonRows = await exported(londonCompliance);
    expect(londonRows[0].audit_export.linked).toBe(false);
    expect(londonRows.some((r) => r.process_id === londonApp)).toBe(true);
    expect(londonRows.some((r) => r.process_id === newYorkApp)).toBe(false);
    const firmRows = await exported(admin);
    expect(firmRows.some((r) => r.process_id === newYorkApp)).toBe(true);
  });

  it("runs a London application's compliance SLA on London's calendar, moved by its bank holiday", async () => {
    const [row] = await hub.sql`SELECT sla FROM processes WHERE process_id = ${londonApp}`;
    const sla = row.sla as { calendar_id: string; deadline: string; clock: { started_at_ms: number } };
    expect(sla.calendar_id).toBe('gb-london');
    const [newYork] = await hub.sql`SELECT sla FROM processes WHERE process_id = ${newYorkApp}`;
    expect(newYork.sla.calendar_id).toBe('us-new-york');

    const policy = spec.slas.find((s) => s.state === 'compliance_review')!;
    const deadlineOn = (calendar: BusinessCalendar) =>
      new Date(
        slaStatus(
          startClock(sla.clock.started_at_ms),
          calendar,
          {
            id: 'p',
            processType: spec.processType,
            state: 'compliance_review',
            target: policy.maxDuration,
            calendarId: calendar.id,
            rungs: [{ kind: 'breach', atPercent: 100, notify: [] }],
          },
          sla.clock.started_at_ms,
          [],
        ).deadlineMs,
      ).toISOString();
    const londonCalendar = (await resolveCalendar(hub.sql, 'gb-london', new Date()))!;
    const withoutHoliday = {
      ...londonCalendar,
      closedDates: londonCalendar.closedDates.filter((d) => d !== bankHoliday),
    };
    expect(sla.deadline).toBe(deadlineOn(londonCalendar));
    expect(Date.parse(deadlineOn(londonCalendar))).toBeGreaterThan(Date.parse(deadlineOn(withoutHoliday)));

    const view = expectOk(await hub.api(admin, 'GET', `/applications/${londonApp}`));
    expect(view.sla).toMatchObject({ calendar_id: 'gb-london', deadline: sla.deadline });
  });

  it('never pushes a New York process to a London socket, and re-scopes sockets the moment someone moves', async () => {
    const socket: HubSocket = await connectHubSocket(hub.url, londonOps);
    try {
      const snapshots = recordEvents(socket, 'board:snapshot');
      const changes = recordEvents(socket, 'process:changed');
      const reply = await emitWithAck<{ ok: boolean }>(socket, 'board:subscribe', { process_type: spec.processType });
      expect(reply.ok).toBe(true);
      const [first] = await snapshots.until((s) => s.length === 1);
      const shown = first.cards.map((c) => c.process_id);
      expect(shown).toContain(londonApp);
      expect(shown).not.toContain(newYorkApp);
      const watch = await emitWithAck<{ ok: boolean; error?: { code: string } }>(socket, 'process:watch', {
        process_id: newYorkApp,
      });
      expect(watch).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });

      // A New York change, then a London one: the London one arrives, the New York one never does.
      const colin = await hub.login('colin.compliance@hub.example');
      const versionOf = async (id: string) =>
        (await hub.sql`SELECT version FROM processes WHERE process_id = ${id}`)[0].version as number;
      const newYorkBefore = await versionOf(newYorkApp);
      expectOk(await hub.api(colin, 'POST', `/applications/${newYorkApp}/approve`, { notes: 'in order' }));
      await waitForNotice(hub.sql, 'process_changed', async () => (await versionOf(newYorkApp)) > newYorkBefore);
      const londonBefore = await versionOf(londonApp);
      expectOk(await hub.api(londonCompliance, 'POST', `/applications/${londonApp}/approve`, { notes: 'in order' }));
      await changes.until((c) => c.some((x) => x.process_id === londonApp && x.version > londonBefore));
      expect(changes.received.filter((c) => c.process_id === newYorkApp)).toEqual([]);

      // The New York client moves to a London team: the London board gets the process at once, by a snapshot.
      await placeClient(hub, admin, 'cli_priya_patel', team.ldnPrivate);
      const after = await snapshots.until((s) => s.some((x) => x.reason === 'scope_changed'), 15_000);
      const moved = after.find((x) => x.reason === 'scope_changed')!;
      expect(moved.cards.map((c) => c.process_id)).toEqual(expect.arrayContaining([londonApp, newYorkApp]));
      expect(changes.received.filter((c) => c.process_id === newYorkApp && c.card)).toEqual([]);
      expectOk(await hub.api(londonOps, 'GET', `/applications/${newYorkApp}`));

      // And the London ops user moves to New York: the board no longer holds London's processes.
      await place('usr_omar_ops', { office_id: office.newYork });
      const again = await snapshots.until((s) => s.filter((x) => x.reason === 'scope_changed').length >= 2);
      const last = again.filter((x) => x.reason === 'scope_changed').at(-1)!;
      expect(last.cards.map((c) => c.process_id)).not.toContain(londonApp);
      expectError(await hub.api(londonOps, 'GET', `/applications/${londonApp}`), 403, 'FORBIDDEN');
    } finally {
      socket.disconnect();
      await place('usr_omar_ops', { office_id: office.london });
      await placeClient(hub, admin, 'cli_priya_patel', team.nyWealth);
    }
  });

  it("escalates a breach to the London team's manager found when it fires", async () => {
    expectOk(
      await hub.api(admin, 'PUT', '/sla/policies/account-opening-compliance-review', {
        process_type: 'account_opening',
        state: 'compliance_review',
        target: { unit: 'wall_clock_hours', amount: 8 / 3600 },
        calendar_id: null,
        rungs: [{ kind: 'breach', at_percent: 100, notify: ['team_manager', 'office_manager'] }],
      }),
    );
    const id = await applicationInReview(hub, { advisor, clientId: 'cli_chris_carter' });
    // The team's manager changes after the clock started and before the rung fires.
    expectOk(await hub.api(admin, 'PATCH', `/admin/teams/${team.ldnWealth}`, { manager_id: 'usr_liam_manager' }));
    expectOk(await hub.api(admin, 'PATCH', `/admin/offices/${office.london}`, { manager_id: 'usr_maya_manager' }));

    const breach = await waitForNotice(
      hub.sql,
      'process_changed',
      async () => {
        const [event] = await hub.sql`SELECT payload FROM events WHERE process_id = ${id} AND type = 'sla.breached'`;
        return event?.payload as { notified: string[] } | undefined;
      },
      60_000,
    );
    expect(breach.notified).toEqual(['usr_liam_manager', 'usr_maya_manager']);
    const told = await waitForNotice(hub.sql, 'notification_created', async () => {
      const rows = await hub.sql`
        SELECT user_id FROM notifications WHERE process_id = ${id} AND kind = 'sla_breached' ORDER BY user_id`;
      return rows.length >= 2 ? rows.map((r) => r.user_id as string) : undefined;
    });
    expect(told).toEqual(['usr_liam_manager', 'usr_maya_manager']);

    const view = expectOk(await hub.api(admin, 'GET', `/applications/${id}`));
    expect(view.sla.rungs_fired).toEqual([
      expect.objectContaining({ kind: 'breach', notified: ['usr_liam_manager', 'usr_maya_manager'] }),
    ]);
  });
});
