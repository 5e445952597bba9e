import { io as connectSocket, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../contracts/socket-events.js';

export type HubSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** A real socket.io-client connection with a bearer token, resolved once the server admitted it. */
export async function connectHubSocket(url: string, token: string): Promise<HubSocket> {
  const socket: HubSocket = connectSocket(url, { auth: { token }, transports: ['websocket'], reconnection: false });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return socket;
}

/**
 * Records every event of one name a socket receives, from now on, and lets a test wait until the
 * record satisfies a condition (no sleeping: it re-checks on each arrival).
 */
export function recordEvents<E extends keyof ServerToClientEvents>(socket: HubSocket, event: E) {
  type Payload = Parameters<ServerToClientEvents[E]>[0];
  const received: Payload[] = [];
  const waiters = new Set<() => void>();
  const listener = ((payload: Payload) => {
    received.push(payload);
    for (const wake of waiters) wake();
  }) as never;
  socket.on(event, listener);
  return {
    received,
    async until(check: (received: Payload[]) => boolean, timeoutMs = 15_000, what = String(event)): Promise<Payload[]> {
      if (check(received)) return received;
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(wake);
          reject(new Error(`timed out waiting for ${what}; received ${JSON.stringify(received).slice(0, 2000)}`));
        }, timeoutMs);
        const wake = () => {
          if (!check(received)) return;
          clearTimeout(timer);
          waiters.delete(wake);
          resolve();
        };
        waiters.add(wake);
      });
      return received;
    },
    stop: () => socket.off(event, listener),
  };
}

/** Emits an event with an acknowledgement and resolves with the server's answer. */
export function emitWithAck<R>(
  socket: HubSocket,
  event: keyof ClientToServerEvents,
  payload: unknown,
  timeoutMs = 10_000,
): Promise<R> {
  return (
    socket.timeout(timeoutMs) as unknown as { emitWithAck(event: string, payload: unknown): Promise<R> }
  ).emitWithAck(event, payload);
}
