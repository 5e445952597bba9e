import {
  QUERY_CHANGED_CHANNEL,
  QUERY_READ_CHANNEL,
  type QueryChangedNotice,
  type QueryReadNotice,
} from '../../db/query-threads.js';
import type { HubDeps } from '../../hub/context.js';
import { loadQueryChangedEvent } from '../../hub/query-threads.js';
import { rooms } from '../../contracts/socket-events.js';
import type { HubIo } from './hub-io.js';

export const refusal = (code: string, message: string) => ({ ok: false as const, error: { code, message } });

/** Answers a client's acknowledgement callback, if it sent a real one. */
export function answer<T>(ack: unknown, result: T): void {
  if (typeof ack === 'function') (ack as (result: T) => void)(result);
}

export function parseNotice<T>(payload: string): T | undefined {
  try {
    return JSON.parse(payload) as T;
  } catch {
    return undefined;
  }
}

/**
 * Pushes query threads live: every node LISTENs on `query_changed` and emits `query:changed` to its own
 * sockets in `process:<id>` (joined with `process:watch`, checked by the permission policy) and the
 * assignee's and the asker's `user:<id>` (its own sockets only, so with several nodes each socket gets each
 * change once). Internal threads reach staff only.
 */
export function registerQueryThreads(io: HubIo, deps: Pick<HubDeps, 'sql' | 'log'>): void {
  const { sql, log } = deps;

  // Changes are pushed one after another in commit order, so a thread's entries arrive in sequence.
  let pushes: Promise<void> = Promise.resolve();
  const pushChange = (notice: QueryChangedNotice) => {
    pushes = pushes.then(async () => {
      try {
        const events = await loadQueryChangedEvent(sql, notice);
        if (!events) return;
        const { query } = events.forStaff;
        // The asker too: their board's unread count moves when the answer comes, drawer open or not.
        const targets = [
          rooms.process(query.process_id),
          rooms.user(query.assignee.id),
          rooms.user(query.created_by.id),
        ];
        const ids = new Set(targets.flatMap((room) => [...(io.sockets.adapter.rooms.get(room) ?? [])]));
        for (const id of ids) {
          const socket = io.sockets.sockets.get(id);
          // Clients watching the process never hear of an internal thread.
          const event = socket?.data.user.role === 'client' ? events.forClients : events.forStaff;
          if (socket && event) socket.emit('query:changed', event);
        }
      } catch (error) {
        log.error({ err: error, notice }, 'could not push a query change');
      }
    });
  };

  const listening = Promise.all([
    sql.listen(QUERY_CHANGED_CHANNEL, (payload) => {
      const notice = parseNotice<QueryChangedNotice>(payload);
      if (notice) pushChange(notice);
    }),
    sql.listen(QUERY_READ_CHANNEL, (payload) => {
      const notice = parseNotice<QueryReadNotice>(payload);
      if (notice) {
        io.local.to(rooms.user(notice.user_id)).emit('query:read', {
          process_id: notice.process_id,
          query_id: notice.query_id,
          read_sequence: notice.read_sequence,
        });
      }
    }),
  ]).catch((error: unknown) => log.error({ err: error }, 'could not LISTEN for query changes'));

  // A socket is admitted once this node hears every change, so nothing committed after it joins is missed.
  io.use(async (_socket, next) => {
    await listening;
    next();
  });
}
