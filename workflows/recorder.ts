import { CancellationScope } from '@temporalio/workflow';
import type { Actor, EmittedEvent, NotificationIntent, ProcessCard, TransitionRecording } from './process-records.js';

export interface RecordableOutcome {
  action: string;
  actor: Actor;
  status_before: string | null;
  events: EmittedEvent[];
  notifications: NotificationIntent[];
  audit: Record<string, unknown>;
}

export function toRecording(
  processType: string,
  processId: string,
  outcome: RecordableOutcome,
  card: ProcessCard,
  record: { version: number; updated_at: string } & object,
): TransitionRecording {
  return {
    process_type: processType,
    process_id: processId,
    version: record.version,
    action: outcome.action,
    actor: outcome.actor,
    status_before: outcome.status_before,
    status_after: card.status,
    at: record.updated_at,
    card,
    record: record as Record<string, unknown>,
    events: outcome.events,
    notifications: outcome.notifications,
    audit: outcome.audit,
  };
}

/**
 * Records changes strictly one after another, in the order the workflow made them, so the read model,
 * the audit trail and the event feed never see version 5 before version 4. Each recording is built when
 * its turn comes (it may need an activity first, e.g. loading an SLA policy) and is never cancelled:
 * a change the workflow made is always written.
 */
export function createRecorder(recordTransition: (recording: TransitionRecording) => Promise<unknown>) {
  let tail: Promise<unknown> = Promise.resolve();
  return {
    /** Resolves with what was recorded, once it is in the read model. */
    record(build: () => TransitionRecording | Promise<TransitionRecording>): Promise<TransitionRecording> {
      const done = tail.then(() =>
        CancellationScope.nonCancellable(async () => {
          const recording = await build();
          await recordTransition(recording);
          return recording;
        }),
      );
      tail = done.catch(() => undefined);
      return done;
    },
    drained: () => tail.then(() => undefined),
  };
}
