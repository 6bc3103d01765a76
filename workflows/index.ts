// The worker bundles this module: every workflow type the `customer-journey` task queue serves.
export { afterSalesCase } from './after-sales-case/workflow';
export { customerJourney, quoteApproval, weeklyQaReport } from '../archive/workflows-v1';
