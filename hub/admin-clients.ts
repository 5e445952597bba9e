import { randomBytes } from 'node:crypto';
import type { Sql } from '../db/client.js';
import {
  getClientRecord,
  insertClient,
  linkClientUser,
  openProcessesOfClient,
  searchClients,
  updateClient,
  type ClientFields,
} from '../db/catalog.js';
import { findAnyUserByEmail, getUser, insertUser, issueUserToken } from '../db/users.js';
import { accountOpeningSpec } from '../workflows/account-opening/spec.js';
import { HubError } from '../workflows/errors.js';
import type { ProcessSpec } from '../workflows/process-spec.js';
import type { Actor } from '../workflows/process-records.js';
import { auditChange, auditedWork, requireAdmin } from './admin-access.js';
import { INVITE_LINK_HOURS, setPasswordLink } from './admin-users.js';
import { withKycStanding } from './kyc-standing.js';

const TERMINAL = (accountOpeningSpec as ProcessSpec).states.filter((s) => s.terminal).map((s) => s.id);

export interface AdminClientsDeps {
  sql: Sql;
  /** Moves an open application to the client's new advisor through its workflow (the reassign command). */
  reassignApplication: (actor: Actor, applicationId: string, advisorId: string, reason: string) => Promise<unknown>;
}

export function createAdminClients({ sql, reassignApplication }: AdminClientsDeps) {
  const subject = (id: string | null) => ({ type: 'client' as const, id });

  async function recordOrThrow(id: string) {
    const client = await getClientRecord(sql, id);
    if (!client) throw new HubError('CLIENT_NOT_FOUND', `No client ${id}`);
    return client;
  }

  async function checkAdvisor(advisorId: string | null | undefined) {
    if (!advisorId) return;
    const advisor = await getUser(sql, advisorId);
    if (!advisor || advisor.role !== 'advisor') {
      throw new HubError('VALIDATION_FAILED', `advisor_id: ${advisorId} is not an active advisor`, {
        field: 'advisor_id',
      });
    }
  }

  /** The client's open applications follow the new advisor, so permissions and boards change with it. */
  async function moveOpenApplications(actor: Actor, clientId: string, advisorId: string) {
    const ids = await openProcessesOfClient(sql, clientId, accountOpeningSpec.processType, TERMINAL);
    for (const id of ids) await reassignApplication(actor, id, advisorId, 'The client was assigned to another advisor');
    return ids;
  }

  return {
    async list(actor: Actor, filter: { q?: string; advisor_id?: string; limit: number }) {
      await requireAdmin(sql, actor, 'manage_clients', subject(null), { operation: 'list' });
      return withKycStanding(sql, await searchClients(sql, filter));
    },

    async get(actor: Actor, id: string) {
      await requireAdmin(sql, actor, 'manage_clients', subject(id), { operation: 'get' });
      return auditedWork(sql, actor, 'get_client', subject(id), () => recordOrThrow(id));
    },

    async create(actor: Actor, fields: ClientFields) {
      await requireAdmin(sql, actor, 'manage_clients', subject(null), { operation: 'create' });
      return auditedWork(sql, actor, 'create_client', subject(null), async () => {
        await checkAdvisor(fields.advisor_id);
        const id = `cli_${randomBytes(8).toString('hex')}`;
        return sql.begin(async (tx) => {
          await insertClient(tx, id, { ...fields, email: fields.email.toLowerCase() });
          const after = await getClientRecord(tx, id);
          await auditChange(tx, actor, 'create_client', subject(id), null, after);
          return after!;
        });
      });
    },

    /** Edits fields; a change of advisor also moves the client's open applications to them. */
    async update(actor: Actor, id: string, fields: Partial<ClientFields>) {
      await requireAdmin(sql, actor, 'manage_clients', subject(id), { operation: 'update' });
      return auditedWork(sql, actor, 'update_client', subject(id), async () => {
        const before = await recordOrThrow(id);
        await checkAdvisor(fields.advisor_id);
        const after = await sql.begin(async (tx) => {
          await updateClient(tx, id, { ...fields, ...(fields.email ? { email: fields.email.toLowerCase() } : {}) });
          const after = (await getClientRecord(tx, id))!;
          await auditChange(tx, actor, 'update_client', subject(id), before, after);
          return after;
        });
        const moved =
          fields.advisor_id && fields.advisor_id !== before.advisor_id
            ? await moveOpenApplications(actor, id, fields.advisor_id)
            : [];
        return { ...after, moved_applications: moved };
      });
    },

    /** A client login for the client's own applications, with a one-time set-password link. */
    async invite(actor: Actor, id: string, baseUrl: string) {
      await requireAdmin(sql, actor, 'manage_clients', subject(id), { operation: 'invite' });
      return auditedWork(sql, actor, 'invite_client', subject(id), async () => {
        const client = await recordOrThrow(id);
        return sql.begin(async (tx) => {
          let userId = client.user_id;
          if (!userId) {
            const existing = await findAnyUserByEmail(tx, client.email);
            if (existing)
              throw new HubError('EMAIL_TAKEN', `email: ${client.email} already has an account`, { field: 'email' });
            userId = `usr_${randomBytes(8).toString('hex')}`;
            await insertUser(tx, { id: userId, email: client.email, name: client.name, role: 'client' });
            await linkClientUser(tx, id, userId);
          }
          const link = await issueUserToken(tx, userId, 'set_password', INVITE_LINK_HOURS * 60, actor.user_id);
          await auditChange(tx, actor, 'invite_client', subject(id), { user_id: client.user_id }, { user_id: userId });
          return { user_id: userId, link: setPasswordLink(baseUrl, link.token), expires_at: link.expires_at };
        });
      });
    },
  };
}
