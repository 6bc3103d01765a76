/**
 * A real Temporal cluster on this machine, for `npm run cluster` and the cluster tests: the
 * Temporal server (all four services in one process) on its own PostgreSQL, SQL advanced
 * visibility with our search attributes, the Web UI and a codec server.
 *
 * Unlike the dev server (`npm start`), this is the topology of a production deployment: stateless
 * workers connect to the frontend; the server keeps everything in its database, so it can be
 * stopped and started (or restarted mid-journey) and workflows carry on from PostgreSQL.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { SearchAttributeType, type PayloadCodec } from '@temporalio/common';
import { allSearchAttributeKeys } from '../../workflows/kernel/search-attributes';
import { startCodecServer, type RunningCodecServer } from '../../lib/codec/codec-server';
import { setupNamespace, type SearchAttributeSpec } from '../../lib/namespace-setup';
import type { Log } from '../temporal-runtime';
import { provisionClusterBinaries, type BuildTimes, type ClusterBinaries } from './binaries';
import type { ClusterPorts } from './config';
import { checkPortsFree, resolvePorts } from './ports';
import { startPostgres, stopLeftoverPostgres, type PostgresHandle } from './postgres';
import { claim, stopLeftover, type Daemon } from './processes';
import { ensureSchemas } from './schema';
import {
  clusterLayout,
  serverPidFile,
  type ClusterLayout,
  spawnServer,
  waitForFrontend,
  waitForNamespaceQueries,
  writeServerConfig,
  type ServerProcess,
} from './temporal-server';
import { startUiServer, uiPidFile } from './ui-server';

const defaultLog: Log = (line) => console.error(`[cluster] ${line}`);

/** Builds (or finds in the cache) everything the cluster runs; for a test run's global setup. */
export async function provisionCluster(
  options: { env?: NodeJS.ProcessEnv; log?: Log } = {},
): Promise<{ binaries: ClusterBinaries; buildTimes: BuildTimes }> {
  return await provisionClusterBinaries({ env: options.env, log: options.log ?? defaultLog });
}

export interface ClusterOptions {
  /** The cluster's folder (PostgreSQL data, config, logs); reusing it keeps every workflow. */
  dataDir: string;
  /** Ports to use; any not given is picked free (tests). `npm run cluster` passes all of them. */
  ports?: Partial<ClusterPorts>;
  log?: Log;
  env?: NodeJS.ProcessEnv;
  /** Namespace to register with our search attributes (default `default`). */
  namespace?: string;
  searchAttributes?: readonly SearchAttributeSpec[];
  /** Start the Web UI (default true). */
  ui?: boolean;
  /** The payload codec of a codec server the UI decrypts through; none without it. */
  codec?: PayloadCodec;
  /** How long the server may take to answer, per start (default 180 s). */
  startTimeoutMs?: number;
}

export interface RunningCluster {
  /** Frontend gRPC, `127.0.0.1:<port>`: TEMPORAL_ADDRESS for workers and clients. */
  address: string;
  namespace: string;
  uiUrl?: string;
  codecUrl?: string;
  ports: ClusterPorts;
  dataDir: string;
  /** Schema versions of the `temporal` and `temporal_visibility` databases. */
  schemaVersions: { temporal: string; visibility: string };
  /** Stops the UI, the server, the codec server and PostgreSQL, in that order; data stays. */
  stop(): Promise<void>;
  /** Stops and starts only the Temporal server (PostgreSQL stays up); resolves when it serves again. */
  restartServer(): Promise<void>;
}

/**
 * Before anything starts: stops what a killed earlier run left behind (it would hold our ports),
 * refuses taken ports, and finds or builds the binaries.
 */
async function preflight(
  layout: ClusterLayout,
  given: Partial<ClusterPorts> | undefined,
  env: NodeJS.ProcessEnv,
  log: Log,
): Promise<{ ports: ClusterPorts; binaries: ClusterBinaries }> {
  for (const [name, pidFile] of [
    ['temporal-server', serverPidFile(layout)],
    ['temporal-ui-server', uiPidFile(layout)],
  ] as const) {
    const pid = await stopLeftover(pidFile);
    if (pid) log(`stopped ${name} (pid ${pid}), left running by an earlier run`);
  }
  if (await stopLeftoverPostgres(layout.dir, env)) {
    log('stopped PostgreSQL, left running by an earlier run');
  }
  const ports = await resolvePorts(given);
  await checkPortsFree(ports);
  const { binaries } = await provisionClusterBinaries({ env, log });
  return { ports, binaries };
}

/**
 * Starts the whole cluster: PostgreSQL (initialised on first use), its schemas, the server,
 * the namespace with our search attributes, then the codec server and the Web UI.
 */
export async function startCluster(options: ClusterOptions): Promise<RunningCluster> {
  const log = options.log ?? defaultLog;
  const env = options.env ?? process.env;
  const dataDir = path.resolve(options.dataDir);
  const namespace = options.namespace ?? 'default';
  const timeoutMs = options.startTimeoutMs ?? 180_000;
  const layout = clusterLayout(dataDir);
  // PostgreSQL may run as another user, which must be able to traverse this folder.
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o755 });

  fs.mkdirSync(layout.runDir, { recursive: true });
  const release = claim(path.join(layout.runDir, 'cluster.pid'), `The local cluster in ${dataDir}`);
  let prepared: Awaited<ReturnType<typeof preflight>>;
  try {
    prepared = await preflight(layout, options.ports, env, log);
  } catch (error) {
    release();
    throw error;
  }
  const { ports, binaries } = prepared;

  let pg: PostgresHandle | undefined;
  let server: ServerProcess | undefined;
  let ui: Daemon | undefined;
  let codecServer: RunningCodecServer | undefined;
  let stopped: Promise<void> | undefined;
  const stop = async () => {
    // Each step runs even when an earlier one fails; PostgreSQL stops last, after its clients.
    stopped ??= (async () => {
      const errors: unknown[] = [];
      const attempt = async (step: (() => Promise<void>) | undefined) => {
        await step?.().catch((error: unknown) => errors.push(error));
      };
      await attempt(ui && (() => ui!.stop()));
      await attempt(server && (() => server!.daemon.stop()));
      await attempt(codecServer && (() => codecServer!.close()));
      await attempt(pg && (() => pg!.stop()));
      release();
      if (errors.length > 0) throw errors[0];
    })();
    await stopped;
  };

  const address = `127.0.0.1:${ports.frontend}`;
  const startServer = async () => {
    server = spawnServer(binaries.server, layout, env);
    await waitForFrontend(address, server, timeoutMs);
  };
  try {
    pg = await startPostgres({ clusterDir: dataDir, port: ports.postgres, env, log });
    const schemaVersions = await ensureSchemas(binaries, pg, log);
    writeServerConfig(layout, ports, pg);
    const startedAt = Date.now();
    await startServer();
    log(`temporal-server answers at ${address} after ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
    await prepareNamespace(address, namespace, options.searchAttributes ?? allSearchAttributeKeys, log);

    if (options.codec) {
      codecServer = await startCodecServer({
        port: ports.codec,
        host: '127.0.0.1',
        codec: options.codec,
        corsOrigin: `http://localhost:${ports.ui}`,
        log: (line) => log(`codec server: ${line}`),
      });
    }
    let uiUrl: string | undefined;
    if (options.ui !== false) {
      const started = await startUiServer({
        binary: binaries.uiServer,
        layout,
        ports,
        codecEndpoint: codecServer?.url,
        env,
      });
      ui = started.daemon;
      uiUrl = started.url;
    }
    return {
      address,
      namespace,
      uiUrl,
      codecUrl: codecServer?.url,
      ports,
      dataDir,
      schemaVersions,
      stop,
      restartServer: async () => {
        if (stopped) throw new Error('the cluster has been stopped; start it again instead');
        await server?.daemon.stop();
        await startServer();
        const connection = await Connection.connect({ address });
        try {
          await waitForNamespaceQueries(
            connection,
            namespace,
            readinessQuery(options.searchAttributes),
            timeoutMs,
          );
        } finally {
          await connection.close();
        }
      },
    };
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}

function readinessQuery(searchAttributes: readonly SearchAttributeSpec[] = allSearchAttributeKeys): string {
  const keyword = searchAttributes.find((spec) => spec.type === SearchAttributeType.KEYWORD);
  return keyword ? `${keyword.name} = 'cluster-readiness-probe'` : "WorkflowType = 'cluster-readiness-probe'";
}

/** Registers the namespace and our search attributes (idempotent), then waits until queries use them. */
async function prepareNamespace(
  address: string,
  namespace: string,
  searchAttributes: readonly SearchAttributeSpec[],
  log: Log,
): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    const outcome = await setupNamespace({ connection, namespace, required: searchAttributes, log });
    if (outcome.refused) {
      throw new Error(
        `the cluster refused the namespace setup: ${outcome.refused.reason}\n${outcome.refused.instructions}`,
      );
    }
    await waitForNamespaceQueries(connection, namespace, readinessQuery(searchAttributes), 60_000);
  } finally {
    await connection.close();
  }
}
