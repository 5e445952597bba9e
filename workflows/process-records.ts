import type { Role } from './process-spec.js';

/** What every process records on each change, whatever its type: the generic half of the read model. */

export type Channel = 'api' | 'board' | 'slack' | 'system';

export interface Actor {
  user_id: string;
  role: Role | 'system';
  name: string;
  channel: Channel;
  slack_user_id?: string;
}

export const SYSTEM_ACTOR: Actor = { user_id: 'system', role: 'system', name: 'System', channel: 'system' };

export interface EmittedEvent {
  type: string;
  payload: Record<string, unknown>;
}

export type Recipient = { user_id: string } | { role: Role };

export interface NotificationIntent {
  to: Recipient[];
  kind: string;
  title: string;
  body: string;
}

/** The fields every board card shows, for any process type. */
export interface ProcessCard {
  title: string;
  client_id: string | null;
  client_user_id: string | null;
  advisor_id: string | null;
  assigned_user_id: string | null;
  amount: number | null;
  currency: string | null;
  status: string;
  status_entered_at: string;
  flags: string[];
}

/** One accepted change, recorded in one transaction: card, detail row, audit, events, notifications. */
export interface TransitionRecording {
  process_type: string;
  process_id: string;
  version: number;
  action: string;
  actor: Actor;
  status_before: string | null;
  status_after: string;
  at: string;
  card: ProcessCard;
  /** The process type's own read-model row. */
  record: Record<string, unknown>;
  events: EmittedEvent[];
  notifications: NotificationIntent[];
  audit: Record<string, unknown>;
}
