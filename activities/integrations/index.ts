/**
 * The transport under every activity: one `IntegrationGateway` interface, a signed HTTP webhook
 * implementation and a local outbox (the default), chosen by `loadIntegrationGateway`.
 */
export {
  SYSTEMS,
  TransientIntegrationError,
  assertValidRequest,
  type GatewayRequest,
  type GatewayResult,
  type IntegrationGateway,
  type SystemName,
} from './gateway';
export {
  DEFAULT_WEBHOOK_TIMEOUT_MS,
  WebhookGateway,
  webhookUrlSetting,
  type WebhookGatewayOptions,
} from './webhook-gateway';
export { signBody, verifySignature } from '../../lib/webhook-signature';
export {
  OutboxGateway,
  outboxFile,
  outboxId,
  readOutbox,
  type OutboxEntry,
  type OutboxGatewayOptions,
} from './outbox-gateway';
export {
  DEFAULT_OUTBOX_DIR,
  IntegrationSettings,
  loadIntegrationGateway,
  type LoadedIntegrationGateway,
} from './config';
