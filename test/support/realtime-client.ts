import type {
  BellNotification,
  BoardSnapshot,
  BoardSubscribeReply,
  ProcessActivity,
  ProcessChange,
  RealtimeError,
} from '../../contracts/socket-events.js';
import { RealtimeClient } from '../../web/src/realtime.js';
import { connectHubSocket, createWaiters, type HubSocket } from './sockets.js';

export type BoardSocket = HubSocket;

type Reply<T> = ({ ok: true } & T) | { ok: false; error: RealtimeError };

/** A real socket.io-client that records everything the gateway sends it, and waits on it without sleeping. */
export interface RecordingClient {
  socket: BoardSocket;
  changes: ProcessChange[];
  snapshots: BoardSnapshot[];
  activities: ProcessActivity[];
  notifications: BellNotification[];
  /** Resolves once `check` holds over what was received so far (checked on every message). */
  until<T>(check: () => T | undefined | null | false, what: string, timeoutMs?: number): Promise<T>;
  subscribe(processType: string, after?: number | null): Promise<Reply<BoardSubscribeReply>>;
  watch(processId: string): Promise<Reply<{ card: unknown }>>;
  close(): void;
}

export async function connectRecordingClient(url: string, token: string): Promise<RecordingClient> {
  const socket = await connectHubSocket(url, token, 'hub:welcome');
  const changes: ProcessChange[] = [];
  const snapshots: BoardSnapshot[] = [];
  const activities: ProcessActivity[] = [];
  const notifications: BellNotification[] = [];
  const waiters = createWaiters();
  socket.on('process:changed', (change) => (changes.push(change), waiters.wake()));
  socket.on('board:snapshot', (snapshot) => (snapshots.push(snapshot), waiters.wake()));
  socket.on('process:activity', (activity) => (activities.push(activity), waiters.wake()));
  socket.on('notification:new', (notification) => (notifications.push(notification), waiters.wake()));

  return {
    socket,
    changes,
    snapshots,
    activities,
    notifications,
    until: (check, what, timeoutMs = 20_000) => waiters.until(check, what, timeoutMs),
    subscribe: (processType, after) =>
      socket.emitWithAck('board:subscribe', { process_type: processType, after }) as Promise<
        Reply<BoardSubscribeReply>
      >,
    watch: (processId) =>
      socket.emitWithAck('process:watch', { process_id: processId }) as Promise<Reply<{ card: unknown }>>,
    close: () => void socket.close(),
  };
}

/** What a board in the browser's own realtime client applied: the latest version of each process, and more. */
export interface BoardRecord {
  versions: Map<string, number>;
  /** Every numbered change it received. */
  sequences: Set<number>;
  changes: ProcessChange[];
  snapshots: number;
  reconnects: number;
  refusals: string[];
}

/**
 * A board as the browser runs it: the board's own RealtimeClient (web/src/realtime.ts) following one process
 * type, through its own reconnects and resumes, recording what it applied.
 */
export function followBoard(url: string, token: string, processType = 'account_opening') {
  const record: BoardRecord = {
    versions: new Map(),
    sequences: new Set(),
    changes: [],
    snapshots: 0,
    reconnects: 0,
    refusals: [],
  };
  const waiters = createWaiters();
  const noted =
    <A extends unknown[]>(note: (...args: A) => void) =>
    (...args: A) => {
      note(...args);
      waiters.wake();
    };
  const ignore = () => {};
  const client = new RealtimeClient(
    token,
    {
      online: ignore,
      unauthenticated: noted(() => record.refusals.push('unauthenticated')),
      snapshot: noted((snapshot) => {
        record.snapshots += 1;
        for (const card of snapshot.cards) record.versions.set(card.process_id, card.version);
      }),
      change: noted((change) => {
        record.changes.push(change);
        if (change.sequence !== null) record.sequences.add(change.sequence);
        record.versions.set(change.process_id, Math.max(record.versions.get(change.process_id) ?? 0, change.version));
      }),
      activity: ignore,
      notification: ignore,
      unread: ignore,
      queryChanged: ignore,
      queryRead: ignore,
      reconnected: noted(() => (record.reconnects += 1)),
      refused: noted((message) => record.refusals.push(message)),
    },
    { url, transports: ['websocket'] },
  );
  client.subscribeBoard(processType);
  return {
    record,
    client,
    /** Resolves once `check` holds over what the board applied (checked on each arrival). */
    until: <T>(check: () => T | undefined | null | false, what: string, timeoutMs = 20_000) =>
      waiters.until(check, what, timeoutMs),
  };
}

export const ALEX = 'alex.advisor@hub.example';
export const BETH = 'beth.advisor@hub.example';
export const OMAR_OPS = 'omar.ops@hub.example';
export const CARLA = 'carla.compliance@hub.example';
