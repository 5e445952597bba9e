import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type PgBoss from 'pg-boss';
import { QUEUES, workQueue } from '../../db/jobs.js';
import { slaPauseSignal } from '../../workflows/account-opening/definitions.js';

export interface SlaPauseJob {
  workflow_id: string;
  key: string;
  active: boolean;
  reason: string;
  /** Orders the signals of one key: the workflow ignores one older than what it has seen. */
  sequence: number;
}

/** Delivers pause and resume to the workflow, retried with backoff until Temporal takes it. */
export async function registerSlaPauseJobs(boss: PgBoss, temporal: Client): Promise<void> {
  await workQueue<SlaPauseJob>(boss, QUEUES.signalSlaPause, { batchSize: 5 }, async (jobs) => {
    for (const { data } of jobs) {
      try {
        await temporal.workflow
          .getHandle(data.workflow_id)
          .signal(slaPauseSignal, { key: data.key, active: data.active, reason: data.reason, sequence: data.sequence });
      } catch (error) {
        // A finished process has no clock left to pause.
        if (!(error instanceof WorkflowNotFoundError)) throw error;
      }
    }
  });
}
