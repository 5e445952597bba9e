import type { CommandButton, CommandReason, SlackProcess } from '../slack-process.js';
import { accountOpeningSlack } from './account-opening.js';
import { clientOnboardingSlack } from './client-onboarding.js';
import { rebalancingSlack } from './rebalancing.js';

/** Every process type the bot shows and acts on. */
export const SLACK_PROCESSES: readonly SlackProcess[] = [accountOpeningSlack, rebalancingSlack, clientOnboardingSlack];

export function slackProcessFor(processType: string): SlackProcess | undefined {
  return SLACK_PROCESSES.find((type) => type.spec.processType === processType);
}

/** Every command button of every type, with its type: one listener per action id. */
export const SLACK_BUTTONS: readonly { type: SlackProcess; button: CommandButton }[] = SLACK_PROCESSES.flatMap((type) =>
  type.buttons.map((button) => ({ type, button })),
);

/** Every reason modal, with its type and button: one listener per callback id. */
export const SLACK_MODALS: readonly { type: SlackProcess; command: string; reason: CommandReason }[] =
  SLACK_BUTTONS.flatMap(({ type, button }) =>
    button.reason ? [{ type, command: button.command, reason: button.reason }] : [],
  );
