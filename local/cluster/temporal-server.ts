/**
 * The Temporal server process of the local cluster: one `temporal-server start` running the
 * frontend, history, matching and worker services from a config written at every start, and the
 * checks that say when it is really serving.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { dynamicConfig, serverConfig, toYaml, type ClusterPorts } from './config';
import type { PostgresHandle } from './postgres';
import { sleep, startDaemon, tail, type Daemon } from './processes';
import { DATABASES } from './schema';

/** File names inside the cluster folder. */
export interface ClusterLayout {
  /** The cluster's folder; PostgreSQL's data is in `postgres/` inside it. */
  dir: string;
  configDir: string;
  logDir: string;
  runDir: string;
}

export function clusterLayout(clusterDir: string): ClusterLayout {
  return {
    dir: clusterDir,
    configDir: path.join(clusterDir, 'config'),
    logDir: path.join(clusterDir, 'logs'),
    runDir: path.join(clusterDir, 'run'),
  };
}

/** The server reads `<config dir>/<env>.yaml`; this is the env name. */
const SERVER_ENV = 'temporal-server';

/** Writes the server's static and dynamic config (0600: it holds the database password). */
export function writeServerConfig(layout: ClusterLayout, ports: ClusterPorts, pg: PostgresHandle): string {
  fs.mkdirSync(layout.configDir, { recursive: true, mode: 0o700 });
  const dynamicConfigFile = path.join(layout.configDir, 'dynamic-config.yaml');
  fs.writeFileSync(dynamicConfigFile, toYaml(dynamicConfig()));
  const file = path.join(layout.configDir, `${SERVER_ENV}.yaml`);
  const config = serverConfig({
    ports,
    postgres: { user: pg.user, password: pg.password },
    databases: DATABASES,
    dynamicConfigFile,
  });
  fs.writeFileSync(
    file,
    `# Written by lib/cluster at every start; edits are overwritten.\n${toYaml(config)}`,
    {
      mode: 0o600,
    },
  );
  fs.chmodSync(file, 0o600);
  return file;
}

/** The environment of a child server: ours, without TEMPORAL_* (the server reads some of them). */
export function serverEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith('TEMPORAL_')));
}

export interface ServerProcess {
  daemon: Daemon;
  logFile: string;
}

export const serverPidFile = (layout: ClusterLayout) => path.join(layout.runDir, 'temporal-server.pid');

/** Starts `temporal-server start` on the config of `writeServerConfig`; does not wait. */
export function spawnServer(binary: string, layout: ClusterLayout, env: NodeJS.ProcessEnv): ServerProcess {
  fs.mkdirSync(layout.logDir, { recursive: true });
  fs.mkdirSync(layout.runDir, { recursive: true });
  const logFile = path.join(layout.logDir, 'temporal-server.log');
  const daemon = startDaemon(
    binary,
    ['--root', layout.configDir, '--config', '.', '--env', SERVER_ENV, '--allow-no-auth', 'start'],
    { logFile, pidFile: serverPidFile(layout), env: serverEnv(env) },
  );
  return { daemon, logFile };
}

/**
 * Waits until the frontend answers a real RPC (a listening port is not enough: it opens before
 * the services have joined the membership ring and loaded the cluster metadata).
 */
export async function waitForFrontend(
  address: string,
  server: ServerProcess,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    const { child } = server.daemon;
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `temporal-server exited (${child.exitCode ?? child.signalCode}) before it was ready\n` +
          `--- last lines of ${server.logFile} ---\n${tail(server.logFile)}`,
      );
    }
    try {
      const connection = await Connection.connect({ address, connectTimeout: 2_000 });
      try {
        await connection.workflowService.getClusterInfo({});
        return;
      } finally {
        await connection.close();
      }
    } catch (error) {
      lastError = error;
      await sleep(500);
    }
  }
  throw new Error(
    `temporal-server did not answer at ${address} within ${timeoutMs / 1000} s: ${String(lastError)}\n` +
      `--- last lines of ${server.logFile} ---\n${tail(server.logFile)}`,
  );
}

/**
 * Waits until a search-attribute query on the namespace succeeds at the frontend. Registering a
 * namespace and its attributes writes them to the database at once, but each service sees them
 * through a cache refreshed every few seconds; this is the moment workers and clients can use
 * them.
 */
export async function waitForNamespaceQueries(
  connection: Connection,
  namespace: string,
  query: string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await connection.workflowService.listWorkflowExecutions({ namespace, query, pageSize: 1 });
      return;
    } catch (error) {
      if (Date.now() > deadline) {
        throw new Error(
          `namespace "${namespace}" did not accept \`${query}\` within ${timeoutMs / 1000} s: ${String(error)}`,
        );
      }
      await sleep(500);
    }
  }
}
