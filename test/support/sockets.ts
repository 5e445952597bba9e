import { io as connectSocket, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../contracts/socket-events.js';

export type HubSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * A real socket.io-client connection with a bearer token, its own (never shared), resolved once the server
 * admitted it: on `connect`, or on the hub's `hub:welcome` for a test that must not miss what follows it.
 */
export async function connectHubSocket(
  url: string,
  token: string,
  admittedOn: 'connect' | 'hub:welcome' = 'connect',
): Promise<HubSocket> {
  const socket: HubSocket = connectSocket(url, {
    auth: { token },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  await new Promise<void>((resolve, reject) => {
    socket.once(admittedOn as 'connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return socket;
}

/** Waits until a check over what arrived so far holds, re-checked on each arrival (`wake`), never by sleeping. */
export function createWaiters() {
  const waiters = new Set<() => void>();
  return {
    wake: () => waiters.forEach((w) => w()),
    until<T>(check: () => T | undefined | null | false, what: string, timeoutMs: number, seen = ''): Promise<T> {
      return new Promise((resolve, reject) => {
        const attempt = () => {
          const value = check();
          if (!value) return;
          waiters.delete(attempt);
          clearTimeout(timer);
          resolve(value);
        };
        const timer = setTimeout(() => {
          waiters.delete(attempt);
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}${seen}`));
        }, timeoutMs);
        waiters.add(attempt);
        attempt();
      });
    },
  };
}

/**
 * Records every event of one name a socket receives, from now on, and lets a test wait until the
 * record satisfies a condition (no sleeping: it re-checks on each arrival).
 */
export function recordEvents<E extends keyof ServerToClientEvents>(socket: HubSocket, event: E) {
  type Payload = Parameters<ServerToClientEvents[E]>[0];
  const received: Payload[] = [];
  const waiters = createWaiters();
  const listener = ((payload: Payload) => {
    received.push(payload);
    waiters.wake();
  }) as never;
  socket.on(event, listener);
  return {
    received,
    until: (check: (received: Payload[]) => boolean, timeoutMs = 15_000, what = String(event)): Promise<Payload[]> =>
      waiters.until(
        () => check(received) && received,
        what,
        timeoutMs,
        `; received ${JSON.stringify(received).slice(0, 2000)}`,
      ),
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
