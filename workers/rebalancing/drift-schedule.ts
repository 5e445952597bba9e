import type { Client } from '@temporalio/client';
import type { Logger } from '../../runtime/logger.js';
import {
  DRIFT_CHECK_WORKFLOW_TYPE,
  driftCheckScheduleId,
  type DriftCheckInput,
} from '../../workflows/rebalancing/definitions.js';
import { ensureSchedule } from '../schedules.js';

export interface DriftScheduleOptions {
  taskQueue: string;
  cron: string;
  timeZone: string;
  paused: boolean;
  orderRetry: DriftCheckInput['order_retry'];
}

/** The drift-check Schedule, created or brought in line with the configuration (see ensureSchedule). */
export function ensureDriftCheckSchedule(client: Client, options: DriftScheduleOptions, log: Logger): Promise<string> {
  const input: DriftCheckInput = { order_retry: options.orderRetry };
  return ensureSchedule(
    client,
    {
      scheduleId: driftCheckScheduleId(options.taskQueue),
      workflowType: DRIFT_CHECK_WORKFLOW_TYPE,
      args: [input],
      taskQueue: options.taskQueue,
      cron: options.cron,
      timeZone: options.timeZone,
      paused: options.paused,
      pausedBy: 'REBALANCE_SCHEDULE_PAUSED',
    },
    log,
  );
}
