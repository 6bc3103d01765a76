/**
 * The ingress's idempotency store: the first response to each `idempotency-key`, kept for a TTL
 * (24 h by default), so a retried webhook gets that response again and causes no second effect.
 *
 * - A key is bound to a fingerprint of its request (method, path and the JSON body in canonical
 *   form): the same key with another request is a conflict (the ingress answers 422).
 * - Concurrent requests with the same key wait for the first one and get its response.
 * - Responses with a status below 500 are kept. A 5xx (Temporal unavailable…) is not: the key is
 *   released and a retry is carried out afresh.
 * - In memory, optionally backed by a JSON-lines file (one record per line, appended before the
 *   response is sent) so a restart keeps the keys. The file is rewritten without expired records
 *   when the store opens and whenever it holds many more dead lines than live ones. One file per
 *   ingress process: instances must not share it.
 *
 * The store keeps response bodies (ids, stages, outcomes, problem sentences), never request
 * bodies: only their SHA-256 fingerprint.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export const DEFAULT_IDEMPOTENCY_TTL_MS = 24 * 3_600_000;
/** Expired entries are swept at most this often. */
const SWEEP_INTERVAL_MS = 60_000;
/** The file is compacted when it holds this many more lines than live records. */
const COMPACT_AFTER_DEAD_LINES = 10_000;

/** A response as the ingress sends it. */
export interface StoredResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

interface StoredRecord {
  key: string;
  fingerprint: string;
  response: StoredResponse;
  createdAt: number;
  expiresAt: number;
}

export type IdempotentOutcome =
  | { kind: 'fresh'; response: StoredResponse }
  | { kind: 'replayed'; response: StoredResponse }
  | { kind: 'conflict' };

export interface IdempotencyStoreOptions {
  /** JSON-lines file that survives restarts; memory only without it. */
  file?: string;
  /** How long a key is remembered (default 24 h). */
  ttlMs?: number;
  /** The clock (tests). */
  now?: () => number;
}

/** A request's fingerprint: SHA-256 over method, path and the canonical JSON of its body. */
export function requestFingerprint(method: string, requestPath: string, body: unknown): string {
  return createHash('sha256')
    .update(`${method.toUpperCase()} ${requestPath}\n${canonicalJson(body)}`)
    .digest('hex');
}

/** JSON with object keys sorted, so a re-serialised retry has the same fingerprint. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function isRecord(value: unknown): value is StoredRecord {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Partial<StoredRecord>;
  return (
    typeof record.key === 'string' &&
    typeof record.fingerprint === 'string' &&
    typeof record.expiresAt === 'number' &&
    typeof record.createdAt === 'number' &&
    typeof record.response === 'object' &&
    record.response !== null &&
    typeof record.response.status === 'number'
  );
}

export class IdempotencyStore {
  private readonly records = new Map<string, StoredRecord>();
  private readonly inFlight = new Map<string, { fingerprint: string; promise: Promise<StoredResponse> }>();
  private readonly ttlMs: number;
  private readonly now: () => number;
  private readonly file: string | undefined;
  private handle: fs.promises.FileHandle | undefined;
  /** Serialises appends and compactions so lines never interleave. */
  private writes: Promise<void> = Promise.resolve();
  private linesInFile = 0;
  private lastSweep = 0;
  private closed = false;

  private constructor(options: IdempotencyStoreOptions) {
    this.ttlMs = options.ttlMs ?? DEFAULT_IDEMPOTENCY_TTL_MS;
    this.now = options.now ?? Date.now;
    this.file = options.file;
    if (!Number.isFinite(this.ttlMs) || this.ttlMs <= 0) {
      throw new RangeError(`ttlMs must be a positive number, got ${this.ttlMs}`);
    }
  }

  /** A store in memory only. */
  static inMemory(options: Omit<IdempotencyStoreOptions, 'file'> = {}): IdempotencyStore {
    return new IdempotencyStore(options);
  }

  /**
   * Opens a store; with `file`, loads the records still alive from it (a torn last line from a
   * crash is skipped) and rewrites it without the dead ones.
   */
  static async open(options: IdempotencyStoreOptions = {}): Promise<IdempotencyStore> {
    const store = new IdempotencyStore(options);
    if (store.file) {
      await fs.promises.mkdir(path.dirname(store.file), { recursive: true });
      await store.load(store.file);
      await store.rewrite();
    }
    return store;
  }

  /** Live keys (tests, metrics). */
  get size(): number {
    this.sweep(true);
    return this.records.size;
  }

  /**
   * Runs `execute` once per key: a repeat with the same fingerprint gets the first response
   * (waiting for it when the first is still running); another fingerprint is a conflict.
   */
  async run(
    key: string,
    fingerprint: string,
    execute: () => Promise<StoredResponse>,
  ): Promise<IdempotentOutcome> {
    if (this.closed) throw new Error('the idempotency store is closed');
    this.sweep(false);
    const pending = this.inFlight.get(key);
    if (pending) {
      if (pending.fingerprint !== fingerprint) return { kind: 'conflict' };
      return { kind: 'replayed', response: await pending.promise };
    }
    const stored = this.records.get(key);
    if (stored && stored.expiresAt > this.now()) {
      return stored.fingerprint === fingerprint
        ? { kind: 'replayed', response: stored.response }
        : { kind: 'conflict' };
    }
    const promise = (async () => {
      const response = await execute();
      if (response.status < 500) await this.save(key, fingerprint, response);
      return response;
    })();
    this.inFlight.set(key, { fingerprint, promise });
    try {
      return { kind: 'fresh', response: await promise };
    } finally {
      this.inFlight.delete(key);
    }
  }

  /** Waits for pending writes and closes the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([...this.inFlight.values()].map((entry) => entry.promise));
    await this.writes;
    await this.handle?.close();
    this.handle = undefined;
  }

  private async save(key: string, fingerprint: string, response: StoredResponse): Promise<void> {
    const createdAt = this.now();
    const record: StoredRecord = { key, fingerprint, response, createdAt, expiresAt: createdAt + this.ttlMs };
    this.records.set(key, record);
    if (!this.file) return;
    await this.enqueue(async () => {
      const handle = await this.fileHandle();
      await handle.appendFile(`${JSON.stringify(record)}\n`, 'utf8');
      this.linesInFile += 1;
    });
  }

  private async load(file: string): Promise<void> {
    let text: string;
    try {
      text = await fs.promises.readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    const now = this.now();
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        continue;
      }
      if (isRecord(value) && value.expiresAt > now) this.records.set(value.key, value);
    }
  }

  /** Drops expired records from memory; compacts the file when it holds many dead lines. */
  private sweep(force: boolean): void {
    const now = this.now();
    if (!force && now - this.lastSweep < SWEEP_INTERVAL_MS) return;
    this.lastSweep = now;
    for (const [key, record] of this.records) {
      if (record.expiresAt <= now) this.records.delete(key);
    }
    if (this.file && this.linesInFile - this.records.size > COMPACT_AFTER_DEAD_LINES) {
      this.rewrite().catch(() => undefined);
    }
  }

  /** Writes the live records to a new file and swaps it in (atomically, by rename). */
  private async rewrite(): Promise<void> {
    const file = this.file;
    if (!file) return;
    await this.enqueue(async () => {
      const now = this.now();
      const live = [...this.records.values()].filter((record) => record.expiresAt > now);
      const temporary = `${file}.${process.pid}.tmp`;
      await fs.promises.writeFile(temporary, live.map((record) => `${JSON.stringify(record)}\n`).join(''), {
        encoding: 'utf8',
        mode: 0o600,
      });
      await this.handle?.close();
      this.handle = undefined;
      await fs.promises.rename(temporary, file);
      this.linesInFile = live.length;
    });
  }

  private async fileHandle(): Promise<fs.promises.FileHandle> {
    this.handle ??= await fs.promises.open(this.file!, 'a', 0o600);
    return this.handle;
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    const next = this.writes.then(task);
    // The chain continues after a failed write; the caller still sees the failure.
    this.writes = next.catch(() => undefined);
    return next;
  }
}
