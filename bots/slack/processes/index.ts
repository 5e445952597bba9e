import type { ReasonModalSpec } from '../blocks.js';
import type { CommandButton, SlackProcess } from '../slack-process.js';
import { accountOpeningSlack } from './account-opening.js';
import { rebalancingSlack } from './rebalancing.js';

/** Every process type the bot shows and acts on. */
export const SLACK_PROCESSES: readonly SlackProcess[] = [accountOpeningSlack, rebalancingSlack];

export function slackProcessFor(processType: string): SlackProcess | undefined {
  return SLACK_PROCESSES.find((type) => type.spec.processType === processType);
}

/** Every command button of every type, with its type: one listener per action id. */
export const SLACK_BUTTONS: readonly { type: SlackProcess; button: CommandButton }[] = SLACK_PROCESSES.flatMap((type) => type.buttons.map((button) => ({ type, button })));

/** Every reason modal, with its type and button: one listener per callback id. */
export const SLACK_MODALS: readonly { type: SlackProcess; button: CommandButton & { reason: ReasonModalSpec & { field: string } } }[] = SLACK_BUTTONS.flatMap(({ type, button }) =>
  button.reason ? [{ type, button: { ...button, reason: button.reason } }] : [],
);
