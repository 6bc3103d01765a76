/**
 * AES-256-GCM payload encryption, so that nothing personal (names, phone numbers, e-mails in
 * workflow inputs and results) reaches the Temporal server in plain text.
 *
 * Each payload is encrypted on its own:
 *
 * 1. the original payload (metadata and data) is serialized with the `temporal.api.common.v1.Payload`
 *    protobuf, so its metadata (encoding, message type, …) is encrypted too;
 * 2. those bytes are encrypted with AES-256-GCM under the active key and a fresh random 12-byte IV;
 * 3. the stored payload is
 *
 *    ```
 *    metadata: { encoding: "binary/encrypted", encryption-key-id: "<key id>" }
 *    data:     IV (12 bytes) || ciphertext (as long as the serialized payload) || GCM tag (16 bytes)
 *    ```
 *
 * Decoding picks the key named by `encryption-key-id`, so a codec holding several keys reads
 * histories written before a key rotation. Payloads whose encoding is not `binary/encrypted`
 * (histories from before encryption was turned on) pass through unchanged.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

/** `encoding` metadata value of an encrypted payload. */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
/** Metadata key naming the key a payload was encrypted with. */
export const KEY_ID_METADATA = 'encryption-key-id';
/** AES-256 keys are 32 bytes. */
export const KEY_BYTES = 32;
/** GCM's recommended IV length. */
export const IV_BYTES = 12;
/** Full-length GCM authentication tag. */
export const TAG_BYTES = 16;
/** Key ids appear in metadata, settings and error messages: short and plain. */
export const KEY_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

const ALGORITHM = 'aes-256-gcm';
const { Payload: PayloadProto } = temporal.api.common.v1;

export interface EncryptionCodecOptions {
  /** Every key that may have encrypted a stored payload, by id; each exactly 32 bytes. */
  keys: ReadonlyMap<string, Uint8Array>;
  /** The key new payloads are encrypted with; one of `keys`. */
  activeKeyId: string;
}

const utf8 = (bytes: Uint8Array | null | undefined): string | undefined =>
  bytes ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8') : undefined;

/** A PayloadCodec encrypting every payload with AES-256-GCM under the active key. */
export class EncryptionCodec implements PayloadCodec {
  readonly activeKeyId: string;
  // Private, so the key material never shows up in util.inspect, console.log or JSON.
  readonly #keys: ReadonlyMap<string, Buffer>;

  /** @throws Error naming the wrong key id (never the key material). */
  constructor(options: EncryptionCodecOptions) {
    const keys = new Map<string, Buffer>();
    for (const [id, key] of options?.keys ?? []) {
      if (!KEY_ID_PATTERN.test(id)) {
        throw new Error(
          `EncryptionCodec: key id ${JSON.stringify(id)} must be 1-64 letters, digits, ".", "_" or "-"`,
        );
      }
      if (!(key instanceof Uint8Array) || key.byteLength !== KEY_BYTES) {
        const length = key instanceof Uint8Array ? key.byteLength : typeof key;
        throw new Error(`EncryptionCodec: key "${id}" must be ${KEY_BYTES} bytes, got ${length}`);
      }
      keys.set(id, Buffer.from(key)); // a copy: later changes to the caller's buffer do not reach us
    }
    if (keys.size === 0) throw new Error('EncryptionCodec: at least one key is required');
    if (!keys.has(options.activeKeyId)) {
      throw new Error(
        `EncryptionCodec: active key id ${JSON.stringify(options.activeKeyId)} is not one of the keys (${[...keys.keys()].join(', ')})`,
      );
    }
    this.#keys = keys;
    this.activeKeyId = options.activeKeyId;
  }

  /** Ids of every key this codec can decrypt with. */
  get keyIds(): string[] {
    return [...this.#keys.keys()];
  }

  encode(payloads: Payload[]): Promise<Payload[]> {
    const key = this.#keys.get(this.activeKeyId)!;
    return Promise.resolve(
      payloads.map((payload) => {
        const iv = randomBytes(IV_BYTES);
        const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
        const plaintext = PayloadProto.encode(payload).finish();
        const data = Buffer.concat([iv, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
        return {
          metadata: {
            encoding: Buffer.from(ENCRYPTED_ENCODING),
            [KEY_ID_METADATA]: Buffer.from(this.activeKeyId),
          },
          data,
        };
      }),
    );
  }

  /** @throws Error naming the key id when a payload's key is unknown or does not decrypt it. */
  decode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.resolve(payloads.map((payload) => this.decodeOne(payload)));
  }

  private decodeOne(payload: Payload): Payload {
    if (utf8(payload.metadata?.encoding) !== ENCRYPTED_ENCODING) return payload;
    const keyId = utf8(payload.metadata?.[KEY_ID_METADATA]);
    if (!keyId) throw new Error(`encrypted payload has no "${KEY_ID_METADATA}" metadata`);
    const key = this.#keys.get(keyId);
    if (!key) {
      throw new Error(
        `unknown encryption key id ${JSON.stringify(keyId)}: this codec holds ${this.keyIds.join(', ')}; ` +
          'keep retired keys configured as long as histories encrypted with them exist',
      );
    }
    const data = payload.data ?? new Uint8Array();
    if (data.byteLength < IV_BYTES + TAG_BYTES) {
      throw new Error(`encrypted payload (key "${keyId}") is too short: ${data.byteLength} bytes`);
    }
    const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    const iv = bytes.subarray(0, IV_BYTES);
    const tag = bytes.subarray(bytes.length - TAG_BYTES);
    const ciphertext = bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES);
    let plaintext: Buffer;
    try {
      const decipher = createDecipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
      decipher.setAuthTag(tag);
      plaintext = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
    } catch {
      throw new Error(
        `encrypted payload (key "${keyId}") failed authentication: the key configured as "${keyId}" ` +
          'is not the one it was encrypted with, or the data was altered',
      );
    }
    return PayloadProto.decode(plaintext);
  }
}
