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

export interface CommandSpec<S extends string> {
  label: string;
  /** States in which the command is legal; anything else is INVALID_STATUS_TRANSITION. */
  from: readonly S[];
  /** Roles allowed, and whether they must hold a relation to the process. */
  roles: Partial<Record<Role, Ownership>>;
  /** The event the command emits when accepted. */
  event?: string;
  /** Shown as a button where the caller may take it; false for commands only the API or admins use. */
  board: boolean;
  /** Commands that change nothing can be allowed on terminal processes (reads). */
  reads?: true;
}

export interface ErrorSpec {
  status: number;
  message: string;
  retryable: boolean;
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
