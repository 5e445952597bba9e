import type { Scope } from '../workflows/policy.js';
import { createHash, randomBytes } from 'node:crypto';
import type { Role } from '../workflows/process-spec.js';
import type { Queryable, Tx } from './client.js';
import { getSetting } from './settings.js';

export interface HubUser {
  id: string;
  email: string;
  name: string;
  role: Role;
  /** The office or team the user's role is granted over; absent for the whole firm. */
  scope?: Scope;
}

/** The columns a user's scope is read from: their team, and its office (or the office they belong to directly). */
export const SCOPE_COLUMNS = (db: Queryable) => db`
  u.team_id AS scope_team_id, coalesce(u.office_id, (SELECT t.office_id FROM teams t WHERE t.id = u.team_id)) AS scope_office_id`;

/** A row read with SCOPE_COLUMNS, as the user it describes. */
export function withScope<T extends object>(row: T): Omit<T, 'scope_team_id' | 'scope_office_id'> & { scope?: Scope } {
  const { scope_team_id, scope_office_id, ...rest } = row as T & { scope_team_id?: string; scope_office_id?: string };
  return scope_office_id ? { ...rest, scope: { office_id: scope_office_id, team_id: scope_team_id ?? null } } : rest;
}

/** A user as administrators see them. */
export interface StaffRow extends HubUser {
  active: boolean;
  has_password: boolean;
  second_factor: boolean;
  single_sign_on: boolean;
  created_at: string;
  deactivated_at: string | null;
}

export type TokenPurpose = 'set_password' | 'second_factor' | 'oidc_handoff';

const DEFAULT_SESSION_HOURS = 12;
export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
const newToken = () => randomBytes(32).toString('base64url');

export async function findUserByEmail(
  db: Queryable,
  email: string,
): Promise<(HubUser & { password_hash: string | null; totp_enabled: boolean }) | undefined> {
  const [user] = await db`
    SELECT u.id, u.email, u.name, u.role, u.password_hash, u.totp_enabled_at IS NOT NULL AS totp_enabled, ${SCOPE_COLUMNS(db)}
    FROM users u WHERE u.email = ${email.trim().toLowerCase()} AND u.active`;
  return user && (withScope(user) as HubUser & { password_hash: string | null; totp_enabled: boolean });
}

export async function getUser(db: Queryable, id: string): Promise<HubUser | undefined> {
  const [user] =
    await db`SELECT u.id, u.email, u.name, u.role, ${SCOPE_COLUMNS(db)} FROM users u WHERE u.id = ${id} AND u.active`;
  return user && (withScope(user) as HubUser);
}

/** Names of the users among these ids (deactivated ones too: a record still names them). */
export async function userNames(db: Queryable, ids: string[]): Promise<Record<string, string>> {
  if (!ids.length) return {};
  const rows = await db`SELECT id, name FROM users WHERE id = ANY(${ids})`;
  return Object.fromEntries(rows.map((r) => [r.id as string, r.name as string]));
}

export async function listUsers(db: Queryable, role?: Role): Promise<HubUser[]> {
  const rows =
    await db`SELECT id, email, name, role FROM users WHERE active ${role ? db`AND role = ${role}` : db``} ORDER BY name`;
  return rows as unknown as HubUser[];
}

const STAFF_COLUMNS = (db: Queryable) => db`
  id, email, name, role, active, password_hash IS NOT NULL AS has_password, totp_enabled_at IS NOT NULL AS second_factor,
  oidc_subject IS NOT NULL AS single_sign_on, created_at, deactivated_at`;

function toStaff(row: Record<string, unknown>): StaffRow {
  return {
    ...(row as unknown as StaffRow),
    created_at: new Date(row.created_at as string).toISOString(),
    deactivated_at: row.deactivated_at ? new Date(row.deactivated_at as string).toISOString() : null,
  };
}

export async function getStaff(db: Queryable, id: string): Promise<StaffRow | undefined> {
  const [row] = await db`SELECT ${STAFF_COLUMNS(db)} FROM users WHERE id = ${id}`;
  return row ? toStaff(row) : undefined;
}

/** Search by name or e-mail, optionally by role and whether active; at most `limit` rows by name. */
export async function searchStaff(
  db: Queryable,
  filter: { q?: string; role?: Role; active?: boolean; limit: number },
): Promise<StaffRow[]> {
  const like = filter.q ? `%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
  const rows = await db`
    SELECT ${STAFF_COLUMNS(db)} FROM users
    WHERE true
      ${like ? db`AND (name ILIKE ${like} OR email ILIKE ${like})` : db``}
      ${filter.role ? db`AND role = ${filter.role}` : db``}
      ${filter.active === undefined ? db`` : db`AND active = ${filter.active}`}
    ORDER BY name, id LIMIT ${filter.limit}`;
  return rows.map(toStaff);
}

export async function countUsers(db: Queryable): Promise<number> {
  const [{ n }] = await db`SELECT count(*)::int AS n FROM users`;
  return n as number;
}

export async function insertUser(
  db: Queryable,
  user: HubUser & { password_hash?: string | null; oidc_subject?: string | null },
) {
  await db`
    INSERT INTO users (id, email, name, role, password_hash, oidc_subject)
    VALUES (${user.id}, ${user.email}, ${user.name}, ${user.role}, ${user.password_hash ?? null}, ${user.oidc_subject ?? null})`;
}

export async function updateUser(db: Queryable, id: string, change: { name?: string; role?: Role }): Promise<void> {
  await db`
    UPDATE users SET name = coalesce(${change.name ?? null}, name), role = coalesce(${change.role ?? null}, role), updated_at = now()
    WHERE id = ${id}`;
}

export async function setUserActive(db: Queryable, id: string, active: boolean): Promise<void> {
  await db`
    UPDATE users SET active = ${active}, deactivated_at = ${active ? null : db`now()`}, updated_at = now() WHERE id = ${id}`;
}

export async function setPasswordHash(db: Queryable, id: string, passwordHash: string): Promise<void> {
  await db`UPDATE users SET password_hash = ${passwordHash}, updated_at = now() WHERE id = ${id}`;
}

export async function getPasswordHash(db: Queryable, id: string): Promise<string | null> {
  const [row] = await db`SELECT password_hash FROM users WHERE id = ${id}`;
  return (row?.password_hash as string | null) ?? null;
}

export async function findUserBySubject(
  db: Queryable,
  subject: string,
): Promise<(HubUser & { active: boolean }) | undefined> {
  const [row] = await db`SELECT id, email, name, role, active FROM users WHERE oidc_subject = ${subject}`;
  return row as (HubUser & { active: boolean }) | undefined;
}

export async function findAnyUserByEmail(
  db: Queryable,
  email: string,
): Promise<(HubUser & { active: boolean; oidc_subject: string | null }) | undefined> {
  const [row] =
    await db`SELECT id, email, name, role, active, oidc_subject FROM users WHERE email = ${email.trim().toLowerCase()}`;
  return row as (HubUser & { active: boolean; oidc_subject: string | null }) | undefined;
}

export async function linkSubject(db: Queryable, id: string, subject: string): Promise<void> {
  await db`UPDATE users SET oidc_subject = ${subject}, updated_at = now() WHERE id = ${id}`;
}

/** A new bearer token; only its hash is stored. Its lifetime is the firm's setting. */
export async function createSession(
  db: Queryable,
  userId: string,
  method: 'password' | 'sso' = 'password',
): Promise<{ token: string; expires_at: string }> {
  const token = newToken();
  const hours = Number(await getSetting(db, 'session_lifetime_hours', DEFAULT_SESSION_HOURS));
  const [row] = await db`
    INSERT INTO sessions (token_hash, user_id, expires_at, sign_in_method)
    VALUES (${hashToken(token)}, ${userId}, now() + make_interval(mins => ${Math.round(hours * 60)}), ${method})
    RETURNING expires_at`;
  return { token, expires_at: new Date(row.expires_at as string).toISOString() };
}

export async function userForToken(db: Queryable, token: string): Promise<HubUser | undefined> {
  return (await sessionForToken(db, token))?.user;
}

/** How the session behind a token was signed in. */
export async function sessionMethod(db: Queryable, token: string): Promise<'password' | 'sso' | undefined> {
  const [row] = await db`SELECT sign_in_method FROM sessions WHERE token_hash = ${hashToken(token)}`;
  return row?.sign_in_method as 'password' | 'sso' | undefined;
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
    SELECT u.id, u.email, u.name, u.role, s.token_hash, s.expires_at, ${SCOPE_COLUMNS(db)}
    FROM sessions s JOIN users u ON u.id = s.user_id
    WHERE s.token_hash = ${tokenHash} AND s.expires_at > now() AND u.active`;
  if (!row) return undefined;
  const { token_hash, expires_at, ...user } = row;
  return {
    user: withScope(user) as HubUser,
    token_hash: token_hash as string,
    expires_at: new Date(expires_at as string).toISOString(),
  };
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

/** A one-time token for a purpose; earlier unused ones of the same purpose stop working. */
export async function issueUserToken(
  db: Queryable,
  userId: string,
  purpose: TokenPurpose,
  lifetimeMinutes: number,
  createdBy: string | null,
): Promise<{ token: string; expires_at: string }> {
  const token = newToken();
  await db`UPDATE user_tokens SET used_at = now() WHERE user_id = ${userId} AND purpose = ${purpose} AND used_at IS NULL`;
  const [row] = await db`
    INSERT INTO user_tokens (token_hash, user_id, purpose, created_by, expires_at)
    VALUES (${hashToken(token)}, ${userId}, ${purpose}, ${createdBy}, now() + make_interval(mins => ${lifetimeMinutes}))
    RETURNING expires_at`;
  return { token, expires_at: new Date(row.expires_at as string).toISOString() };
}

/** Uses the token up if it is valid for the purpose (once, even under concurrent attempts); returns its user. */
export async function consumeUserToken(
  db: Queryable,
  token: string,
  purpose: TokenPurpose,
): Promise<HubUser | undefined> {
  const [row] = await db`
    UPDATE user_tokens t SET used_at = now()
    FROM users u
    WHERE t.token_hash = ${hashToken(token)} AND t.purpose = ${purpose} AND t.used_at IS NULL AND t.expires_at > now()
      AND u.id = t.user_id AND u.active
    RETURNING u.id, u.email, u.name, u.role`;
  return row as HubUser | undefined;
}

/** Whom a still-valid token is for, without using it up (the set-password page shows the name). */
export async function peekUserToken(db: Queryable, token: string, purpose: TokenPurpose): Promise<HubUser | undefined> {
  const [row] = await db`
    SELECT u.id, u.email, u.name, u.role FROM user_tokens t JOIN users u ON u.id = t.user_id
    WHERE t.token_hash = ${hashToken(token)} AND t.purpose = ${purpose} AND t.used_at IS NULL AND t.expires_at > now() AND u.active`;
  return row as HubUser | undefined;
}

export async function getTotp(
  db: Queryable,
  userId: string,
): Promise<{ secret: string | null; enabled: boolean; last_step: number | null }> {
  const [row] = await db`SELECT totp_secret, totp_enabled_at, totp_last_step FROM users WHERE id = ${userId}`;
  return {
    secret: (row?.totp_secret as string | null) ?? null,
    enabled: Boolean(row?.totp_enabled_at),
    last_step: (row?.totp_last_step as number | null) ?? null,
  };
}

/** Records the time step of an accepted code, unless a code of that step or a later one was accepted already. */
export async function claimTotpStep(db: Queryable, userId: string, step: number): Promise<boolean> {
  const rows = await db`
    UPDATE users SET totp_last_step = ${step}
    WHERE id = ${userId} AND (totp_last_step IS NULL OR totp_last_step < ${step}) RETURNING 1`;
  return rows.length === 1;
}

/** Counts a wrong answer to a challenge; the challenge is used up after `limit` of them. */
export async function failUserToken(db: Queryable, token: string, limit: number): Promise<void> {
  await db`
    UPDATE user_tokens SET failed_attempts = failed_attempts + 1,
      used_at = CASE WHEN failed_attempts + 1 >= ${limit} THEN now() ELSE used_at END
    WHERE token_hash = ${hashToken(token)}`;
}

export async function setTotp(db: Queryable, userId: string, secret: string | null, enabled: boolean): Promise<void> {
  await db`
    UPDATE users SET totp_secret = ${secret}, totp_enabled_at = ${enabled ? db`now()` : null}, totp_last_step = NULL, updated_at = now()
    WHERE id = ${userId}`;
}

export async function replaceRecoveryCodes(db: Queryable, userId: string, codes: string[]): Promise<void> {
  await db`DELETE FROM recovery_codes WHERE user_id = ${userId}`;
  if (codes.length)
    await db`INSERT INTO recovery_codes ${db(codes.map((code) => ({ user_id: userId, code_hash: hashToken(code) })))}`;
}

export async function useRecoveryCode(db: Queryable, userId: string, code: string): Promise<boolean> {
  const rows = await db`
    UPDATE recovery_codes SET used_at = now() WHERE user_id = ${userId} AND code_hash = ${hashToken(code)} AND used_at IS NULL
    RETURNING 1`;
  return rows.length === 1;
}

export async function countRecoveryCodes(db: Queryable, userId: string): Promise<number> {
  const [{ n }] = await db`SELECT count(*)::int AS n FROM recovery_codes WHERE user_id = ${userId} AND used_at IS NULL`;
  return n as number;
}

/** What a deactivated person leaves behind: the open processes they advise on or are assigned to. */
export async function openAssignments(db: Queryable, userId: string, terminalStates: string[]) {
  const rows = await db`
    SELECT process_id, process_type, title, status,
           CASE WHEN advisor_id = ${userId} THEN 'advisor' ELSE 'assignee' END AS relation
    FROM processes
    WHERE (advisor_id = ${userId} OR assigned_user_id = ${userId})
      AND NOT (status = ANY(${terminalStates}))
    ORDER BY updated_at DESC LIMIT 500`;
  const clients = await db`SELECT id, name FROM clients WHERE advisor_id = ${userId} ORDER BY name`;
  return {
    processes: rows as unknown as {
      process_id: string;
      process_type: string;
      title: string;
      status: string;
      relation: string;
    }[],
    clients: clients as unknown as { id: string; name: string }[],
  };
}

export async function saveOidcLogin(
  db: Queryable,
  login: { state: string; code_verifier: string; nonce: string },
): Promise<void> {
  await db`DELETE FROM oidc_logins WHERE created_at < now() - interval '15 minutes'`;
  await db`INSERT INTO oidc_logins ${db(login)}`;
}

export async function takeOidcLogin(
  db: Queryable,
  state: string,
): Promise<{ code_verifier: string; nonce: string } | undefined> {
  const [row] = await db`
    DELETE FROM oidc_logins WHERE state = ${state} AND created_at > now() - interval '15 minutes' RETURNING code_verifier, nonce`;
  return row as { code_verifier: string; nonce: string } | undefined;
}
