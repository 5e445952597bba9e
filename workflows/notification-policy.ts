import { DateTime } from 'luxon';
import type { Role } from './process-spec.js';

/**
 * How people choose to hear about things: the topics a person sets channels for, which notification kinds
 * each covers, and the pure decision of where one notification goes. The bell always gets everything.
 */

export const NOTIFICATION_TOPICS = {
  assignment: { label: 'Work assigned to me', kinds: ['assignment', 'query_assigned', 'second_approval_needed'] },
  mention: { label: 'Mentions in query threads', kinds: ['mention'] },
  sla_warning: { label: 'SLA warnings', kinds: ['sla_warning'] },
  sla_breach: { label: 'SLA breaches', kinds: ['sla_breached'] },
  sla_escalation: { label: 'SLA escalations', kinds: ['sla_escalated'] },
  decision: {
    label: 'Decisions on applications and rebalances',
    kinds: [
      'application_approved',
      'application_rejected',
      'account_created',
      'status_overridden',
      'rebalance_approved',
      'rebalance_declined',
    ],
  },
  rebalance_proposal: {
    label: 'Rebalance proposals',
    kinds: ['rebalance_proposed', 'rebalance_edited', 'rebalance_compliance_needed'],
  },
  process_update: {
    label: 'Other process updates',
    kinds: ['application_submitted', 'suitability_warning', 'crm_failure', 'rebalance_completed', 'rebalance_failed'],
  },
} as const satisfies Record<string, { label: string; kinds: readonly string[] }>;

export type NotificationTopic = keyof typeof NOTIFICATION_TOPICS;
export const NOTIFICATION_TOPIC_KEYS = Object.keys(NOTIFICATION_TOPICS) as [NotificationTopic, ...NotificationTopic[]];

/** Channels beside the bell, which always gets every notification. */
export const NOTIFICATION_CHANNELS = ['slack', 'email'] as const;
export type NotificationChannel = (typeof NOTIFICATION_CHANNELS)[number];

/** The one topic that still reaches people in their quiet hours, and is never held for a digest. */
export const URGENT_TOPICS: readonly NotificationTopic[] = ['sla_escalation'];

export function topicOf(kind: string): NotificationTopic {
  for (const topic of NOTIFICATION_TOPIC_KEYS)
    if ((NOTIFICATION_TOPICS[topic].kinds as readonly string[]).includes(kind)) return topic;
  return 'process_update';
}

/**
 * Where a topic goes for a role when neither the person nor an administrator said otherwise: Slack for the
 * firm's staff (as before preferences existed), e-mail for the client's own decisions.
 */
export function builtInChannels(role: Role, topic: NotificationTopic): NotificationChannel[] {
  if (role === 'client') return topic === 'decision' ? ['email'] : [];
  return ['slack'];
}

export interface QuietHours {
  /** Local wall-clock times, "HH:MM"; a window past midnight (22:00–07:00) wraps. */
  start: string;
  end: string;
}

/** Whether `at` falls in the quiet window, read on the person's own clock. */
export function inQuietHours(at: Date, timeZone: string, quiet: QuietHours | null): boolean {
  if (!quiet || quiet.start === quiet.end) return false;
  const local = DateTime.fromJSDate(at, { zone: timeZone });
  const minutes = local.hour * 60 + local.minute;
  const [start, end] = [quiet.start, quiet.end].map((t) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5)));
  return start < end ? minutes >= start && minutes < end : minutes >= start || minutes < end;
}

export interface ChannelChoice {
  channels: NotificationChannel[];
  time_zone: string;
  quiet_hours: QuietHours | null;
  digest: boolean;
}

/** What happens on one channel: sent now, held for the daily digest, or kept back (with why). */
export type ChannelOutcome = { action: 'send' } | { action: 'hold' } | { action: 'skip'; reason: string };

export function decideChannel(
  choice: ChannelChoice,
  topic: NotificationTopic,
  channel: NotificationChannel,
  at: Date,
): ChannelOutcome | null {
  if (!choice.channels.includes(channel)) return null;
  const urgent = URGENT_TOPICS.includes(topic);
  if (urgent) return { action: 'send' };
  // The digest gathers what quiet hours kept back, too.
  if (channel === 'email' && choice.digest) return { action: 'hold' };
  if (inQuietHours(at, choice.time_zone, choice.quiet_hours))
    return { action: 'skip', reason: `quiet hours (${choice.quiet_hours!.start}–${choice.quiet_hours!.end})` };
  return { action: 'send' };
}
