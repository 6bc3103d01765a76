/**
 * `npm start`: the product on an embedded default.
 *
 * Starts the Temporal dev server (SQLite file in `data/`, so journeys survive a restart; Web UI
 * on :8233; every custom search attribute registered), then the worker. Ctrl-C stops both.
 * When TEMPORAL_ADDRESS is set, it starts no server and runs the worker against that one.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { allSearchAttributeKeys } from '../workflows/definitions/search-attributes';
import { ConfigError, loadWorkerConfig, parseSettings, projectRoot } from '../lib/config';
import { startDevServer, type RunningServer } from '../lib/temporal-runtime';
import { runWorker } from '../worker';

const StartSettings = z.object({
  CJ_DATA_DIR: z.string().min(1).default('data'),
  CJ_DEV_SERVER_PORT: z.coerce.number().int().min(1).max(65535).default(7233),
  CJ_UI_PORT: z.coerce.number().int().min(1).max(65535).default(8233),
  CJ_UI_CODEC_ENDPOINT: z.url().optional(),
});

async function main(): Promise<void> {
  const env = { ...process.env };
  // Validate everything before starting anything, so a typo does not leave a server behind.
  const settings = parseSettings(StartSettings, env);
  const workerConfig = loadWorkerConfig(env);

  let server: RunningServer | undefined;
  if (!workerConfig.hasExplicitAddress) {
    const dataDir = path.resolve(projectRoot(), settings.CJ_DATA_DIR);
    fs.mkdirSync(dataDir, { recursive: true });
    console.log('starting the Temporal dev server…');
    server = await startDevServer({
      port: settings.CJ_DEV_SERVER_PORT,
      uiPort: settings.CJ_UI_PORT,
      dbFile: path.join(dataDir, 'temporal.sqlite'),
      logFile: path.join(dataDir, 'temporal-server.log'),
      searchAttributes: allSearchAttributeKeys,
      uiCodecEndpoint: settings.CJ_UI_CODEC_ENDPOINT,
    });
    env.TEMPORAL_ADDRESS = server.address;
    console.log(
      [
        '',
        `Temporal Web UI:  ${server.uiUrl}`,
        `gRPC frontend:    ${server.address} (history kept in ${path.relative(projectRoot(), dataDir)}/temporal.sqlite)`,
        `Start a journey:  open the UI → Start Workflow → task queue "${workerConfig.taskQueue}",`,
        '                  workflow type "customerJourney", and paste the JSON input from README.md.',
        'Stop:             Ctrl-C (both the worker and the server stop; workflows are kept).',
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
    if (server) {
      console.log('stopping the Temporal dev server…');
      await server.stop();
    }
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
