/**
 * Shared pieces of the reliability suites (crash-restart, fuzz, integration faults, personal
 * data): the quick/long switch, a test encryption key, and client calls that ride out a worker
 * or a server that is briefly gone.
 */
import { randomBytes } from 'node:crypto';
import {
  isGrpcServiceError,
  ServiceError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  type WorkflowHandle,
} from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import type { SendStep } from './journey-steps';
import { isContinuingAsNew } from '../../client';

/** `CJ_RELIABILITY_LONG=1` runs the long variants (more kills, more fuzzed messages). */
export const LONG = process.env.CJ_RELIABILITY_LONG === '1';

/** The quick value by default, the long one under `CJ_RELIABILITY_LONG=1`. */
export function quickOrLong<T>(quick: T, long: T): T {
  return LONG ? long : quick;
}

export async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/** `CJ_CODEC_KEYS` with one fresh random AES-256 key, for a worker process and its clients. */
export function testCodecKeys(keyId = 'reliability-test'): string {
  return `${keyId}:${randomBytes(32).toString('base64')}`;
}

/**
 * Calls `attempt` until it returns a value `accept` takes, retrying on errors (a query while no
 * worker runs, the server restarting…).
 *
 * @throws the last error (or a timeout naming `what`) after `timeoutMs`.
 */
export async function eventually<T>(
  what: string,
  attempt: () => Promise<T>,
  options: { timeoutMs?: number; intervalMs?: number; accept?: (value: T) => boolean } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  let last: unknown;
  let lastValue: T | undefined;
  for (;;) {
    try {
      const value = await attempt();
      if (!options.accept || options.accept(value)) return value;
      lastValue = value;
      last = undefined;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      const detail =
        last instanceof Error
          ? `last error: ${last.message}`
          : `last value: ${JSON.stringify(lastValue)?.slice(0, 500)}`;
      throw new Error(`timed out waiting for ${what} (${detail})`);
    }
    await sleep(options.intervalMs ?? 250);
  }
}

const RETRIED_GRPC_CODES = new Set([
  4, // DEADLINE_EXCEEDED
  14, // UNAVAILABLE
]);

/**
 * The server refuses updates while a workflow task is being retried (its worker died holding it):
 * FAILED_PRECONDITION, "Workflow Task in failed state"; an update already sent to that task is
 * aborted with "…due to unexpected workflow task failure". The next worker's task clears both.
 */
function workflowTaskRetrying(error: { code: number; details?: string; message?: string }): boolean {
  return (
    error.code === 9 &&
    /Workflow Task in failed state|unexpected workflow task failure/i.test(
      `${error.details ?? ''} ${error.message ?? ''}`,
    )
  );
}

/** True for errors a backend retries with the same update id: the call, not the update, failed. */
export function isTransientCallError(error: unknown): boolean {
  if (error instanceof WorkflowUpdateRPCTimeoutOrCancelledError) return true;
  if (isGrpcServiceError(error)) return RETRIED_GRPC_CODES.has(error.code) || workflowTaskRetrying(error);
  if (error instanceof ServiceError && isGrpcServiceError(error.cause)) {
    return RETRIED_GRPC_CODES.has(error.cause.code) || workflowTaskRetrying(error.cause);
  }
  return false;
}

/**
 * Executes an update the way a careful backend does: with its own update id, retried with the
 * same id when the call (not the update) fails, or when a journey refused it because it was
 * moving to its next run, so Temporal deduplicates it and the caller gets the one result even
 * across a worker crash, a server restart or a continue-as-new.
 */
export async function durableUpdate<Ret, Args extends [unknown, ...unknown[]]>(
  handle: WorkflowHandle,
  update: UpdateDefinition<Ret, Args>,
  args: Args,
  updateId: string,
  timeoutMs = 180_000,
): Promise<Ret> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await handle.executeUpdate(update, { args, updateId });
    } catch (error) {
      if (!(isTransientCallError(error) || isContinuingAsNew(error)) || Date.now() > deadline) throw error;
      await sleep(isContinuingAsNew(error) ? 50 : 500);
    }
  }
}

/** The shared journey steps sent durably, each with the update id `<workflow id>:<step>`. */
export const durably =
  (handle: WorkflowHandle): SendStep =>
  (step, update, arg) =>
    durableUpdate(handle, update, [arg], `${handle.workflowId}:${step}`);

/** Retries a signal whose call failed (server restarting); signals themselves are durable. */
export async function durableSignal(send: () => Promise<void>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await send();
    } catch (error) {
      if (!isTransientCallError(error) || Date.now() > deadline) throw error;
      await sleep(500);
    }
  }
}

/** A JSON value as the other side sees it after Temporal's JSON converter or an HTTP body. */
export function jsonRoundTrip(value: unknown): unknown {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

/** Seconds as the `hours` of a policy window. */
export function seconds(value: number): { hours: number; basis: 'calendar' } {
  return { hours: value / 3600, basis: 'calendar' };
}

/** A desk that is (almost) always open, so journey windows start at once whatever the hour. */
export const ALWAYS_OPEN_CALENDAR = {
  timeZone: 'UTC',
  workingDays: [1, 2, 3, 4, 5, 6, 7],
  opensAt: '00:00',
  closesAt: '23:59',
};

/** One line per fact, printed at the end of a suite (vitest shows console output per file). */
export function report(title: string, facts: Record<string, unknown>): void {
  const lines = Object.entries(facts).map(
    ([name, value]) => `  ${name}: ${typeof value === 'string' ? value : JSON.stringify(value)}`,
  );
  console.log(`\n[reliability] ${title}\n${lines.join('\n')}`);
}
