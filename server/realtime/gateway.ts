import type { Server as HttpServer } from 'node:http';
import { createAdapter } from '@socket.io/postgres-adapter';
import { Server } from 'socket.io';
import { z } from 'zod';
import { getBellNotification } from '../../db/board.js';
import { HIERARCHY_CHANGED_CHANNEL, scopesOf } from '../../db/hierarchy.js';
import type { Sql } from '../../db/client.js';
import { countUnread, NOTIFICATION_CREATED_CHANNEL, NOTIFICATIONS_READ_CHANNEL } from '../../db/notifications.js';
import { sessionByHash, SESSIONS_ENDED_CHANNEL } from '../../db/users.js';
import { HubError } from '../../workflows/errors.js';
import { metrics, registerGauge } from '../../runtime/metrics.js';
import { PROCESS_CHANGED_CHANNEL, type ProcessChangedNotice } from '../../db/transitions.js';
import type { HubConfig } from '../../runtime/config.js';
import type { Logger } from '../../runtime/logger.js';
import { authenticateSession, bearerToken } from '../auth.js';
import { toHubError } from '../../hub/errors.js';
import { createAdapterPool } from './adapter-pool.js';
import { createBoardFeed, type HubSocket } from './board-feed.js';
import { registerComplianceNotes } from './compliance-notes.js';
import { rooms, type Ack } from '../../contracts/socket-events.js';
import type { HubIo } from './hub-io.js';
import { registerQueryThreads } from './query-threads.js';
import { createInFlight, untilDeadline } from '../../runtime/shutdown.js';

export type { HubIo };

export interface RealtimeGateway {
  io: HubIo;
  /** Serves Socket.IO on the API's own HTTP server. */
  attach(httpServer: HttpServer): void;
  /**
   * Pushes to everyone following a process, on every node, once: the adapter forwards the packet to the
   * other nodes. Call it from the one node where the change happened (the one that served the request).
   */
  toProcess(processId: string): ReturnType<HubIo['to']>;
  toUser(userId: string): ReturnType<HubIo['to']>;
  /**
   * Runs `handler` on this node for each NOTIFY on `channel`, over the node's one LISTEN connection.
   * Every node receives the notice, so the handler must push with `io.local` only.
   */
  onNotice(channel: string, handler: (payload: string) => void | Promise<void>, onListen?: () => void): Promise<void>;
  /**
   * Tells every socket of this node to reconnect (to another node, through the load balancer), lets the
   * acknowledgements in flight go out until `deadline` (epoch ms), then closes the sockets left.
   */
  close(deadline?: number): Promise<void>;
}

const SubscribeRequest = z.object({
  process_type: z.string().min(1).max(100),
  after: z.number().int().min(0).nullable().optional(),
});
const ProcessRequest = z.object({ process_id: z.string().min(1).max(100) });
const TypeRequest = z.object({ process_type: z.string().min(1).max(100) });
const ProcessChangedPayload = z.object({
  process_type: z.string(),
  process_id: z.string(),
  version: z.number(),
  sequence: z.number(),
});
const SessionsEndedPayload = z.union([z.object({ user_id: z.string() }), z.object({ token_hash: z.string() })]);
const NotificationCreatedPayload = z.object({ id: z.number(), user_id: z.string() });
const NotificationsReadPayload = z.object({ user_id: z.string() });

/**
 * The realtime gateway of one server node. A socket signs in with the API's bearer token; subscriptions
 * ask the permission policy, and so does every push. Committed transitions reach the node through
 * PostgreSQL LISTEN/NOTIFY, and the node pushes them to its own sockets; nodes share rooms through the
 * PostgreSQL adapter, for pushes that start on one node and must reach all.
 */
export async function startRealtimeGateway(deps: {
  sql: Sql;
  log: Logger;
  config: Pick<HubConfig, 'REALTIME_REPLAY_LIMIT' | 'BOARD_TERMINAL_DAYS'>;
  databaseUrl: string;
}): Promise<RealtimeGateway> {
  const { sql, config } = deps;
  const log = deps.log.child({ component: 'realtime' });

  const adapterPool = createAdapterPool(deps.databaseUrl, log);
  const io: HubIo = new Server({
    serveClient: false,
    adapter: createAdapter(adapterPool, { errorHandler: (error) => log.warn({ err: error }, 'socket adapter') }),
    // A connection that died without a goodbye is noticed within 20 s, so the board says it is offline.
    pingInterval: 10_000,
    pingTimeout: 10_000,
  });

  const localSockets = (roomNames: string[]): HubSocket[] => {
    const ids = new Set<string>();
    for (const name of roomNames) for (const id of io.sockets.adapter.rooms.get(name) ?? []) ids.add(id);
    return [...ids].map((id) => io.sockets.sockets.get(id)).filter((s): s is HubSocket => s !== undefined);
  };
  const feed = createBoardFeed({
    sql,
    log,
    replayLimit: config.REALTIME_REPLAY_LIMIT,
    terminalDays: config.BOARD_TERMINAL_DAYS,
    localSockets,
  });

  registerGauge('ops_hub_connected_sockets', 'Boards and other clients connected to this server', [], () => [
    { labels: {}, value: io.sockets.sockets.size },
  ]);

  io.use(async (socket, next) => {
    try {
      const auth = socket.handshake.auth as { token?: unknown } | undefined;
      const token = typeof auth?.token === 'string' ? auth.token : bearerToken(socket.handshake.headers.authorization);
      const { user, token_hash, expires_at } = await authenticateSession(sql, token);
      socket.data.user = {
        id: user.id,
        name: user.name,
        role: user.role,
        ...(user.scope ? { scope: user.scope } : {}),
      };
      socket.data.session = { token_hash, expires_at };
      next();
    } catch (error) {
      const hubError = toHubError(error);
      next(Object.assign(new Error(hubError.code), { data: { code: hubError.code, message: hubError.message } }));
    }
  });

  const endSocket = (socket: HubSocket, reason: 'signed_out' | 'expired') => {
    socket.emit('hub:session_ended', { reason });
    socket.disconnect(true);
  };

  // Every request with an acknowledgement is in flight until it is answered: a stopping node waits for them.
  const acks = createInFlight();
  io.on('connection', (socket) => {
    socket.use((packet, next) => {
      const last = packet.length - 1;
      const ack = packet[last];
      if (last > 0 && typeof ack === 'function') {
        const end = acks.begin();
        packet[last] = (...reply: unknown[]) => {
          end();
          (ack as (...reply: unknown[]) => void)(...reply);
        };
      }
      next();
    });
    void socket.join([rooms.user(socket.data.user.id), rooms.session(socket.data.session.token_hash)]);
    socket.emit('hub:welcome', { user: socket.data.user, server_time: new Date().toISOString() });
    // Expiry needs no notice: each node ends its own sockets when their session runs out.
    const expiry = setTimeout(
      () => endSocket(socket, 'expired'),
      Math.min(Date.parse(socket.data.session.expires_at) - Date.now(), 2 ** 31 - 1),
    );
    socket.on('disconnect', () => clearTimeout(expiry));

    /** A subscription asks again whether the session lives, in case this node missed the notice that ended it. */
    const requireSession = async () => {
      if (!(await sessionByHash(sql, socket.data.session.token_hash))) {
        // After the refusal's acknowledgement has gone out.
        setImmediate(() => endSocket(socket, 'signed_out'));
        throw new HubError('UNAUTHENTICATED', 'The session has ended; sign in again');
      }
    };

    /** Runs a request and answers through its acknowledgement, always with the hub's error shape. */
    const answer = <T extends object>(ack: unknown, work: () => Promise<T>) => {
      const reply: Ack<T> = typeof ack === 'function' ? (ack as Ack<T>) : () => {};
      Promise.resolve()
        .then(work)
        .then(
          (result) => reply({ ok: true, ...result }),
          (error) => {
            const hubError = toHubError(error);
            if (hubError.status >= 500) log.error({ err: error, user: socket.data.user.id }, 'socket request failed');
            reply({ ok: false, error: { code: hubError.code, message: hubError.message } });
          },
        );
    };

    socket.on('board:subscribe', (request, ack) =>
      answer(ack, async () => {
        await requireSession();
        return feed.subscribe(socket, SubscribeRequest.parse(request));
      }),
    );
    socket.on('board:unsubscribe', (request) => {
      const parsed = TypeRequest.safeParse(request);
      if (parsed.success) feed.unsubscribe(socket, parsed.data.process_type);
    });
    socket.on('process:watch', (request, ack) =>
      answer(ack, async () => {
        await requireSession();
        return { card: await feed.watch(socket, ProcessRequest.parse(request).process_id) };
      }),
    );
    socket.on('process:unwatch', (request) => {
      const parsed = ProcessRequest.safeParse(request);
      if (parsed.success) void socket.leave(rooms.process(parsed.data.process_id));
    });
    socket.on('disconnect', () => feed.forget(socket));
  });

  const listening: { unlisten(): Promise<void> }[] = [];
  async function onNotice(channel: string, handler: (payload: string) => void | Promise<void>, onListen?: () => void) {
    const run = (payload: string) => {
      Promise.resolve()
        .then(() => handler(payload))
        .catch((error) => log.error({ err: error, channel }, 'notice handler failed'));
    };
    listening.push(await sql.listen(channel, run, onListen));
  }

  // A reconnected LISTEN may have missed notices; the change log holds everything, so read it again.
  await onNotice(
    PROCESS_CHANGED_CHANNEL,
    async (payload) => {
      const notice: ProcessChangedNotice = ProcessChangedPayload.parse(JSON.parse(payload));
      const started = performance.now();
      if (notice.sequence > 0) await feed.catchUpNode();
      else await feed.pushUnsequenced(notice.process_id);
      metrics.fannedOut((performance.now() - started) / 1000);
    },
    () => void feed.catchUpNode(),
  );
  await onNotice(SESSIONS_ENDED_CHANNEL, (payload) => {
    const target = SessionsEndedPayload.parse(JSON.parse(payload));
    const room = 'user_id' in target ? rooms.user(target.user_id) : rooms.session(target.token_hash);
    for (const socket of localSockets([room])) endSocket(socket, 'signed_out');
  });
  // Someone or something moved in the hierarchy: every socket here re-reads its person's scope and what it may see.
  await onNotice(HIERARCHY_CHANGED_CHANNEL, async () => {
    const sockets = [...io.sockets.sockets.values()];
    const scopes = await scopesOf(sql, [...new Set(sockets.map((s) => s.data.user.id))]);
    for (const socket of sockets) {
      const { scope: _old, ...user } = socket.data.user;
      const scope = scopes.get(user.id);
      socket.data.user = scope ? { ...user, scope } : user;
      await feed.reevaluate(socket);
    }
  });
  await onNotice(NOTIFICATION_CREATED_CHANNEL, async (payload) => {
    const { id, user_id } = NotificationCreatedPayload.parse(JSON.parse(payload));
    if (!io.sockets.adapter.rooms.has(rooms.user(user_id))) return;
    const row = await getBellNotification(sql, id);
    if (!row) return;
    const { user_id: _owner, ...notification } = row;
    io.local.to(rooms.user(user_id)).emit('notification:new', notification);
    io.local.to(rooms.user(user_id)).emit('notification:unread', { unread_count: await countUnread(sql, user_id) });
  });
  await onNotice(NOTIFICATIONS_READ_CHANNEL, async (payload) => {
    const { user_id } = NotificationsReadPayload.parse(JSON.parse(payload));
    if (!io.sockets.adapter.rooms.has(rooms.user(user_id))) return;
    io.local.to(rooms.user(user_id)).emit('notification:unread', { unread_count: await countUnread(sql, user_id) });
  });
  await feed.start();
  registerQueryThreads(io, deps);
  registerComplianceNotes(io, deps);

  return {
    io,
    attach: (httpServer) => void io.attach(httpServer),
    toProcess: (processId) => io.to(rooms.process(processId)),
    toUser: (userId) => io.to(rooms.user(userId)),
    onNotice,
    async close(deadline = Date.now()) {
      io.local.emit('hub:reconnect', { reason: 'server_shutdown' });
      await untilDeadline(acks.idle(), deadline, undefined);
      await Promise.allSettled(listening.map((l) => l.unlisten()));
      // Not io.close(): it waits for the HTTP server to close, which waits for its requests; the server bounds that.
      io.local.disconnectSockets(true);
      io.engine.close();
      await io.of('/').adapter.close();
      await adapterPool.end();
    },
  };
}
