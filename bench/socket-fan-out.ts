import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { PROCESS_CHANGED_CHANNEL, type ProcessChangedNotice } from '../db/transitions.js';
import type { BenchHub } from './support/bench-hub.js';
import { summarize, type Benchmark } from './support/benchmark.js';

const SOCKETS = Number(process.env.BENCH_FAN_OUT_SOCKETS ?? 1000);
const TRANSITIONS = Number(process.env.BENCH_FAN_OUT_TRANSITIONS ?? 5);
const epochNow = () => performance.timeOrigin + performance.now();

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
/** This process's memory after a full collection: the server runs here, the sockets' clients do not. */
const memory = () => {
  gc();
  const { heapUsed, rss } = process.memoryUsage();
  return { heapUsed, rss };
};

function ask<T>(child: ChildProcess, message: object): Promise<T> {
  return new Promise((resolve, reject) => {
    child.once('message', (reply: T & { error?: string }) =>
      reply.error ? reject(new Error(reply.error)) : resolve(reply),
    );
    child.send(message);
  });
}

/** `count` sockets on the ops board; TRANSITIONS transitions; when each socket had each, after its commit. */
async function fanOut(hub: BenchHub, ops: string, advisor: string, count: number) {
  const before = memory();
  const child = fork(fileURLToPath(new URL('./support/fan-out-clients.ts', import.meta.url)), {
    execArgv: ['--import', 'tsx'],
  });
  try {
    await ask(child, { url: hub.url, token: ops, count });
    const after = memory();
    const committed = new Map<string, number>();
    const listener = await hub.sql.listen(PROCESS_CHANGED_CHANNEL, (payload) => {
      const notice = JSON.parse(payload) as ProcessChangedNotice;
      committed.set(`${notice.process_id}@${notice.version}`, epochNow());
    });
    const delays: number[] = [];
    let missing = 0;
    for (let i = 0; i < TRANSITIONS; i += 1) {
      const { application_id: id } = await hub.api<{ application_id: string }>(advisor, 'POST', '/applications', {
        client_id: 'cli_chris_carter',
        account_type: 'individual',
      });
      const { version } = await hub.api<{ version: number }>(advisor, 'POST', `/applications/${id}/products`, {
        selected_products: ['prd_global_equity_index', 'prd_core_bond'],
      });
      const key = `${id}@${version}`;
      const { times } = await ask<{ times: number[] }>(child, { report: key, timeoutMs: 30_000 });
      missing += count - times.length;
      for (const at of times) delays.push(Math.max(0, at - committed.get(key)!));
    }
    await listener.unlisten();
    return {
      ...summarize(delays),
      missing,
      heapPerSocket: (after.heapUsed - before.heapUsed) / count,
      rssPerSocket: (after.rss - before.rss) / count,
    };
  } finally {
    child.disconnect();
  }
}

const benchmark: Benchmark = {
  name: 'socket-fan-out',
  description: `One transition pushed to ${SOCKETS} authenticated sockets on one board (ops), against one socket, ${TRANSITIONS} transitions each: commit (NOTIFY) → each socket's receipt, and the server's memory per socket.`,
  async run({ hub: startHub }) {
    const hub = await startHub();
    const [ops, advisor] = [await hub.login('omar.ops@hub.example'), await hub.login('alex.advisor@hub.example')];
    const one = await fanOut(hub, ops, advisor, 1);
    const many = await fanOut(hub, ops, advisor, SOCKETS);
    const kib = (bytes: number) => Number((bytes / 1024).toFixed(1));
    const row = (name: string, r: typeof one, sockets: number) => [
      name,
      sockets,
      r.n,
      r.p50,
      r.p99,
      r.max,
      // Per-socket memory means something only over many sockets.
      sockets > 1 ? kib(r.heapPerSocket) : '–',
      sockets > 1 ? kib(r.rssPerSocket) : '–',
    ];
    return {
      columns: [
        'sockets',
        'count',
        'deliveries',
        'p50 ms',
        'p99 ms',
        'max ms',
        'heap KiB / socket',
        'RSS KiB / socket',
      ],
      rows: [row(`${SOCKETS} sockets (measured)`, many, SOCKETS), row('1 socket (baseline)', one, 1)],
      notes: [
        'Every socket signs in with a session token (one ops session shared: a login costs a memory-hard hash) and subscribes to the account-opening board; the clients run in a process of their own.',
        'Memory is the server process after a full collection, before and after the sockets connected, divided by their number; RSS includes native buffers and is noisy.',
        ...(many.missing + one.missing ? [`${many.missing + one.missing} deliveries never arrived.`] : []),
      ],
    };
  },
};

export default benchmark;
