/**
 * `npm run codec-server`: the codec server on its own, for a Web UI in front of another cluster
 * (`npm start` runs one in-process for its local UI).
 *
 * Keys come from CJ_CODEC_KEYS / CJ_CODEC_KEY_FILE like the worker's; CJ_CODEC_PORT (8234),
 * CJ_CODEC_HOST (127.0.0.1), CJ_CODEC_CORS_ORIGIN (http://localhost:8233) and
 * CJ_CODEC_AUTH_TOKEN set where and for whom it listens. Point the UI at it with
 * `--ui-codec-endpoint http://localhost:8234` or the UI's "Data Encoder" settings.
 */
import { ConfigError, parseSettings } from '../lib/config';
import { CodecServerSettings, DEFAULT_CORS_ORIGIN, startCodecServer } from '../lib/codec/codec-server';
import { loadDataConverter } from '../lib/data-converter';

async function main(): Promise<void> {
  // Every wrong setting in one message: the server's own and the keys'.
  const problems: string[] = [];
  const attempt = <T>(read: () => T): T | undefined => {
    try {
      return read();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems);
      return undefined;
    }
  };
  const settings = attempt(() => parseSettings(CodecServerSettings, process.env));
  const converter = attempt(() => loadDataConverter(process.env));
  if (converter && !converter.codec) {
    problems.push(
      'CJ_CODEC_KEYS: the codec server needs keys: set CJ_CODEC_KEYS or CJ_CODEC_KEY_FILE ' +
        '(npm start keeps its key in data/codec-keys.json)',
    );
  }
  if (!settings || !converter?.codec || problems.length > 0) throw new ConfigError(problems);
  const { codec, description } = converter;
  const corsOrigin = settings.CJ_CODEC_CORS_ORIGIN ?? DEFAULT_CORS_ORIGIN;
  const server = await startCodecServer({
    port: settings.CJ_CODEC_PORT,
    host: settings.CJ_CODEC_HOST,
    codec,
    corsOrigin,
    authToken: settings.CJ_CODEC_AUTH_TOKEN,
    log: (line) => console.error(`[codec-server] ${line}`),
  });
  console.log(
    `codec server on ${server.url} (POST /encode, /decode; browsers from ${corsOrigin} only; ` +
      `${settings.CJ_CODEC_AUTH_TOKEN ? 'bearer token required' : 'no token'}; ${description})`,
  );
  const stop = () => {
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
