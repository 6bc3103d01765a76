/**
 * The one interface every activity uses to reach an external system (customer messaging,
 * staffing, carrier, fulfilment, survey, knowledge base / QA, CRM).
 *
 * Two implementations: `WebhookGateway` (HTTP, signed) and `OutboxGateway` (the local default: one
 * JSON line per request in `data/outbox/<system>.jsonl`). `loadIntegrationGateway` picks one from
 * the environment.
 *
 * Error contract, which activities rely on:
 * - `accepted`: the receiver took the request (`duplicate` when it had already seen the key);
 * - `rejected`: a permanent refusal; retrying the same request cannot succeed, so the activity
 *   turns it into a non-retryable failure;
 * - `TransientIntegrationError` (thrown): network error, timeout, 408/425/429 or 5xx; a plain
 *   error, so Temporal retries the activity with its backoff and the same idempotency key.
 */

/** External systems the product talks to. */
export const SYSTEMS = [
  'messaging',
  'staffing',
  'logistics',
  'fulfilment',
  'feedback',
  'quality',
  'crm',
] as const;
export type SystemName = (typeof SYSTEMS)[number];

export interface GatewayRequest {
  system: SystemName;
  /** kebab-case, e.g. 'notify-customer'; the last path segment of the webhook URL. */
  operation: string;
  /** Stable across retries, derived by the caller from workflow id + step. */
  idempotencyKey: string;
  /** JSON; may carry personal data, so it is never logged. */
  payload: Record<string, unknown>;
}

export type GatewayResult =
  /** `duplicate`: the receiver had already seen the key. */
  | { status: 'accepted'; body: Record<string, unknown>; duplicate: boolean }
  /** A permanent refusal (4xx other than 408/425/429). */
  | { status: 'rejected'; httpStatus: number; code: string; message: string };

export interface IntegrationGateway {
  send(request: GatewayRequest): Promise<GatewayResult>;
}

/**
 * A transient fault (network error, timeout, 408/425/429, 5xx). A plain `Error` subclass, so
 * Temporal retries the activity with backoff. The message names system, operation and status,
 * never the payload.
 */
export class TransientIntegrationError extends Error {
  override readonly name = 'TransientIntegrationError';
  readonly system: SystemName;
  readonly operation: string;
  /** The HTTP status, when the receiver answered. */
  readonly httpStatus: number | undefined;
  /** The receiver's Retry-After, in milliseconds, when it sent one. */
  readonly retryAfterMs: number | undefined;

  constructor(
    message: string,
    details: {
      system: SystemName;
      operation: string;
      httpStatus?: number;
      retryAfterMs?: number;
      cause?: unknown;
    },
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.system = details.system;
    this.operation = details.operation;
    this.httpStatus = details.httpStatus;
    this.retryAfterMs = details.retryAfterMs;
  }
}

const OPERATION = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
/** Printable ASCII: the key travels in an HTTP header and names outbox lines. */
const IDEMPOTENCY_KEY = /^[\x21-\x7e](?:[\x20-\x7e]{0,254}[\x21-\x7e])?$/;

/**
 * Checks a request before it is sent (both implementations): a wrong one is a programming error,
 * reported as such rather than as a transient or remote fault.
 */
export function assertValidRequest(request: GatewayRequest): void {
  if (!(SYSTEMS as readonly string[]).includes(request.system)) {
    throw new TypeError(
      `unknown integration system "${String(request.system)}" (one of ${SYSTEMS.join(', ')})`,
    );
  }
  if (typeof request.operation !== 'string' || !OPERATION.test(request.operation)) {
    throw new TypeError(`${request.system}: operation "${String(request.operation)}" must be kebab-case`);
  }
  if (typeof request.idempotencyKey !== 'string' || !IDEMPOTENCY_KEY.test(request.idempotencyKey)) {
    throw new TypeError(
      `${request.system} ${request.operation}: idempotencyKey must be 1-256 printable ASCII characters`,
    );
  }
  if (typeof request.payload !== 'object' || request.payload === null || Array.isArray(request.payload)) {
    throw new TypeError(`${request.system} ${request.operation}: payload must be a JSON object`);
  }
}
