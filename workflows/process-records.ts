import { z } from 'zod';
import { ROLES, type Role } from './process-spec.js';
import type { Scope } from './policy.js';

/** What every process records on each change, whatever its type: the generic half of the read model. */

export const CHANNELS = ['api', 'board', 'slack', 'system'] as const;
export type Channel = (typeof CHANNELS)[number];

/** Who may have acted on a record: a person in a role, or the process itself. */
export const ActorRoleSchema = z.enum([...ROLES, 'system']);

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

/** What an accepted change to a record records beside it, in one transaction. */
export interface ChangeOutcome<R extends { status: string }> {
  record: R;
  action: string;
  actor: Actor;
  status_before: R['status'];
  events: EmittedEvent[];
  notifications: NotificationIntent[];
  audit: Record<string, unknown>;
}

/** The outcome builder of one change (`action` by `actor` on `record`): given the record it leaves and what it writes. */
export function outcomeOf<R extends { status: string }>(record: R, action: string, actor: Actor) {
  return (
    next: R,
    events: EmittedEvent[],
    notifications: NotificationIntent[] = [],
    audit: Record<string, unknown> = {},
  ): ChangeOutcome<R> => ({
    record: next,
    action,
    actor,
    status_before: record.status,
    events,
    notifications,
    audit,
  });
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

/**
 * The schemas of the records below are the one statement of their shape: the types are inferred from them, and
 * the API documents its answers with them (contracts/ builds the wire views on top).
 */

/** One approval of a process: who, in which role, through which channel, with what notes. */
export const ApprovalSchema = z.object({
  approved_by: z.string(),
  approver_name: z.string(),
  role: ActorRoleSchema,
  channel: z.enum(CHANNELS),
  at: z.string(),
  notes: z.string().nullable(),
});
export type Approval = z.infer<typeof ApprovalSchema>;

const RungKindSchema = z.enum(['warning', 'breach', 'escalation']);

/** One rung of the escalation chain that fired, and whom it reached (positions resolved as it fired). */
export const FiredRungSchema = z.object({
  kind: RungKindSchema,
  at_percent: z.number(),
  fired_at: z.string(),
  notified: z.array(z.string()).optional().meta({ description: 'The people it reached (positions as they fired)' }),
});

/** One rung of a policy's escalation chain: at what share of the target it fires, and whom it notifies. */
export const RungSchema = z.object({ kind: RungKindSchema, at_percent: z.number(), notify: z.array(z.string()) });

/** on_track → warning → breached; paused while the process waits on someone outside the reviewer's control. */
export const SLA_STATUSES = ['on_track', 'warning', 'breached', 'paused'] as const;

/** The SLA clock of the state a process is in, as the board and the API show it. */
export const SlaSnapshotSchema = z.object({
  policy_id: z.string(),
  state: z.string(),
  status: z.enum(SLA_STATUSES),
  started_at: z.string(),
  /** The instant the target is reached if the clock runs on from now (moves later while paused). */
  deadline: z.string(),
  paused: z.boolean(),
  paused_total_ms: z.number(),
  rungs_fired: z.array(FiredRungSchema),
  /** What it takes to recompute the status at any later instant with the same pure functions. */
  target: z.object({
    unit: z.enum(['business_hours', 'business_days', 'wall_clock_hours']),
    amount: z.number(),
  }),
  calendar_id: z.string().nullable().meta({ description: 'The calendar the clock counts on' }),
  clock: z.object({
    started_at_ms: z.number(),
    paused_at_ms: z.number().nullable(),
    paused_business_ms: z.number(),
    paused_wall_ms: z.number(),
  }),
  rungs: z.array(RungSchema),
  fired_rung_indexes: z.array(z.number()),
});
export type SlaSnapshot = z.infer<typeof SlaSnapshotSchema>;

/** The fields every board card shows, for any process type. */
export const ProcessCardSchema = z.object({
  title: z.string(),
  client_id: z.string().nullable(),
  client_user_id: z.string().nullable(),
  advisor_id: z.string().nullable(),
  assigned_user_id: z.string().nullable(),
  amount: z.number().nullable(),
  currency: z.string().nullable(),
  status: z.string(),
  status_entered_at: z.string(),
  flags: z.array(z.string()),
  /** Null when the current state has no SLA. */
  sla: SlaSnapshotSchema.nullable(),
});
export type ProcessCard = z.infer<typeof ProcessCardSchema>;

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
