import { auditRefusal } from '../db/audit.js';
import { findCommandOutcome, keepCommandOutcome } from '../db/command-outcomes.js';
import { getProcess, type ProcessRow } from '../db/processes.js';
import { HubError, type ErrorCode } from '../workflows/errors.js';
import { mayRun, maySee, placed, type ProcessRelations } from '../workflows/policy.js';
import type { CommandDefinition, CommandRefusal } from '../workflows/process-kit.js';
import { withoutScope, type Actor, type SlaSnapshot } from '../workflows/process-records.js';
import { isTerminal, progressOf, type ProcessSpec } from '../workflows/process-spec.js';
import { measureCommand } from './command-measures.js';
import type { HubDeps } from './context.js';
import { checkDocumentRequirements } from './documents-requirements.js';
import { toHubError } from './errors.js';
import { createSlaReader, type LiveSla } from './sla.js';

/** What every process record has. */
export interface ProcessRecordBase {
  status: string;
  version: number;
}

/** A command's answer: the record as that command left it, and the SLA snapshot recorded with it. */
export interface RecordedResult<R> {
  record: R;
  sla: SlaSnapshot | null;
}

/** A process as its reader sees it: the record, where it is on its way, what the reader may do, its live SLA. */
export type ProcessView<R, C extends string> = R & {
  process_type: string;
  progress: { step: number | null; of: number; label: string };
  allowed_actions: C[];
  sla: LiveSla | null;
};

/**
 * What the command service needs to know of a process type: its spec and definitions, and the few rules it
 * asks before sending an Update. Everything else (policy, audit, deadline, idempotency) is the same for all.
 */
export interface ProcessKind<R extends ProcessRecordBase, C extends string, M, U> {
  spec: ProcessSpec;
  /** The code for an id that names no process of this type. */
  notFound: ErrorCode;
  /** "application", "rebalance": how people call one, in refusals. */
  noun: string;
  happyPath: readonly string[];
  commands: { readonly [K in C]: CommandDefinition<U, M> };
  relationsOf(record: R): ProcessRelations;
  checkAllowed(record: R, command: C, actor: Actor): CommandRefusal | null;
  allowedActions(record: R, actor: Actor): C[];
  workflowIdOf(record: R): string;
  message(actor: Actor, record: R, input: object): M;
  /** The Update's answer as the record and SLA it recorded. */
  resultOf(answer: U, processId: string): Promise<RecordedResult<R>>;
}

/**
 * The kind's `message` and `resultOf` for a type whose Updates take `{ actor, input }` and answer with the
 * record and SLA they recorded.
 */
export const RECORDED_ANSWERS = {
  message: (actor: Actor, _record: unknown, input: object) => ({ actor, input }),
  resultOf: async <R>(answer: RecordedResult<R>) => answer,
};

type Row<R> = ProcessRow & { detail: R };

export interface CommandOptions<R> {
  idempotencyKey?: string;
  /** Adds what the hub knows to the input and checks what only the database can, after the policy allowed it. */
  prepare?: (record: R, input: object) => Promise<object>;
  /** When the command happened, if in the past: the demo seeder's history only; no edge passes it. */
  occurredAt?: string;
}

/** The hub failing is not a refusal: nothing was decided, so nothing is audited or kept as the outcome. */
const isRefusal = (error: HubError) => error.code !== 'INTERNAL_ERROR' && error.code !== 'SERVICE_UNAVAILABLE';

/**
 * One command service for every process type. Each command from every channel goes through `run`: existence,
 * the permission policy, the workflow's Update (its validator applies the type's rules) within the command
 * deadline, its first outcome kept under its idempotency key. A refusal is audited once, here.
 */
export function createProcessCommands<R extends ProcessRecordBase, C extends string, M, U>(
  deps: HubDeps,
  kind: ProcessKind<R, C, M, U>,
) {
  const { sql, temporal, config } = deps;
  const { spec } = kind;

  /** Runs `work`; a refusal is written to the audit trail once, a failure of the hub is logged instead. */
  async function audited<T>(
    actor: Actor,
    action: string,
    processId: string | null,
    work: () => Promise<T>,
    target: { processType?: string; details?: Record<string, unknown> } = {},
  ): Promise<T> {
    try {
      return await work();
    } catch (error) {
      const hubError = toHubError(error);
      if (hubError.audited) throw hubError;
      if (isRefusal(hubError)) {
        const processType = target.processType ?? spec.processType;
        const { code, message } = hubError;
        await auditRefusal(sql, {
          process_type: processType,
          process_id: processId,
          actor,
          action,
          code,
          message,
          details: target.details,
        });
        hubError.audited = true;
      } else {
        deps.log.error({ err: error, action, processId }, 'command failed');
      }
      throw hubError;
    }
  }

  async function load(processId: string): Promise<Row<R>> {
    const row = await getProcess(sql, processId);
    if (!row || row.process_type !== spec.processType) throw new HubError(kind.notFound);
    return row as Row<R>;
  }

  async function view(
    { record, sla }: RecordedResult<R>,
    actor: Actor,
    liveSla = createSlaReader(sql),
  ): Promise<ProcessView<R, C>> {
    return {
      ...record,
      process_type: spec.processType,
      progress: progressOf(spec, record.status, kind.happyPath),
      allowed_actions: kind.allowedActions(record, actor),
      sla: await liveSla(sla),
    };
  }

  /**
   * An Update waits for a worker; with none running it would wait forever. Past the deadline the caller gets
   * 503: the command may still be applied when a worker returns, and a retry with the same Idempotency-Key
   * attaches to it and learns its outcome.
   */
  function withinCommandDeadline<T>(work: () => Promise<T>): Promise<T> {
    return temporal.withAbortSignal(AbortSignal.timeout(config.COMMAND_TIMEOUT_MS), work);
  }

  async function requireVisible(actor: Actor, processId: string, action: string): Promise<Row<R>> {
    return audited(actor, action, processId, async () => {
      const row = await load(processId);
      if (!maySee(spec, actor, placed(kind.relationsOf(row.detail), row)))
        throw new HubError('FORBIDDEN', `You may not view this ${kind.noun}`);
      return row;
    });
  }

  /** `prepare`: the compliance notes' text at a decision, say, or that a new assignee exists. */
  async function runCommand(
    actor: Actor,
    processId: string,
    command: C,
    input: object,
    { idempotencyKey, prepare, occurredAt }: CommandOptions<R> = {},
  ): Promise<ProcessView<R, C>> {
    const key = idempotencyKey
      ? `${spec.processType}:${processId}:${command}:${actor.user_id}:${idempotencyKey}`
      : null;
    if (key) {
      const first = await findCommandOutcome<RecordedResult<R>>(sql, key);
      if (first && 'result' in first) return view(first.result, actor);
      if (first) {
        // Refused the first time, and audited then: the repeat is told the same, with no second audit row.
        const refusal = HubError.fromRefusal(first.refusal);
        refusal.audited = true;
        throw refusal;
      }
    }
    const keep = (outcome: Parameters<typeof keepCommandOutcome<RecordedResult<R>>>[1]['outcome']) =>
      key
        ? keepCommandOutcome(sql, { key, process_id: processId, command, actor_id: actor.user_id, outcome })
        : Promise.resolve();
    try {
      const result = await audited(actor, command, processId, async () => {
        const row = await load(processId);
        const record = row.detail;
        if (!mayRun(spec, command, actor, placed(kind.relationsOf(record), row))) {
          throw new HubError(
            'FORBIDDEN',
            `You may not ${spec.commands[command]!.label.toLowerCase()} on this ${kind.noun}`,
          );
        }
        if (isTerminal(spec, record.status)) throw HubError.fromRefusal(kind.checkAllowed(record, command, actor)!);
        // What the spec says the command needs from the process's documents (evidence accepted, a mandate held).
        await checkDocumentRequirements(
          sql,
          spec,
          { process_id: processId, client_id: row.client_id, record: { ...record } },
          command,
          input,
        );
        const commandInput = prepare ? await prepare(record, input) : input;
        const handle = temporal.workflow.getHandle(kind.workflowIdOf(record));
        const answer = await withinCommandDeadline(() =>
          handle.executeUpdate(kind.commands[command].update, {
            args: [
              occurredAt
                ? { ...kind.message(withoutScope(actor), record, commandInput), occurred_at: occurredAt }
                : kind.message(withoutScope(actor), record, commandInput),
            ],
            ...(key ? { updateId: key } : {}),
          }),
        );
        return kind.resultOf(answer, processId);
      });
      await keep({ result });
      return view(result, actor);
    } catch (error) {
      const hubError = toHubError(error);
      if (isRefusal(hubError))
        await keep({ refusal: { code: hubError.code, message: hubError.message, details: hubError.details } });
      throw hubError;
    }
  }

  return {
    audited,
    load,
    view,
    withinCommandDeadline,
    requireVisible,

    /** Every visible process's view in one request shares the calendars its live SLAs are computed on. */
    views(rows: ProcessRow[], actor: Actor): Promise<ProcessView<R, C>[]> {
      const liveSla = createSlaReader(sql);
      return Promise.all(rows.map((row) => view({ record: row.detail as unknown as R, sla: row.sla }, actor, liveSla)));
    },

    /** Every command, measured (command-measures.ts). */
    run(
      actor: Actor,
      processId: string,
      command: C,
      input: object,
      options?: CommandOptions<R>,
    ): Promise<ProcessView<R, C>> {
      return measureCommand(deps, { process_type: spec.processType, command }, () =>
        runCommand(actor, processId, command, input, options),
      );
    },
  };
}

export type ProcessCommands<R extends ProcessRecordBase, C extends string, M, U> = ReturnType<
  typeof createProcessCommands<R, C, M, U>
>;
