import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client, type ScheduleSpec } from '@temporalio/client';
import type { Logger } from '../runtime/logger.js';

export interface ScheduleOptions {
  scheduleId: string;
  workflowType: string;
  args: unknown[];
  taskQueue: string;
  cron: string;
  timeZone: string;
  paused: boolean;
  /** The setting that pauses it, named in the schedule's note. */
  pausedBy: string;
}

/**
 * Creates a Schedule that starts one workflow on a cron, or brings an existing one in line with the
 * configuration (cron, time zone, workflow arguments). Every worker runs this at start; they all converge on
 * the same Schedule. A schedule paused by an operator stays paused.
 */
export async function ensureSchedule(client: Client, options: ScheduleOptions, log: Logger): Promise<string> {
  const { scheduleId } = options;
  const spec: ScheduleSpec = { cronExpressions: [options.cron], timezone: options.timeZone };
  const action = {
    type: 'startWorkflow' as const,
    workflowType: options.workflowType,
    workflowId: scheduleId,
    taskQueue: options.taskQueue,
    args: options.args,
  };
  try {
    await client.schedule.create({
      scheduleId,
      spec,
      action,
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 hour' },
      state: {
        paused: options.paused,
        note: options.paused ? `Created paused (${options.pausedBy})` : undefined,
      },
    });
    log.info(
      { scheduleId, cron: options.cron, timeZone: options.timeZone, paused: options.paused },
      'schedule created',
    );
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
    const handle = client.schedule.getHandle(scheduleId);
    await handle.update((previous) => ({ ...previous, spec, action }));
    if (options.paused) await handle.pause(`Paused by ${options.pausedBy}`);
    log.debug({ scheduleId, cron: options.cron, timeZone: options.timeZone }, 'schedule updated');
  }
  return scheduleId;
}
