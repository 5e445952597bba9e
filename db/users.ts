import { createHash, randomBytes } from 'node:crypto';
import type { Role } from '../workflows/process-spec.js';
import type { Queryable } from './client.js';

export interface HubUser {
  id: string;
  email: string;
  name: string;
  role: Role;
}

const SESSION_HOURS = 12;
const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

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
  const [user] = await db`
    SELECT u.id, u.email, u.name, u.role
    FROM sessions s JOIN users u ON u.id = s.user_id
    WHERE s.token_hash = ${hashToken(token)} AND s.expires_at > now() AND u.active`;
  return user as HubUser | undefined;
}

export async function deleteSession(db: Queryable, token: string): Promise<void> {
  await db`DELETE FROM sessions WHERE token_hash = ${hashToken(token)}`;
}
