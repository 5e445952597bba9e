import type { Sql } from '../db/client.js';
import { listDeliveriesOf } from '../db/notification-deliveries.js';
import {
  getNotificationProfile,
  listRoleDefaults,
  listTopicPreferences,
  putNotificationProfile,
  putRoleDefault,
  putTopicPreferences,
  type NotificationProfile,
  type RoleDefault,
} from '../db/notification-preferences.js';
import { getNotificationOwner } from '../db/notifications.js';
import { HubError } from '../workflows/errors.js';
import type { NotificationChannel, NotificationTopic } from '../workflows/notification-policy.js';
import type { Actor } from '../workflows/process-records.js';
import type { Role } from '../workflows/process-spec.js';
import { auditChange, auditedWork, refuse, requireAdmin } from './admin-access.js';

/** Defaults compliance requires: locked for the role, and never without a channel beside the bell. */
export const REQUIRED_DEFAULTS: readonly { role: Role; topic: NotificationTopic }[] = [
  { role: 'manager', topic: 'sla_breach' },
];

export interface PreferencesChange extends Partial<NotificationProfile> {
  topics?: Partial<Record<NotificationTopic, NotificationChannel[]>>;
}

/** Each person's own notification preferences, the firm's defaults per role, and where notifications went. */
export function createNotificationPreferences(sql: Sql) {
  const mine = (actor: Actor) => ({ type: 'notification_preferences' as const, id: actor.user_id });

  async function describe(actor: Actor) {
    const role = actor.role as Role;
    return {
      profile: await getNotificationProfile(sql, actor.user_id),
      topics: await listTopicPreferences(sql, actor.user_id, role),
    };
  }

  return {
    describe,

    /** Changes what is given; a locked topic is refused (and audited) as a whole change. */
    async update(actor: Actor, change: PreferencesChange) {
      return auditedWork(sql, actor, 'update_notification_preferences', mine(actor), async () => {
        const before = await describe(actor);
        const locked = Object.keys(change.topics ?? {}).filter(
          (topic) => before.topics.find((t) => t.topic === topic)?.locked,
        );
        if (locked.length)
          throw new HubError('FORBIDDEN', `Your firm has fixed how you hear of ${locked.join(', ')}`, {
            field: `topics.${locked[0]}`,
          });
        const { topics, ...profile } = change;
        await sql.begin(async (tx) => {
          await putNotificationProfile(tx, actor.user_id, { ...before.profile, ...profile });
          if (topics) await putTopicPreferences(tx, actor.user_id, topics);
          const after = {
            profile: await getNotificationProfile(tx, actor.user_id),
            topics: await listTopicPreferences(tx, actor.user_id, actor.role as Role),
          };
          await auditChange(tx, actor, 'update_notification_preferences', mine(actor), before, after);
        });
        return describe(actor);
      });
    },

    async listDefaults(actor: Actor) {
      await requireAdmin(sql, actor, 'manage_notification_defaults', { type: 'notification_preferences', id: null });
      return listRoleDefaults(sql);
    },

    async updateDefaults(actor: Actor, defaults: RoleDefault[]) {
      const subject = { type: 'notification_preferences' as const, id: null };
      await requireAdmin(sql, actor, 'manage_notification_defaults', subject, { operation: 'update' });
      return auditedWork(sql, actor, 'update_notification_defaults', subject, async () => {
        for (const d of defaults) {
          const required = REQUIRED_DEFAULTS.some((r) => r.role === d.role && r.topic === d.topic);
          if (required && (!d.locked || d.channels.length === 0))
            throw new HubError('VALIDATION_FAILED', `${d.topic} alerts cannot be turned off for the ${d.role} role`, {
              field: 'defaults',
            });
        }
        await sql.begin(async (tx) => {
          const before = await listRoleDefaults(tx);
          for (const d of defaults) await putRoleDefault(tx, d, actor.user_id);
          await auditChange(tx, actor, 'update_notification_defaults', subject, before, await listRoleDefaults(tx));
        });
        return listRoleDefaults(sql);
      });
    },

    /** Where one notification went: for the person it is for, and for administrators. */
    async deliveries(actor: Actor, notificationId: number) {
      const owner = await getNotificationOwner(sql, notificationId);
      if (!owner || (owner !== actor.user_id && actor.role !== 'admin'))
        await refuse(
          sql,
          actor,
          'read_notification_deliveries',
          { type: 'notification', id: String(notificationId) },
          new HubError('NOT_FOUND', 'No such notification of yours'),
        );
      return (await listDeliveriesOf(sql, notificationId)).map((d) => ({
        channel: d.channel,
        status: d.status,
        address: d.address,
        message_id: d.message_id,
        detail: d.detail,
        attempts: d.attempts,
        created_at: new Date(d.created_at).toISOString(),
        updated_at: new Date(d.updated_at).toISOString(),
      }));
    },
  };
}
