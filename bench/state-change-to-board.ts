import { io as connectSocket, type Socket } from 'socket.io-client';
import { PROCESS_CHANGED_CHANNEL, type ProcessChangedNotice } from '../db/transitions.js';
import type { BoardCard, ClientToServerEvents, ServerToClientEvents } from '../contracts/socket-events.js';
import { summarize, type Benchmark } from './support/benchmark.js';

const SAMPLES = Number(process.env.BENCH_BOARD_SAMPLES ?? 12);
const POLLERS = Number(process.env.BENCH_BOARD_POLLERS ?? 5);
const POLL_INTERVAL_MS = 10_000;
const PROCESS_TYPE = 'account_opening';

const key = (processId: string, version: number) => `${processId}@${version}`;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * From a committed transition to the board: the moment PostgreSQL delivers the transition's NOTIFY to an
 * independent listener (the first moment a commit can be observed) to the moment a board client has it,
 * pushed over Socket.IO, and, for the baseline, found by clients polling the API every 10 s.
 */
const stateChangeToBoard: Benchmark = {
  name: 'state-change-to-board',
  description: `Committed transition → board client: Socket.IO push vs ${POLLERS} clients polling every ${POLL_INTERVAL_MS / 1000} s (${SAMPLES} transitions through the API, Temporal and the worker).`,
  async run({ hub: startHub }) {
    const hub = await startHub();
    const advisor = await hub.login('alex.advisor@hub.example');
    const ops = await hub.login('omar.ops@hub.example');

    const committedAt = new Map<string, number>();
    const listener = await hub.sql.listen(PROCESS_CHANGED_CHANNEL, (payload) => {
      const notice = JSON.parse(payload) as ProcessChangedNotice;
      committedAt.set(key(notice.process_id, notice.version), performance.now());
    });

    const pushedAt = new Map<string, number>();
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = connectSocket(hub.url, {
      auth: { token: ops },
      transports: ['websocket'],
      forceNew: true,
    });
    socket.on('process:changed', (change) => {
      if (!pushedAt.has(key(change.process_id, change.version)))
        pushedAt.set(key(change.process_id, change.version), performance.now());
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('hub:welcome', () => resolve());
      socket.once('connect_error', reject);
    });
    const subscribed = await socket.emitWithAck('board:subscribe', { process_type: PROCESS_TYPE });
    if (!subscribed.ok) throw new Error(subscribed.error.message);

    // Each poller keeps the versions it has seen and notes when it first sees a newer one.
    const seenAt = Array.from({ length: POLLERS }, () => new Map<string, number>());
    let polling = true;
    const pollers = seenAt.map(async (seen, index) => {
      await pause((POLL_INTERVAL_MS * index) / POLLERS + Math.random() * (POLL_INTERVAL_MS / POLLERS));
      while (polling) {
        const started = performance.now();
        const { processes } = await hub.api<{ processes: BoardCard[] }>(
          ops,
          'GET',
          `/processes?process_type=${PROCESS_TYPE}&limit=2000`,
        );
        const now = performance.now();
        for (const card of processes)
          for (let v = 1; v <= card.version; v += 1)
            if (!seen.has(key(card.process_id, v))) seen.set(key(card.process_id, v), now);
        await pause(Math.max(0, POLL_INTERVAL_MS - (performance.now() - started)));
      }
    });

    const applications: string[] = [];
    for (let i = 0; i < SAMPLES; i += 1) {
      const created = await hub.api<{ application_id: string }>(advisor, 'POST', '/applications', {
        client_id: 'cli_chris_carter',
        account_type: 'individual',
      });
      applications.push(created.application_id);
    }
    // Transitions at irregular moments, as people make them: one per application, draft → risk assessment.
    const measured: string[] = [];
    for (const id of applications) {
      await pause(500 + Math.random() * 2000);
      const after = await hub.api<{ version: number }>(advisor, 'POST', `/applications/${id}/products`, {
        selected_products: ['prd_global_equity_index', 'prd_core_bond'],
      });
      measured.push(key(id, after.version));
    }

    const deadline = performance.now() + POLL_INTERVAL_MS * 2 + 5_000;
    while (
      performance.now() < deadline &&
      !measured.every((k) => pushedAt.has(k) && seenAt.every((seen) => seen.has(k)))
    )
      await pause(100);
    polling = false;
    socket.close();
    await listener.unlisten();
    await Promise.race([Promise.all(pollers), pause(POLL_INTERVAL_MS + 1_000)]);

    const latency = (observed: Map<string, number>) =>
      measured
        .filter((k) => observed.has(k) && committedAt.has(k))
        .map((k) => Math.max(0, observed.get(k)! - committedAt.get(k)!));
    const push = summarize(latency(pushedAt));
    const poll = summarize(seenAt.flatMap(latency));
    const row = (path: string, s: ReturnType<typeof summarize>) => [path, s.n, s.p50, s.p95, s.mean, s.max];
    const missing = measured.length - push.n;
    return {
      columns: ['path', 'samples', 'p50 ms', 'p95 ms', 'mean ms', 'max ms'],
      rows: [
        row('Socket.IO push (LISTEN/NOTIFY → gateway)', push),
        row(`API poll every ${POLL_INTERVAL_MS / 1000} s (baseline)`, poll),
      ],
      notes: [
        `Push is ${Math.round(poll.mean / Math.max(1, push.mean))}× faster on average; a ${POLL_INTERVAL_MS / 1000} s poller waits half its interval on average (≈ ${POLL_INTERVAL_MS / 2000} s).`,
        ...(missing ? [`${missing} of ${measured.length} pushes never arrived.`] : []),
      ],
    };
  },
};

export default stateChangeToBoard;
