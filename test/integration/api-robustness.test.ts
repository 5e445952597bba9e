import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../support/hub.js';

/**
 * No request can make the server answer 500: every operation of the OpenAPI document is sent hostile
 * input (garbage bodies, wrong types, unknown fields, odd ids, bad queries) and must answer with a
 * client error in the hub's error format.
 */

interface Operation {
  method: string;
  path: string;
  public: boolean;
  bodySchema?: { properties?: Record<string, { type?: string | string[] }> };
  queryNames: string[];
}

type Json = Record<string, any>;

function operationsOf(doc: Json): Operation[] {
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths as Json)) {
    for (const [method, op] of Object.entries(item as Json)) {
      operations.push({
        method: method.toUpperCase(),
        path,
        public: !op.security,
        bodySchema: op.requestBody?.content?.['application/json']?.schema,
        queryNames: (op.parameters ?? []).filter((p: Json) => p.in === 'query').map((p: Json) => p.name),
      });
    }
  }
  return operations;
}

const WRONG_VALUES: Record<string, unknown[]> = {
  string: [12345, true, { nested: 'object' }, ['list'], '', 'x'.repeat(100_000), 'nul\u0000inside'],
  number: ['not a number', -1e308, 1e308, null, [1]],
  integer: [1.5, 'seven', -99999999999],
  boolean: ['yes', 0, null],
  array: ['not-a-list', { 0: 'a' }, Array.from({ length: 2_000 }, () => 'x')],
  object: ['text', [1, 2], 42],
};

function hostileBodies(schema: Operation['bodySchema']): unknown[] {
  const bodies: unknown[] = [
    '{"unterminated": ',
    '[]',
    'null',
    '"a string"',
    '12',
    JSON.stringify({ unexpected_field: 1 }),
  ];
  for (const [field, property] of Object.entries(schema?.properties ?? {})) {
    const types = Array.isArray(property.type) ? property.type : [property.type ?? 'object'];
    for (const type of types)
      for (const wrong of WRONG_VALUES[type] ?? WRONG_VALUES.object) bodies.push(JSON.stringify({ [field]: wrong }));
  }
  bodies.push(JSON.stringify({ deep: JSON.parse('['.repeat(500) + ']'.repeat(500)) }));
  return bodies;
}

/** Runs the tasks, `width` at a time; the first failure fails the whole. */
async function runAtOnce(tasks: (() => Promise<void>)[], width: number): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < tasks.length) await tasks[next++]!();
  };
  await Promise.all(Array.from({ length: width }, lane));
}

describe('API robustness', () => {
  let hub: TestHub;
  let operations: Operation[];
  let tokens: Record<string, string>;
  let applicationId: string;

  beforeAll(async () => {
    hub = await startTestHub();
    tokens = {
      admin: await hub.login('ada.admin@hub.example'),
      advisor: await hub.login('alex.advisor@hub.example'),
      client: await hub.login('chris.carter@client.example'),
    };
    const created = await hub.api(tokens.advisor, 'POST', '/applications', {
      client_id: 'cli_chris_carter',
      account_type: 'individual',
    });
    applicationId = created.body.application_id;
    // Ending one's own sessions is not a refusal to test: the tokens must live through the barrage.
    operations = operationsOf((await hub.api(null, 'GET', '/openapi.json')).body).filter(
      (op) => op.path !== '/api/auth/logout' && op.path !== '/api/auth/sign-out-everywhere',
    );
  });
  afterAll(async () => {
    await hub?.stop();
  });

  /** One connection per request, so an early answer to an oversized upload cannot upset the next request. */
  function send(method: string, path: string, token: string | null, body?: string, contentType = 'application/json') {
    return new Promise<{ status: number; text: string }>((resolve, reject) => {
      const request = http.request(
        `${hub.url}${path}`,
        {
          method,
          agent: false,
          headers: {
            ...(token ? { authorization: `Bearer ${token}` } : {}),
            ...(body !== undefined ? { 'content-type': contentType } : {}),
          },
        },
        (response) => {
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (chunk) => (text += chunk));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
        },
      );
      request.on('error', reject);
      request.end(body);
    });
  }

  function expectClientError(result: { status: number; text: string }, what: string) {
    expect(result.status, `${what} → ${result.status} ${result.text.slice(0, 300)}`).toBeLessThan(500);
    if (result.status >= 400) {
      const body = JSON.parse(result.text);
      expect(typeof body.error?.code, `${what} has no error code: ${result.text.slice(0, 200)}`).toBe('string');
      expect(typeof body.error?.message).toBe('string');
    }
  }

  it('covers every documented operation', () => {
    expect(operations.length).toBeGreaterThan(25);
  });

  it('refuses every protected operation without a token, with 401', async () => {
    for (const op of operations.filter((o) => !o.public)) {
      const result = await send(op.method, op.path.replace(/\{[^}]+\}/g, applicationId), null);
      expect(result.status, `${op.method} ${op.path}`).toBe(401);
      expect(JSON.parse(result.text).error.code).toBe('UNAUTHENTICATED');
    }
  });

  it('answers hostile ids, queries and bodies with client errors, never 500', async () => {
    const ids = [
      applicationId,
      'app_does_not_exist',
      'x'.repeat(101),
      '%00',
      '..%2F..%2Fetc',
      'ü%20💥',
      "1' OR '1'='1",
    ];
    // Each operation, role and id is its own probe; a few run at once, as a busy hub's clients would send them.
    const probes: (() => Promise<void>)[] = [];
    for (const op of operations) {
      for (const [role, token] of Object.entries(tokens)) {
        for (const id of op.path.includes('{') ? ids : [undefined])
          probes.push(async () => {
            const path = id === undefined ? op.path : op.path.replace(/\{[^}]+\}/g, id);
            const what = `${role} ${op.method} ${path.slice(0, 80)}`;
            if (op.method === 'GET' || op.method === 'DELETE') {
              const query = op.queryNames.map((name) => `${name}=${encodeURIComponent('-1\u0000💥')}`).join('&');
              expectClientError(await send(op.method, query ? `${path}?${query}` : path, token), what);
              return;
            }
            for (const body of hostileBodies(op.bodySchema))
              expectClientError(
                await send(op.method, path, token, body as string),
                `${what} ${String(body).slice(0, 60)}`,
              );
            expectClientError(await send(op.method, path, token, 'plain text', 'text/plain'), `${what} text/plain`);
            expectClientError(await send(op.method, path, token, 'x'.repeat(300 * 1024)), `${what} oversized`);
          });
      }
    }
    await runAtOnce(probes, 6);
  }, 600_000);

  it('leaves the application intact after the barrage', async () => {
    const view = await hub.api(tokens.advisor, 'GET', `/applications/${applicationId}`);
    expect(view.status).toBe(200);
    expect(['draft', 'risk_assessment', 'cancelled']).toContain(view.body.status);
  });
});
