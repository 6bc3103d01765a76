/**
 * The package's public entry: what a backend service (CRM, ticketing, telephony, survey tool)
 * needs to start and reach journeys and cases, and what a worker of its own needs to run them.
 * Everything else in the repository is internal and may move.
 *
 * ```ts
 * import { connectClient, startOrReachJourney, customerJourneyContract } from 'customer-journey-workflows';
 * ```
 *
 * Every message definition (signal, update, query) is a named export whose name says whose it is
 * (`getCaseTimelineQuery`, `getJourneyTimelineQuery`), beside the vocabulary a caller's input is
 * made of. Each workflow's whole contract (zod schemas and their types, views) is also one
 * namespace (`afterSalesCaseContract`, `customerJourneyContract`, …).
 */
import path from 'node:path';

export * from './client';
export { connectClient, type ConnectedClient } from './lib/temporal-client';
export {
  encryptedDataConverter,
  loadDataConverter,
  type ConfiguredDataConverter,
} from './lib/data-converter';
export { createActivities, type ActivityDeps, type Activities } from './activities';
export {
  SYSTEMS,
  OutboxGateway,
  WebhookGateway,
  TransientIntegrationError,
  loadIntegrationGateway,
  readOutbox,
  type GatewayRequest,
  type GatewayResult,
  type IntegrationGateway,
  type SystemName,
} from './activities/integrations';
export { signBody, verifySignature } from './lib/webhook-signature';
export {
  DEFAULT_TASK_QUEUE,
  Channel,
  Priority,
  Team,
  PromisedTerms,
  CustomerId,
  type TimelineView,
} from './workflows/kernel/contract';
export { BusinessCalendar } from './workflows/kernel/business-hours';
export { IssueCategory, PauseReason, Severity, Scope } from './workflows/after-sales-case/policy';
export {
  AFTER_SALES_CASE_WORKFLOW,
  AfterSalesCaseInput,
  type CaseView,
  type CaseResult,
  agentRespondedSignal,
  customerRepliedSignal,
  awaitingCustomerSignal,
  carrierUpdateSignal,
  agentAssignedSignal,
  repairCompletedSignal,
  reportBySignalSignal,
  productDetailsSignal,
  collaboratorAnsweredSignal,
  visitCompletedSignal,
  resolveUpdate,
  submitFeedbackUpdate,
  reclassifyUpdate,
  escalateUpdate,
  extendPauseUpdate,
  respondToOfferUpdate,
  completeComplaintStepUpdate,
  closeCaseUpdate,
  handOverUpdate,
  reviewReplyUpdate,
  involveTeamUpdate,
  getCaseQuery,
  getCaseTimelineQuery,
} from './workflows/after-sales-case/contract';
export {
  CUSTOMER_JOURNEY_WORKFLOW,
  JourneyInput,
  type JourneyView,
  newInquirySignal,
  inquiryAnsweredSignal,
  customerRespondedSignal,
  deliveryConfirmedSignal,
  deskBusySignal,
  registerInquiryUpdate,
  recordNeedsUpdate,
  submitProposalUpdate,
  reviewProposalUpdate,
  proposalFeedbackUpdate,
  submitQuoteUpdate,
  recordObjectionUpdate,
  signContractUpdate,
  milestoneReachedUpdate,
  reportIssueUpdate,
  markLostUpdate,
  closeJourneyUpdate,
  updateContactUpdate,
  recordConsentUpdate,
  submitPresalesFeedbackUpdate,
  getJourneyQuery,
  getJourneyTimelineQuery,
} from './workflows/customer-journey/contract';
export {
  QUOTE_APPROVAL_WORKFLOW,
  type QuoteView,
  decideQuoteUpdate,
  getQuoteQuery,
} from './workflows/quote-approval/contract';
export { recordFindingsUpdate, getRcaQuery } from './workflows/root-cause-analysis/contract';
export { submitQaReviewUpdate, getQaReviewQuery } from './workflows/qa-review/contract';
export { startCodecServer, type CodecServerOptions, type RunningCodecServer } from './lib/codec/codec-server';
export { EncryptionCodec } from './lib/codec/encryption-codec';
export { generateKey, loadCodecKeys, type CodecKeyring } from './lib/codec/keys';
export * as afterSalesCaseContract from './workflows/after-sales-case/contract';
export * as customerJourneyContract from './workflows/customer-journey/contract';
export * as quoteApprovalContract from './workflows/quote-approval/contract';
export * as weeklyQaReportContract from './workflows/weekly-qa-report/contract';
export * as rootCauseAnalysisContract from './workflows/root-cause-analysis/contract';
export * as qaReviewContract from './workflows/qa-review/contract';
export * as casePolicy from './workflows/after-sales-case/policy';
export * as journeyPolicy from './workflows/customer-journey/policy';

/** The workflows folder a worker of its own passes as `workflowsPath` (the bundler finds its index). */
export const workflowsPath = path.join(__dirname, 'workflows');
