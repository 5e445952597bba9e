import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import type {
  BellNotification,
  BoardSnapshot,
  ClientToServerEvents,
  ProcessActivity,
  NotesMessage,
  NotesRefusal,
  ProcessChange,
  QueryChangedEvent,
  QueryReadEvent,
  ServerToClientEvents,
} from '../../contracts/socket-events.js';

export interface RealtimeHandlers {
  online(online: boolean): void;
  unauthenticated(): void;
  snapshot(snapshot: BoardSnapshot): void;
  change(change: ProcessChange): void;
  activity(activity: ProcessActivity): void;
  notification(notification: BellNotification): void;
  unread(count: number): void;
  queryChanged(event: QueryChangedEvent): void;
  queryRead(event: QueryReadEvent): void;
  /** After a dropped connection came back: refresh what is not replayed (the bell). */
  reconnected(): void;
  refused(message: string): void;
}

/**
 * The board's one socket. It remembers the last sequence applied per board and, whenever the connection
 * comes back, subscribes again from there: the gateway replays what was missed, or sends a snapshot.
 */
export class RealtimeClient {
  private readonly socket: Socket<ServerToClientEvents, ClientToServerEvents>;
  /** Boards followed, with the sequence each is current up to (null until its first snapshot). */
  private readonly boards = new Map<string, number | null>();
  private readonly watched = new Set<string>();
  private connectedBefore = false;
  private sessionEnded = false;
  /** Open compliance notes, by application id: each gets its messages and is told when the connection comes back. */
  private readonly notes = new Map<string, NotesChannelHandlers>();

  /** `connection` names another origin or transports; the board itself connects to the page's origin. */
  constructor(
    token: string,
    private readonly handlers: RealtimeHandlers,
    connection: { url?: string } & Partial<ManagerOptions & SocketOptions> = {},
  ) {
    const { url, ...options } = connection;
    this.socket = url ? io(url, { ...options, auth: { token } }) : io({ ...options, auth: { token } });
    this.socket.on('connect', () => {
      handlers.online(true);
      for (const processType of this.boards.keys()) this.sendSubscribe(processType);
      for (const processId of this.watched) this.socket.emit('process:watch', { process_id: processId }, () => {});
      for (const channel of this.notes.values()) channel.connected();
      if (this.connectedBefore) handlers.reconnected();
      this.connectedBefore = true;
    });
    this.socket.on('disconnect', (reason) => {
      handlers.online(false);
      for (const channel of this.notes.values()) channel.disconnected();
      // socket.io-client never reconnects after the server's own goodbye. A stopping node's goodbye read together
      // with its `hub:reconnect` even ends the attempt that notice began: so, unless the session ended, connect again.
      if (reason === 'io server disconnect' && !this.sessionEnded) this.socket.connect();
    });
    // The server ended the session (signed out elsewhere, expired, deactivated): back to sign-in.
    this.socket.on('hub:session_ended', () => {
      this.sessionEnded = true;
      handlers.unauthenticated();
    });
    // The node is stopping: connect again now (the load balancer picks a live node) and resume from the cursors.
    this.socket.on('hub:reconnect', () => this.socket.disconnect().connect());
    this.socket.on('connect_error', (error) => {
      if (error.message === 'UNAUTHENTICATED') handlers.unauthenticated();
      else handlers.online(false);
    });
    this.socket.on('board:snapshot', (snapshot) => {
      if (!this.boards.has(snapshot.process_type)) return;
      this.boards.set(snapshot.process_type, snapshot.sequence);
      handlers.snapshot(snapshot);
    });
    this.socket.on('process:changed', (change) => {
      const cursor = this.boards.get(change.process_type);
      if (change.sequence !== null && cursor !== undefined && (cursor === null || change.sequence > cursor)) {
        this.boards.set(change.process_type, change.sequence);
      }
      handlers.change(change);
    });
    this.socket.on('process:activity', (activity) => handlers.activity(activity));
    this.socket.on('notification:new', (notification) => handlers.notification(notification));
    this.socket.on('notification:unread', ({ unread_count }) => handlers.unread(unread_count));
    this.socket.on('query:changed', (event) => handlers.queryChanged(event));
    this.socket.on('query:read', (event) => handlers.queryRead(event));
    this.socket.on('notes:message', (message) => this.notes.get(message.doc)?.message(message));
    this.socket.on('notes:refused', (refusal) => this.notes.get(refusal.doc)?.refused(refusal));
  }

  get connected(): boolean {
    return this.socket.connected;
  }

  subscribeBoard(processType: string): void {
    if (this.boards.has(processType)) return;
    this.boards.set(processType, null);
    if (this.socket.connected) this.sendSubscribe(processType);
  }

  unsubscribeBoard(processType: string): void {
    if (!this.boards.delete(processType)) return;
    this.socket.emit('board:unsubscribe', { process_type: processType });
  }

  watch(processId: string): void {
    this.watched.add(processId);
    if (this.socket.connected) this.socket.emit('process:watch', { process_id: processId }, () => {});
  }

  unwatch(processId: string): void {
    if (this.watched.delete(processId)) this.socket.emit('process:unwatch', { process_id: processId });
  }

  close(): void {
    this.socket.disconnect();
  }

  /**
   * Opens an application's compliance notes on this socket. The handlers hear its messages, and
   * `connected` each time the socket (re)connects: the server forgot the membership, so join again.
   */
  openNotes(doc: string, handlers: NotesChannelHandlers): NotesChannel {
    this.notes.set(doc, handlers);
    if (this.socket.connected) queueMicrotask(() => handlers.connected());
    return {
      join: () =>
        new Promise((resolve) => {
          this.socket.emit('notes:join', { doc }, (reply) => resolve(reply));
        }),
      // Only while connected: messages buffered over a reconnect would arrive before the new join.
      send: (data) => {
        if (this.socket.connected) this.socket.emit('notes:message', { doc, data });
      },
      close: () => {
        if (this.notes.get(doc) !== handlers) return;
        this.notes.delete(doc);
        if (this.socket.connected) this.socket.emit('notes:leave', { doc });
      },
    };
  }

  private sendSubscribe(processType: string) {
    this.socket.emit(
      'board:subscribe',
      { process_type: processType, after: this.boards.get(processType) ?? null },
      (reply) => {
        if (!reply.ok) return this.handlers.refused(reply.error.message);
        const cursor = this.boards.get(processType);
        if (cursor !== undefined && (cursor === null || reply.sequence > cursor))
          this.boards.set(processType, reply.sequence);
      },
    );
  }
}

export type NotesJoinReply = { ok: true; writable: boolean } | { ok: false; error: { code: string; message: string } };

export interface NotesChannelHandlers {
  connected(): void;
  disconnected(): void;
  message(message: NotesMessage): void;
  refused(refusal: NotesRefusal): void;
}

export interface NotesChannel {
  join(): Promise<NotesJoinReply>;
  send(data: Uint8Array): void;
  close(): void;
}
