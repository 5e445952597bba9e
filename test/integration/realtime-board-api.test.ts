import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROCESS_ENDPOINTS } from '../../server/routes/process-endpoints.js';
import { accountOpeningSpec } from '../../workflows/account-opening/spec.js';
import type { SlaSnapshot } from '../../workflows/process-records.js';
import { PROCESS_SPECS } from '../../workflows/specs.js';
import { startTestHub, waitForStatus, type TestHub } from '../support/hub.js';
import { ALEX, BETH, CARLA, OMAR_OPS } from '../support/realtime-client.js';
import { openApplication, runStep } from '../support/account-opening.js';

/** The API the board is built on: process types as columns, cards with filters, one process, the ops center. */
describe('board API', () => {
  let hub: TestHub;
  let tokens: Record<'ops' | 'alex' | 'beth' | 'carla' | 'chris', string>;
  let chrisApp: string;
  let fionaApp: string;
  let approvedApp: string;

  /** Gives a process an SLA clock as the SLA work records it, to see the board's side of it. */
  const setSla = (id: string, sla: Partial<SlaSnapshot>) =>
    hub.sql`UPDATE processes SET sla = ${hub.sql.json({
      policy_id: 'compliance_review',
      state: 'compliance_review',
      status: 'on_track',
      started_at: new Date().toISOString(),
      deadline: new Date(Date.now() + 3_600_000).toISOString(),
      paused: false,
      paused_total_ms: 0,
      rungs_fired: [],
      ...sla,
    } as never)} WHERE process_id = ${id}`;

  beforeAll(async () => {
    hub = await startTestHub();
    tokens = {
      ops: await hub.login(OMAR_OPS),
      alex: await hub.login(ALEX),
      beth: await hub.login(BETH),
      carla: await hub.login(CARLA),
      chris: await hub.login('chris.carter@client.example'),
    };
    chrisApp = await openApplication(hub, tokens.alex, 'cli_chris_carter');
    for (const step of [0, 1, 2, 3]) await runStep(hub, tokens.alex, chrisApp, step);
    await waitForStatus(hub.sql, chrisApp, 'compliance_review');
    fionaApp = await openApplication(hub, tokens.beth, 'cli_fiona_fischer');
    approvedApp = await openApplication(hub, tokens.alex, 'cli_gabriel_garcia');
    for (const step of [0, 1, 2, 3]) await runStep(hub, tokens.alex, approvedApp, step);
    await waitForStatus(hub.sql, approvedApp, 'compliance_review');
    expect((await hub.api(tokens.carla, 'POST', `/applications/${approvedApp}/approve`, {})).status).toBe(200);
    await waitForStatus(hub.sql, approvedApp, 'account_created');
  });
  afterAll(async () => {
    await hub?.stop();
  });

  it('describes each process type as stages of state columns, with the commands the role may take', async () => {
    const asOps = await hub.api(tokens.ops, 'GET', '/process-types');
    expect(asOps.status).toBe(200);
    expect(asOps.body.process_types.map((t: { process_type: string }) => t.process_type)).toEqual(
      PROCESS_SPECS.map((s) => s.processType),
    );
    const [type] = asOps.body.process_types;
    expect(type.stages).toEqual([
      { name: 'Application', states: ['draft', 'product_selection', 'risk_assessment', 'terms_review', 'funding'] },
      { name: 'Compliance', states: ['submitted', 'compliance_review'] },
      { name: 'Account', states: ['approved', 'account_created'] },
      { name: 'Closed', states: ['rejected', 'cancelled'] },
    ]);
    expect(type.states.map((s: { id: string }) => s.id)).toEqual(accountOpeningSpec.states.map((s) => s.id));
    expect(type.states.find((s: { id: string }) => s.id === 'compliance_review').sla).toBe(
      'Compliance must review applications within 2 business days',
    );
    expect(type.commands).toEqual([]);
    expect(type.links).toEqual({ detail: '/api/applications/{id}', audit: '/api/applications/{id}/audit' });

    const commandsOf = async (token: string) =>
      (await hub.api(token, 'GET', '/process-types')).body.process_types[0].commands.map(
        (c: { command: string }) => c.command,
      );
    expect(await commandsOf(tokens.carla)).toEqual(['compliance_approve', 'compliance_reject']);
    expect(await commandsOf(tokens.alex)).toEqual(['cancel_application']);
    const reject = (await hub.api(tokens.carla, 'GET', '/process-types')).body.process_types[0].commands[1];
    expect(reject).toEqual({
      command: 'compliance_reject',
      label: 'Reject',
      from: ['compliance_review'],
      path: '/api/applications/{id}/reject',
      input: { field: 'rejection_reason', label: 'Reason for rejection', required: true },
    });
  });

  it('routes every board command of a process type to an endpoint the API really has', async () => {
    const paths = Object.keys((await hub.api(null, 'GET', '/openapi.json')).body.paths);
    for (const [processType, endpoints] of Object.entries(PROCESS_ENDPOINTS)) {
      const spec = PROCESS_SPECS.find((s) => s.processType === processType)!;
      const boardCommands = Object.entries(spec.commands)
        .filter(([, c]) => c.board)
        .map(([name]) => name);
      expect(Object.keys(endpoints.commands).sort()).toEqual(boardCommands.sort());
      for (const path of [endpoints.detail, endpoints.audit, ...Object.values(endpoints.commands).map((c) => c.path)])
        expect(paths).toContain(path);
    }
    expect(paths).toEqual(expect.arrayContaining(['/api/processes/{id}', '/api/processes/{id}/audit']));
  });

  it('lists cards only as far as the policy lets each person see', async () => {
    const ids = async (token: string, query = '') =>
      (await hub.api(token, 'GET', `/processes${query}`)).body.processes
        .map((p: { process_id: string }) => p.process_id)
        .sort();
    expect(await ids(tokens.ops)).toEqual([chrisApp, fionaApp, approvedApp].sort());
    expect(await ids(tokens.alex)).toEqual([chrisApp, approvedApp].sort());
    expect(await ids(tokens.beth)).toEqual([fionaApp]);
    expect(await ids(tokens.chris)).toEqual([chrisApp]);

    const [card] = (await hub.api(tokens.ops, 'GET', `/processes?q=chris`)).body.processes;
    expect(card).toMatchObject({
      process_id: chrisApp,
      process_type: 'account_opening',
      version: 6,
      title: 'Chris Carter',
      client_id: 'cli_chris_carter',
      advisor_id: 'usr_alex_advisor',
      advisor_name: 'Alex Advisor',
      amount: 50000,
      currency: 'USD',
      status: 'compliance_review',
      // Compliance review has the seeded SLA policy, so its clock is on the card.
      sla: expect.objectContaining({
        policy_id: 'account-opening-compliance-review',
        state: 'compliance_review',
        status: 'on_track',
        paused: false,
      }),
    });
    expect(card).not.toHaveProperty('detail');
  });

  it('filters by state, advisor, client, SLA status and search, and pages', async () => {
    const ids = async (query: string) =>
      (await hub.api(tokens.ops, 'GET', `/processes?process_type=account_opening&${query}`)).body.processes
        .map((p: { process_id: string }) => p.process_id)
        .sort();
    expect(await ids('status=compliance_review')).toEqual([chrisApp]);
    expect(await ids('status=draft,account_created')).toEqual([fionaApp, approvedApp].sort());
    expect(await ids('advisor_id=usr_beth_advisor')).toEqual([fionaApp]);
    expect(await ids('client_id=cli_gabriel_garcia')).toEqual([approvedApp]);
    expect(await ids('q=FISCH')).toEqual([fionaApp]);
    expect(await ids(`q=${chrisApp.slice(4, 12)}`)).toEqual([chrisApp]);
    expect(await ids('q=100%25')).toEqual([]);

    await setSla(chrisApp, { status: 'warning' });
    expect(await ids('sla_status=warning,breached')).toEqual([chrisApp]);
    expect(await ids('sla_status=none')).toEqual([fionaApp, approvedApp].sort());
    expect(await ids('sla_status=on_track')).toEqual([]);

    const first = await hub.api(tokens.ops, 'GET', '/processes?limit=2');
    expect(first.body.processes).toHaveLength(2);
    const second = await hub.api(tokens.ops, 'GET', `/processes?limit=2&cursor=${first.body.next_cursor}`);
    expect(second.body.processes).toHaveLength(1);
    expect(second.body.next_cursor).toBeNull();
    expect(
      [...first.body.processes, ...second.body.processes].map((p: { process_id: string }) => p.process_id).sort(),
    ).toEqual([chrisApp, fionaApp, approvedApp].sort());
  });

  it('refuses unknown states, process types and cursors with the reason', async () => {
    expect((await hub.api(tokens.ops, 'GET', '/processes?process_type=account_opening&status=nope')).body).toEqual({
      error: {
        code: 'VALIDATION_FAILED',
        message: 'status: nope is not a state of account_opening',
        details: { field: 'status' },
      },
    });
    expect((await hub.api(tokens.ops, 'GET', '/processes?process_type=nope')).body.error).toMatchObject({
      code: 'VALIDATION_FAILED',
      message: 'process_type: no process type nope',
    });
    expect((await hub.api(tokens.ops, 'GET', '/processes?sla_status=late')).status).toBe(400);
    expect((await hub.api(tokens.ops, 'GET', '/processes?cursor=garbage')).body.error.code).toBe('VALIDATION_FAILED');
    expect((await hub.api(null, 'GET', '/processes')).status).toBe(401);
  });

  it('shows one process with its record and audit trail to those who may see it, and to nobody else', async () => {
    const asOps = await hub.api(tokens.ops, 'GET', `/processes/${chrisApp}`);
    expect(asOps.status).toBe(200);
    expect(asOps.body.card).toMatchObject({ process_id: chrisApp, status: 'compliance_review' });
    expect(asOps.body.detail).toMatchObject({
      application_id: chrisApp,
      client_name: 'Chris Carter',
      initial_investment_amount: 50000,
    });
    const audit = await hub.api(tokens.ops, 'GET', `/processes/${chrisApp}/audit`);
    expect(audit.body.audit.map((a: { action: string }) => a.action)).toEqual([
      'start_application',
      'select_products',
      'complete_risk_assessment',
      'accept_terms',
      'provide_funding_details',
      'begin_review',
    ]);
    expect((await hub.api(tokens.beth, 'GET', `/processes/${chrisApp}`)).body.error).toEqual({
      code: 'FORBIDDEN',
      message: 'You may not view this process',
    });
    expect((await hub.api(tokens.beth, 'GET', `/processes/${chrisApp}/audit`)).status).toBe(403);
    expect((await hub.api(tokens.ops, 'GET', '/processes/app_missing')).status).toBe(404);
  });

  it("sums up the ops center: states, SLA now, today's openings and decisions, median time per stage", async () => {
    await setSla(fionaApp, { status: 'breached', deadline: new Date(Date.now() - 60_000).toISOString() });
    const since = new Date(Date.now() - 3_600_000).toISOString();
    const response = await hub.api(
      tokens.ops,
      'GET',
      `/ops/summary?process_type=account_opening&since=${encodeURIComponent(since)}`,
    );
    expect(response.status).toBe(200);
    const summary = response.body;
    expect(summary.since).toBe(since);
    const count = (state: string) => summary.per_state.find((s: { state: string }) => s.state === state).count;
    expect([count('draft'), count('compliance_review'), count('account_created'), count('rejected')]).toEqual([
      1, 1, 1, 0,
    ]);
    expect(summary.sla).toEqual({ on_track: 0, warning: 1, breached: 1, paused: 0 });
    expect(summary.at_risk.map((c: { process_id: string }) => c.process_id)).toEqual([fionaApp, chrisApp]);
    expect(summary.opened_since).toBe(3);
    expect(summary.decisions_since).toEqual([
      { command: 'compliance_approve', label: 'Approve', count: 1 },
      { command: 'compliance_reject', label: 'Reject', count: 0 },
      { command: 'cancel_application', label: 'Cancel', count: 0 },
      { command: 'retry_account_creation', label: 'Retry account creation', count: 0 },
    ]);
    const entered = (state: string) => summary.entered_since.find((s: { state: string }) => s.state === state).count;
    expect([entered('draft'), entered('compliance_review'), entered('account_created'), entered('rejected')]).toEqual([
      3, 2, 1, 0,
    ]);
    const stages = Object.fromEntries(
      summary.median_per_stage.map((s: { stage: string; samples: number; median_ms: number | null }) => [s.stage, s]),
    );
    expect(Object.keys(stages)).toEqual(['Application', 'Compliance', 'Account']);
    expect(stages.Application.samples).toBe(2);
    expect(stages.Compliance.samples).toBe(1);
    expect(stages.Account.samples).toBe(1);
    expect(stages.Application.median_ms).toBeGreaterThanOrEqual(0);
    const samples = (state: string) =>
      summary.median_per_state.find((s: { state: string }) => s.state === state).samples;
    expect([samples('draft'), samples('compliance_review'), samples('approved')]).toEqual([2, 1, 1]);

    const asBeth = (await hub.api(tokens.beth, 'GET', '/ops/summary?process_type=account_opening')).body;
    expect(asBeth.per_state.reduce((n: number, s: { count: number }) => n + s.count, 0)).toBe(1);
    expect(asBeth.at_risk.map((c: { process_id: string }) => c.process_id)).toEqual([fionaApp]);
    expect((await hub.api(tokens.ops, 'GET', '/ops/summary?process_type=account_opening&since=yesterday')).status).toBe(
      400,
    );
  });
});
