/**
 * Encryption keys from configuration (every setting is in `.env.example`):
 *
 * - `CJ_CODEC_KEYS`: comma-separated `keyId:base64key` entries, each key 32 bytes once decoded;
 * - `CJ_CODEC_ACTIVE_KEY`: the key id new payloads are encrypted with (default: the last key);
 * - `CJ_CODEC_KEY_FILE`: a JSON file `{ "activeKeyId": "k2", "keys": { "k1": "<base64>", … } }`,
 *   read when CJ_CODEC_KEYS is not set (relative paths are relative to the repository).
 *
 * Errors name the setting and the key id, never the key material.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { parseSettings, projectRoot } from '../config';
import { KEY_BYTES, KEY_ID_PATTERN } from './encryption-codec';

/** Keys and the active key id, ready for `new EncryptionCodec(...)`. */
export interface CodecKeyring {
  keys: Map<string, Buffer>;
  activeKeyId: string;
  /** Where the keys came from, for log lines: `CJ_CODEC_KEYS` or `key file <path>`. */
  source: string;
}

const KEY_ID_RULE = 'must be 1-64 letters, digits, ".", "_" or "-"';
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;
const KEY_FILE_SHAPE = 'must be JSON like {"activeKeyId": "k1", "keys": {"k1": "<base64 of 32 bytes>"}}';

interface KeyEntry {
  /** How to name the entry when its id cannot be shown (it might be key material). */
  position: string;
  id: string;
  value: unknown;
}

/** Checks every entry and reports each problem once; returns the keys when all are good. */
function collectKeys(
  entries: KeyEntry[],
  report: (problem: string) => void,
): Map<string, Buffer> | undefined {
  const keys = new Map<string, Buffer>();
  const seen = new Set<string>();
  let ok = true;
  for (const { position, id, value } of entries) {
    if (!KEY_ID_PATTERN.test(id)) {
      report(`${position}: key id ${KEY_ID_RULE}`);
      ok = false;
      continue;
    }
    if (seen.has(id)) {
      report(`key id "${id}" is listed twice`);
      ok = false;
      continue;
    }
    seen.add(id);
    if (typeof value !== 'string' || !BASE64.test(value.trim())) {
      report(`key "${id}" must be ${KEY_BYTES} bytes (base64), but it is not base64`);
      ok = false;
      continue;
    }
    const key = Buffer.from(value.trim(), 'base64');
    if (key.length !== KEY_BYTES) {
      report(`key "${id}" must be ${KEY_BYTES} bytes (base64), got ${key.length}`);
      ok = false;
      continue;
    }
    keys.set(id, key);
  }
  if (ok && keys.size === 0) {
    report('must hold at least one key');
    return undefined;
  }
  return ok ? keys : undefined;
}

function parseKeyList(value: string, report: (problem: string) => void): Map<string, Buffer> | undefined {
  const entries: KeyEntry[] = [];
  let ok = true;
  value.split(',').forEach((raw, index) => {
    const entry = raw.trim();
    if (entry === '') return; // a trailing comma
    const colon = entry.indexOf(':');
    if (colon < 0) {
      // Never echo the entry: without its id it may well be the key itself.
      report(`entry ${index + 1} must be keyId:base64key`);
      ok = false;
      return;
    }
    entries.push({
      position: `entry ${index + 1}`,
      id: entry.slice(0, colon).trim(),
      value: entry.slice(colon + 1),
    });
  });
  const keys = collectKeys(entries, report);
  return ok ? keys : undefined;
}

const KeyFile = z.object({
  activeKeyId: z.string().optional(),
  keys: z.record(z.string(), z.unknown()),
});

function readKeyFile(
  file: string,
  report: (problem: string) => void,
): { keys: Map<string, Buffer>; activeKeyId?: string } | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    report(code === 'ENOENT' ? `file does not exist (${file})` : `cannot read ${file} (${code ?? 'error'})`);
    return undefined;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // The parser's message quotes the file's text, which holds keys: name the file only.
    report(`${file} is not valid JSON`);
    return undefined;
  }
  const parsed = KeyFile.safeParse(json);
  if (!parsed.success) {
    report(`${file} ${KEY_FILE_SHAPE}`);
    return undefined;
  }
  const entries = Object.entries(parsed.data.keys).map(([id, value], index) => ({
    position: `key ${index + 1} of ${file}`,
    id,
    value,
  }));
  const keys = collectKeys(entries, report);
  if (!keys) return undefined;
  const { activeKeyId } = parsed.data;
  if (activeKeyId !== undefined && !keys.has(activeKeyId)) {
    report(
      KEY_ID_PATTERN.test(activeKeyId)
        ? `activeKeyId "${activeKeyId}" is not one of its keys (${[...keys.keys()].join(', ')})`
        : `activeKeyId ${KEY_ID_RULE}`,
    );
    return undefined;
  }
  return { keys, activeKeyId };
}

/** Resolves CJ_CODEC_KEY_FILE: absolute as given, relative to the repository otherwise. */
export function resolveKeyFile(file: string): string {
  return path.resolve(projectRoot(), file);
}

/** The codec key settings; parses to the keyring, or `undefined` when no key is configured. */
export const CodecKeySettings = z
  .object({
    CJ_CODEC_KEYS: z.string().optional(),
    CJ_CODEC_ACTIVE_KEY: z.string().regex(KEY_ID_PATTERN, `must be a key id: ${KEY_ID_RULE}`).optional(),
    CJ_CODEC_KEY_FILE: z.string().optional(),
  })
  .transform((settings, ctx): CodecKeyring | undefined => {
    const reporter = (setting: string) => (message: string) =>
      ctx.addIssue({ code: 'custom', path: [setting], message });
    let loaded: { keys: Map<string, Buffer>; activeKeyId?: string } | undefined;
    let setting: 'CJ_CODEC_KEYS' | 'CJ_CODEC_KEY_FILE';
    let source: string;
    if (settings.CJ_CODEC_KEYS !== undefined) {
      setting = 'CJ_CODEC_KEYS';
      source = 'CJ_CODEC_KEYS';
      const keys = parseKeyList(settings.CJ_CODEC_KEYS, reporter(setting));
      loaded = keys && { keys };
    } else if (settings.CJ_CODEC_KEY_FILE !== undefined) {
      setting = 'CJ_CODEC_KEY_FILE';
      const file = resolveKeyFile(settings.CJ_CODEC_KEY_FILE);
      const shown = path.relative(projectRoot(), file);
      source = `key file ${shown && !shown.startsWith('..') ? shown : file}`;
      loaded = readKeyFile(file, reporter(setting));
    } else {
      if (settings.CJ_CODEC_ACTIVE_KEY !== undefined) {
        reporter('CJ_CODEC_ACTIVE_KEY')(
          'is set, but there are no keys: set CJ_CODEC_KEYS or CJ_CODEC_KEY_FILE',
        );
        return z.NEVER;
      }
      return undefined;
    }
    if (!loaded) return z.NEVER;
    const ids = [...loaded.keys.keys()];
    const activeKeyId = settings.CJ_CODEC_ACTIVE_KEY ?? loaded.activeKeyId ?? ids[ids.length - 1]!;
    if (!loaded.keys.has(activeKeyId)) {
      reporter('CJ_CODEC_ACTIVE_KEY')(
        `"${activeKeyId}" is not one of the keys in ${setting} (${ids.join(', ')})`,
      );
      return z.NEVER;
    }
    return { keys: loaded.keys, activeKeyId, source };
  });

/**
 * Reads the encryption keys from the environment.
 *
 * @returns the keyring, or `undefined` when neither CJ_CODEC_KEYS nor CJ_CODEC_KEY_FILE is set.
 * @throws ConfigError naming each wrong setting (and key id), never a key.
 */
export function loadCodecKeys(env: NodeJS.ProcessEnv = process.env): CodecKeyring | undefined {
  return parseSettings(CodecKeySettings, env);
}

/** True when the environment configures keys (empty values count as unset). */
export function hasCodecKeySetting(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.CJ_CODEC_KEYS || env.CJ_CODEC_KEY_FILE);
}

/** A fresh random 32-byte key, base64, for CJ_CODEC_KEYS or a key file. */
export function generateKey(): string {
  return randomBytes(KEY_BYTES).toString('base64');
}

/**
 * Creates a key file with one random key, readable by its owner only (0600), unless the file
 * already exists, which is then kept as it is.
 *
 * @returns the file's absolute path, for CJ_CODEC_KEY_FILE.
 */
export function ensureLocalKeyFile(file: string): string {
  const target = path.resolve(file);
  if (fs.existsSync(target)) return target;
  fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o700 });
  const keyId = `local-${new Date().toISOString().slice(0, 10).replaceAll('-', '')}`;
  const content = JSON.stringify({ activeKeyId: keyId, keys: { [keyId]: generateKey() } }, null, 2) + '\n';
  // Written in full under a private name, then linked into place: link() never replaces an
  // existing file, so two starts at once keep one key and nobody reads a half-written file.
  const staging = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  fs.writeFileSync(staging, content, { mode: 0o600, flag: 'wx' });
  try {
    fs.chmodSync(staging, 0o600);
    fs.linkSync(staging, target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    fs.rmSync(staging, { force: true });
  }
  return target;
}
