/**
 * The local default of `IntegrationGateway`: nothing leaves the machine; every request is recorded
 * as one JSON line in `<dir>/<system>.jsonl`, once per idempotency key:
 *
 *   {"key":"…","operation":"notify-customer","payload":{…},"recordedAt":"2025-01-01T09:00:00.000Z"}
 *
 * A repeated key is not written again and answers `duplicate: true` with the same body, so a
 * retried activity behaves as it would against a deduplicating receiver. The body's id is derived
 * from system and key only (`<system>-<first 12 hex of sha256(key)>`), so it survives retries and
 * restarts.
 *
 * Appends to one file are serialised within the process (across every OutboxGateway instance) by
 * a promise chain. Before each append the gateway reads whatever the file gained since it last
 * looked, so it knows keys written before a restart or by another instance; a torn last line (a
 * crash mid-write) is skipped and the next entry starts on a new line. One process per outbox
 * folder: there is no lock between processes.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  assertValidRequest,
  SYSTEMS,
  type GatewayRequest,
  type GatewayResult,
  type IntegrationGateway,
  type SystemName,
} from './gateway';

/** One line of `<dir>/<system>.jsonl`. */
export interface OutboxEntry {
  key: string;
  operation: string;
  payload: Record<string, unknown>;
  recordedAt: string;
}

export interface OutboxGatewayOptions {
  /** The outbox folder; created on first write. */
  dir: string;
  /** Clock for `recordedAt` (tests pass a fixed one). */
  now?: () => Date;
}

/** The file a system's requests are recorded in. */
export function outboxFile(dir: string, system: SystemName): string {
  if (!(SYSTEMS as readonly string[]).includes(system)) throw new TypeError(`unknown system "${system}"`);
  return path.join(path.resolve(dir), `${system}.jsonl`);
}

/** The id the outbox answers for a key: deterministic, so a retried activity gets the same one. */
export function outboxId(system: SystemName, idempotencyKey: string): string {
  return `${system}-${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 12)}`;
}

/** What one gateway knows of one file. */
interface FileState {
  keys: Set<string>;
  /** Bytes of the file read so far, always at a line boundary. */
  offset: number;
  /** The file ends without a newline (a torn write): the next entry must start a new line. */
  tornTail: boolean;
}

/** The tail of each file's queue of appends, shared by every gateway in this process. */
const fileQueues = new Map<string, Promise<void>>();

/** Runs `task` after every earlier task on the same file has settled. */
function serialised<T>(file: string, task: () => Promise<T>): Promise<T> {
  const previous = fileQueues.get(file) ?? Promise.resolve();
  const result = previous.then(task);
  const tail = result.then(
    () => undefined,
    () => undefined,
  );
  fileQueues.set(file, tail);
  void tail.then(() => {
    if (fileQueues.get(file) === tail) fileQueues.delete(file);
  });
  return result;
}

export class OutboxGateway implements IntegrationGateway {
  readonly dir: string;
  private readonly now: () => Date;
  private readonly files = new Map<string, FileState>();

  constructor(options: OutboxGatewayOptions) {
    this.dir = path.resolve(options.dir);
    this.now = options.now ?? (() => new Date());
  }

  async send(request: GatewayRequest): Promise<GatewayResult> {
    assertValidRequest(request);
    const file = outboxFile(this.dir, request.system);
    const duplicate = await serialised(file, () => this.record(file, request));
    return {
      status: 'accepted',
      body: { id: outboxId(request.system, request.idempotencyKey) },
      duplicate,
    };
  }

  /** Appends the request unless its key is already in the file; true when it was. */
  private async record(file: string, request: GatewayRequest): Promise<boolean> {
    const state = await this.catchUp(file);
    if (state.keys.has(request.idempotencyKey)) return true;
    const entry: OutboxEntry = {
      key: request.idempotencyKey,
      operation: request.operation,
      payload: request.payload,
      recordedAt: this.now().toISOString(),
    };
    const line = `${state.tornTail ? '\n' : ''}${JSON.stringify(entry)}\n`;
    await fs.promises.mkdir(path.dirname(file), { recursive: true });
    await fs.promises.appendFile(file, line, 'utf8');
    // The next catchUp reads this line back (with anything else appended meanwhile).
    state.keys.add(entry.key);
    return false;
  }

  /** Reads what the file gained since this gateway last looked and returns the keys it holds. */
  private async catchUp(file: string): Promise<FileState> {
    let state = this.files.get(file);
    if (!state) {
      state = { keys: new Set(), offset: 0, tornTail: false };
      this.files.set(file, state);
    }
    let handle: fs.promises.FileHandle;
    try {
      handle = await fs.promises.open(file, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      // No file (yet, or removed to reset the outbox): nothing has been recorded.
      Object.assign(state, { keys: new Set(), offset: 0, tornTail: false });
      return state;
    }
    try {
      const { size } = await handle.stat();
      if (size < state.offset) Object.assign(state, { keys: new Set(), offset: 0 }); // truncated
      const length = size - state.offset;
      if (length > 0) {
        const buffer = Buffer.alloc(length);
        let read = 0;
        while (read < length) {
          const { bytesRead } = await handle.read(buffer, read, length - read, state.offset + read);
          if (bytesRead === 0) break;
          read += bytesRead;
        }
        const chunk = buffer.subarray(0, read);
        const complete = chunk.lastIndexOf(0x0a) + 1;
        for (const entry of parseLines(chunk.subarray(0, complete).toString('utf8')))
          state.keys.add(entry.key);
        // An unterminated last line still counts when it is a whole entry; a torn one is skipped.
        for (const entry of parseLines(chunk.subarray(complete).toString('utf8'))) state.keys.add(entry.key);
        state.offset += complete;
        state.tornTail = complete < chunk.length;
      } else {
        state.tornTail = false;
      }
      return state;
    } finally {
      await handle.close();
    }
  }
}

/**
 * Every entry recorded for a system, oldest first (an empty list when there is no file). Lines
 * that are not whole entries, such as a torn last line, are skipped.
 */
export function readOutbox(dir: string, system: SystemName): OutboxEntry[] {
  try {
    return parseLines(fs.readFileSync(outboxFile(dir, system), 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

function parseLines(text: string): OutboxEntry[] {
  const entries: OutboxEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const value: unknown = JSON.parse(line);
      if (isEntry(value)) entries.push(value);
    } catch {
      // a torn or foreign line: not an entry
    }
  }
  return entries;
}

function isEntry(value: unknown): value is OutboxEntry {
  if (typeof value !== 'object' || value === null) return false;
  const entry = value as Record<string, unknown>;
  return (
    typeof entry.key === 'string' &&
    typeof entry.operation === 'string' &&
    typeof entry.recordedAt === 'string' &&
    typeof entry.payload === 'object' &&
    entry.payload !== null
  );
}
