/** The Socket.IO contract between the hub and the board; web/ imports these types. */
import type { Role } from '../workflows/process-spec.js';
import type { Scope } from '../workflows/policy.js';
import type { BellNotification } from './notifications.js';
import type { BoardCard } from './records.js';
import type {
  MentionRef,
  PersonRef,
  ProcessQueriesSummary,
  QueryEntryView,
  QueryThreadView,
  QueryView,
} from './query-threads.js';
import type { QueryAudience, QueryChange, QueryKind, QueryStatus } from '../workflows/query-threads.js';

export type { BellNotification, BoardCard, QueryAudience, QueryChange, QueryKind, QueryStatus };
export type { MentionRef, PersonRef, ProcessQueriesSummary, QueryEntryView, QueryThreadView, QueryView };

export interface RealtimeUser {
  id: string;
  name: string;
  role: Role;
  /** The office or team the person's role covers; absent for the whole firm. */
  scope?: Scope;
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
  /**
   * Why a snapshot rather than a replay: first subscription, too far behind to replay, or a cursor past
   * the log's end (the database was restored from an older backup).
   */
  /** scope_changed: a move in the firm's hierarchy changed what the person may see. */
  reason: 'initial' | 'too_far_behind' | 'cursor_ahead' | 'scope_changed';
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
  /** Sent just before the server disconnects a socket whose session ended; sign in again to reconnect. */
  'hub:session_ended': (ended: { reason: 'signed_out' | 'expired' }) => void;
  /**
   * This node is stopping (a deploy, a scale-down): disconnect and connect again, which the load balancer sends
   * to another node; boards subscribe again from their cursors, so no change is missed.
   */
  'hub:reconnect': (notice: { reason: 'server_shutdown' }) => void;
  'board:snapshot': (snapshot: BoardSnapshot) => void;
  'process:changed': (change: ProcessChange) => void;
  'process:activity': (activity: ProcessActivity) => void;
  'notification:new': (notification: BellNotification) => void;
  /** The person's unread count after a notification arrived or some were read (on any tab or node). */
  'notification:unread': (unread: { unread_count: number }) => void;
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
  /** The session the socket signed in with; when it ends (sign-out, expiry, deactivation) the socket is closed. */
  session: { token_hash: string; expires_at: string };
}

// ---- Query threads: pushed to `process:<process_id>` and to the assignee's `user:<user_id>` ----

/** One change to a query; `sequence` equals `entry.sequence`, so a client orders and deduplicates by it. */
export interface QueryChangedEvent {
  process_type: string;
  process_id: string;
  change: QueryChange;
  sequence: number;
  /** The query as it stood when pushed (pushes go out in commit order, so never older than a previous push). */
  query: QueryView;
  entry: QueryEntryView;
  summary: ProcessQueriesSummary;
}

/** The caller read a thread up to `read_sequence` (sent to the reader's own `user:<id>` room, for their other tabs). */
export interface QueryReadEvent {
  process_id: string;
  query_id: string;
  read_sequence: number;
}

export type RealtimeAck = (result: { ok: true } | { ok: false; error: { code: string; message: string } }) => void;

// ---- Collaborative compliance notes: y-protocols messages in room `notes:<application_id>` ----

/** One y-protocols message (sync or awareness) for the document of application `doc`. Binary: send a Uint8Array. */
export interface NotesMessage {
  doc: string;
  data: Uint8Array | ArrayBuffer;
}

/** The server dropped what the client sent (an update from a read-only user, a malformed message); nobody else got it. */
export interface NotesRefusal {
  doc: string;
  code: string;
  message: string;
}

export type NotesJoinAck = (
  result: { ok: true; writable: boolean } | { ok: false; error: { code: string; message: string } },
) => void;

export interface ServerToClientEvents {
  'query:changed': (event: QueryChangedEvent) => void;
  'query:read': (event: QueryReadEvent) => void;
  'notes:message': (message: NotesMessage) => void;
  'notes:refused': (refusal: NotesRefusal) => void;
}

export interface ClientToServerEvents {
  /** Opens the compliance notes of an application; the server then sends its sync step 1 and the awareness states. */
  'notes:join': (request: { doc: string }, ack?: NotesJoinAck) => void;
  'notes:leave': (request: { doc: string }, ack?: RealtimeAck) => void;
  'notes:message': (message: NotesMessage) => void;
}

/** Room names shared by every module that pushes to browsers. */
export const rooms = {
  session: (tokenHash: string) => `session:${tokenHash}`,
  process: (processId: string) => `process:${processId}`,
  user: (userId: string) => `user:${userId}`,
  board: (processType: string) => `board:${processType}`,
} as const;
