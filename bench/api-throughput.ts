import http from 'node:http';
import type { AddressInfo } from 'node:net';
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
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, close: () => new Promise((resolve) => server.close(resolve)) };
}

const benchmark: Benchmark = {
  name: 'api-throughput',
  description: `Requests per second over ${CONNECTIONS} keep-alive connections for ${SECONDS} s each, against bare node:http in the same run. The load generator shares the machine with the server.`,
  async run({ hub: startHub }) {
    const hub = await startHub();
    const advisor = await hub.login('alex.advisor@hub.example');
    const { application_id: id } = await hub.api<{ application_id: string }>(advisor, 'POST', '/applications', { client_id: 'cli_chris_carter', account_type: 'individual' });
    const bare = await startBareServer();
    const auth = { authorization: `Bearer ${advisor}` };
    const cases: [string, string, Record<string, string>][] = [
      ['bare node:http (baseline)', bare.url, {}],
      ['GET /healthz (Hono)', `${hub.url}/healthz`, {}],
      ['GET /api/me (token checked in PostgreSQL)', `${hub.url}/api/me`, auth],
      ['GET /api/applications?limit=20 (policy-filtered list)', `${hub.url}/api/applications?limit=20`, auth],
      ['GET /api/applications/:id (view event recorded)', `${hub.url}/api/applications/${id}`, auth],
    ];
    const rows: (string | number)[][] = [];
    let baseline = 0;
    for (const [name, url, headers] of cases) {
      const r = await load(url, headers);
      baseline ||= r.perSecond;
      rows.push([name, Math.round(r.perSecond), `${Math.round((r.perSecond / baseline) * 100)}%`, r.p50, r.p95, r.errors]);
    }
    await bare.close();
    return { columns: ['endpoint', 'requests / s', 'of baseline', 'p50 ms', 'p95 ms', 'errors'], rows };
  },
};

export default benchmark;
