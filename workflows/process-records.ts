import type { Role } from './process-spec.js';
import type { Scope } from './policy.js';

/** What every process records on each change, whatever its type: the generic half of the read model. */

export type Channel = 'api' | 'board' | 'slack' | 'system';

export interface Actor {
  user_id: string;
  role: Role | 'system';
  name: string;
  channel: Channel;
  slack_user_id?: string;
  /** The part of the firm the person's role covers (absent: the whole firm); see policy.ts. */
  scope?: Scope;
}

/** The actor as a workflow hears of them: the hub has checked the scope against the read model, which a workflow cannot see. */
export const withoutScope = ({ scope: _scope, ...actor }: Actor): Actor => actor;

export const SYSTEM_ACTOR: Actor = { user_id: 'system', role: 'system', name: 'System', channel: 'system' };

export interface EmittedEvent {
  type: string;
  payload: Record<string, unknown>;
}

export type Recipient = { user_id: string } | { role: Role };

export interface NotificationIntent {
  to: Recipient[];
  /** People a role-wide notification should skip (whoever caused it). */
  except?: string[];
  kind: string;
  title: string;
  body: string;
}

/** The SLA clock of the state a process is in, as the board and the API show it. */
export interface SlaSnapshot {
  policy_id: string;
  state: string;
  /** on_track → warning → breached; paused while the process waits on someone outside the reviewer's control. */
  status: 'on_track' | 'warning' | 'breached' | 'paused';
  started_at: string;
  /** The instant the target is reached if the clock runs on from now (moves later while paused). */
  deadline: string;
  paused: boolean;
  paused_total_ms: number;
  /** The escalation chain so far; `notified`: who each rung reached (positions resolved as it fired). */
  rungs_fired: {
    kind: 'warning' | 'breach' | 'escalation';
    at_percent: number;
    fired_at: string;
    notified?: string[];
  }[];
  /** What it takes to recompute the status at any later instant with the same pure functions. */
  target: { unit: 'business_hours' | 'business_days' | 'wall_clock_hours'; amount: number };
  calendar_id: string | null;
  clock: { started_at_ms: number; paused_at_ms: number | null; paused_business_ms: number; paused_wall_ms: number };
  rungs: { kind: 'warning' | 'breach' | 'escalation'; at_percent: number; notify: string[] }[];
  fired_rung_indexes: number[];
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
  /** Null when the current state has no SLA. */
  sla: SlaSnapshot | null;
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
