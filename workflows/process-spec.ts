/**
 * The shape every process type is written in. A spec is data: the workflow enforces it, the API maps its
 * errors, the permission policy reads its roles, the board draws its states, and the tests enumerate it.
 */

import type { DocumentsSpec } from './documents.js';

export const ROLES = ['client', 'advisor', 'compliance_officer', 'manager', 'ops', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Who may cause a transition: a person in a role, or the process itself. */
export type TransitionActor = Role | 'system';

/**
 * How a person relates to a process: the client it is for, the advisor on it, or nobody in particular.
 * Roles marked `own` in a command may act only where they hold that relation.
 */
export type Ownership = 'own' | 'any';

export interface StateSpec<S extends string> {
  id: S;
  label: string;
  /** The board's stage grouping (STEPS: process type → stage → process). */
  stage: string;
  initial?: true;
  terminal?: true;
}

export interface TransitionSpec<S extends string> {
  name: string;
  from: readonly S[];
  to: S;
  actors: readonly TransitionActor[];
  /** The blueprint's condition, as written there. */
  condition?: string;
}

/** A text people give with a command, asked for by the board and by a Slack modal before it is sent. */
export interface ReasonForm {
  /** The command input field the text fills. */
  field: string;
  label: string;
  required: boolean;
  maxLength: number;
}

/** How a command shows in Slack: its button and, for a command with a reason, the modal that asks for it. */
export interface SlackPresentation {
  /** The button's action id. Messages already posted carry it, so it stays as it is. */
  action: string;
  /** The button's label, where it is not the command's own. */
  label?: string;
  style: 'primary' | 'danger';
  /** The modal's words; the field it fills and its limit are the command's `reason`. */
  form?: { block: string; title: string; submit: string; label: string; required?: string };
}

export interface CommandSpec<S extends string> {
  label: string;
  /** States in which the command is legal; anything else is INVALID_STATUS_TRANSITION. */
  from: readonly S[];
  /**
   * Where an accepted command leaves the process: one state, or the states its rules choose between (an
   * approval that still needs a second one stays in review). Absent: the command keeps the state as it is
   * (a reassignment), starts a process, or only reads. Every move must be a declared transition.
   */
  to?: S | readonly S[];
  /** Roles allowed, and whether they must hold a relation to the process. */
  roles: Partial<Record<Role, Ownership>>;
  /** The event the command emits when accepted. */
  event?: string;
  /** The last segment of its HTTP path, POST /api/<resource>/{id}/<path>, for commands on one process. */
  path?: string;
  /** Shown as a button where the caller may take it; false for commands only the API or admins use. */
  board: boolean;
  /** Offered as a button on the process's Slack messages too, and how it shows there. */
  slack?: SlackPresentation;
  /** A reason asked for before the command is sent (board prompt, Slack modal). */
  reason?: ReasonForm;
  /**
   * The codes its own rules refuse with, beyond those any command can meet (an invalid body, a wrong state,
   * no permission, no such process): its API route documents each.
   */
  raises?: readonly string[];
  /** Commands that change nothing can be allowed on terminal processes (reads). */
  reads?: true;
}

export interface ErrorSpec {
  status: number;
  message: string;
  retryable: boolean;
}

/** One row of an errors table: the HTTP status (kept as a literal type) and the default message for people. */
export function refuse<const S extends number>(
  status: S,
  message: string,
  options: { retryable?: boolean } = {},
): { status: S; message: string; retryable: boolean } {
  return { status, message, retryable: options.retryable ?? false };
}

export interface EventSpec {
  description: string;
  payload: readonly string[];
}

export interface SlaSpec<S extends string> {
  state: S;
  description: string;
  maxDuration: { unit: 'business_hours' | 'business_days' | 'wall_clock_hours'; amount: number };
}

export interface ProcessSpec<S extends string = string, C extends string = string> {
  processType: string;
  title: string;
  /** Where the API serves one process and its commands: /api/<resource>/{id}. */
  resource?: string;
  states: readonly StateSpec<S>[];
  transitions: readonly TransitionSpec<S>[];
  commands: Record<C, CommandSpec<S>>;
  /** Roles that may see processes of this type; `own` limits them to their own. */
  readers: Partial<Record<Role, Ownership>>;
  errors: Record<string, ErrorSpec>;
  events: Record<string, EventSpec>;
  slas: readonly SlaSpec<S>[];
  /** The document kinds a process takes and the steps that need one accepted first (all kinds, none needed, if absent). */
  documents?: DocumentsSpec;
}

export function isTerminal<S extends string>(spec: ProcessSpec<S>, state: S): boolean {
  return spec.states.some((s) => s.id === state && s.terminal);
}

export function initialState<S extends string>(spec: ProcessSpec<S>): S {
  const initial = spec.states.find((s) => s.initial && !s.terminal);
  if (!initial) throw new Error(`${spec.processType} has no initial state`);
  return initial.id;
}

/** Progress for people: the position of a state on the happy path, "step n of m". */
export function progressOf<S extends string>(spec: ProcessSpec<S>, state: S, happyPath: readonly S[]) {
  const index = happyPath.indexOf(state);
  return {
    step: index >= 0 ? index + 1 : null,
    of: happyPath.length,
    label: spec.states.find((s) => s.id === state)?.label ?? state,
  };
}

/** The states an accepted command may leave the process in, from a given state. */
export function targetsOf<S extends string>(command: CommandSpec<S>, from: S): readonly S[] {
  if (command.to === undefined) return [from];
  return typeof command.to === 'string' ? [command.to as S] : (command.to as readonly S[]);
}

/**
 * Is there a way from one state to another along declared transitions this actor may cause? A command may
 * pass through states on its way (select products from draft goes through product_selection).
 */
export function reachableBy<S extends string>(spec: ProcessSpec<S>, from: S, to: S, actor: TransitionActor): boolean {
  const seen = new Set<S>([from]);
  const queue: S[] = [from];
  while (queue.length) {
    const state = queue.shift()!;
    if (state === to) return true;
    for (const t of spec.transitions) {
      if (t.from.includes(state) && t.actors.includes(actor) && !seen.has(t.to)) {
        seen.add(t.to);
        queue.push(t.to);
      }
    }
  }
  return false;
}
