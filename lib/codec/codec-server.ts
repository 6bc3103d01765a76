/**
 * A codec server: Temporal's remote codec protocol over plain `node:http`, so the Web UI (and
 * `temporal --codec-endpoint`) show decrypted payloads while the keys stay in this process.
 *
 * - `POST <anything>/encode` and `POST <anything>/decode` (only the last path segment counts, as
 *   the protocol asks), JSON body `{"payloads": [{"metadata": {"<key>": "<base64>"}, "data":
 *   "<base64>"}]}`: the protobuf JSON form of `temporal.api.common.v1.Payloads`, which is what
 *   the Web UI sends (bytes as base64 strings); the answer has the same shape.
 * - CORS is pinned to one origin (the Web UI's): its preflight is answered, a request from any
 *   other origin gets 403. Requests without an Origin (not from a browser) are served.
 * - With an auth token, every POST needs `authorization: Bearer <token>` (401 otherwise); the
 *   CORS preflight never carries it and is answered without.
 * - Bodies over the limit get 413, malformed JSON 400. `{}` (no payloads, as protobuf JSON writes
 *   an empty list) is answered with `{"payloads": []}`.
 * - A payload that cannot be decrypted (key id unknown here, wrong key) is returned unchanged,
 *   so the UI shows it still encrypted, with its `encryption-key-id`; the answer's
 *   `x-codec-undecodable` header counts them. It is logged by key id only.
 *
 * Nothing here logs payloads, keys or tokens.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { z } from 'zod';

export const DEFAULT_CODEC_PORT = 8234;
export const DEFAULT_CORS_ORIGIN = 'http://localhost:8233';
export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;
export const MIN_AUTH_TOKEN_LENGTH = 16;
const ALLOWED_METHODS = 'POST, OPTIONS';
const ALLOWED_HEADERS = 'content-type, x-namespace, authorization';
const PREFLIGHT_MAX_AGE_SECONDS = 600;

const { Payload: PayloadProto } = temporal.api.common.v1;

export interface CodecServerOptions {
  /** 0 picks a free port. */
  port: number;
  /** Bind address; loopback unless told otherwise. */
  host?: string;
  codec: PayloadCodec;
  /** The one origin browsers may call from, e.g. `http://localhost:8233`. */
  corsOrigin: string;
  /** When set, POSTs need `authorization: Bearer <authToken>`. */
  authToken?: string;
  maxBodyBytes?: number;
  /** Where the few operational lines go (never payloads); silent by default. */
  log?: (line: string) => void;
}

export interface RunningCodecServer {
  /** `http://localhost:<port>`: what to give the Web UI as its codec endpoint. */
  url: string;
  port: number;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** `scheme://host[:port]` and nothing else; a trailing slash is forgiven. */
export function normalizeOrigin(value: string): string | undefined {
  try {
    const url = new URL(value);
    const origin = url.origin;
    if (origin === 'null' || !/^https?:$/.test(url.protocol)) return undefined;
    return value.replace(/\/$/, '') === origin ? origin : undefined;
  } catch {
    return undefined;
  }
}

const ORIGIN_RULE = `must be one origin like ${DEFAULT_CORS_ORIGIN} (scheme, host and port; no path, no *)`;

/**
 * The codec server's settings. CJ_CODEC_CORS_ORIGIN has no default here: `npm start` allows its
 * own UI port, `npm run codec-server` http://localhost:8233.
 */
export const CodecServerSettings = z.object({
  CJ_CODEC_PORT: z
    .string()
    .regex(/^\d{1,5}$/, 'must be a port number (1-65535)')
    .transform(Number)
    .refine((port) => port >= 1 && port <= 65535, 'must be a port number (1-65535)')
    .default(DEFAULT_CODEC_PORT),
  CJ_CODEC_HOST: z.string().default('127.0.0.1'),
  CJ_CODEC_CORS_ORIGIN: z
    .string()
    .refine((value) => normalizeOrigin(value) !== undefined, ORIGIN_RULE)
    .transform((value) => normalizeOrigin(value)!)
    .optional(),
  CJ_CODEC_AUTH_TOKEN: z
    .string()
    .min(MIN_AUTH_TOKEN_LENGTH, `must be at least ${MIN_AUTH_TOKEN_LENGTH} characters`)
    .optional(),
});
export type CodecServerSettings = z.infer<typeof CodecServerSettings>;

const base64 = z.string().regex(/^[A-Za-z0-9+/_-]*={0,2}$/, 'must be a base64 string');
const PayloadJson = z.looseObject({
  metadata: z.record(z.string(), base64).nullish(),
  data: base64.nullish(),
});
// Protobuf JSON leaves out an empty repeated field: `{}` is a request with no payloads (the CLI
// sends it for a query without arguments), answered with none.
// A misspelt field is refused rather than read as "no payloads".
const PayloadsJson = z.strictObject({ payloads: z.array(PayloadJson).default([]) });

/** Protobuf JSON (bytes as base64) to a Payload. */
function fromJson(json: z.infer<typeof PayloadJson>): Payload {
  return PayloadProto.fromObject(json);
}

/** A Payload to protobuf JSON (bytes as base64, 64-bit numbers as strings). */
function toJson(payload: Payload): Record<string, unknown> {
  return PayloadProto.toObject(PayloadProto.fromObject(payload), { bytes: String, longs: String });
}

function sameSecret(given: string, expected: string): boolean {
  // Hashing first gives equal lengths, so the comparison takes the same time whatever is sent.
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const tooLarge = () =>
    new HttpError(413, `request body is larger than ${limit} bytes`, { connection: 'close' });
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      if (size > limit) return; // already refused: the rest is drained and dropped
      size += chunk.length;
      if (size > limit) {
        chunks.length = 0;
        reject(tooLarge());
      } else {
        chunks.push(chunk);
      }
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function parsePayloads(body: Buffer): Payload[] {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    // The parser's message would quote the body: payloads stay out of answers and logs.
    throw new HttpError(400, 'request body is not valid JSON; expected {"payloads": [...]}');
  }
  const parsed = PayloadsJson.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length > 0 ? issue.path.join('.') : 'body';
    throw new HttpError(
      400,
      `${where}: ${issue.message} (expected {"payloads": [{"metadata": {"<key>": "<base64>"}, "data": "<base64>"}]})`,
    );
  }
  return parsed.data.payloads.map(fromJson);
}

/** Starts the codec server; resolves once it listens. */
export async function startCodecServer(options: CodecServerOptions): Promise<RunningCodecServer> {
  const allowedOrigin = normalizeOrigin(options.corsOrigin);
  if (!allowedOrigin) {
    throw new Error(`corsOrigin must be an origin like ${DEFAULT_CORS_ORIGIN}, got ${options.corsOrigin}`);
  }
  const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const log = options.log ?? (() => undefined);
  const { codec, authToken } = options;

  const corsHeaders = (origin: string | undefined): Record<string, string> =>
    origin === allowedOrigin
      ? {
          'access-control-allow-origin': allowedOrigin,
          'access-control-allow-credentials': 'true',
          'access-control-expose-headers': 'x-codec-undecodable',
          vary: 'Origin',
        }
      : { vary: 'Origin' };

  const send = (
    response: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string | number>,
  ) => {
    const text = body === undefined ? '' : JSON.stringify(body);
    response.writeHead(status, {
      ...headers,
      'cache-control': 'no-store',
      ...(body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' }),
      'content-length': Buffer.byteLength(text),
    });
    response.end(text);
  };

  const decodeEach = async (payloads: Payload[]): Promise<{ payloads: Payload[]; undecodable: number }> => {
    try {
      return { payloads: await codec.decode(payloads), undecodable: 0 };
    } catch {
      // One bad payload must not hide the others: decode one by one, keep failures as they are.
      let undecodable = 0;
      const decoded = await Promise.all(
        payloads.map(async (payload) => {
          try {
            return (await codec.decode([payload]))[0]!;
          } catch (error) {
            undecodable++;
            log(`decode: payload left encrypted: ${(error as Error).message}`);
            return payload;
          }
        }),
      );
      return { payloads: decoded, undecodable };
    }
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const origin = request.headers.origin;
    const cors = corsHeaders(origin);
    if (origin !== undefined && origin !== allowedOrigin) {
      send(response, 403, { error: 'origin not allowed' }, cors);
      request.resume();
      return;
    }
    if (request.method === 'OPTIONS') {
      send(response, 204, undefined, {
        ...cors,
        'access-control-allow-methods': ALLOWED_METHODS,
        'access-control-allow-headers': ALLOWED_HEADERS,
        'access-control-max-age': String(PREFLIGHT_MAX_AGE_SECONDS),
      });
      request.resume();
      return;
    }
    const pathname = new URL(request.url ?? '/', 'http://codec').pathname;
    const operation = /\/(encode|decode)\/?$/.exec(pathname)?.[1] as 'encode' | 'decode' | undefined;
    if (!operation) throw new HttpError(404, 'not found: POST /encode or /decode');
    if (request.method !== 'POST') throw new HttpError(405, 'method not allowed', { allow: ALLOWED_METHODS });
    if (authToken) {
      const match = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? '');
      if (!match || !sameSecret(match[1]!.trim(), authToken)) {
        throw new HttpError(401, 'missing or wrong bearer token', { 'www-authenticate': 'Bearer' });
      }
    }
    const payloads = parsePayloads(await readBody(request, limit));
    let result: Payload[];
    let undecodable = 0;
    if (operation === 'encode') {
      result = await codec.encode(payloads);
    } else {
      ({ payloads: result, undecodable } = await decodeEach(payloads));
    }
    send(
      response,
      200,
      { payloads: result.map(toJson) },
      { ...cors, ...(undecodable > 0 ? { 'x-codec-undecodable': String(undecodable) } : {}) },
    );
  };

  const server = http.createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      const cors = corsHeaders(request.headers.origin);
      if (error instanceof HttpError) {
        send(response, error.status, { error: error.message }, { ...cors, ...error.headers });
        request.resume();
        return;
      }
      log(`${request.method ?? '?'} ${request.url ?? '?'} failed: ${(error as Error).name}`);
      if (!response.headersSent) send(response, 500, { error: 'codec failure' }, cors);
      else response.destroy();
    });
  });
  server.requestTimeout = 30_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';
  const local = ['127.0.0.1', '::1', 'localhost', '0.0.0.0', '::', ''].includes(host);
  return {
    url: `http://${local ? 'localhost' : host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
