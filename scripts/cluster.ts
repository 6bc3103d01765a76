/**
 * `npm run cluster`: a real Temporal cluster on this machine, for running the product the way it
 * runs in production (stateless workers, a server, its database) without a cloud account.
 *
 * Builds the server, its schema tool and the Web UI once with Go (cached per user), then starts
 * PostgreSQL of its own in `data/cluster/postgres`, the Temporal server on it, a codec server and
 * the Web UI. Workers run separately against it (the banner says how). Ctrl-C stops everything;
 * the next start reuses the data, so workflows carry on.
 */
import path from 'node:path';
import { hasCodecKeySetting, ensureLocalKeyFile } from '../lib/codec/keys';
import { ConfigError, parseSettings, projectRoot } from '../lib/config';
import { loadDataConverter, localKeyFilePath } from '../lib/data-converter';
import { SERVER_VERSION, UI_SERVER_VERSION } from '../local/cluster/binaries';
import { ClusterSettings, HISTORY_SHARDS, portsFromSettings } from '../local/cluster/config';
import { startCluster, type RunningCluster } from '../local/cluster';

function shown(file: string): string {
  const relative = path.relative(projectRoot(), file);
  return relative && !relative.startsWith('..') ? relative : file;
}

async function main(): Promise<void> {
  const env = { ...process.env };
  // Validate everything before starting anything, so a typo does not leave a server behind.
  const settings = parseSettings(ClusterSettings, env);
  // Encrypted by default, with the same generated key as `npm start` unless a key is configured.
  const keyFromFile = !hasCodecKeySetting(env);
  if (keyFromFile) env.CJ_CODEC_KEY_FILE = ensureLocalKeyFile(localKeyFilePath(env));
  const { codec, description } = loadDataConverter(env);
  const dataDir = path.resolve(projectRoot(), settings.CJ_CLUSTER_DATA_DIR);

  // Ctrl-C during the start (a first build takes minutes) stops once the start has finished.
  const state: { cluster?: RunningCluster; stopRequested: boolean } = { stopRequested: false };
  const onSignal = () => {
    if (state.cluster) {
      void shutdown(state.cluster);
    } else if (!state.stopRequested) {
      state.stopRequested = true;
      console.error(
        'stopping once the start has finished (Ctrl-C again to quit now; the next start cleans up)',
      );
    } else {
      process.exit(130);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  console.log(`starting the local Temporal cluster (data in ${shown(dataDir)})…`);
  const cluster = await startCluster({
    dataDir,
    ports: portsFromSettings(settings),
    codec,
    env,
    log: (line) => console.error(`[cluster] ${line}`),
  });
  state.cluster = cluster;
  if (state.stopRequested) {
    await shutdown(cluster);
    return;
  }
  const keySetting = keyFromFile
    ? `CJ_CODEC_KEY_FILE=${shown(env.CJ_CODEC_KEY_FILE!)} `
    : '(with the same CJ_CODEC_* settings) ';
  console.log(
    [
      '',
      `Temporal Web UI:  ${cluster.uiUrl}`,
      `gRPC frontend:    ${cluster.address} (namespace "${cluster.namespace}", with our search attributes)`,
      `Server:           Temporal ${SERVER_VERSION}, ${HISTORY_SHARDS} history shards, SQL visibility; UI ${UI_SERVER_VERSION}`,
      `PostgreSQL:       127.0.0.1:${cluster.ports.postgres}, data in ${shown(path.join(dataDir, 'postgres'))} ` +
        `(schemas temporal ${cluster.schemaVersions.temporal}, visibility ${cluster.schemaVersions.visibility})`,
      `Codec server:     ${cluster.codecUrl} (the Web UI decrypts payloads through it)`,
      `Encryption:       ${description}`,
      `Logs:             ${shown(path.join(dataDir, 'logs'))}/`,
      `Run a worker:     TEMPORAL_ADDRESS=${cluster.address} ${keySetting}npm run worker`,
      `                  (as many as you like, in other terminals; client commands take the same settings)`,
      'Stop:             Ctrl-C (the UI, the server, the codec server and PostgreSQL stop; workflows are kept).',
      '',
    ].join('\n'),
  );
}

let stopping: Promise<void> | undefined;
async function shutdown(cluster: RunningCluster): Promise<void> {
  if (stopping) return await stopping;
  console.log('stopping the local cluster…');
  stopping = cluster.stop().then(
    () => {
      console.log('stopped; the data stays for the next start.');
      process.exit(0);
    },
    (error: unknown) => {
      console.error('stopping the cluster failed:', error);
      process.exit(1);
    },
  );
  await stopping;
}

main().catch((error: unknown) => {
  // Our errors say what went wrong and what to do (with the server log's tail where it matters);
  // a stack trace would bury that.
  console.error(
    error instanceof Error ? `${error instanceof ConfigError ? '' : 'Error: '}${error.message}` : error,
  );
  process.exit(1);
});
