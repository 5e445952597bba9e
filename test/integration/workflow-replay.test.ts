import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { WORKFLOWS_PATH } from '../../workers/worker.js';
import { keptHistories } from '../support/histories.js';

/** The workflows as they are now must replay every kept history exactly: else running workflows would break. */
describe('workflow determinism', () => {
  it('replays the kept histories of every process type without a nondeterminism error', async () => {
    const histories = keptHistories();
    expect(histories.map((h) => h.workflowId.split('--')[0])).toEqual(
      expect.arrayContaining(['account-opening', 'rebalancing', 'client-onboarding']),
    );
    const failures: string[] = [];
    for await (const result of Worker.runReplayHistories({ workflowsPath: WORKFLOWS_PATH }, histories)) {
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    expect(failures).toEqual([]);
  }, 120_000);
});
