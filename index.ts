/**
 * The package's public entry: what a backend service (CRM, ticketing, telephony, survey tool)
 * needs to start and reach journeys and cases, and what a worker of its own needs to run them.
 * Everything else in the repository is internal and may move.
 *
 * ```ts
 * import { connectClient, startOrReachJourney, customerJourneyContract } from 'customer-journey-workflows';
 * ```
 *
 * The message definitions (names, zod schemas and their types) stay in one namespace per
 * workflow, because the case and the journey both have, for instance, a `getCase`-style query
 * and an input schema.
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
  signBody,
  verifySignature,
  type GatewayRequest,
  type GatewayResult,
  type IntegrationGateway,
  type SystemName,
} from './activities/integrations';
export * as afterSalesCaseContract from './workflows/after-sales-case/contract';
export * as customerJourneyContract from './workflows/customer-journey/contract';
export * as quoteApprovalContract from './workflows/quote-approval/contract';
export * as weeklyQaReportContract from './workflows/weekly-qa-report/contract';
export * as casePolicy from './workflows/after-sales-case/policy';
export * as journeyPolicy from './workflows/customer-journey/policy';

/** The workflows folder a worker of its own passes as `workflowsPath` (the bundler finds its index). */
export const workflowsPath = path.join(__dirname, 'workflows');
