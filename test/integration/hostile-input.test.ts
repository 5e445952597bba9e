import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { driveTo, expectError, expectOk, loginAll, openApplication, type Login } from '../support/account-opening.js';
import { startTestHub, type TestHub } from '../support/hub.js';

/** NUL characters anywhere in a request: refused with a 400 naming the parameter, audited when a command, never a database message. */
describe('hostile input', () => {
  let hub: TestHub;
  let tokens: Record<Login, string>;
  let applicationId: string;

  beforeAll(async () => {
    hub = await startTestHub();
    tokens = await loginAll(hub);
    applicationId = await openApplication(hub, tokens.alex);
  });
  afterAll(async () => {
    await hub?.stop();
  });

  const refusalsOf = async (action: string) =>
    hub.sql`SELECT actor_id, error_code, details FROM audit_log WHERE process_id = ${applicationId} AND action = ${action} AND outcome = 'refused' ORDER BY id`;

  it('audits a refused command whose body holds a NUL, like the same probe without one', async () => {
    const withNul = await hub.api(
      tokens.chris,
      'POST',
      `/applications/${applicationId}/approve`,
      '{"notes":"probe\\u0000"}',
    );
    expectError(withNul, 400, 'VALIDATION_FAILED');
    expect(withNul.body.error.details).toMatchObject({ field: 'notes', in: 'body' });
    expectError(
      await hub.api(tokens.chris, 'POST', `/applications/${applicationId}/approve`, { notes: 'probe' }),
      403,
      'FORBIDDEN',
    );
    const refusals = await refusalsOf('compliance_approve');
    expect(refusals.map((r) => [r.actor_id, r.error_code])).toEqual([
      ['usr_chris_client', 'VALIDATION_FAILED'],
      ['usr_chris_client', 'FORBIDDEN'],
    ]);
  });

  it('accepts text that only spells out \\u0000', async () => {
    const body = expectOk(
      await hub.api(tokens.alex, 'POST', `/applications/${applicationId}/products`, {
        selected_products: ['prd_global_equity_index'],
      }),
    );
    expect(body.status).toBe('risk_assessment');
    await driveTo(hub, tokens.alex, (applicationId = await openApplication(hub, tokens.alex)), 'funding');
    const funded = await hub.api(tokens.alex, 'POST', `/applications/${applicationId}/funding`, {
      funding_method: 'wire_transfer',
      initial_investment_amount: 50_000,
      currency: 'USD',
      source_of_funds: 'savings',
      source_of_funds_detail: 'the escape \\u0000 as written in a contract',
    });
    expectOk(funded);
    expect(funded.body.source_of_funds_detail).toBe('the escape \\u0000 as written in a contract');
  });

  it('refuses a NUL in a query string with a 400 naming it, never a database message', async () => {
    const response = await hub.api(tokens.admin, 'GET', `/applications?client_id=${encodeURIComponent('cli\u0000x')}`);
    expectError(response, 400, 'VALIDATION_FAILED');
    expect(response.body.error.details).toMatchObject({ field: 'client_id', in: 'query' });
    expect(JSON.stringify(response.body)).not.toMatch(/UTF8|byte sequence|encoding/i);
  });

  it('refuses a NUL in the path, naming it, and audits the command it was aimed at', async () => {
    const response = await hub.api(tokens.chris, 'POST', `/applications/${applicationId}%00/approve`, {});
    expectError(response, 400, 'VALIDATION_FAILED');
    expect(response.body.error.details).toMatchObject({ field: 'path' });
    const [row] = await hub.sql`
      SELECT actor_id FROM audit_log WHERE process_id = ${`${applicationId}%00`} AND action = 'compliance_approve'
        AND error_code = 'VALIDATION_FAILED' AND details ->> 'field' = 'path'`;
    expect(row?.actor_id).toBe('usr_chris_client');
  });

  it('audits a refused step on a query thread under its process, however it was refused', async () => {
    const opened = await hub.api(tokens.carla, 'POST', `/processes/${applicationId}/queries`, {
      title: 'Funds',
      kind: 'document_request',
      audience: 'client_facing',
      assignee_id: 'usr_chris_client',
      body: 'A bank statement, please',
    });
    expect(opened.status).toBe(201);
    const reply = await hub.api(tokens.chris, 'POST', `/queries/${opened.body.id}/replies`, '{"body":"here\\u0000"}');
    expect(reply.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: { field: 'body', in: 'body' } });
    const tooLong = await hub.api(tokens.chris, 'POST', `/queries/${opened.body.id}/replies`, {
      body: 'x'.repeat(10_001),
    });
    expectError(tooLong, 400, 'VALIDATION_FAILED');
    const rows = await hub.sql`
      SELECT actor_id, error_code, details ->> 'query_id' AS query_id FROM audit_log
      WHERE process_id = ${applicationId} AND action = 'reply_query' AND outcome = 'refused' ORDER BY id`;
    expect(rows).toEqual([
      { actor_id: 'usr_chris_client', error_code: 'VALIDATION_FAILED', query_id: opened.body.id },
      { actor_id: 'usr_chris_client', error_code: 'VALIDATION_FAILED', query_id: opened.body.id },
    ]);
  });
});
