/**
 * The ingress's request signature (scheme `v1`).
 *
 * Every authenticated request carries
 *
 * - `x-cj-timestamp`: when the sender signed it, ISO-8601 with an offset
 *   (`2026-03-01T09:30:00Z`); accepted within ±5 minutes of the ingress's clock;
 * - `x-cj-signature: sha256=<hex>`: lowercase or uppercase hex of HMAC-SHA256, keyed with the
 *   shared secret (`CJ_INGRESS_SECRET`), over these bytes:
 *
 * ```text
 * <x-cj-timestamp>\n<METHOD>\n<path>\n<idempotency-key>\n<raw body>
 * ```
 *
 * `<path>` is the request target exactly as sent, percent-encoding included, without the query
 * string (`/v1/cases/journey-C-1%2Fcase-2/feedback`); `<idempotency-key>` is the header's value,
 * empty when the request has none (GET); `<raw body>` is the exact body bytes, empty for GET.
 * There is no newline after the body; `<METHOD>` is upper case. Binding the timestamp, method, path and key to the body means a captured request
 * cannot be replayed later, against another case or endpoint, or under a fresh idempotency key.
 */
import { signBody, verifySignature } from '../webhook-signature';
import { IsoTimestamp } from '../../workflows/kernel/contract';

export const SIGNATURE_HEADER = 'x-cj-signature';
export const TIMESTAMP_HEADER = 'x-cj-timestamp';
export const IDEMPOTENCY_HEADER = 'idempotency-key';
/** How far a request's timestamp may be from the ingress's clock, either way. */
export const DEFAULT_TIMESTAMP_TOLERANCE_MS = 5 * 60_000;

export interface SignedParts {
  /** The `x-cj-timestamp` header value. */
  timestamp: string;
  method: string;
  /** The request target without its query string, as sent (percent-encoded). */
  path: string;
  /** The `idempotency-key` header value; empty or absent for GET. */
  idempotencyKey?: string;
  /** The exact body bytes; empty or absent for GET. */
  body?: string | Buffer;
}

/** The bytes the HMAC covers (see the module comment). */
export function signedMaterial(parts: SignedParts): Buffer {
  const head = `${parts.timestamp}\n${parts.method.toUpperCase()}\n${parts.path}\n${parts.idempotencyKey ?? ''}\n`;
  const body = parts.body ?? '';
  return Buffer.concat([
    Buffer.from(head, 'utf8'),
    typeof body === 'string' ? Buffer.from(body, 'utf8') : body,
  ]);
}

/** The `x-cj-signature` value for a request: `sha256=<hex>`. */
export function signRequest(secret: string, parts: SignedParts): string {
  return signBody(signedMaterial(parts), secret);
}

/** The headers a sender adds: timestamp (now unless given), signature and idempotency key. */
export function signedHeaders(
  secret: string,
  request: Omit<SignedParts, 'timestamp'> & { timestamp?: string },
): Record<string, string> {
  const timestamp = request.timestamp ?? new Date().toISOString();
  const headers: Record<string, string> = {
    [TIMESTAMP_HEADER]: timestamp,
    [SIGNATURE_HEADER]: signRequest(secret, { ...request, timestamp }),
  };
  if (request.idempotencyKey !== undefined) headers[IDEMPOTENCY_HEADER] = request.idempotencyKey;
  return headers;
}

export type VerifyOutcome = { ok: true } | { ok: false; failed: 'signature' | 'timestamp' };

/**
 * Checks a request's signature (in constant time), then its timestamp. The signature comes first
 * so a caller without the secret learns nothing about the clock check.
 */
export function verifyRequest(
  secret: string,
  parts: Omit<SignedParts, 'timestamp'> & { timestamp: string | undefined; signature: string | undefined },
  options: { nowMs?: number; toleranceMs?: number } = {},
): VerifyOutcome {
  const timestamp = parts.timestamp ?? '';
  if (!verifySignature(signedMaterial({ ...parts, timestamp }), secret, parts.signature)) {
    return { ok: false, failed: 'signature' };
  }
  const at = IsoTimestamp.safeParse(timestamp).success ? Date.parse(timestamp) : Number.NaN;
  const tolerance = options.toleranceMs ?? DEFAULT_TIMESTAMP_TOLERANCE_MS;
  if (!Number.isFinite(at) || Math.abs((options.nowMs ?? Date.now()) - at) > tolerance) {
    return { ok: false, failed: 'timestamp' };
  }
  return { ok: true };
}
