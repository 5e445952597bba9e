import { createHash, randomBytes } from 'node:crypto';
import type { Role } from '../workflows/process-spec.js';
import type { Queryable, Tx } from './client.js';

export interface HubUser {
  id: string;
  email: string;
  name: string;
  role: Role;
}

const SESSION_HOURS = 12;
export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export async function findUserByEmail(db: Queryable, email: string): Promise<(HubUser & { password_hash: string }) | undefined> {
  const [user] = await db`SELECT id, email, name, role, password_hash FROM users WHERE email = ${email.trim().toLowerCase()} AND active`;
  return user as (HubUser & { password_hash: string }) | undefined;
}

export async function getUser(db: Queryable, id: string): Promise<HubUser | undefined> {
  const [user] = await db`SELECT id, email, name, role FROM users WHERE id = ${id} AND active`;
  return user as HubUser | undefined;
}

export async function listUsers(db: Queryable, role?: Role): Promise<HubUser[]> {
  const rows = await db`SELECT id, email, name, role FROM users WHERE active ${role ? db`AND role = ${role}` : db``} ORDER BY name`;
  return rows as unknown as HubUser[];
}

/** A new bearer token; only its hash is stored. */
export async function createSession(db: Queryable, userId: string): Promise<{ token: string; expires_at: string }> {
  const token = randomBytes(32).toString('base64url');
  const [row] = await db`
    INSERT INTO sessions (token_hash, user_id, expires_at)
    VALUES (${hashToken(token)}, ${userId}, now() + make_interval(hours => ${SESSION_HOURS}))
    RETURNING expires_at`;
  return { token, expires_at: new Date(row.expires_at as string).toISOString() };
}

export async function userForToken(db: Queryable, token: string): Promise<HubUser | undefined> {
  return (await sessionForToken(db, token))?.user;
}

export interface Session {
  user: HubUser;
  token_hash: string;
  expires_at: string;
}

/** The live session behind a token: not expired, its user still active. */
export async function sessionForToken(db: Queryable, token: string): Promise<Session | undefined> {
  return sessionByHash(db, hashToken(token));
}

export async function sessionByHash(db: Queryable, tokenHash: string): Promise<Session | undefined> {
  const [row] = await db`
    SELECT u.id, u.email, u.name, u.role, s.token_hash, s.expires_at
    FROM sessions s JOIN users u ON u.id = s.user_id
    WHERE s.token_hash = ${tokenHash} AND s.expires_at > now() AND u.active`;
  if (!row) return undefined;
  const { token_hash, expires_at, ...user } = row;
  return { user: user as HubUser, token_hash: token_hash as string, expires_at: new Date(expires_at as string).toISOString() };
}

/** NOTIFY channel for ended sessions: `{ user_id }` (all of a user's) or `{ token_hash }` (one). */
export const SESSIONS_ENDED_CHANNEL = 'sessions_ended';
export type SessionsTarget = { user_id: string } | { token_hash: string };

/** Deletes the sessions and announces it in the same transaction, so every server node ends their sockets. */
export async function deleteSessions(tx: Tx, target: SessionsTarget): Promise<number> {
  const rows =
    'user_id' in target
      ? await tx`DELETE FROM sessions WHERE user_id = ${target.user_id} RETURNING token_hash`
      : await tx`DELETE FROM sessions WHERE token_hash = ${target.token_hash} RETURNING token_hash`;
  await tx`SELECT pg_notify(${SESSIONS_ENDED_CHANNEL}, ${JSON.stringify(target)})`;
  return rows.length;
}
