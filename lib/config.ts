/**
 * Configuration, read once from the environment by `worker.ts` and client commands.
 *
 * The Temporal connection follows the standard environment configuration (TEMPORAL_ADDRESS,
 * TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_*, TEMPORAL_PROFILE and temporal.toml), so
 * the same worker reaches the local dev server, a self-hosted cluster or Temporal Cloud. The
 * project's own settings start with `CJ_`. Every setting is listed in `.env.example`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadClientConnectConfig, type ClientConnectConfig } from '@temporalio/envconfig';
import { z } from 'zod';
import { DEFAULT_TASK_QUEUE } from '../workflows/kernel/contract';

/** A setting that is missing or wrong; the message names every such setting. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  }
}

const existingFile = z.string().refine((file) => fs.existsSync(file) && fs.statSync(file).isFile(), {
  message: 'file does not exist',
});
const hostPort = z
  .string()
  .regex(/^[^\s:/]+(:\d{1,5})$|^\[[0-9a-fA-F:]+\]:\d{1,5}$/, 'must be host:port, for example localhost:7233');
const booleanFlag = z.enum(['true', 'false', '1', '0'], { message: 'must be true or false' });
/** An environment value that must be a whole number above zero. */
export const positiveInt = z
  .string()
  .regex(/^\d+$/, 'must be a whole number')
  .transform(Number)
  .refine((n) => n > 0, 'must be greater than 0');

/** Settings of the Temporal connection, validated before envconfig reads them. */
export const ConnectionSettings = z.object({
  TEMPORAL_ADDRESS: hostPort.optional(),
  TEMPORAL_NAMESPACE: z
    .string()
    .regex(/^[A-Za-z0-9._-]+$/, 'must be a namespace name')
    .optional(),
  TEMPORAL_API_KEY: z.string().optional(),
  TEMPORAL_PROFILE: z.string().optional(),
  TEMPORAL_CONFIG_FILE: existingFile.optional(),
  TEMPORAL_TLS: booleanFlag.optional(),
  TEMPORAL_TLS_CLIENT_CERT_PATH: existingFile.optional(),
  TEMPORAL_TLS_CLIENT_KEY_PATH: existingFile.optional(),
  TEMPORAL_TLS_SERVER_CA_CERT_PATH: existingFile.optional(),
  TEMPORAL_TLS_SERVER_NAME: z.string().optional(),
  TEMPORAL_TLS_DISABLE_HOST_VERIFICATION: booleanFlag.optional(),
});
export type ConnectionSettings = z.infer<typeof ConnectionSettings>;

/** Settings of the worker process on top of the connection. */
export const WorkerSettings = ConnectionSettings.extend({
  CJ_TASK_QUEUE: z.string().min(1, 'must not be empty').default(DEFAULT_TASK_QUEUE),
  CJ_WORKFLOW_BUNDLE: existingFile.optional(),
  CJ_SHUTDOWN_GRACE_SECONDS: positiveInt.default(30),
  CJ_MAX_CONCURRENT_ACTIVITIES: positiveInt.default(100),
  CJ_MAX_CACHED_WORKFLOWS: positiveInt.default(2_000),
  CJ_METRICS_PORT: z.coerce
    .number({ error: 'must be a port number (1-65535)' })
    .int('must be a port number (1-65535)')
    .min(1, 'must be a port number (1-65535)')
    .max(65535, 'must be a port number (1-65535)')
    .optional(),
  CJ_METRICS_HOST: z.string().min(1, 'must not be empty').default('127.0.0.1'),
});
export type WorkerSettings = z.infer<typeof WorkerSettings>;

/** Settings of `npm start`'s local servers (and of `npm run temporal`, which talks to them). */
export const StartSettings = z.object({
  CJ_DATA_DIR: z.string().min(1).default('data'),
  CJ_DEV_SERVER_PORT: z.coerce.number().int().min(1).max(65535).default(7233),
  CJ_UI_PORT: z.coerce.number().int().min(1).max(65535).default(8233),
  CJ_UI_CODEC_ENDPOINT: z.url().optional(),
});
export type StartSettings = z.infer<typeof StartSettings>;

/** Drops empty values, as `.env` files and CI often define a variable as empty. */
export function nonEmpty(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter(
      (entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1] !== '',
    ),
  );
}

/**
 * Validates environment settings against a schema.
 *
 * @throws ConfigError with one `NAME: problem` line per wrong setting.
 */
export function parseSettings<T extends z.ZodType>(schema: T, env: NodeJS.ProcessEnv): z.infer<T> {
  const result = schema.safeParse(nonEmpty(env));
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  return result.data;
}

/** Turns the standard Temporal settings into connection options; errors name the setting. */
function connectConfig(env: NodeJS.ProcessEnv): ClientConnectConfig {
  try {
    return loadClientConnectConfig({
      profile: env.TEMPORAL_PROFILE || undefined,
      overrideEnvVars: nonEmpty(env),
    });
  } catch (error) {
    throw new ConfigError([`TEMPORAL_PROFILE / TEMPORAL_CONFIG_FILE: ${(error as Error).message}`]);
  }
}

export interface ConnectionConfig {
  /** Options for `NativeConnection.connect` / `Connection.connect`. */
  connectionOptions: ClientConnectConfig['connectionOptions'];
  namespace: string;
  /** True when TEMPORAL_ADDRESS (or a profile) points at a server, so `npm start` starts none. */
  hasExplicitAddress: boolean;
}

/** Reads the Temporal connection settings (for clients, commands and the worker). */
export function loadConnectionConfig(env: NodeJS.ProcessEnv = process.env): ConnectionConfig {
  parseSettings(ConnectionSettings, env);
  const config = connectConfig(env);
  return {
    connectionOptions: config.connectionOptions,
    namespace: config.namespace ?? 'default',
    hasExplicitAddress: Boolean(env.TEMPORAL_ADDRESS) || Boolean(config.connectionOptions.address),
  };
}

export interface WorkerConfig extends ConnectionConfig {
  taskQueue: string;
  /** A prebuilt workflow bundle to load instead of bundling `workflows/` at start. */
  workflowBundlePath?: string;
  shutdownGraceSeconds: number;
  maxConcurrentActivities: number;
  maxCachedWorkflows: number;
  /**
   * Where the worker serves its Prometheus metrics (`host:port`, path `/metrics`), or undefined
   * when CJ_METRICS_PORT is unset: no metrics endpoint.
   */
  metricsBindAddress?: string;
}

/**
 * Reads and validates the worker's settings once.
 *
 * @throws ConfigError naming every missing or wrong setting.
 */
export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const settings = parseSettings(WorkerSettings, env);
  const connection = loadConnectionConfig(env);
  return {
    ...connection,
    taskQueue: settings.CJ_TASK_QUEUE,
    workflowBundlePath: settings.CJ_WORKFLOW_BUNDLE ?? freshPrebuiltBundle(),
    shutdownGraceSeconds: settings.CJ_SHUTDOWN_GRACE_SECONDS,
    maxConcurrentActivities: settings.CJ_MAX_CONCURRENT_ACTIVITIES,
    maxCachedWorkflows: settings.CJ_MAX_CACHED_WORKFLOWS,
    metricsBindAddress:
      settings.CJ_METRICS_PORT === undefined
        ? undefined
        : `${hostForAddress(settings.CJ_METRICS_HOST)}:${settings.CJ_METRICS_PORT}`,
  };
}

/** An IPv6 host goes in brackets in `host:port`. */
function hostForAddress(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** The repository root (the folder holding package.json), from source or from `dist/`. */
export function projectRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('package.json not found above ' + __dirname);
    dir = parent;
  }
  return dir;
}

/** Where `npm run build` writes the workflow bundle. */
export function prebuiltBundlePath(): string {
  return path.join(projectRoot(), 'dist', 'workflow-bundle.js');
}

/**
 * The prebuilt bundle, unless a workflow source is newer than it: a stale bundle would run old
 * workflow code, so then the worker bundles from source instead.
 */
function freshPrebuiltBundle(): string | undefined {
  const bundle = prebuiltBundlePath();
  if (!fs.existsSync(bundle)) return undefined;
  const bundleTime = fs.statSync(bundle).mtimeMs;
  // The bundle holds workflows/ and the archived code it still runs for older executions.
  const newest = ['workflows', 'archive']
    .map((dir) => path.join(projectRoot(), dir))
    .filter((dir) => fs.existsSync(dir))
    .flatMap((dir) => fs.readdirSync(dir, { recursive: true, withFileTypes: true }))
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .reduce(
      (latest, entry) => Math.max(latest, fs.statSync(path.join(entry.parentPath, entry.name)).mtimeMs),
      0,
    );
  return newest > bundleTime ? undefined : bundle;
}
