/**
 * Settings of `npm run ingress`, validated with zod (a wrong one stops the ingress at start with
 * a `ConfigError` naming it). The Temporal connection uses the standard settings of
 * `lib/config.ts` (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TLS, API key…), checked in the same pass.
 */
import { z } from 'zod';
import { DEFAULT_TASK_QUEUE } from '../../workflows/kernel/contract';
import { ConnectionSettings, parseSettings } from '../config';

export const DEFAULT_INGRESS_PORT = 8080;
export const DEFAULT_INGRESS_HOST = '127.0.0.1';
export const MIN_INGRESS_SECRET_LENGTH = 16;

const port = z
  .string()
  .regex(/^\d{1,5}$/, 'must be a port number (0–65535)')
  .transform(Number)
  .refine((n) => n <= 65_535, 'must be a port number (0–65535)');

export const IngressSettings = ConnectionSettings.extend({
  CJ_INGRESS_PORT: port.default(DEFAULT_INGRESS_PORT),
  CJ_INGRESS_HOST: z.string().min(1, 'must not be empty').default(DEFAULT_INGRESS_HOST),
  CJ_INGRESS_SECRET: z
    .string({
      error: `is required: the shared HMAC secret, at least ${MIN_INGRESS_SECRET_LENGTH} characters`,
    })
    .min(MIN_INGRESS_SECRET_LENGTH, `must be at least ${MIN_INGRESS_SECRET_LENGTH} characters`),
  CJ_INGRESS_IDEMPOTENCY_FILE: z.string().min(1).optional(),
  CJ_TASK_QUEUE: z.string().min(1, 'must not be empty').default(DEFAULT_TASK_QUEUE),
});
export type IngressSettings = z.infer<typeof IngressSettings>;

/**
 * Reads the ingress's settings once.
 *
 * @throws ConfigError naming every missing or wrong setting.
 */
export function loadIngressSettings(env: NodeJS.ProcessEnv = process.env): IngressSettings {
  return parseSettings(IngressSettings, env);
}
