import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Sql } from '../db/client.js';
import { getProcess, listProcesses, listProcessesQuery } from '../db/processes.js';
import { userForToken } from '../db/users.js';
import { queueViewEvent } from '../db/view-events.js';
import { actorFor } from '../hub/context.js';
import { accountOpeningSpec } from '../workflows/account-opening/spec.js';
import { visibilityFilter } from '../workflows/policy.js';
import { summarize, type Benchmark } from './support/benchmark.js';

const SECONDS = Number(process.env.BENCH_API_SECONDS ?? 5);
const CONNECTIONS = 32;

/** Keeps `CONNECTIONS` requests in flight against `url` for `SECONDS`; counts answers and their latency. */
async function load(url: string, headers: Record<string, string> = {}) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const latencies: number[] = [];
  let errors = 0;
  const deadline = performance.now() + SECONDS * 1000;
  const once = () =>
    new Promise<void>((resolve) => {
      const started = performance.now();
      http
        .get(url, { agent, headers }, (response) => {
          response.resume();
          response.on('end', () => {
            if (response.statusCode === 200) latencies.push(performance.now() - started);
            else errors++;
            resolve();
          });
        })
        .on('error', () => {
          errors++;
          resolve();
        });
    });
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (performance.now() < deadline) await once();
    }),
  );
  agent.destroy();
  return { perSecond: latencies.length / SECONDS, errors, ...summarize(latencies) };
}

/** The floor: Node's own HTTP server answering a small JSON body, with no framework, validation or database. */
async function startBareServer() {
  const body = JSON.stringify({ status: 'ok' });
  const server = http.createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/**
 * The real limit of a database-backed read: bare node:http running the hub's own SQL for it through the same
 * postgres client (token check, the policy-filtered list or the row plus its queued view), nothing else.
 */
async function startSqlServer(sql: Sql, applicationId: string) {
  const send = (response: http.ServerResponse, status: number, value: unknown) => {
    const body = JSON.stringify(value);
    response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    response.end(body);
  };
  const server = http.createServer(async (request, response) => {
    try {
      const user = await userForToken(sql, (request.headers.authorization ?? '').replace(/^Bearer /, ''));
      if (!user) return send(response, 401, { error: 'unauthenticated' });
      const visibility = visibilityFilter(accountOpeningSpec, actorFor(user, 'api'));
      if (request.url === '/list') {
        const rows = await listProcesses(sql, visibility, { process_type: accountOpeningSpec.processType, limit: 20 });
        return send(response, 200, { items: rows });
      }
      const row = await getProcess(sql, applicationId);
      const viewed = { application_id: applicationId, viewed_by: user.id, timestamp: new Date().toISOString() };
      await queueViewEvent(sql, accountOpeningSpec.processType, applicationId, {
        type: 'account.status_viewed',
        payload: viewed,
      });
      return send(response, 200, row);
    } catch (error) {
      send(response, 500, { error: String(error) });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, close: () => new Promise((resolve) => server.close(resolve)) };
}

const benchmark: Benchmark = {
  name: 'api-throughput',
  description: `Requests per second over ${CONNECTIONS} keep-alive connections for ${SECONDS} s each, against bare node:http in the same run. The load generator shares the machine with the server.`,
  async run({ hub: startHub }) {
    const hub = await startHub();
    const advisor = await hub.login('alex.advisor@hub.example');
    const { application_id: id } = await hub.api<{ application_id: string }>(advisor, 'POST', '/applications', {
      client_id: 'cli_chris_carter',
      account_type: 'individual',
    });
    // A hub with history: 10,000 more applications of this advisor, copies of this one, each updated a minute apart.
    await hub.sql`
      INSERT INTO processes
      SELECT (jsonb_populate_record(null::processes, to_jsonb(p) || jsonb_build_object(
        'process_id', p.process_id || '_' || g, 'updated_at', now() - g * interval '1 minute'))).*
      FROM processes p, generate_series(1, 10000) g WHERE p.process_id = ${id}`;
    await hub.sql`ANALYZE processes`;
    const bare = await startBareServer();
    const sqlOnly = await startSqlServer(hub.sql, id);
    const auth = { authorization: `Bearer ${advisor}` };
    // [name, url, headers, the row whose rate is this one's baseline]
    const cases: [string, string, Record<string, string>, string][] = [
      ['bare node:http (baseline)', bare.url, {}, 'bare node:http (baseline)'],
      ['GET /healthz (Hono)', `${hub.url}/healthz`, {}, 'bare node:http (baseline)'],
      ['GET /api/me (token checked in PostgreSQL)', `${hub.url}/api/me`, auth, 'bare node:http (baseline)'],
      [
        'list: same SQL on bare node:http (baseline)',
        `${sqlOnly.url}/list`,
        auth,
        'list: same SQL on bare node:http (baseline)',
      ],
      [
        'GET /api/applications?limit=20 (policy-filtered list)',
        `${hub.url}/api/applications?limit=20`,
        auth,
        'list: same SQL on bare node:http (baseline)',
      ],
      [
        'detail: same SQL on bare node:http (baseline)',
        `${sqlOnly.url}/detail`,
        auth,
        'detail: same SQL on bare node:http (baseline)',
      ],
      [
        'GET /api/applications/:id (view event queued)',
        `${hub.url}/api/applications/${id}`,
        auth,
        'detail: same SQL on bare node:http (baseline)',
      ],
    ];
    const rows: (string | number)[][] = [];
    const rates = new Map<string, number>();
    for (const [name, url, headers, baselineName] of cases) {
      const r = await load(url, headers);
      rates.set(name, r.perSecond);
      const baseline = rates.get(baselineName) ?? r.perSecond;
      rows.push([
        name,
        Math.round(r.perSecond),
        `${Math.round((r.perSecond / baseline) * 100)}%`,
        r.p50,
        r.p95,
        r.errors,
      ]);
    }
    await Promise.all([bare.close(), sqlOnly.close()]);
    const advisorUser = await userForToken(hub.sql, advisor);
    if (!advisorUser) throw new Error('the advisor is signed in');
    const visibility = visibilityFilter(accountOpeningSpec, actorFor(advisorUser, 'api'));
    const filters = { process_type: accountOpeningSpec.processType, limit: 20 };
    const plan = await hub.sql`EXPLAIN (ANALYZE, BUFFERS) ${listProcessesQuery(hub.sql, visibility, filters)}`;
    const notes = [
      `The list query for an advisor with 10,000 applications:\n${plan.map((r) => r['QUERY PLAN']).join('\n')}`,
    ];
    return { columns: ['endpoint', 'requests / s', 'of baseline', 'p50 ms', 'p95 ms', 'errors'], rows, notes };
  },
};

export default benchmark;
