/**
 * The data converter shared by the worker and every client: with keys configured, every payload
 * (workflow and activity inputs and results, signals, updates, queries, memos, heartbeats) is
 * encrypted by `EncryptionCodec`, and so are failure messages and stack traces.
 *
 * Worker and clients must use the same keys: a client without them cannot read what an
 * encrypting worker wrote, and a worker without them fails every workflow task that carries an
 * encrypted payload.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { DataConverter } from '@temporalio/common';
import { EncryptionCodec } from './codec/encryption-codec';
import { ENCODED_FAILURES_MARKER } from './codec/failure-converter';
import { hasCodecKeySetting, loadCodecKeys } from './codec/keys';
import { projectRoot } from './config';

export const UNENCRYPTED_DESCRIPTION = 'payloads NOT encrypted (set CJ_CODEC_KEYS or CJ_CODEC_KEY_FILE)';

export interface ConfiguredDataConverter {
  /** For `new Client({ dataConverter })` and `Worker.create({ dataConverter })`; none without keys. */
  dataConverter?: DataConverter;
  /** The codec itself, for the codec server; none without keys. */
  codec?: EncryptionCodec;
  /** One line for start-up logs: whether payloads are encrypted and with which key id (no keys). */
  description: string;
}

/**
 * The module exporting `failureConverter` (message and stack trace encoded as a payload): the
 * compiled file when running from `dist/`, the TypeScript source otherwise.
 *
 * The SDK loads it with Node's own `require()`. Under tsx (`npm start`, `npm run worker`) that
 * reads TypeScript; where nothing taught `require()` TypeScript (vitest, plain node), tsx's
 * CommonJS hook (a runtime dependency) is registered once so the source can be required.
 */
export function failureConverterPath(): string {
  const base = path.join(__dirname, 'codec', 'failure-converter');
  if (fs.existsSync(`${base}.js`)) return `${base}.js`;
  if (!fs.existsSync(`${base}.ts`)) throw new Error(`${base}.ts not found`);
  const nodeRequire = createRequire(__filename);
  if (!nodeRequire.extensions['.ts']) {
    (nodeRequire('tsx/cjs/api') as { register: () => unknown }).register();
  }
  return `${base}.ts`;
}

/** A data converter encrypting payloads and failure attributes with this codec. */
export function encryptedDataConverter(codec: EncryptionCodec): DataConverter {
  return { payloadCodecs: [codec], failureConverterPath: failureConverterPath() };
}

/**
 * Builds the data converter the settings ask for (CJ_CODEC_KEYS, CJ_CODEC_ACTIVE_KEY,
 * CJ_CODEC_KEY_FILE).
 *
 * @throws ConfigError naming each wrong setting, never a key.
 */
export function loadDataConverter(env: NodeJS.ProcessEnv = process.env): ConfiguredDataConverter {
  const keyring = loadCodecKeys(env);
  if (!keyring) return { dataConverter: undefined, description: UNENCRYPTED_DESCRIPTION };
  const codec = new EncryptionCodec(keyring);
  const retired = keyring.keys.size - 1;
  return {
    dataConverter: encryptedDataConverter(codec),
    codec,
    description:
      `payloads encrypted (AES-256-GCM, key "${keyring.activeKeyId}"` +
      `${retired > 0 ? ` + ${retired} older` : ''} from ${keyring.source})`,
  };
}

/**
 * Whether a prebuilt workflow bundle was built with `failureConverterPath`: workflow failures are
 * converted inside the bundle, so a bundle without it writes their messages in plain text.
 */
export function bundleEncodesFailures(codePath: string): boolean {
  return fs.readFileSync(codePath, 'utf8').includes(ENCODED_FAILURES_MARKER);
}

/** Where `npm start` keeps its generated key: `<CJ_DATA_DIR>/codec-keys.json`. */
export function localKeyFilePath(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(projectRoot(), env.CJ_DATA_DIR || 'data', 'codec-keys.json');
}

/**
 * The environment, with npm start's key file filled in when a process talks to npm start's
 * server: no codec setting, no TEMPORAL_ADDRESS or profile (so the local default server), and
 * the file exists. Then `npm run worker` and client commands read what `npm start` encrypted.
 */
export function withLocalKeyFile(env: NodeJS.ProcessEnv, hasExplicitAddress: boolean): NodeJS.ProcessEnv {
  if (hasExplicitAddress || hasCodecKeySetting(env)) return env;
  const file = localKeyFilePath(env);
  return fs.existsSync(file) ? { ...env, CJ_CODEC_KEY_FILE: file } : env;
}
