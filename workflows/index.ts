// The worker bundles this module: every workflow type the `customer-journey` task queue serves.
export { afterSalesCase } from './after-sales-case/workflow';
export { customerJourney } from './customer-journey/workflow';
export { qaReview } from './qa-review/workflow';
export { quoteApproval } from './quote-approval/workflow';
export { monthlyIssueSummary } from './monthly-issue-summary/workflow';
export { rootCauseAnalysis } from './root-cause-analysis/workflow';
export { weeklyQaReport } from './weekly-qa-report/workflow';
