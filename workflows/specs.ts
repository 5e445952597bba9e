import { accountOpeningSpec } from './account-opening/spec.js';
import { clientOnboardingSpec } from './client-onboarding/spec.js';
import type { ProcessSpec } from './process-spec.js';
import { rebalancingSpec } from './rebalancing/spec.js';

/** Every process type the hub runs. The board, the generic process API and the permission tests read this list. */
export const PROCESS_SPECS: readonly ProcessSpec[] = [accountOpeningSpec, rebalancingSpec, clientOnboardingSpec];

export function specFor(processType: string): ProcessSpec | undefined {
  return PROCESS_SPECS.find((spec) => spec.processType === processType);
}
