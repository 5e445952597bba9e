import { patched, proxyLocalActivities } from '@temporalio/workflow';
import type { HubActivities } from '../workers/activities/index.js';
import { SYSTEM_ACTOR, type ProcessCard, type SlaSnapshot, type TransitionRecording } from './process-records.js';
import { createRecorder, toRecording, type RecordableOutcome } from './recorder.js';
import { POSITIONS, type Position } from './sla/sla-schedule.js';
import { createSlaTracker, rungOutcome } from './sla/sla-tracker.js';

/**
 * The short database work every process does on each change (recording it, loading an SLA policy,
 * choosing an officer), as local activities: they run in the worker that runs the workflow, without a
 * round trip through the Temporal server for each, which halves the time a command takes. Each is
 * idempotent, so re-running one after a worker dies changes nothing; recording never gives up.
 */
export const processActivities = proxyLocalActivities<HubActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '30 seconds' },
  localRetryThreshold: '10 seconds',
});

const RUNG_POSITIONS_PATCH = 'sla-rung-positions';
const isPosition = (name: string): name is Position => (POSITIONS as readonly string[]).includes(name);

/** The fields every process record has, whatever its type. */
export interface VersionedRecord {
  status: string;
  status_entered_at: string;
  updated_at: string;
  version: number;
}

export interface ProcessOutcome<R> extends RecordableOutcome {
  record: R;
}

/** The people a rung may name (`assigned_officer`, `advisor`, `client`), as every process record holds them. */
export function namedPerson(
  record: { assigned_officer_id: string | null; advisor_id: string | null; client_user_id: string | null },
  name: string,
): string | null {
  return (
    { assigned_officer: record.assigned_officer_id, advisor: record.advisor_id, client: record.client_user_id }[name] ??
    null
  );
}

/** What a command's Update answers: the record as the change left it, with the SLA recorded beside it. */
export function recordedResult<R>(recording: TransitionRecording): { record: R; sla: SlaSnapshot | null } {
  return { record: recording.record as unknown as R, sla: recording.card.sla };
}

/**
 * Every change of a process goes through `commit`: the workflow's state moves at once, the SLA clock of
 * the state left stops at once, and the recording (with the clock of the state entered, if it has a
 * policy) is queued in order. SLA rungs and pauses are recorded through the same path, so each process
 * type gets durable SLAs by describing its record and card, nothing more.
 */
export function createProcessRecorder<R extends VersionedRecord>(options: {
  processType: string;
  get: () => R;
  set: (record: R) => void;
  processIdOf: (record: R) => string;
  titleOf: (record: R) => string;
  projectCard: (record: R, sla: SlaSnapshot | null) => ProcessCard;
  /** People a rung may name (`assigned_officer`, `advisor`, `client`), as this process knows them. */
  namedRecipient: (record: R, name: string) => string | null;
  /** The process's clock (business-clock.ts); the workflow's time by default. */
  nowMs?: () => number;
}) {
  const nowMs = options.nowMs ?? (() => Date.now());
  const now = () => new Date(nowMs()).toISOString();
  const bump = (record: R): R => ({ ...record, version: record.version + 1, updated_at: now() });
  const recorder = createRecorder(processActivities.recordTransition);

  const clientOf = (record: R) => options.projectCard(record, null).client_id;
  const sla = createSlaTracker({
    nowMs,
    // The client says which office's calendar a policy without one runs on.
    load: (state, enteredAtMs) =>
      processActivities.loadSlaPolicy({
        process_type: options.processType,
        state,
        at: new Date(enteredAtMs).toISOString(),
        client_id: clientOf(options.get()),
      }),
    onRung: async (fired) => {
      const record = options.get();
      const positions = fired.rung.notify.filter(isPosition);
      // Whoever holds the position as the rung fires; histories from before positions existed never get here.
      const holders =
        positions.length > 0 && patched(RUNG_POSITIONS_PATCH)
          ? await processActivities.resolvePositions({ client_id: clientOf(record), positions })
          : undefined;
      const { events, notifications, audit } = rungOutcome(
        fired,
        { process_type: options.processType, process_id: options.processIdOf(record), title: options.titleOf(record) },
        // `assignee`: whoever the card says the process waits on now, for any process type.
        (name) =>
          isPosition(name)
            ? (holders?.[name] ?? null)
            : name === 'assignee'
              ? options.projectCard(record, null).assigned_user_id
              : options.namedRecipient(record, name),
      );
      sla.noteNotified(fired.index, audit.notified);
      return commit({
        record: bump(record),
        action: `sla_${fired.rung.kind}`,
        actor: SYSTEM_ACTOR,
        status_before: record.status,
        events,
        notifications,
        audit,
      });
    },
    onPauseChange: (paused, reasons) => {
      const record = options.get();
      return commit({
        record: bump(record),
        action: paused ? 'sla_paused' : 'sla_resumed',
        actor: SYSTEM_ACTOR,
        status_before: record.status,
        events: [],
        notifications: [],
        audit: { reasons },
      });
    },
  });

  let started = false;
  function commit(outcome: ProcessOutcome<R>): Promise<TransitionRecording> {
    const statusChanged = !started || outcome.record.status !== outcome.status_before;
    started = true;
    options.set(outcome.record);
    if (statusChanged) sla.leave();
    const recorded = outcome.record;
    return recorder.record(async () => {
      if (statusChanged) await sla.enter(recorded.status, Date.parse(recorded.status_entered_at));
      return toRecording(
        options.processType,
        options.processIdOf(recorded),
        outcome,
        options.projectCard(recorded, sla.snapshot()),
        recorded,
      );
    });
  }

  return { commit, sla, drained: recorder.drained };
}
