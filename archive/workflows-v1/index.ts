// The worker bundles this module: every workflow type the `customer-journey` task queue serves
// is exported from here, one kebab-case file per workflow.
export { afterSalesCase } from './after-sales-case';
export { customerJourney } from './customer-journey';
export { quoteApproval } from './quote-approval';
export { weeklyQaReport } from './weekly-qa-report';
