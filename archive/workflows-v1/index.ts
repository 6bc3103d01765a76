// The code executions started before the redesign replay (patch `redesign-v2`); the weekly
// report's code did not change and lives on in workflows/weekly-qa-report.
export { afterSalesCase } from './after-sales-case';
export { customerJourney } from './customer-journey';
export { quoteApproval } from './quote-approval';
