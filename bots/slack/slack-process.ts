import { z } from 'zod';
import type { Queryable } from '../../db/client.js';
import { latestDocumentLines, type DocumentLine } from '../../db/documents.js';
import type { ProcessRow } from '../../db/processes.js';
import { roleMayRun } from '../../workflows/policy.js';
import type { Actor } from '../../workflows/process-records.js';
import type { ProcessSpec } from '../../workflows/process-spec.js';
import { boardUrlFor, type ButtonSpec, type ReasonModalSpec, type SlackMessage, type SlaView } from './blocks.js';
import type { BotContext } from './bot-context.js';

/**
 * A process type as the bot shows it and acts on it. The bot's machinery is written once against this
 * description (kept-messages.ts keeps the messages, listeners/actions.ts runs the buttons and modals,
 * `/hub` and the App Home list and show); each type says only what is its own: its blocks, its buttons
 * and the service that runs its commands with the API's permission policy, rules and Temporal Updates.
 */

/** What every process record has. */
export interface ProcessRecordLike {
  status: string;
  version: number;
}

/** A process as Slack shows it: the read model's record and SLA, and the names behind the ids. */
export interface ProcessSummary<R extends ProcessRecordLike = ProcessRecordLike> {
  processId: string;
  record: R;
  /** From the card: who the process waits for, and since when. */
  assignedUserId: string | null;
  statusEnteredAt: string;
  sla: SlaView | null;
  /** Hub user id → display name, for everyone the record mentions. */
  names: Record<string, string>;
  boardUrl: string;
  /** The latest version of each of its documents, with its review state. */
  documents: DocumentLine[];
}

/** Who reads a kept message: the compliance channel (SLACK_COMPLIANCE_CHANNEL), or the process's advisor by DM. */
export type MessageAudience = 'compliance_channel' | 'advisor';

/** A message the bot posts once when a process first reaches a state, then edits in place on every change. */
export interface KeptMessageSpec<R extends ProcessRecordLike = ProcessRecordLike> {
  /** Names the message among the process's messages. */
  audience: string;
  to: MessageAudience;
  /** The state whose first recording opens the message; its buttons show only while the process is in it. */
  opensIn: string;
  /** The commands its buttons run, where the command spec allows them. */
  commands: readonly string[];
  /** The key its first post is delivered once under (delivery.ts). */
  deliveryKey(processId: string): string;
  render(summary: ProcessSummary<R>, buttons: ButtonSpec[]): SlackMessage;
}

/**
 * The compliance channel's message for a process in compliance review, with Approve and Reject, posted once
 * under `<key>-message:<process id>`.
 */
export function complianceReviewMessage<R extends ProcessRecordLike>(
  key: string,
  render: KeptMessageSpec<R>['render'],
): KeptMessageSpec<R> {
  return {
    audience: 'compliance',
    to: 'compliance_channel',
    opensIn: 'compliance_review',
    commands: ['compliance_approve', 'compliance_reject'],
    deliveryKey: (processId) => `${key}-message:${processId}`,
    render,
  };
}

/** A reason form for a command: the modal, and the command input field its text fills. */
export interface CommandReason extends ReasonModalSpec {
  field: string;
}

/** A button that runs a command; with `reason`, a modal asks for the reason first. */
export interface CommandButton extends ButtonSpec {
  command: string;
  reason?: CommandReason;
}

/** A command refused before it ran, as the rules say it. */
export interface Refusal {
  code: string;
  message?: string;
  details?: Record<string, unknown>;
}

/** A process as one person may act on it: the record and the commands the policy and rules allow them now. */
export interface ProcessView<R extends ProcessRecordLike = ProcessRecordLike> {
  processId: string;
  record: R;
  allowed: string[];
}

// Methods, not function-valued properties: a registry of several types holds each as SlackProcess<ProcessRecordLike>.
export interface SlackProcess<R extends ProcessRecordLike = ProcessRecordLike> {
  spec: ProcessSpec;
  /** "application", "rebalance": how people call one. */
  noun: string;
  /** For `/hub queue` and the App Home: the section title and what it says when empty. */
  pendingTitle: string;
  nothingPending: string;
  /** The commands that are decisions someone waits for: they put a process in its decider's queue. */
  decisions: readonly string[];
  buttons: readonly CommandButton[];
  messages: readonly KeptMessageSpec<R>[];
  /** Everyone the record names, for their display names. */
  namesIn(record: R): (string | null | undefined)[];

  /** The same read as the API's GET: visibility checked (and audited where the API audits it). */
  view(ctx: BotContext, actor: Actor, processId: string): Promise<ProcessView<R>>;
  /** Processes in a decision's states this person may see. */
  awaitingDecision(ctx: BotContext, actor: Actor): Promise<ProcessView<R>[]>;
  /** Runs a command through the type's service, exactly as the API does. */
  runCommand(
    ctx: BotContext,
    actor: Actor,
    processId: string,
    command: string,
    input: object,
    idempotencyKey: string,
  ): Promise<R>;
  /** The rules' answer before a modal opens, so nobody writes a reason for a command they may not run. */
  checkAllowed(record: R, command: string, actor: Actor): Refusal | null;
  /** The workflow's own record, when a decision is made but its recording has not reached the read model yet. */
  workflowRecord(ctx: BotContext, record: R): Promise<R | undefined>;

  /** What the person who ran a command is told (mrkdwn). */
  confirmation(command: string, after: R): string;
  /** What someone is told whose command found the decision made (mrkdwn): who made it and when. */
  alreadyDecided(record: R, names: Record<string, string>): string;
  /** The modal's first line: what the reason is for (mrkdwn). */
  modalHeading(record: R, command: string): string;
  status(summary: ProcessSummary<R>): { text: string; headline: string; fields: [string, string][] };
  /** One line in the person's queue (mrkdwn). */
  pendingLine(summary: ProcessSummary<R>): string;
}

/**
 * A process type's Slack buttons, from its command table: the commands it presents in Slack, approvals
 * before refusals; a modal asks for the reason where the presentation has a form, into the command's field.
 */
export function slackButtonsOf(spec: ProcessSpec): CommandButton[] {
  const buttons = Object.entries(spec.commands).flatMap(([command, { label, slack, reason }]): CommandButton[] => {
    if (!slack) return [];
    const button = { actionId: slack.action, command, label: slack.label ?? label, style: slack.style };
    if (!slack.form) return [button];
    if (!reason) throw new Error(`${spec.processType}.${command} has a Slack form but asks for no reason`);
    const form = { ...slack.form, callbackId: `${slack.action}_modal`, input: 'reason' };
    return [{ ...button, reason: { ...form, field: reason.field, maxLength: reason.maxLength } }];
  });
  return buttons.sort((a, b) => Number(a.style === 'danger') - Number(b.style === 'danger'));
}

/** Slack's own ids and values arrive as text; what the hub acts on is checked like any API input. */
export const ProcessIdSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_-]{1,100}$/, 'not a process id');

export async function userNames(db: Queryable, ids: (string | null | undefined)[]): Promise<Record<string, string>> {
  const wanted = [...new Set(ids.filter((id): id is string => Boolean(id)))];
  if (wanted.length === 0) return {};
  const rows = await db`SELECT id, name FROM users WHERE id = ANY(${wanted})`;
  return Object.fromEntries(rows.map((r) => [r.id as string, r.name as string]));
}

type SummaryRow = Pick<ProcessRow, 'process_id' | 'assigned_user_id' | 'status_entered_at' | 'sla' | 'detail'>;

/** Read-model rows as Slack shows them, in the order given, with one lookup for every name. */
export async function summarize<R extends ProcessRecordLike>(
  db: Queryable,
  type: SlackProcess<R>,
  rows: SummaryRow[],
  publicUrl: string,
): Promise<ProcessSummary<R>[]> {
  const records = rows.map((row) => row.detail as unknown as R);
  const names = await userNames(
    db,
    records.flatMap((record) => type.namesIn(record)),
  );
  const documents = await latestDocumentLines(
    db,
    rows.map((row) => row.process_id),
  );
  return rows.map((row, i) => ({
    processId: row.process_id,
    record: records[i],
    assignedUserId: row.assigned_user_id,
    statusEnteredAt: new Date(row.status_entered_at).toISOString(),
    sla: row.sla,
    names,
    boardUrl: boardUrlFor(publicUrl, row.process_id),
    documents: documents.filter((d) => d.subject_id === row.process_id),
  }));
}

/** These processes of this type, as Slack shows them, in the order asked; unknown ids are left out. */
export async function loadSummaries<R extends ProcessRecordLike>(
  db: Queryable,
  type: SlackProcess<R>,
  processIds: string[],
  publicUrl: string,
): Promise<ProcessSummary<R>[]> {
  if (processIds.length === 0) return [];
  const rows = (await db`
    SELECT process_id, assigned_user_id, status_entered_at, sla, detail FROM processes
    WHERE process_id = ANY(${processIds}) AND process_type = ${type.spec.processType}`) as unknown as SummaryRow[];
  const byId = new Map(rows.map((row) => [row.process_id, row]));
  return summarize(
    db,
    type,
    processIds.flatMap((id) => (byId.has(id) ? [byId.get(id)!] : [])),
    publicUrl,
  );
}

/** The buttons of a kept message while its process is in the state it was opened for, as its command spec allows there. */
export function buttonsIn<R extends ProcessRecordLike>(
  type: SlackProcess<R>,
  message: KeptMessageSpec<R>,
  status: string,
): CommandButton[] {
  if (status !== message.opensIn) return [];
  return type.buttons.filter(
    (b) => message.commands.includes(b.command) && (type.spec.commands[b.command]?.from ?? []).includes(status),
  );
}

/** Does a person in this role ever take one of this type's decisions? Their queue has a section for it only then. */
export function decidesOn(type: SlackProcess, actor: Actor): boolean {
  return type.decisions.some((command) => roleMayRun(type.spec, command, actor.role));
}
