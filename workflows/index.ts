// Every workflow the hub runs, for the worker's bundle.
export { accountOpeningWorkflow } from './account-opening/workflow.js';
