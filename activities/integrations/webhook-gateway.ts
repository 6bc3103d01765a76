/**
 * The HTTP implementation of `IntegrationGateway`: one signed JSON POST per request.
 *
 * `POST ${base}/${operation}` with body `{ operation, idempotencyKey, payload, sentAt }` and headers
 * `content-type: application/json`, `idempotency-key`, `x-cj-system` and, when a secret is set,
 * `x-cj-timestamp` (= `sentAt`) and `x-cj-signature: sha256=<hex HMAC-SHA256 of the exact body>`.
 * Receivers check the signature with `verifySignature` and deduplicate on the idempotency key.
 *
 * Nothing here logs: payloads may carry personal data, and errors name only system, operation
 * and status.
 */
import { signBody } from '../../lib/webhook-signature';
import {
  assertValidRequest,
  TransientIntegrationError,
  type GatewayRequest,
  type GatewayResult,
  type IntegrationGateway,
  type SystemName,
} from './gateway';

export interface WebhookGatewayOptions {
  /** Base URL per system; the operation is appended as the last path segment. */
  endpoints: Partial<Record<SystemName, string>>;
  /** Base URL of every system without its own endpoint. */
  defaultEndpoint?: string;
  /** Shared secret for the `x-cj-signature` header; requests are unsigned without it. */
  secret?: string;
  /** Per-request timeout, connection to last body byte (default 10 s). */
  timeoutMs?: number;
  /** The fetch implementation (default: Node's global fetch). */
  fetch?: typeof fetch;
}

export const DEFAULT_WEBHOOK_TIMEOUT_MS = 10_000;
/** HTTP statuses that are worth retrying although they are 4xx. */
const TRANSIENT_4XX = new Set([408, 425, 429]);
const MAX_MESSAGE_LENGTH = 500;
const MAX_CODE_LENGTH = 100;

/** The environment variable holding a system's own base URL, e.g. CJ_WEBHOOK_URL_MESSAGING. */
export function webhookUrlSetting(system: SystemName): `CJ_WEBHOOK_URL_${Uppercase<SystemName>}` {
  return `CJ_WEBHOOK_URL_${system.toUpperCase() as Uppercase<SystemName>}`;
}

export class WebhookGateway implements IntegrationGateway {
  private readonly endpoints: Partial<Record<SystemName, string>>;
  private readonly defaultEndpoint: string | undefined;
  private readonly secret: string | undefined;
  private readonly timeoutMs: number;
  private readonly fetch: typeof fetch;

  constructor(options: WebhookGatewayOptions) {
    this.endpoints = { ...options.endpoints };
    this.defaultEndpoint = options.defaultEndpoint || undefined;
    this.secret = options.secret || undefined;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS;
    this.fetch = options.fetch ?? globalThis.fetch;
    if (!Number.isFinite(this.timeoutMs) || this.timeoutMs <= 0) {
      throw new RangeError(`timeoutMs must be a positive number, got ${this.timeoutMs}`);
    }
    for (const [name, url] of Object.entries({ ...this.endpoints, default: this.defaultEndpoint })) {
      if (url && !isHttpUrl(url)) throw new TypeError(`${name} endpoint must be an http(s) URL`);
    }
  }

  async send(request: GatewayRequest): Promise<GatewayResult> {
    assertValidRequest(request);
    const { system, operation, idempotencyKey, payload } = request;
    const url = `${this.baseUrl(system).replace(/\/+$/, '')}/${operation}`;
    const sentAt = new Date().toISOString();
    const body = JSON.stringify({ operation, idempotencyKey, payload, sentAt });
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/json',
      'idempotency-key': idempotencyKey,
      'x-cj-system': system,
    };
    if (this.secret) {
      headers['x-cj-timestamp'] = sentAt;
      headers['x-cj-signature'] = signBody(body, this.secret);
    }

    const where = `${system} ${operation}`;
    let status: number;
    let responseHeaders: Headers;
    let text: string;
    try {
      // One deadline for connecting, the answer and its body; redirects are not followed, so a
      // signed payload never travels to a host nobody configured.
      const response = await this.fetch(url, {
        method: 'POST',
        headers,
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      status = response.status;
      responseHeaders = response.headers;
      text = await response.text();
    } catch (error) {
      const timedOut =
        error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      const reason = timedOut
        ? `no answer within ${this.timeoutMs} ms`
        : `network error (${describeCause(error)})`;
      throw new TransientIntegrationError(`${where}: ${reason}`, { system, operation, cause: error });
    }

    const parsed = parseObject(text);
    if (status >= 200 && status < 300) {
      const replay = responseHeaders.get('idempotent-replay')?.trim().toLowerCase() === 'true';
      return { status: 'accepted', body: parsed, duplicate: replay || parsed.duplicate === true };
    }
    if (status >= 500 || TRANSIENT_4XX.has(status)) {
      throw new TransientIntegrationError(`${where}: HTTP ${status}, will retry`, {
        system,
        operation,
        httpStatus: status,
        retryAfterMs: parseRetryAfter(responseHeaders.get('retry-after')),
      });
    }
    // Other 4xx (and an unexpected 1xx/3xx): the receiver refuses this request for good.
    const code = stringField(parsed, 'code') ?? stringField(parsed, 'error') ?? `http-${status}`;
    const message = stringField(parsed, 'message') ?? `${where} rejected with HTTP ${status}`;
    return {
      status: 'rejected',
      httpStatus: status,
      code: truncate(code, MAX_CODE_LENGTH),
      message: truncate(message, MAX_MESSAGE_LENGTH),
    };
  }

  private baseUrl(system: SystemName): string {
    const base = this.endpoints[system] || this.defaultEndpoint;
    if (!base) {
      throw new Error(
        `no webhook endpoint for system "${system}": set ${webhookUrlSetting(system)} or CJ_WEBHOOK_URL`,
      );
    }
    return base;
  }
}

/** True for an absolute http: or https: URL. */
export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** The response body as a JSON object; `{}` when it is empty, not JSON or not an object. */
function parseObject(text: string): Record<string, unknown> {
  if (!text.trim()) return {};
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

function stringField(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name];
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Retry-After as delta-seconds or an HTTP date, in milliseconds. */
function parseRetryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** The low-level reason of a fetch failure (e.g. ECONNREFUSED), without the URL. */
function describeCause(error: unknown): string {
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  if (cause && typeof cause.code === 'string') return cause.code;
  return error instanceof Error ? error.message : String(error);
}
