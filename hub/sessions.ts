import type { Sql } from '../db/client.js';
import { deleteSessions, hashToken, type SessionsTarget } from '../db/users.js';

/**
 * Ends sessions at once, everywhere: their tokens stop working and every server node disconnects the
 * sockets they opened (signing out, a user's deactivation). Pass `{ user_id }` for all of a user's
 * sessions, `{ token_hash }` or `{ token }` for one. Returns how many sessions ended.
 *
 * @example await endSessions(sql, { user_id: 'usr_alex_advisor' }) // after deactivating Alex
 */
export async function endSessions(sql: Sql, target: SessionsTarget | { token: string }): Promise<number> {
  const resolved: SessionsTarget = 'token' in target ? { token_hash: hashToken(target.token) } : target;
  return sql.begin((tx) => deleteSessions(tx, resolved));
}
