/**
 * Chooses the integration gateway from the environment (every setting is in `.env.example`):
 *
 * - `CJ_INTEGRATION_MODE=outbox` (default): requests are recorded in `CJ_OUTBOX_DIR`;
 * - `CJ_INTEGRATION_MODE=webhook`: requests are POSTed to `CJ_WEBHOOK_URL` or, per system, to
 *   `CJ_WEBHOOK_URL_<SYSTEM>`, signed with `CJ_WEBHOOK_SECRET` when it is set.
 *
 * Wrong settings throw one `ConfigError` naming each of them, like the worker's own settings.
 */
import path from 'node:path';
import { z } from 'zod';
import { parseSettings, positiveInt, projectRoot } from '../../lib/config';
import { SYSTEMS, type IntegrationGateway, type SystemName } from './gateway';
import { OutboxGateway } from './outbox-gateway';
import { DEFAULT_WEBHOOK_TIMEOUT_MS, isHttpUrl, WebhookGateway, webhookUrlSetting } from './webhook-gateway';

export const DEFAULT_OUTBOX_DIR = 'data/outbox';
export const MIN_WEBHOOK_SECRET_LENGTH = 16;

const httpUrl = z
  .string()
  .refine(isHttpUrl, 'must be an http(s) URL, for example https://hooks.example.com/customer-journey');

type SystemUrlSetting = ReturnType<typeof webhookUrlSetting>;
const systemUrls = Object.fromEntries(
  SYSTEMS.map((system) => [webhookUrlSetting(system), httpUrl.optional()]),
) as Record<SystemUrlSetting, z.ZodOptional<typeof httpUrl>>;

/** The integration settings, validated from the environment (empty values count as unset). */
export const IntegrationSettings = z
  .object({
    CJ_INTEGRATION_MODE: z
      .enum(['outbox', 'webhook'], { message: 'must be outbox or webhook' })
      .default('outbox'),
    CJ_OUTBOX_DIR: z.string().optional(),
    CJ_DATA_DIR: z.string().optional(),
    CJ_WEBHOOK_URL: httpUrl.optional(),
    ...systemUrls,
    CJ_WEBHOOK_SECRET: z
      .string()
      .min(MIN_WEBHOOK_SECRET_LENGTH, `must be at least ${MIN_WEBHOOK_SECRET_LENGTH} characters`)
      .optional(),
    CJ_WEBHOOK_TIMEOUT_MS: positiveInt.default(DEFAULT_WEBHOOK_TIMEOUT_MS),
  })
  .superRefine((settings, ctx) => {
    const anyUrl = settings.CJ_WEBHOOK_URL || SYSTEMS.some((system) => settings[webhookUrlSetting(system)]);
    if (settings.CJ_INTEGRATION_MODE === 'webhook' && !anyUrl) {
      ctx.addIssue({
        code: 'custom',
        path: ['CJ_WEBHOOK_URL'],
        message: 'required when CJ_INTEGRATION_MODE=webhook (or CJ_WEBHOOK_URL_<SYSTEM> for each system)',
      });
    }
  });
export type IntegrationSettings = z.infer<typeof IntegrationSettings>;

export interface LoadedIntegrationGateway {
  gateway: IntegrationGateway;
  /** One line for the worker's start-up log: the mode and where requests go, no secrets. */
  description: string;
}

/**
 * Builds the gateway the settings ask for.
 *
 * @throws ConfigError naming every missing or wrong setting.
 */
export function loadIntegrationGateway(env: NodeJS.ProcessEnv = process.env): LoadedIntegrationGateway {
  const settings = parseSettings(IntegrationSettings, env);

  if (settings.CJ_INTEGRATION_MODE === 'outbox') {
    // The outbox lives with npm start's other data unless told otherwise.
    const dir = path.resolve(
      projectRoot(),
      settings.CJ_OUTBOX_DIR ??
        (settings.CJ_DATA_DIR ? path.join(settings.CJ_DATA_DIR, 'outbox') : DEFAULT_OUTBOX_DIR),
    );
    const shown = path.relative(projectRoot(), dir);
    return {
      gateway: new OutboxGateway({ dir }),
      description: `integrations: outbox in ${shown && !shown.startsWith('..') ? shown : dir} (nothing is sent)`,
    };
  }

  const endpoints: Partial<Record<SystemName, string>> = {};
  for (const system of SYSTEMS) {
    const url = settings[webhookUrlSetting(system)];
    if (url) endpoints[system] = url;
  }
  const targets = [
    ...(settings.CJ_WEBHOOK_URL ? [`default ${origin(settings.CJ_WEBHOOK_URL)}`] : []),
    ...Object.entries(endpoints).map(([system, url]) => `${system} ${origin(url)}`),
  ];
  return {
    gateway: new WebhookGateway({
      endpoints,
      defaultEndpoint: settings.CJ_WEBHOOK_URL,
      secret: settings.CJ_WEBHOOK_SECRET,
      timeoutMs: settings.CJ_WEBHOOK_TIMEOUT_MS,
    }),
    description:
      `integrations: webhook to ${targets.join(', ')} ` +
      `(${settings.CJ_WEBHOOK_SECRET ? 'signed' : 'unsigned'}, timeout ${settings.CJ_WEBHOOK_TIMEOUT_MS} ms)`,
  };
}

/** Scheme, host and port only: paths and user info may carry tokens. */
function origin(url: string): string {
  return new URL(url).origin;
}
