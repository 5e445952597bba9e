import type postgres from 'postgres';
import type { Sql } from './client.js';

export type LockedConnection = postgres.ReservedSql<Record<string, never>>;

/** Runs `work` holding a session-level advisory lock on `key`: released on return, or by the database if the process dies. */
export async function withKeyLock<T>(sql: Sql, key: string, work: (db: LockedConnection) => Promise<T>): Promise<T> {
  const db = (await sql.reserve()) as unknown as LockedConnection;
  try {
    await db`SELECT pg_advisory_lock(hashtextextended(${key}, 0))`;
    try {
      return await work(db);
    } finally {
      await db`SELECT pg_advisory_unlock(hashtextextended(${key}, 0))`;
    }
  } finally {
    db.release();
  }
}
