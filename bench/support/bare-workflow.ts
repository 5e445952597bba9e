import { proxyActivities } from '@temporalio/workflow';

const { recordOpening } = proxyActivities<{ recordOpening(id: string): Promise<void> }>({
  startToCloseTimeout: '30 seconds',
});

/** The engine's own limit, for the account-opening benchmark: a workflow of one activity and nothing else. */
export async function bareOpening(id: string): Promise<void> {
  await recordOpening(id);
}
