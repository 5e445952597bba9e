import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ownership, Role } from '../../workflows/process-spec.js';
import { rebalancingSpec, type RebalancingCommand } from '../../workflows/rebalancing/spec.js';
import { startTestHub, type TestHub } from '../support/hub.js';

/**
 * The permission matrix of the rebalancing spec, generated from it: every command, every role, with and
 * without a relation to the portfolio (Chris Carter's, advised by Alex). A terminal rebalance answers an
 * allowed command with INVALID_STATUS_TRANSITION and a forbidden one with FORBIDDEN, so the matrix runs
 * without changing anything.
 */

const PERSONAS: { email: string; role: Role; own: boolean }[] = [
  { email: 'ada.admin@hub.example', role: 'admin', own: false },
  { email: 'omar.ops@hub.example', role: 'ops', own: false },
  { email: 'maya.manager@hub.example', role: 'manager', own: false },
  { email: 'carla.compliance@hub.example', role: 'compliance_officer', own: false },
  { email: 'alex.advisor@hub.example', role: 'advisor', own: true },
  { email: 'beth.advisor@hub.example', role: 'advisor', own: false },
  { email: 'chris.carter@client.example', role: 'client', own: true },
  { email: 'fiona.fischer@client.example', role: 'client', own: false },
];
const label = (p: (typeof PERSONAS)[number]) => `${p.role}${p.own ? ' (own)' : ''} ${p.email.split('@')[0]}`;
const granted = (grants: Partial<Record<Role, Ownership>>, persona: (typeof PERSONAS)[number]) => {
  const ownership = grants[persona.role];
  return ownership === 'any' || (ownership === 'own' && persona.own);
};

/** How each command is reached over HTTP, with a body the command would accept. */
const ENDPOINTS: Record<
  RebalancingCommand,
  (ids: { terminal: string; running: string }) => { method: string; path: string; body?: unknown }
> = {
  approve: ({ terminal }) => ({ method: 'POST', path: `/rebalances/${terminal}/approve`, body: { notes: 'ok' } }),
  edit: ({ terminal }) => ({
    method: 'POST',
    path: `/rebalances/${terminal}/edit`,
    body: { trades: [{ security_id: 'sec_bnd', side: 'buy', quantity: 10 }], reason: 'smaller' },
  }),
  decline: ({ terminal }) => ({ method: 'POST', path: `/rebalances/${terminal}/decline`, body: { reason: 'not now' } }),
  compliance_approve: ({ terminal }) => ({
    method: 'POST',
    path: `/rebalances/${terminal}/compliance-approve`,
    body: {},
  }),
  get_rebalance: ({ terminal }) => ({ method: 'GET', path: `/rebalances/${terminal}` }),
  start_rebalance: () => ({ method: 'POST', path: '/portfolios/pf_chris_growth/rebalance' }),
  change_model: () => ({
    method: 'PUT',
    path: '/portfolios/pf_chris_growth/model',
    body: { model_id: 'growth', reason: 'same model' },
  }),
  run_drift_check: () => ({ method: 'POST', path: '/portfolios/drift-check' }),
};

/** What an allowed caller gets back in the matrix's situation (a terminal rebalance; another one running). */
const ALLOWED_ANSWER: Record<RebalancingCommand, { status: number; code?: string }> = {
  approve: { status: 400, code: 'INVALID_STATUS_TRANSITION' },
  edit: { status: 400, code: 'INVALID_STATUS_TRANSITION' },
  decline: { status: 400, code: 'INVALID_STATUS_TRANSITION' },
  compliance_approve: { status: 400, code: 'INVALID_STATUS_TRANSITION' },
  get_rebalance: { status: 200 },
  start_rebalance: { status: 409, code: 'REBALANCE_IN_PROGRESS' },
  change_model: { status: 400, code: 'VALIDATION_FAILED' },
  run_drift_check: { status: 200 },
};

describe('rebalancing permission matrix, from the spec', () => {
  let hub: TestHub;
  const tokens = new Map<string, string>();
  const ids = { terminal: '', running: '' };
  beforeAll(async () => {
    hub = await startTestHub();
    for (const persona of PERSONAS) tokens.set(persona.email, await hub.login(persona.email));
    const alex = tokens.get('alex.advisor@hub.example')!;
    ids.terminal = (await hub.api(alex, 'POST', '/portfolios/pf_chris_growth/rebalance')).body.rebalance_id;
    expect((await hub.api(alex, 'POST', `/rebalances/${ids.terminal}/decline`, { reason: 'matrix' })).body.status).toBe(
      'declined',
    );
    ids.running = (await hub.api(alex, 'POST', '/portfolios/pf_chris_growth/rebalance')).body.rebalance_id;
    expect(ids.running).toMatch(/^rb_/);
  });
  afterAll(async () => {
    await hub?.stop();
  });

  it('every command of the spec has an endpoint in this matrix', () => {
    expect(Object.keys(ENDPOINTS).sort()).toEqual(Object.keys(rebalancingSpec.commands).sort());
  });

  // Commands that change something come first, the drift check (which starts rebalances) last.
  const commands = (Object.keys(rebalancingSpec.commands) as RebalancingCommand[]).sort(
    (a, b) => Number(a === 'run_drift_check') - Number(b === 'run_drift_check'),
  );
  for (const command of commands) {
    const grants = rebalancingSpec.commands[command].roles as Partial<Record<Role, Ownership>>;
    it(`${command}: ${PERSONAS.filter((p) => granted(grants, p))
      .map(label)
      .join(', ')} may; everyone else is refused`, async () => {
      const answers: Record<string, { status: number; code?: string }> = {};
      const expected: Record<string, { status: number; code?: string }> = {};
      for (const persona of PERSONAS) {
        const { method, path, body } = ENDPOINTS[command](ids);
        const response = await hub.api(tokens.get(persona.email)!, method, path, body);
        answers[label(persona)] = {
          status: response.status,
          ...(response.body.error ? { code: response.body.error.code } : {}),
        };
        expected[label(persona)] = granted(grants, persona)
          ? ALLOWED_ANSWER[command]
          : { status: 403, code: 'FORBIDDEN' };
      }
      expect(answers).toEqual(expected);
    });
  }

  it('portfolios are visible to the readers of the spec: the client and advisor their own, oversight roles all', async () => {
    const readers = rebalancingSpec.readers as Partial<Record<Role, Ownership>>;
    const seen: Record<string, { detail: number; listed: boolean }> = {};
    const expected: Record<string, { detail: number; listed: boolean }> = {};
    for (const persona of PERSONAS) {
      const token = tokens.get(persona.email)!;
      const detail = await hub.api(token, 'GET', '/portfolios/pf_chris_growth');
      const list = await hub.api(token, 'GET', '/portfolios');
      seen[label(persona)] = {
        detail: detail.status,
        listed: list.body.portfolios.some((p: any) => p.portfolio_id === 'pf_chris_growth'),
      };
      expected[label(persona)] = granted(readers, persona)
        ? { detail: 200, listed: true }
        : { detail: 403, listed: false };
    }
    expect(seen).toEqual(expected);
  });

  it('refusals are audited with the refused command and code', async () => {
    const refused = await hub.sql`
      SELECT action, error_code, count(*)::int AS n FROM audit_log
      WHERE outcome = 'refused' AND error_code = 'FORBIDDEN' GROUP BY action, error_code ORDER BY action`;
    const forbidden = Object.fromEntries(refused.map((r) => [r.action as string, r.n as number]));
    for (const command of commands) {
      const grants = rebalancingSpec.commands[command].roles as Partial<Record<Role, Ownership>>;
      expect(forbidden[command] ?? 0).toBe(PERSONAS.filter((p) => !granted(grants, p)).length);
    }
  });
});
