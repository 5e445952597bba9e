import { io as connectSocket, type Socket } from 'socket.io-client';
import type {
  BellNotification,
  BoardSnapshot,
  BoardSubscribeReply,
  ClientToServerEvents,
  ProcessActivity,
  ProcessChange,
  RealtimeError,
  ServerToClientEvents,
} from '../../contracts/socket-events.js';
import type { TestHub } from './hub.js';

export type BoardSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

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
  const socket: BoardSocket = connectSocket(url, {
    auth: { token },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  const changes: ProcessChange[] = [];
  const snapshots: BoardSnapshot[] = [];
  const activities: ProcessActivity[] = [];
  const notifications: BellNotification[] = [];
  const waiters = new Set<() => void>();
  const wake = () => waiters.forEach((w) => w());
  socket.on('process:changed', (change) => (changes.push(change), wake()));
  socket.on('board:snapshot', (snapshot) => (snapshots.push(snapshot), wake()));
  socket.on('process:activity', (activity) => (activities.push(activity), wake()));
  socket.on('notification:new', (notification) => (notifications.push(notification), wake()));

  await new Promise<void>((resolve, reject) => {
    socket.once('hub:welcome', () => resolve());
    socket.once('connect_error', reject);
  });

  return {
    socket,
    changes,
    snapshots,
    activities,
    notifications,
    until(check, what, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const attempt = () => {
          const value = check();
          if (value) {
            waiters.delete(attempt);
            clearTimeout(timer);
            resolve(value);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(attempt);
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
        }, timeoutMs);
        waiters.add(attempt);
        attempt();
      });
    },
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

/** The account-opening steps after the draft, each one command as the advisor sends it. */
export const APPLICATION_STEPS = [
  { path: 'products', body: { selected_products: ['prd_global_equity_index', 'prd_core_bond'] } },
  {
    path: 'risk-assessment',
    body: { risk_score: 55, investment_objective: 'growth', investment_horizon: 'long_term' },
  },
  { path: 'terms', body: { terms_accepted: true } },
  {
    path: 'funding',
    body: {
      funding_method: 'wire_transfer',
      initial_investment_amount: 50000,
      currency: 'USD',
      source_of_funds: 'savings',
    },
  },
] as const;

export async function startApplication(hub: Pick<TestHub, 'api'>, token: string, clientId: string): Promise<string> {
  const created = await hub.api(token, 'POST', '/applications', { client_id: clientId, account_type: 'individual' });
  if (created.status !== 201) throw new Error(`could not start an application: ${JSON.stringify(created.body)}`);
  return created.body.application_id as string;
}

export async function runStep(
  hub: Pick<TestHub, 'api'>,
  token: string,
  applicationId: string,
  step: number,
): Promise<Record<string, unknown>> {
  const { path, body } = APPLICATION_STEPS[step];
  const response = await hub.api(token, 'POST', `/applications/${applicationId}/${path}`, body);
  if (response.status !== 200) throw new Error(`${path} failed: ${JSON.stringify(response.body)}`);
  return response.body;
}
