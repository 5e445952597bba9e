import { randomBytes } from 'node:crypto';
import type { Sql } from '../db/client.js';
import {
  consumeUserToken,
  countUsers,
  findAnyUserByEmail,
  getPasswordHash,
  getStaff,
  insertUser,
  issueUserToken,
  openAssignments,
  peekUserToken,
  searchStaff,
  setPasswordHash,
  setUserActive,
  updateUser,
  type HubUser,
  type StaffRow,
} from '../db/users.js';
import { hashPassword, passwordProblem, verifyPassword } from './passwords.js';
import { HubError } from '../workflows/errors.js';
import type { Role } from '../workflows/process-spec.js';
import type { Actor } from '../workflows/process-records.js';
import { PROCESS_SPECS } from '../workflows/specs.js';
import { auditChange, auditedWork, requireAdmin } from './admin-access.js';
import { finishPasswordSignIn } from './admin-sign-in.js';

/** How long an invitation's set-password link works. */
export const INVITE_LINK_HOURS = 72;
const TERMINAL_STATES = [
  ...new Set(PROCESS_SPECS.flatMap((spec) => spec.states.filter((s) => s.terminal).map((s) => s.id))),
];

/** Ends every session and live connection of a user at once, on every node. */
export type EndUserSessions = (userId: string) => Promise<void>;

export interface AdminUsersDeps {
  sql: Sql;
  endUserSessions: EndUserSessions;
}

const newUserId = () => `usr_${randomBytes(8).toString('hex')}`;
export const setPasswordLink = (publicUrl: string, token: string) =>
  `${publicUrl.replace(/\/$/, '')}/#/set-password/${token}`;

/** The policy's refusal as a 400 naming the field. */
export function checkPassword(password: string, email: string, field = 'password'): void {
  const problem = passwordProblem(password, email);
  if (problem) throw new HubError('VALIDATION_FAILED', `${field}: ${problem}`, { field });
}

async function lastActiveAdmin(sql: Sql, userId: string): Promise<boolean> {
  const [row] = await sql`SELECT count(*)::int AS n FROM users WHERE role = 'admin' AND active AND id <> ${userId}`;
  return (row.n as number) === 0;
}

/**
 * The first administrator of an empty hub (the `admin:create` command). Refused once any user exists, so
 * the command cannot be used to take over a running hub.
 */
export async function createFirstAdministrator(
  sql: Sql,
  input: { email: string; name: string; password?: string; publicUrl: string },
): Promise<{ user: HubUser; link?: string; expires_at?: string }> {
  const email = input.email.trim().toLowerCase();
  if (input.password !== undefined) checkPassword(input.password, email);
  const passwordHash = input.password === undefined ? null : await hashPassword(input.password);
  return sql.begin(async (tx) => {
    await tx`LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE`;
    if ((await countUsers(tx)) > 0)
      throw new HubError('CONFLICT', 'The hub already has users: administrators invite the rest from the board');
    const user: HubUser = { id: newUserId(), email, name: input.name.trim(), role: 'admin' };
    await insertUser(tx, { ...user, password_hash: passwordHash });
    const system: Actor = { user_id: 'system', role: 'system', name: 'admin:create', channel: 'system' };
    await auditChange(tx, system, 'create_first_administrator', { type: 'user', id: user.id }, null, user);
    if (passwordHash) return { user };
    const link = await issueUserToken(tx, user.id, 'set_password', INVITE_LINK_HOURS * 60, null);
    return { user, link: setPasswordLink(input.publicUrl, link.token), expires_at: link.expires_at };
  });
}

export function createAdminUsers({ sql, endUserSessions }: AdminUsersDeps) {
  const subject = (id: string | null) => ({ type: 'user' as const, id });

  async function staffOrThrow(id: string): Promise<StaffRow> {
    const staff = await getStaff(sql, id);
    if (!staff) throw new HubError('USER_NOT_FOUND', `No user ${id}`);
    return staff;
  }

  return {
    async list(actor: Actor, filter: { q?: string; role?: Role; active?: boolean; limit: number }) {
      await requireAdmin(sql, actor, 'manage_users', subject(null), { operation: 'list' });
      return searchStaff(sql, filter);
    },

    async get(actor: Actor, id: string) {
      await requireAdmin(sql, actor, 'manage_users', subject(id), { operation: 'get' });
      return auditedWork(sql, actor, 'get_user', subject(id), async () => ({
        ...(await staffOrThrow(id)),
        open_assignments: await openAssignments(sql, id, TERMINAL_STATES),
      }));
    },

    /** A new member of staff; the answer carries the one-time set-password link (on `baseUrl`) to send them. */
    async invite(actor: Actor, input: { email: string; name: string; role: Role }, baseUrl: string) {
      await requireAdmin(sql, actor, 'manage_users', subject(null), { operation: 'invite', email: input.email });
      return auditedWork(sql, actor, 'invite_user', subject(null), () =>
        sql.begin(async (tx) => {
          const email = input.email.trim().toLowerCase();
          if (await findAnyUserByEmail(tx, email))
            throw new HubError('EMAIL_TAKEN', `email: ${email} already has an account`, { field: 'email' });
          const user: HubUser = { id: newUserId(), email, name: input.name.trim(), role: input.role };
          await insertUser(tx, user);
          const link = await issueUserToken(tx, user.id, 'set_password', INVITE_LINK_HOURS * 60, actor.user_id);
          await auditChange(tx, actor, 'invite_user', subject(user.id), null, user, {
            link_expires_at: link.expires_at,
          });
          return {
            user: (await getStaff(tx, user.id))!,
            link: setPasswordLink(baseUrl, link.token),
            expires_at: link.expires_at,
          };
        }),
      );
    },

    /** A fresh set-password link (the old one stops working): for a lost invitation or a forgotten password. */
    async issueLink(actor: Actor, id: string, baseUrl: string) {
      await requireAdmin(sql, actor, 'manage_users', subject(id), { operation: 'issue_link' });
      return auditedWork(sql, actor, 'issue_password_link', subject(id), () =>
        sql.begin(async (tx) => {
          const staff = await staffOrThrow(id);
          if (!staff.active) throw new HubError('CONFLICT', 'Reactivate the user before sending them a link');
          const link = await issueUserToken(tx, id, 'set_password', INVITE_LINK_HOURS * 60, actor.user_id);
          await auditChange(tx, actor, 'issue_password_link', subject(id), null, { link_expires_at: link.expires_at });
          return { link: setPasswordLink(baseUrl, link.token), expires_at: link.expires_at };
        }),
      );
    },

    async update(actor: Actor, id: string, change: { name?: string; role?: Role }) {
      await requireAdmin(sql, actor, 'manage_users', subject(id), { operation: 'update', ...change });
      return auditedWork(sql, actor, 'update_user', subject(id), async () => {
        const before = await staffOrThrow(id);
        if (change.role && change.role !== 'admin' && before.role === 'admin' && (await lastActiveAdmin(sql, id))) {
          throw new HubError('LAST_ADMINISTRATOR');
        }
        return sql.begin(async (tx) => {
          await updateUser(tx, id, change);
          const after = (await getStaff(tx, id))!;
          await auditChange(
            tx,
            actor,
            'update_user',
            subject(id),
            { name: before.name, role: before.role },
            { name: after.name, role: after.role },
          );
          return after;
        });
      });
    },

    /** Ends every session of the user at once; the answer lists what they leave open, for reassignment. */
    async deactivate(actor: Actor, id: string) {
      await requireAdmin(sql, actor, 'manage_users', subject(id), { operation: 'deactivate' });
      const staff = await auditedWork(sql, actor, 'deactivate_user', subject(id), async () => {
        const staff = await staffOrThrow(id);
        if (id === actor.user_id) throw new HubError('CONFLICT', 'You cannot deactivate yourself');
        if (staff.role === 'admin' && staff.active && (await lastActiveAdmin(sql, id)))
          throw new HubError('LAST_ADMINISTRATOR');
        await sql.begin(async (tx) => {
          await setUserActive(tx, id, false);
          await auditChange(tx, actor, 'deactivate_user', subject(id), { active: staff.active }, { active: false });
        });
        return staff;
      });
      await endUserSessions(id);
      return { user: { ...staff, active: false }, open_assignments: await openAssignments(sql, id, TERMINAL_STATES) };
    },

    async reactivate(actor: Actor, id: string) {
      await requireAdmin(sql, actor, 'manage_users', subject(id), { operation: 'reactivate' });
      return auditedWork(sql, actor, 'reactivate_user', subject(id), async () => {
        const staff = await staffOrThrow(id);
        await sql.begin(async (tx) => {
          await setUserActive(tx, id, true);
          await auditChange(tx, actor, 'reactivate_user', subject(id), { active: staff.active }, { active: true });
        });
        return (await getStaff(sql, id))!;
      });
    },
  };
}

/** What anyone signed in may do to their own account. */
export function createOwnAccount({ sql, endUserSessions }: AdminUsersDeps) {
  const self = (actor: Actor) => ({ type: 'user' as const, id: actor.user_id });
  return {
    async changePassword(actor: Actor & { email: string }, input: { current_password: string; new_password: string }) {
      return auditedWork(sql, actor, 'change_password', self(actor), async () => {
        const stored = await getPasswordHash(sql, actor.user_id);
        if (!stored || !(await verifyPassword(input.current_password, stored))) {
          throw new HubError('VALIDATION_FAILED', 'current_password: is not your current password', {
            field: 'current_password',
          });
        }
        checkPassword(input.new_password, actor.email, 'new_password');
        const hash = await hashPassword(input.new_password);
        await sql.begin(async (tx) => {
          await setPasswordHash(tx, actor.user_id, hash);
          await auditChange(tx, actor, 'change_password', self(actor), null, null);
        });
      });
    },

    async signOutEverywhere(actor: Actor) {
      await auditChange(sql, actor, 'sign_out_everywhere', self(actor), null, null);
      await endUserSessions(actor.user_id);
    },
  };
}

/** The set-password page: whom the link is for, and choosing the password (which signs them in). */
export async function describePasswordLink(sql: Sql, token: string) {
  const user = await peekUserToken(sql, token, 'set_password');
  if (!user) throw new HubError('LINK_INVALID');
  return { email: user.email, name: user.name };
}

export async function setPasswordWithLink(sql: Sql, token: string, password: string) {
  const candidate = await peekUserToken(sql, token, 'set_password');
  if (!candidate) throw new HubError('LINK_INVALID');
  checkPassword(password, candidate.email);
  const hash = await hashPassword(password);
  const user = await sql.begin(async (tx) => {
    const user = await consumeUserToken(tx, token, 'set_password');
    if (!user) throw new HubError('LINK_INVALID');
    await setPasswordHash(tx, user.id, hash);
    const actor: Actor = { user_id: user.id, role: user.role, name: user.name, channel: 'board' };
    await auditChange(tx, actor, 'set_password_with_link', { type: 'user', id: user.id }, null, null);
    return user;
  });
  // A reset link is no way around a second factor: the sign-in continues as after a correct password.
  return finishPasswordSignIn(sql, user);
}
