import type {
  BellNotification,
  BoardSnapshot,
  BoardSubscribeReply,
  ProcessActivity,
  ProcessChange,
  RealtimeError,
} from '../../contracts/socket-events.js';
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

export const ALEX = 'alex.advisor@hub.example';
export const BETH = 'beth.advisor@hub.example';
export const OMAR_OPS = 'omar.ops@hub.example';
export const CARLA = 'carla.compliance@hub.example';
