import {
  builtInChannels,
  NOTIFICATION_TOPIC_KEYS,
  type ChannelChoice,
  type NotificationChannel,
  type NotificationTopic,
  type QuietHours,
} from '../workflows/notification-policy.js';
import type { Role } from '../workflows/process-spec.js';
import type { Queryable } from './client.js';

export type NotificationLanguage = 'en' | 'fr';

export interface NotificationProfile {
  time_zone: string;
  quiet_hours: QuietHours | null;
  digest: boolean;
  language: NotificationLanguage;
}

export interface RoleDefault {
  role: Role;
  topic: NotificationTopic;
  channels: NotificationChannel[];
  locked: boolean;
}

export interface TopicPreference {
  topic: NotificationTopic;
  channels: NotificationChannel[];
  /** What the role gets unless the person chose otherwise. */
  default_channels: NotificationChannel[];
  locked: boolean;
  chosen: boolean;
}

const DEFAULT_PROFILE: NotificationProfile = { time_zone: 'UTC', quiet_hours: null, digest: false, language: 'en' };

interface ProfileRow {
  time_zone: string;
  quiet_start: string | null;
  quiet_end: string | null;
  digest: boolean;
  language: NotificationLanguage;
}

function profileOf(row: ProfileRow | undefined): NotificationProfile {
  if (!row) return DEFAULT_PROFILE;
  return {
    time_zone: row.time_zone,
    quiet_hours: row.quiet_start && row.quiet_end ? { start: row.quiet_start, end: row.quiet_end } : null,
    digest: row.digest,
    language: row.language,
  };
}

export async function getNotificationProfile(db: Queryable, userId: string): Promise<NotificationProfile> {
  const [row] = await db`SELECT * FROM notification_profiles WHERE user_id = ${userId}`;
  return profileOf(row as ProfileRow | undefined);
}

export async function putNotificationProfile(db: Queryable, userId: string, profile: NotificationProfile) {
  await db`
    INSERT INTO notification_profiles (user_id, time_zone, quiet_start, quiet_end, digest, language, updated_at)
    VALUES (${userId}, ${profile.time_zone}, ${profile.quiet_hours?.start ?? null}, ${profile.quiet_hours?.end ?? null},
            ${profile.digest}, ${profile.language}, now())
    ON CONFLICT (user_id) DO UPDATE SET time_zone = EXCLUDED.time_zone, quiet_start = EXCLUDED.quiet_start,
      quiet_end = EXCLUDED.quiet_end, digest = EXCLUDED.digest, language = EXCLUDED.language, updated_at = now()`;
}

export async function listRoleDefaults(db: Queryable, role?: Role): Promise<RoleDefault[]> {
  const rows = await db`
    SELECT role, topic, channels, locked FROM notification_role_defaults
    ${role ? db`WHERE role = ${role}` : db``} ORDER BY role, topic`;
  return rows as unknown as RoleDefault[];
}

export async function putRoleDefault(db: Queryable, value: RoleDefault, updatedBy: string) {
  await db`
    INSERT INTO notification_role_defaults (role, topic, channels, locked, updated_by, updated_at)
    VALUES (${value.role}, ${value.topic}, ${value.channels}, ${value.locked}, ${updatedBy}, now())
    ON CONFLICT (role, topic) DO UPDATE SET channels = EXCLUDED.channels, locked = EXCLUDED.locked,
      updated_by = EXCLUDED.updated_by, updated_at = now()`;
}

/** Every topic for one person: their choice where they made one and may, else the role's default. */
export async function listTopicPreferences(db: Queryable, userId: string, role: Role): Promise<TopicPreference[]> {
  const defaults = new Map((await listRoleDefaults(db, role)).map((d) => [d.topic, d]));
  const chosen = new Map(
    (await db`SELECT topic, channels FROM notification_preferences WHERE user_id = ${userId}`).map((r) => [
      r.topic as string,
      r.channels as NotificationChannel[],
    ]),
  );
  return NOTIFICATION_TOPIC_KEYS.map((topic) => {
    const fallback = defaults.get(topic);
    const defaultChannels = fallback?.channels ?? builtInChannels(role, topic);
    const locked = fallback?.locked ?? false;
    const own = locked ? undefined : chosen.get(topic);
    return { topic, channels: own ?? defaultChannels, default_channels: defaultChannels, locked, chosen: !!own };
  });
}

export async function putTopicPreferences(
  db: Queryable,
  userId: string,
  topics: Partial<Record<NotificationTopic, NotificationChannel[]>>,
) {
  for (const [topic, channels] of Object.entries(topics)) {
    await db`
      INSERT INTO notification_preferences (user_id, topic, channels, updated_at)
      VALUES (${userId}, ${topic}, ${channels}, now())
      ON CONFLICT (user_id, topic) DO UPDATE SET channels = EXCLUDED.channels, updated_at = now()`;
  }
}

export interface Addressee extends ChannelChoice {
  user_id: string;
  email: string;
  name: string;
  role: Role;
  language: NotificationLanguage;
}

/** What each person wants for one topic, with what it takes to reach them (address, clock, language). */
export async function addresseesFor(db: Queryable, userIds: string[], topic: NotificationTopic): Promise<Addressee[]> {
  if (userIds.length === 0) return [];
  const rows = await db`
    SELECT u.id, u.email, u.name, u.role, p.time_zone, p.quiet_start, p.quiet_end, p.digest, p.language,
           d.channels AS default_channels, coalesce(d.locked, false) AS locked, own.channels AS own_channels
    FROM users u
    LEFT JOIN notification_profiles p ON p.user_id = u.id
    LEFT JOIN notification_role_defaults d ON d.role = u.role AND d.topic = ${topic}
    LEFT JOIN notification_preferences own ON own.user_id = u.id AND own.topic = ${topic}
    WHERE u.id = ANY(${userIds})`;
  return rows.map((r) => {
    const profile = profileOf(r.time_zone ? (r as unknown as ProfileRow) : undefined);
    const channels: NotificationChannel[] =
      (r.locked ? null : r.own_channels) ?? r.default_channels ?? builtInChannels(r.role, topic);
    return {
      user_id: r.id,
      email: r.email,
      name: r.name,
      role: r.role,
      channels,
      time_zone: profile.time_zone,
      quiet_hours: profile.quiet_hours,
      digest: profile.digest,
      language: profile.language,
    };
  });
}
