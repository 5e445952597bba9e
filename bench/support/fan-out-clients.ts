import { io as connectSocket, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../contracts/socket-events.js';

/**
 * A separate process of board sockets for the fan-out benchmark, so the server's memory is measured apart
 * from theirs. Told `{ url, token, count }` over IPC, it connects and subscribes them all, answers `ready`,
 * then for each `{ report: key }` sends when each socket received that change (epoch ms).
 */
type Request = { url: string; token: string; count: number } | { report: string; timeoutMs: number };

const epochNow = () => performance.timeOrigin + performance.now();
const received = new Map<string, number[]>();
const waiting = new Map<string, () => void>();
let count = 0;
const sockets: Socket<ServerToClientEvents, ClientToServerEvents>[] = [];

async function connectAll(url: string, token: string) {
  // In batches, as boards come online over a morning rather than in one instant.
  for (let i = 0; i < count; i += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, count - i) }, async () => {
        const socket: Socket<ServerToClientEvents, ClientToServerEvents> = connectSocket(url, {
          auth: { token },
          transports: ['websocket'],
          forceNew: true,
          reconnection: false,
        });
        socket.on('process:changed', (change) => {
          const key = `${change.process_id}@${change.version}`;
          const times = received.get(key) ?? [];
          times.push(epochNow());
          received.set(key, times);
          if (times.length === count) waiting.get(key)?.();
        });
        await new Promise<void>((resolve, reject) => {
          socket.once('hub:welcome', () => resolve());
          socket.once('connect_error', reject);
        });
        const reply = await socket.emitWithAck('board:subscribe', { process_type: 'account_opening' });
        if (!reply.ok) throw new Error(reply.error.message);
        sockets.push(socket);
      }),
    );
  }
}

process.on('message', (request: Request) => {
  void (async () => {
    if ('url' in request) {
      count = request.count;
      await connectAll(request.url, request.token);
      process.send!({ ready: sockets.length });
      return;
    }
    const key = request.report;
    if ((received.get(key)?.length ?? 0) < count) {
      await new Promise<void>((resolve) => {
        waiting.set(key, resolve);
        setTimeout(resolve, request.timeoutMs);
      });
    }
    process.send!({ key, times: received.get(key) ?? [] });
  })().catch((error: unknown) => {
    process.send!({ error: String(error) });
  });
});
process.on('disconnect', () => {
  for (const socket of sockets) socket.close();
  process.exit(0);
});
