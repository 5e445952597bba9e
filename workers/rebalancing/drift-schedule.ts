import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client, type ScheduleSpec } from '@temporalio/client';
import type { Logger } from '../../runtime/logger.js';
import {
  DRIFT_CHECK_WORKFLOW_TYPE,
  driftCheckScheduleId,
  type DriftCheckInput,
} from '../../workflows/rebalancing/definitions.js';

export interface DriftScheduleOptions {
  taskQueue: string;
  cron: string;
  timeZone: string;
  paused: boolean;
  orderRetry: DriftCheckInput['order_retry'];
}

/**
 * Creates the drift-check Schedule, or brings an existing one in line with the configuration (cron, time
 * zone, workflow arguments). Every worker runs this at start; they all converge on the same Schedule. A
 * schedule paused by an operator stays paused.
 */
export async function ensureDriftCheckSchedule(
  client: Client,
  options: DriftScheduleOptions,
  log: Logger,
): Promise<string> {
  const scheduleId = driftCheckScheduleId(options.taskQueue);
  const spec: ScheduleSpec = { cronExpressions: [options.cron], timezone: options.timeZone };
  const input: DriftCheckInput = { order_retry: options.orderRetry };
  const action = {
    type: 'startWorkflow' as const,
    workflowType: DRIFT_CHECK_WORKFLOW_TYPE,
    workflowId: scheduleId,
    taskQueue: options.taskQueue,
    args: [input],
  };
  try {
    await client.schedule.create({
      scheduleId,
      spec,
      action,
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 hour' },
      state: {
        paused: options.paused,
        note: options.paused ? 'Created paused (REBALANCE_SCHEDULE_PAUSED)' : undefined,
      },
    });
    log.info(
      { scheduleId, cron: options.cron, timeZone: options.timeZone, paused: options.paused },
      'drift-check schedule created',
    );
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
    const handle = client.schedule.getHandle(scheduleId);
    await handle.update((previous) => ({ ...previous, spec, action }));
    if (options.paused) await handle.pause('Paused by REBALANCE_SCHEDULE_PAUSED');
    log.debug({ scheduleId, cron: options.cron, timeZone: options.timeZone }, 'drift-check schedule updated');
  }
  return scheduleId;
}
