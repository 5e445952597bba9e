import type { AccountOpeningService } from '../../hub/account-opening.js';
import type { HubDeps } from '../../hub/context.js';
import type { RebalancingService } from '../../hub/rebalancing.js';
import type { OnboardingService } from '../../hub/client-onboarding.js';

/** What every listener needs: the hub's services and a way to tell a Slack user something only they see. */
export interface BotContext {
  deps: HubDeps;
  accountOpening: AccountOpeningService;
  rebalancing: RebalancingService;
  onboarding: OnboardingService;
}
