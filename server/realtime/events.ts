/** The Socket.IO contract between the hub and the board; web/ imports these types. */
import type { Role } from '../../workflows/process-spec.js';
import type { ProcessCard } from '../../workflows/process-records.js';

export interface RealtimeUser {
  id: string;
  name: string;
  role: Role;
}

/** A process as a board card: the read model's card columns plus what the board shows beside them. */
export interface BoardCard extends ProcessCard {
  process_id: string;
  process_type: string;
  version: number;
  advisor_name: string | null;
  created_at: string;
  updated_at: string;
}

/**
 * One committed transition. `sequence` orders every change of the hub (the sequence of the last event the
 * transition wrote); a board keeps the largest it has seen and sends it back when it subscribes again.
 * `card` is null when the change took the process out of what this user may see.
 */
export interface ProcessChange {
  sequence: number | null;
  process_type: string;
  process_id: string;
  version: number;
  card: BoardCard | null;
  /** True when sent while catching a subscriber up, false when pushed as it happened. */
  replayed: boolean;
}

/** Every card of a board the user may see, and the sequence it is current up to. */
export interface BoardSnapshot {
  process_type: string;
  sequence: number;
  cards: BoardCard[];
  /** Why a snapshot rather than a replay: first subscription, or too far behind to replay. */
  reason: 'initial' | 'too_far_behind';
}

export interface BellNotification {
  id: number;
  kind: string;
  title: string;
  body: string;
  process_type: string | null;
  process_id: string | null;
  created_at: string;
  read_at: string | null;
}

/**
 * Something happened on a process that is not a state change (a query-thread message, a note edit).
 * Sent to the room `process:<process_id>`; the board's drawer refreshes what `kind` concerns.
 */
export interface ProcessActivity {
  process_type: string;
  process_id: string;
  kind: string;
  at: string;
  data: Record<string, unknown>;
}

export interface RealtimeError {
  code: string;
  message: string;
}

export type Ack<T> = (reply: ({ ok: true } & T) | { ok: false; error: RealtimeError }) => void;

export interface BoardSubscribeRequest {
  process_type: string;
  /** The largest sequence this board has applied; omit (or null) for a fresh snapshot. */
  after?: number | null;
}

export interface BoardSubscribeReply {
  process_type: string;
  /** How the board was brought up to date before live changes resume. */
  mode: 'snapshot' | 'replay';
  /** The sequence the board is current up to once the replayed changes or snapshot have been applied. */
  sequence: number;
  replayed: number;
}

export interface ServerToClientEvents {
  'hub:welcome': (welcome: { user: RealtimeUser; server_time: string }) => void;
  'board:snapshot': (snapshot: BoardSnapshot) => void;
  'process:changed': (change: ProcessChange) => void;
  'process:activity': (activity: ProcessActivity) => void;
  'notification:new': (notification: BellNotification) => void;
}

export interface ClientToServerEvents {
  /** Start (or resume after a reconnect) a board; replies once what was missed has been sent. */
  'board:subscribe': (request: BoardSubscribeRequest, ack: Ack<BoardSubscribeReply>) => void;
  'board:unsubscribe': (request: { process_type: string }) => void;
  /** Follow one process (the drawer): its changes and activity, whether or not its board is open. */
  'process:watch': (request: { process_id: string }, ack: Ack<{ card: BoardCard }>) => void;
  'process:unwatch': (request: { process_id: string }) => void;
}

export interface SocketData {
  user: RealtimeUser;
}

/** Room names shared by every module that pushes to browsers. */
export const rooms = {
  process: (processId: string) => `process:${processId}`,
  user: (userId: string) => `user:${userId}`,
  board: (processType: string) => `board:${processType}`,
} as const;
