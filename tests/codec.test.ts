/**
 * Payload encryption: the AES-256-GCM codec and its key rotation, keys from configuration, the
 * encrypted history on a real dev server, and the codec server the Web UI decrypts through,
 * over real HTTP.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import {
  ApplicationFailure,
  defaultPayloadConverter,
  type DataConverter,
  type Payload,
} from '@temporalio/common';
import { failureConverter } from '../lib/codec/failure-converter';
import { FailureType } from '../workflows/kernel/errors';
import { RuleViolation, ValidationError } from '../workflows/kernel/validation';
import { temporal } from '@temporalio/proto';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CodecServerSettings, startCodecServer, type RunningCodecServer } from '../lib/codec/codec-server';
import { EncryptionCodec, IV_BYTES, TAG_BYTES } from '../lib/codec/encryption-codec';
import { ensureLocalKeyFile, loadCodecKeys } from '../lib/codec/keys';
import { ConfigError, parseSettings } from '../lib/config';
import {
  bundleEncodesFailures,
  failureConverterPath,
  loadDataConverter,
  UNENCRYPTED_DESCRIPTION,
} from '../lib/data-converter';
import type { Contact, echoContact, failWithContact } from './fixtures/echo-workflow';
import { rejectionOf, testNames } from './helpers/temporal';
import { warningsOnlyLogger } from '../lib/bundle';

const { Payload: PayloadProto } = temporal.api.common.v1;
const { History } = temporal.api.history.v1;

const contact: Contact = {
  name: 'Zofia Kowalczyk-Testowa',
  phone: '+48 601 555 0199',
  email: 'zofia.kowalczyk@example.test',
};
const personalStrings: string[] = [contact.name, contact.phone, contact.email];

const key = () => randomBytes(32);
const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString('utf8');
const codecWith = (keys: Record<string, Buffer>, activeKeyId: string) =>
  new EncryptionCodec({ keys: new Map(Object.entries(keys)), activeKeyId });
const keysSetting = (keys: Record<string, Buffer>) =>
  Object.entries(keys)
    .map(([id, material]) => `${id}:${base64(material)}`)
    .join(',');

/** The error a synchronous or asynchronous call throws. */
async function errorOf(run: () => unknown): Promise<Error> {
  try {
    await run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error, but it succeeded');
}

describe('EncryptionCodec', () => {
  const k1 = key();
  const k2 = key();
  const plain = defaultPayloadConverter.toPayload({ contact, note: 'first call' });

  it('encrypts each payload under the active key with a fresh IV, and decrypts it back', async () => {
    const codec = codecWith({ k1 }, 'k1');
    const [first, second] = await codec.encode([plain, plain]);
    for (const encrypted of [first!, second!]) {
      expect(text(encrypted.metadata?.encoding)).toBe('binary/encrypted');
      expect(text(encrypted.metadata?.['encryption-key-id'])).toBe('k1');
      expect(Object.keys(encrypted.metadata ?? {}).sort()).toEqual(['encoding', 'encryption-key-id']);
      // IV || ciphertext of the serialized original payload || tag
      expect(encrypted.data!.length).toBe(IV_BYTES + PayloadProto.encode(plain).finish().length + TAG_BYTES);
      for (const value of personalStrings) expect(text(encrypted.data)).not.toContain(value);
      expect(text(encrypted.data)).not.toContain('json/plain');
    }
    expect(base64(first!.data!)).not.toBe(base64(second!.data!));

    const decoded = await codec.decode([first!, second!]);
    for (const payload of decoded) {
      expect(text(payload.metadata?.encoding)).toBe('json/plain');
      expect(defaultPayloadConverter.fromPayload(payload)).toEqual({ contact, note: 'first call' });
    }
    expect(await codec.encode([])).toEqual([]);
  });

  it('still decrypts payloads of an older key after a rotation', async () => {
    const [old] = await codecWith({ k1 }, 'k1').encode([plain]);
    const rotated = codecWith({ k1, k2 }, 'k2');
    const [fresh] = await rotated.encode([plain]);
    expect(text(fresh!.metadata?.['encryption-key-id'])).toBe('k2');
    const [oldDecoded, freshDecoded] = await rotated.decode([old!, fresh!]);
    expect(defaultPayloadConverter.fromPayload(oldDecoded!)).toEqual({ contact, note: 'first call' });
    expect(defaultPayloadConverter.fromPayload(freshDecoded!)).toEqual({ contact, note: 'first call' });
  });

  it('names an unknown key id, and never the key', async () => {
    const [old] = await codecWith({ k1 }, 'k1').encode([plain]);
    const error = await errorOf(() => codecWith({ k2 }, 'k2').decode([old!]));
    expect(error.message).toContain('unknown encryption key id "k1"');
    expect(error.message).toContain('k2');
    for (const material of [k1, k2]) {
      expect(error.message).not.toContain(base64(material));
      expect(error.message).not.toContain(material.toString('hex'));
    }
  });

  it('refuses wrong key material and altered data', async () => {
    const [encrypted] = await codecWith({ k1 }, 'k1').encode([plain]);
    const wrongKey = await errorOf(() => codecWith({ k1: k2 }, 'k1').decode([encrypted!]));
    expect(wrongKey.message).toContain('key "k1"');
    expect(wrongKey.message).toContain('failed authentication');

    const altered = Buffer.from(encrypted!.data!);
    altered[IV_BYTES + 3]! ^= 0x01;
    const tampered = await errorOf(() => codecWith({ k1 }, 'k1').decode([{ ...encrypted!, data: altered }]));
    expect(tampered.message).toContain('failed authentication');

    const truncated = await errorOf(() =>
      codecWith({ k1 }, 'k1').decode([{ ...encrypted!, data: altered.subarray(0, 20) }]),
    );
    expect(truncated.message).toContain('too short');
  });

  it('passes payloads that are not encrypted through untouched', async () => {
    const codec = codecWith({ k1 }, 'k1');
    const empty: Payload = {};
    const nullPayload = defaultPayloadConverter.toPayload(undefined);
    const decoded = await codec.decode([plain, empty, nullPayload]);
    expect(decoded[0]).toBe(plain);
    expect(decoded[1]).toBe(empty);
    expect(decoded[2]).toBe(nullPayload);
  });

  it('validates its keys without printing them', () => {
    const short = randomBytes(16);
    expect(() => codecWith({ k1: short }, 'k1')).toThrow('key "k1" must be 32 bytes, got 16');
    expect(() => codecWith({ k1 }, 'k2')).toThrow('active key id "k2" is not one of the keys (k1)');
    expect(() => codecWith({}, 'k1')).toThrow('at least one key');
    expect(() => codecWith({ 'bad id': k1 }, 'bad id')).toThrow('key id "bad id" must be');
    const error = (() => {
      try {
        codecWith({ k1: short }, 'k1');
      } catch (caught) {
        return caught as Error;
      }
    })();
    expect(error?.message).not.toContain(base64(short));
  });
});

describe('failure converter', () => {
  it('encodes failure messages, except validation failures that name fields and rules only', () => {
    const encoded = failureConverter.errorToFailure(
      new Error('cannot reach Li Lei at +86 138'),
      defaultPayloadConverter,
    );
    expect(encoded.message).toBe('Encoded failure');
    expect(encoded.encodedAttributes).toBeTruthy();

    const invalidInput = ApplicationFailure.create({
      type: FailureType.InvalidWorkflowInput,
      message: 'Invalid afterSalesCase input: severity: must be one of cosmetic, function-failure',
      nonRetryable: true,
    });
    const rejected = new ValidationError('resolve', ['type: must be one of repair, replace, refund, advice']);
    const rule = new RuleViolation('cannot resolve in stage closed');
    // As the SDK passes a validator's error on: wrapped, typed by the error's name.
    const wrapped = ApplicationFailure.fromError(rule);
    expect(wrapped.type).toBe('RuleViolation');
    for (const error of [invalidInput, rejected, rule, wrapped]) {
      const failure = failureConverter.errorToFailure(error, defaultPayloadConverter);
      expect(failure.message).toBe(error.message);
      expect(failure.encodedAttributes).toBeFalsy();
      expect(failure.stackTrace).toBe('');
    }
  });
});

describe('codec keys from configuration', () => {
  const k1 = key();
  const k2 = key();
  const scratch = () => fs.mkdtempSync(path.join(inject('temporal').runDir, 'codec-keys-'));
  const configError = (run: () => unknown): string => {
    try {
      run();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as ConfigError).message;
    }
    throw new Error('expected a ConfigError');
  };

  it('reads CJ_CODEC_KEYS, the last key being active unless CJ_CODEC_ACTIVE_KEY says otherwise', () => {
    const keyring = loadCodecKeys({ CJ_CODEC_KEYS: ` k1:${base64(k1)} , k2:${base64(k2)},` });
    expect(keyring?.activeKeyId).toBe('k2');
    expect([...keyring!.keys.keys()]).toEqual(['k1', 'k2']);
    expect(keyring!.keys.get('k1')!.equals(k1)).toBe(true);
    expect(keyring!.keys.get('k2')!.equals(k2)).toBe(true);
    expect(keyring!.source).toBe('CJ_CODEC_KEYS');

    const pinned = loadCodecKeys({ CJ_CODEC_KEYS: keysSetting({ k1, k2 }), CJ_CODEC_ACTIVE_KEY: 'k1' });
    expect(pinned?.activeKeyId).toBe('k1');
    // Base64url is accepted too.
    expect(
      loadCodecKeys({ CJ_CODEC_KEYS: `k3:${k1.toString('base64url')}` })
        ?.keys.get('k3')
        ?.equals(k1),
    ).toBe(true);
  });

  it('is off without keys: empty values are unset', () => {
    expect(loadCodecKeys({})).toBeUndefined();
    expect(
      loadCodecKeys({ CJ_CODEC_KEYS: '', CJ_CODEC_KEY_FILE: '', CJ_CODEC_ACTIVE_KEY: '' }),
    ).toBeUndefined();
    expect(loadDataConverter({})).toEqual({ dataConverter: undefined, description: UNENCRYPTED_DESCRIPTION });
    expect(UNENCRYPTED_DESCRIPTION).toBe('payloads NOT encrypted (set CJ_CODEC_KEYS or CJ_CODEC_KEY_FILE)');
  });

  it('names every wrong key setting, and never prints key material', () => {
    const short = randomBytes(16);
    const message = configError(() =>
      loadCodecKeys({
        CJ_CODEC_KEYS: `k1:${base64(short)},${base64(k2)},k1:${base64(k1)},bad id:${base64(k1)},k4:not base64!`,
      }),
    );
    expect(message).toContain('CJ_CODEC_KEYS: key "k1" must be 32 bytes (base64), got 16');
    expect(message).toContain('CJ_CODEC_KEYS: entry 2 must be keyId:base64key');
    expect(message).toContain('CJ_CODEC_KEYS: key id "k1" is listed twice');
    expect(message).toContain('CJ_CODEC_KEYS: entry 4: key id must be');
    expect(message).toContain('CJ_CODEC_KEYS: key "k4" must be 32 bytes (base64), but it is not base64');
    for (const material of [short, k1, k2]) expect(message).not.toContain(base64(material));

    expect(
      configError(() => loadCodecKeys({ CJ_CODEC_KEYS: keysSetting({ k1, k2 }), CJ_CODEC_ACTIVE_KEY: 'k9' })),
    ).toContain('CJ_CODEC_ACTIVE_KEY: "k9" is not one of the keys in CJ_CODEC_KEYS (k1, k2)');
    expect(configError(() => loadCodecKeys({ CJ_CODEC_ACTIVE_KEY: 'k1' }))).toContain(
      'CJ_CODEC_ACTIVE_KEY: is set, but there are no keys',
    );
    expect(configError(() => loadCodecKeys({ CJ_CODEC_KEYS: ' , ' }))).toContain(
      'CJ_CODEC_KEYS: must hold at least one key',
    );
    // The worker and every client go through loadDataConverter, so they fail the same way.
    expect(configError(() => loadDataConverter({ CJ_CODEC_KEYS: `k1:${base64(short)}` }))).toContain(
      'CJ_CODEC_KEYS: key "k1" must be 32 bytes (base64), got 16',
    );
  });

  it('reads a key file when CJ_CODEC_KEYS is not set', () => {
    const dir = scratch();
    const file = path.join(dir, 'keys.json');
    fs.writeFileSync(
      file,
      JSON.stringify({ activeKeyId: 'old', keys: { old: base64(k1), new: base64(k2) } }),
    );
    const keyring = loadCodecKeys({ CJ_CODEC_KEY_FILE: file });
    expect(keyring?.activeKeyId).toBe('old');
    expect(keyring?.keys.get('new')?.equals(k2)).toBe(true);
    expect(keyring?.source).toContain(file);
    expect(loadCodecKeys({ CJ_CODEC_KEY_FILE: file, CJ_CODEC_ACTIVE_KEY: 'new' })?.activeKeyId).toBe('new');

    // Without activeKeyId, the last key is active; CJ_CODEC_KEYS wins over the file.
    fs.writeFileSync(file, JSON.stringify({ keys: { old: base64(k1), new: base64(k2) } }));
    expect(loadCodecKeys({ CJ_CODEC_KEY_FILE: file })?.activeKeyId).toBe('new');
    expect(loadCodecKeys({ CJ_CODEC_KEY_FILE: file, CJ_CODEC_KEYS: keysSetting({ k1 }) })?.source).toBe(
      'CJ_CODEC_KEYS',
    );
  });

  it('names a wrong key file without printing its content', () => {
    const dir = scratch();
    const missing = path.join(dir, 'missing.json');
    expect(configError(() => loadCodecKeys({ CJ_CODEC_KEY_FILE: missing }))).toContain(
      `CJ_CODEC_KEY_FILE: file does not exist (${missing})`,
    );

    const file = path.join(dir, 'keys.json');
    fs.writeFileSync(file, `{ "keys": { "k1": "${base64(k1)}" `);
    const invalid = configError(() => loadCodecKeys({ CJ_CODEC_KEY_FILE: file }));
    expect(invalid).toContain(`CJ_CODEC_KEY_FILE: ${file} is not valid JSON`);
    expect(invalid).not.toContain(base64(k1));

    fs.writeFileSync(file, JSON.stringify({ activeKeyId: 'k1', keys: { k1: base64(randomBytes(24)) } }));
    expect(configError(() => loadCodecKeys({ CJ_CODEC_KEY_FILE: file }))).toContain(
      'CJ_CODEC_KEY_FILE: key "k1" must be 32 bytes (base64), got 24',
    );
    fs.writeFileSync(file, JSON.stringify({ activeKeyId: 'k2', keys: { k1: base64(k1) } }));
    expect(configError(() => loadCodecKeys({ CJ_CODEC_KEY_FILE: file }))).toContain(
      'CJ_CODEC_KEY_FILE: activeKeyId "k2" is not one of its keys (k1)',
    );
    fs.writeFileSync(file, JSON.stringify([base64(k1)]));
    expect(configError(() => loadCodecKeys({ CJ_CODEC_KEY_FILE: file }))).toContain(
      `CJ_CODEC_KEY_FILE: ${file} must be JSON like`,
    );
  });

  it('ensureLocalKeyFile creates a private key file once and keeps it', () => {
    const file = path.join(scratch(), 'nested', 'codec-keys.json');
    expect(ensureLocalKeyFile(file)).toBe(file);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const first = fs.readFileSync(file, 'utf8');
    const keyring = loadCodecKeys({ CJ_CODEC_KEY_FILE: file });
    expect(keyring?.keys.size).toBe(1);
    expect(keyring?.keys.get(keyring.activeKeyId)?.length).toBe(32);
    expect(keyring?.activeKeyId).toMatch(/^local-\d{8}$/);

    expect(ensureLocalKeyFile(file)).toBe(file);
    expect(fs.readFileSync(file, 'utf8')).toBe(first);
    expect(fs.readdirSync(path.dirname(file))).toEqual(['codec-keys.json']);
  });

  it('describes the converter by key id only', () => {
    const { dataConverter, description, codec } = loadDataConverter({
      CJ_CODEC_KEYS: keysSetting({ k1, k2 }),
    });
    expect(description).toBe('payloads encrypted (AES-256-GCM, key "k2" + 1 older from CJ_CODEC_KEYS)');
    expect(dataConverter?.payloadCodecs).toEqual([codec]);
    expect(codec).toBeInstanceOf(EncryptionCodec);
    expect(fs.existsSync(dataConverter!.failureConverterPath!)).toBe(true);
  });

  it('validates the codec server settings', () => {
    const settings = parseSettings(CodecServerSettings, {});
    expect(settings).toEqual({ CJ_CODEC_PORT: 8234, CJ_CODEC_HOST: '127.0.0.1' });
    expect(
      parseSettings(CodecServerSettings, { CJ_CODEC_CORS_ORIGIN: 'http://localhost:9000/' })
        .CJ_CODEC_CORS_ORIGIN,
    ).toBe('http://localhost:9000');
    const message = configError(() =>
      parseSettings(CodecServerSettings, {
        CJ_CODEC_PORT: '70000',
        CJ_CODEC_CORS_ORIGIN: '*',
        CJ_CODEC_AUTH_TOKEN: 'short',
      }),
    );
    expect(message).toContain('CJ_CODEC_PORT: must be a port number (1-65535)');
    expect(message).toContain('CJ_CODEC_CORS_ORIGIN: must be one origin like http://localhost:8233');
    expect(message).toContain('CJ_CODEC_AUTH_TOKEN: must be at least 16 characters');
  });
});

/** Proto JSON of a payload, as the Web UI sends it: metadata values and data in base64. */
const payloadJson = (payload: Payload) =>
  PayloadProto.toObject(PayloadProto.fromObject(payload), { bytes: String, longs: String });

describe('encrypted histories on the dev server', () => {
  const k1 = key();
  const k2 = key();
  const converter = (env: NodeJS.ProcessEnv): DataConverter => loadDataConverter(env).dataConverter!;
  const beforeRotation = { CJ_CODEC_KEYS: keysSetting({ k1 }) };
  const afterRotation = { CJ_CODEC_KEYS: keysSetting({ k1, k2 }) };
  let nativeConnection: NativeConnection;
  let connection: Connection;
  let workflowBundle: { code: string };

  beforeAll(async () => {
    const { address } = inject('temporal').devServer;
    [nativeConnection, connection, workflowBundle] = await Promise.all([
      NativeConnection.connect({ address }),
      Connection.connect({ address }),
      bundleWorkflowCode({
        workflowsPath: path.join(__dirname, 'fixtures/echo-workflow.ts'),
        failureConverterPath: failureConverterPath(),
        logger: warningsOnlyLogger,
      }),
    ]);
  });
  afterAll(async () => {
    await connection?.close();
    await nativeConnection?.close();
  });

  const workerWith = (dataConverter: DataConverter, taskQueue: string) =>
    Worker.create({ connection: nativeConnection, taskQueue, workflowBundle, dataConverter });

  /** The history as the server stores it, read without any codec. */
  async function rawHistory(workflowId: string): Promise<temporal.api.history.v1.IHistory> {
    const { history } = await connection.workflowService.getWorkflowExecutionHistory({
      namespace: 'default',
      execution: { workflowId },
    });
    return history!;
  }

  function expectNoPersonalData(history: temporal.api.history.v1.IHistory) {
    const bytes = Buffer.from(History.encode(history).finish());
    expect(bytes.length).toBeGreaterThan(0);
    for (const value of personalStrings) expect(bytes.includes(value), value).toBe(false);
  }

  const keyIdOf = (payload: Payload | undefined) => text(payload?.metadata?.['encryption-key-id']);

  it('stores inputs, results and failure messages encrypted; clients with the keys read them', async () => {
    const { taskQueue, workflowId } = testNames();
    const client = new Client({ connection, dataConverter: converter(beforeRotation) });
    const worker = await workerWith(converter(beforeRotation), taskQueue);
    const echoId = workflowId('echo');
    const failId = workflowId('fail');
    const [result, failure] = await worker.runUntil(async () =>
      Promise.all([
        client.workflow.execute<typeof echoContact>('echoContact', {
          taskQueue,
          workflowId: echoId,
          args: [contact],
        }),
        rejectionOf(
          client.workflow.execute<typeof failWithContact>('failWithContact', {
            taskQueue,
            workflowId: failId,
            args: [contact],
          }),
        ),
      ]),
    );
    expect(result).toEqual({ greeting: `Hello ${contact.name}`, contact });
    expect(failure).toBe(`cannot reach ${contact.name} at ${contact.phone}`);

    const echo = await rawHistory(echoId);
    const started = echo.events!.find((event) => event.workflowExecutionStartedEventAttributes);
    const completed = echo.events!.find((event) => event.workflowExecutionCompletedEventAttributes);
    const input = started!.workflowExecutionStartedEventAttributes!.input!.payloads![0];
    const output = completed!.workflowExecutionCompletedEventAttributes!.result!.payloads![0];
    for (const payload of [input, output]) {
      expect(text(payload?.metadata?.encoding)).toBe('binary/encrypted');
      expect(keyIdOf(payload)).toBe('k1');
    }
    expectNoPersonalData(echo);

    const failed = await rawHistory(failId);
    const failedEvent = failed.events!.find((event) => event.workflowExecutionFailedEventAttributes);
    const storedFailure = failedEvent!.workflowExecutionFailedEventAttributes!.failure!;
    expect(storedFailure.message).toBe('Encoded failure');
    expect(text(storedFailure.encodedAttributes?.metadata?.encoding)).toBe('binary/encrypted');
    expectNoPersonalData(failed);

    // A client without the keys sees ciphertext only.
    const blind = new Client({ connection });
    await expect(blind.workflow.getHandle(echoId).result()).rejects.toThrow(/binary\/encrypted/);

    // The codec server decodes the stored payload exactly as the Web UI asks it to.
    const server = await startCodecServer({
      port: 0,
      codec: loadDataConverter(beforeRotation).codec!,
      corsOrigin: 'http://localhost:8233',
    });
    try {
      const response = await fetch(`${server.url}/decode`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-namespace': 'default',
          origin: 'http://localhost:8233',
        },
        body: JSON.stringify({ payloads: [payloadJson(input!)] }),
      });
      expect(response.status).toBe(200);
      const { payloads } = (await response.json()) as {
        payloads: { metadata: Record<string, string>; data: string }[];
      };
      expect(Buffer.from(payloads[0]!.metadata.encoding!, 'base64').toString()).toBe('json/plain');
      expect(JSON.parse(Buffer.from(payloads[0]!.data, 'base64').toString())).toEqual(contact);
    } finally {
      await server.close();
    }
  });

  it('reads histories of the old key after a rotation, and writes new ones with the new key', async () => {
    const { taskQueue, workflowId } = testNames();
    const before = await workerWith(converter(beforeRotation), taskQueue);
    const oldId = workflowId('before-rotation');
    await before.runUntil(
      new Client({ connection, dataConverter: converter(beforeRotation) }).workflow.execute<
        typeof echoContact
      >('echoContact', { taskQueue, workflowId: oldId, args: [contact] }),
    );

    // Rotation: k2 becomes active, k1 stays for the histories it encrypted.
    const rotatedClient = new Client({ connection, dataConverter: converter(afterRotation) });
    expect(await rotatedClient.workflow.getHandle<typeof echoContact>(oldId).result()).toEqual({
      greeting: `Hello ${contact.name}`,
      contact,
    });
    const after = await workerWith(converter(afterRotation), taskQueue);
    const newId = workflowId('after-rotation');
    const result = await after.runUntil(
      rotatedClient.workflow.execute<typeof echoContact>('echoContact', {
        taskQueue,
        workflowId: newId,
        args: [contact],
      }),
    );
    expect(result.contact).toEqual(contact);

    const history = await rawHistory(newId);
    const started = history.events!.find((event) => event.workflowExecutionStartedEventAttributes);
    expect(keyIdOf(started!.workflowExecutionStartedEventAttributes!.input!.payloads![0])).toBe('k2');
    expectNoPersonalData(history);

    // A client that only knows the old key is told which key it lacks.
    const outdated = new Client({ connection, dataConverter: converter(beforeRotation) });
    await expect(outdated.workflow.getHandle(newId).result()).rejects.toThrow(
      'unknown encryption key id "k2"',
    );
  });

  it('tells prebuilt bundles that encode failures from those that do not', async () => {
    const dir = fs.mkdtempSync(path.join(inject('temporal').runDir, 'bundle-'));
    const withConverter = path.join(dir, 'with.js');
    fs.writeFileSync(withConverter, workflowBundle.code);
    const plain = await bundleWorkflowCode({
      workflowsPath: path.join(__dirname, 'fixtures/echo-workflow.ts'),
      logger: warningsOnlyLogger,
    });
    const withoutConverter = path.join(dir, 'without.js');
    fs.writeFileSync(withoutConverter, plain.code);
    expect(bundleEncodesFailures(withConverter)).toBe(true);
    expect(bundleEncodesFailures(withoutConverter)).toBe(false);
    // The bundle every test worker loads is built like `npm run build`'s.
    expect(bundleEncodesFailures(inject('temporal').workflowBundlePath)).toBe(true);
  });
});

describe('codec server over HTTP', () => {
  const origin = 'http://localhost:8233';
  const token = 'a-long-enough-test-token';
  const codec = codecWith({ k1: key() }, 'k1');
  const logged: string[] = [];
  let open: RunningCodecServer;
  let guarded: RunningCodecServer;
  let small: RunningCodecServer;

  beforeAll(async () => {
    const log = (line: string) => logged.push(line);
    [open, guarded, small] = await Promise.all([
      startCodecServer({ port: 0, codec, corsOrigin: origin, log }),
      startCodecServer({ port: 0, codec, corsOrigin: origin, authToken: token, log }),
      startCodecServer({ port: 0, codec, corsOrigin: origin, maxBodyBytes: 1024, log }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([open?.close(), guarded?.close(), small?.close()]);
  });

  const uiHeaders = { 'content-type': 'application/json', 'x-namespace': 'default', origin };
  const post = (url: string, body: unknown, headers: Record<string, string> = uiHeaders) =>
    fetch(url, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const plainJson = payloadJson(defaultPayloadConverter.toPayload(contact));

  it('encodes and decodes the Web UI’s payload JSON', async () => {
    const encoded = await post(`${open.url}/encode`, { payloads: [plainJson] });
    expect(encoded.status).toBe(200);
    expect(encoded.headers.get('access-control-allow-origin')).toBe(origin);
    expect(encoded.headers.get('access-control-allow-credentials')).toBe('true');
    const encrypted = (await encoded.json()) as {
      payloads: { metadata: Record<string, string>; data: string }[];
    };
    expect(Buffer.from(encrypted.payloads[0]!.metadata.encoding!, 'base64').toString()).toBe(
      'binary/encrypted',
    );
    expect(Buffer.from(encrypted.payloads[0]!.data, 'base64').toString()).not.toContain(contact.name);

    // The protocol only looks at the last path segment.
    const decoded = await post(`${open.url}/codec/default/decode`, encrypted);
    expect(decoded.status).toBe(200);
    expect(await decoded.json()).toEqual({ payloads: [plainJson] });

    const passThrough = await post(`${open.url}/decode`, { payloads: [plainJson] });
    expect(await passThrough.json()).toEqual({ payloads: [plainJson] });
  });

  it('answers a request without payloads (the CLI’s `{}` for a query without arguments) on both endpoints', async () => {
    for (const endpoint of ['encode', 'decode']) {
      const empty = await post(`${open.url}/${endpoint}`, {});
      expect(empty.status, endpoint).toBe(200);
      expect(await empty.json(), endpoint).toEqual({ payloads: [] });
    }
  });

  it('answers the CORS preflight of the allowed origin only', async () => {
    const preflight = await fetch(`${open.url}/decode`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,x-namespace',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(origin);
    expect(preflight.headers.get('access-control-allow-methods')).toBe('POST, OPTIONS');
    expect(preflight.headers.get('access-control-allow-headers')).toBe(
      'content-type, x-namespace, authorization',
    );
    expect(preflight.headers.get('access-control-allow-credentials')).toBe('true');

    const elsewhere = 'http://evil.example.test';
    const foreignPreflight = await fetch(`${open.url}/decode`, {
      method: 'OPTIONS',
      headers: { origin: elsewhere, 'access-control-request-method': 'POST' },
    });
    expect(foreignPreflight.status).toBe(403);
    expect(foreignPreflight.headers.get('access-control-allow-origin')).toBeNull();
    const foreign = await post(
      `${open.url}/decode`,
      { payloads: [plainJson] },
      { ...uiHeaders, origin: elsewhere },
    );
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('requires the bearer token when one is set, except for the preflight', async () => {
    const body = { payloads: [plainJson] };
    const missing = await post(`${guarded.url}/decode`, body);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer');
    expect(missing.headers.get('access-control-allow-origin')).toBe(origin);
    expect(
      (await post(`${guarded.url}/encode`, body, { ...uiHeaders, authorization: 'Bearer wrong' })).status,
    ).toBe(401);
    const allowed = await post(`${guarded.url}/decode`, body, {
      ...uiHeaders,
      authorization: `Bearer ${token}`,
    });
    expect(allowed.status).toBe(200);
    const preflight = await fetch(`${guarded.url}/decode`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization',
      },
    });
    expect(preflight.status).toBe(204);
  });

  it('refuses malformed JSON, wrong shapes, large bodies and other routes with a clear message', async () => {
    const malformed = await post(`${open.url}/decode`, '{"payloads": [');
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toEqual({
      error: 'request body is not valid JSON; expected {"payloads": [...]}',
    });

    const shape = await post(`${open.url}/decode`, { payloads: 'x' });
    expect(shape.status).toBe(400);
    expect(((await shape.json()) as { error: string }).error).toContain('payloads:');
    const misspelt = await post(`${open.url}/decode`, { payload: [] });
    expect(misspelt.status).toBe(400);
    expect(((await misspelt.json()) as { error: string }).error).toContain('"payload"');
    const notBase64 = await post(`${open.url}/decode`, {
      payloads: [{ metadata: { encoding: 'json plain!' } }],
    });
    expect(notBase64.status).toBe(400);
    expect(((await notBase64.json()) as { error: string }).error).toContain(
      'payloads.0.metadata.encoding: must be a base64 string',
    );

    const large = await post(`${small.url}/decode`, { payloads: [{ data: base64(randomBytes(2048)) }] });
    expect(large.status).toBe(413);
    expect(((await large.json()) as { error: string }).error).toBe('request body is larger than 1024 bytes');

    expect((await post(`${open.url}/status`, {})).status).toBe(404);
    expect((await fetch(`${open.url}/decode`, { headers: { origin } })).status).toBe(405);
  });

  it('returns what it cannot decrypt unchanged and logs the key id, never a payload', async () => {
    const [foreign] = await codecWith({ k9: key() }, 'k9').encode([
      defaultPayloadConverter.toPayload(contact),
    ]);
    const foreignJson = payloadJson(foreign!);
    const [mine] = await codec.encode([defaultPayloadConverter.toPayload(contact)]);
    const response = await post(`${open.url}/decode`, { payloads: [foreignJson, payloadJson(mine!)] });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-codec-undecodable')).toBe('1');
    expect(await response.json()).toEqual({ payloads: [foreignJson, plainJson] });
    expect(logged.join('\n')).toContain('unknown encryption key id "k9"');
    for (const value of personalStrings) expect(logged.join('\n')).not.toContain(value);
  });
});
