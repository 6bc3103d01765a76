/**
 * `npm run temporal -- <arguments>`: the Temporal CLI this project provisions (built once into
 * the per-user cache; no `temporal` on PATH needed), pointed where `npm start` serves:
 *
 * - TEMPORAL_ADDRESS: as set, else `npm start`'s dev server (127.0.0.1:CJ_DEV_SERVER_PORT);
 * - TEMPORAL_CODEC_ENDPOINT: as set, else CJ_UI_CODEC_ENDPOINT, else `npm start`'s codec server
 *   (http://localhost:CJ_CODEC_PORT) when it runs the local server, so results read decrypted;
 * - TEMPORAL_CODEC_AUTH: as set, else the codec server's CJ_CODEC_AUTH_TOKEN as a bearer token.
 *
 * Every other TEMPORAL_* setting (namespace, TLS, API key, profile) reaches the CLI unchanged.
 */
import { spawn } from 'node:child_process';
import { CodecServerSettings } from '../lib/codec/codec-server';
import { ConfigError, nonEmpty, parseSettings, StartSettings } from '../lib/config';
import { provisionTemporalCli } from '../local/temporal-runtime';

/** The environment the CLI runs with: the user's, plus `npm start`'s defaults where unset. */
function cliEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const start = parseSettings(StartSettings, env);
  const codec = parseSettings(CodecServerSettings, env);
  const set = nonEmpty(env);
  const local = !set.TEMPORAL_ADDRESS && !set.TEMPORAL_PROFILE;
  const codecEndpoint =
    set.TEMPORAL_CODEC_ENDPOINT ??
    start.CJ_UI_CODEC_ENDPOINT ??
    (local ? `http://localhost:${codec.CJ_CODEC_PORT}` : undefined);
  return {
    ...env,
    ...(local ? { TEMPORAL_ADDRESS: `127.0.0.1:${start.CJ_DEV_SERVER_PORT}` } : {}),
    ...(codecEndpoint ? { TEMPORAL_CODEC_ENDPOINT: codecEndpoint } : {}),
    ...(!set.TEMPORAL_CODEC_AUTH && codec.CJ_CODEC_AUTH_TOKEN
      ? { TEMPORAL_CODEC_AUTH: `Bearer ${codec.CJ_CODEC_AUTH_TOKEN}` }
      : {}),
  };
}

function main(): void {
  const env = cliEnvironment(process.env);
  const cli = provisionTemporalCli(env);
  if (!cli) {
    throw new ConfigError([
      'no Temporal CLI: install Go (the CLI is built from the Go module proxy) or set TEMPORAL_CLI_PATH',
    ]);
  }
  const child = spawn(cli.path, process.argv.slice(2), { env, stdio: 'inherit' });
  // Ctrl-C reaches the CLI through the terminal; we only wait for it.
  process.on('SIGINT', () => undefined);
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

try {
  main();
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
}
