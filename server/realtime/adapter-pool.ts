import pg from 'pg';
import type { Logger } from '../../runtime/logger.js';

/**
 * The pool the Socket.IO PostgreSQL adapter uses. The adapter checks one client out for LISTEN and, when
 * that connection is lost, takes a new one without releasing the old: a lost connection would raise an
 * 'error' nobody listens to (which ends the process) and leak a pool slot per reconnection. Each
 * checked-out client here gets a listener and goes back to the pool, destroyed, when it ends.
 */
export function createAdapterPool(databaseUrl: string, log: Logger): pg.Pool {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 3, application_name: 'ops-hub-socket-adapter' });
  pool.on('error', (error) => log.warn({ err: error }, 'socket adapter connection lost'));
  const connect = pool.connect.bind(pool) as (callback?: unknown) => Promise<pg.PoolClient>;
  pool.connect = ((callback?: unknown) => {
    // pool.query checks out with a callback and releases by itself; only the adapter's LISTEN client needs help.
    if (callback) return connect(callback);
    return connect().then((client) => {
      let released = false;
      const release = client.release.bind(client);
      client.release = (error?: Error | boolean) => {
        if (released) return;
        released = true;
        release(error);
      };
      client.on('error', (error) => log.warn({ err: error }, 'socket adapter connection lost; it reconnects'));
      client.once('end', () => client.release(true));
      return client;
    });
  }) as typeof pool.connect;
  return pool;
}
