/**
 * `npm start`: the product on an embedded default.
 *
 * Starts the codec server (:8234) and the Temporal dev server (SQLite file in `data/`, so
 * journeys survive a restart; Web UI on :8233 decrypting payloads through the codec server;
 * every custom search attribute registered), then the worker. Ctrl-C stops all three.
 * Payloads are encrypted: with CJ_CODEC_KEYS / CJ_CODEC_KEY_FILE when set, otherwise with a key
 * generated once into `data/codec-keys.json`.
 * When TEMPORAL_ADDRESS is set, it starts no server and runs the worker against that one.
 */
import fs from 'node:fs';
import path from 'node:path';
import { allSearchAttributeKeys } from '../workflows/kernel/search-attributes';
import { CodecServerSettings, startCodecServer, type RunningCodecServer } from '../lib/codec/codec-server';
import { ensureLocalKeyFile, hasCodecKeySetting } from '../lib/codec/keys';
import { ConfigError, loadWorkerConfig, parseSettings, projectRoot, StartSettings } from '../lib/config';
import { loadDataConverter, localKeyFilePath } from '../lib/data-converter';
import { assertPortsFree, PortsTakenError } from '../local/ports';
import { installMetricsRuntime } from '../lib/telemetry';
import { startDevServer, type RunningServer } from '../local/temporal-runtime';
import { PreflightError, runWorker } from '../worker';

async function main(): Promise<void> {
  const env = { ...process.env };
  // Validate everything before starting anything, so a typo does not leave a server behind.
  const settings = parseSettings(StartSettings, env);
  const workerConfig = loadWorkerConfig(env);
  const codecSettings = parseSettings(CodecServerSettings, env);
  // The worker runs in this process: its metrics endpoint (CJ_METRICS_PORT) is set up before
  // anything could create the SDK runtime without it, and a taken port stops us before any start.
  installMetricsRuntime(workerConfig.metricsBindAddress);

  let server: RunningServer | undefined;
  let codecServer: RunningCodecServer | undefined;
  const stopAll = async () => {
    await codecServer?.close();
    if (server) {
      console.log('stopping the Temporal dev server…');
      await server.stop();
    }
  };
  if (!workerConfig.hasExplicitAddress) {
    // Refused before anything starts: a server that cannot bind its port would leave the worker
    // talking to whatever holds it.
    await assertPortsFree([
      { port: settings.CJ_DEV_SERVER_PORT, what: 'Temporal gRPC frontend', setting: 'CJ_DEV_SERVER_PORT' },
      { port: settings.CJ_UI_PORT, what: 'Temporal Web UI', setting: 'CJ_UI_PORT' },
      ...(settings.CJ_UI_CODEC_ENDPOINT
        ? []
        : [{ port: codecSettings.CJ_CODEC_PORT, what: 'codec server', setting: 'CJ_CODEC_PORT' }]),
    ]);
    const dataDir = path.resolve(projectRoot(), settings.CJ_DATA_DIR);
    fs.mkdirSync(dataDir, { recursive: true });
    // Encrypted by default: without a key setting, a key generated once into the data folder.
    if (!hasCodecKeySetting(env)) env.CJ_CODEC_KEY_FILE = ensureLocalKeyFile(localKeyFilePath(env));
    const { codec, description } = loadDataConverter(env);
    try {
      // The UI decrypts through our codec server, unless CJ_UI_CODEC_ENDPOINT names another one.
      if (codec && !settings.CJ_UI_CODEC_ENDPOINT) {
        codecServer = await startCodecServer({
          port: codecSettings.CJ_CODEC_PORT,
          host: codecSettings.CJ_CODEC_HOST,
          codec,
          corsOrigin: codecSettings.CJ_CODEC_CORS_ORIGIN ?? `http://localhost:${settings.CJ_UI_PORT}`,
          authToken: codecSettings.CJ_CODEC_AUTH_TOKEN,
          log: (line) => console.error(`[codec-server] ${line}`),
        });
      }
      console.log('starting the Temporal dev server…');
      server = await startDevServer({
        port: settings.CJ_DEV_SERVER_PORT,
        uiPort: settings.CJ_UI_PORT,
        dbFile: path.join(dataDir, 'temporal.sqlite'),
        logFile: path.join(dataDir, 'temporal-server.log'),
        searchAttributes: allSearchAttributeKeys,
        uiCodecEndpoint: settings.CJ_UI_CODEC_ENDPOINT ?? codecServer?.url,
      });
    } catch (error) {
      await stopAll();
      throw error;
    }
    env.TEMPORAL_ADDRESS = server.address;
    const codecLine = codecServer
      ? `${codecServer.url} (the Web UI decrypts payloads through it)`
      : `${settings.CJ_UI_CODEC_ENDPOINT ?? 'none'} (CJ_UI_CODEC_ENDPOINT)`;
    console.log(
      [
        '',
        `Temporal Web UI:  ${server.uiUrl}`,
        `gRPC frontend:    ${server.address} (history kept in ${path.relative(projectRoot(), dataDir)}/temporal.sqlite)`,
        `Codec server:     ${codecLine}`,
        `Encryption:       ${description}`,
        `Start a journey:  open the UI → Start Workflow → task queue "${workerConfig.taskQueue}",`,
        '                  workflow type "customerJourney", and paste the JSON input from README.md.',
        'Stop:             Ctrl-C (the worker, the codec server and the dev server stop; workflows are kept).',
        '',
      ].join('\n'),
    );
  } else {
    console.log(
      `TEMPORAL_ADDRESS is set: connecting to ${env.TEMPORAL_ADDRESS ?? 'the configured profile'}, no local server`,
    );
  }

  try {
    await runWorker(env);
  } finally {
    await stopAll();
  }
}

main().catch((error: unknown) => {
  const known =
    error instanceof ConfigError || error instanceof PortsTakenError || error instanceof PreflightError;
  console.error(known ? error.message : error);
  process.exit(1);
});
