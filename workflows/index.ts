// Every workflow the hub runs, for the worker's bundle.
export { accountOpeningWorkflow } from './account-opening/workflow.js';
export { rebalancingWorkflow } from './rebalancing/workflow.js';
export { driftCheckWorkflow } from './rebalancing/drift-check-workflow.js';
export { clientOnboardingWorkflow } from './client-onboarding/workflow.js';
export { kycReviewWorkflow } from './client-onboarding/kyc-review-workflow.js';
