/**
 * The `x-cj-signature` HMAC both directions share: the webhook gateway signs what it posts to
 * other systems, and the ingress checks what other systems post to it. It lives with the
 * libraries so that the ingress does not reach into the activities for it.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The `x-cj-signature` header value for a body: `sha256=<hex HMAC-SHA256(secret, body)>`. */
export function signBody(body: string | Buffer, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/**
 * Checks an `x-cj-signature` header against the exact body bytes received, in constant time.
 * False for a missing or malformed header, another secret or a changed body.
 */
export function verifySignature(body: string | Buffer, secret: string, header: string | undefined): boolean {
  if (!header || !secret) return false;
  const match = /^sha256=([0-9a-f]{64})$/i.exec(header.trim());
  if (!match) return false;
  const received = Buffer.from(match[1]!, 'hex');
  const expected = createHmac('sha256', secret).update(body).digest();
  return timingSafeEqual(received, expected);
}
