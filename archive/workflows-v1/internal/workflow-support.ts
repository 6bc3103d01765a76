/**
 * Small workflow-side helpers shared by every workflow: input validation that fails fast, the
 * activity proxy with its retry policy, idempotency keys and time.
 */
import { ActivityFailure, ApplicationFailure, type ActivityOptions } from '@temporalio/common';
import { allHandlersFinished, condition, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { z } from 'zod';
import type { Activities } from '../../../activities/types';
import {
  addWorkingTime,
  CalendarError,
  nextOpening,
  type BusinessCalendar,
} from '../definitions/business-hours';
import { FailureType } from '../definitions/errors';
import { check } from '../definitions/validation';

/** Workflow time as an ISO string (the sandbox's clock is deterministic). */
export function nowIso(): string {
  return new Date().toISOString();
}

/**
 * Parses a workflow input; a wrong one fails the workflow at once, non-retryably, with every
 * problem named (retrying cannot fix a bad input, and a stuck task would hide it).
 */
export function parseWorkflowInput<S extends z.ZodType>(
  schema: S,
  input: unknown,
  workflowType: string,
): z.output<S> {
  const checked = check(schema, input);
  if (checked.ok) return checked.value;
  throw invalidInput(workflowType, checked.problems);
}

/** The failure of a workflow whose input cannot work: non-retryable, every problem named. */
export function invalidInput(workflowType: string, problems: readonly string[]): ApplicationFailure {
  return ApplicationFailure.create({
    type: FailureType.InvalidWorkflowInput,
    message: `Invalid ${workflowType} input: ${problems.join('; ')}`,
    details: [{ problems }],
    nonRetryable: true,
  });
}

/** A stretch of business time a policy asks for, named by its field in the input. */
export interface BusinessSpan {
  field: string;
  ms: number;
}

/**
 * Problems of a calendar the schema accepts but time cannot honour: no working time for years
 * (every working day a holiday) or a business-hours window longer than the calendar holds in ten
 * years. Checked at start so the input is refused with the field named; otherwise the deadline
 * computation would throw inside a later workflow task and retry forever.
 */
export function calendarProblems(
  calendar: BusinessCalendar,
  calendarField: string,
  spans: readonly BusinessSpan[],
  now: string,
): string[] {
  try {
    nextOpening(now, calendar);
  } catch (error) {
    if (error instanceof CalendarError) return [`${calendarField}: ${error.message}`];
    throw error;
  }
  const problems: string[] = [];
  for (const { field, ms } of spans) {
    try {
      addWorkingTime(now, ms, calendar);
    } catch (error) {
      if (!(error instanceof CalendarError)) throw error;
      problems.push(`${field}: ${error.message}`);
    }
  }
  return problems;
}

/** Every `{ hours, basis: 'business' }` window inside a policy object, with its field path. */
export function businessWindows(value: unknown, path: string): BusinessSpan[] {
  if (typeof value !== 'object' || value === null) return [];
  const record = value as Record<string, unknown>;
  if (typeof record.hours === 'number' && record.basis === 'business') {
    return [{ field: path, ms: Math.round(record.hours * 3_600_000) }];
  }
  return Object.entries(record).flatMap(([key, child]) => businessWindows(child, `${path}.${key}`));
}

/**
 * Integrations retry with backoff for a day (a webhook target that is down for hours loses
 * nothing); a permanent refusal is not retried and lands in the timeline instead.
 */
export const ACTIVITY_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '24 hours',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '10 minutes',
    nonRetryableErrorTypes: [FailureType.IntegrationRejected],
  },
};

export const activities = proxyActivities<Activities>(ACTIVITY_OPTIONS);

/** `<workflow id>/<step>`: the same step of the same workflow always sends the same key. */
export function idempotencyKey(step: string): string {
  return `${workflowInfo().workflowId}/${step}`;
}

/** A short reason for the timeline when an activity gave up. */
export function failureMessage(error: unknown): string {
  if (error instanceof ActivityFailure && error.cause) return error.cause.message;
  return error instanceof Error ? error.message : String(error);
}

/** Milliseconds from workflow time to an instant, at least 1 ms (a zero timer is not a timer). */
export function msUntil(iso: string): number {
  return Math.max(1, Date.parse(iso) - Date.now());
}

/** "2 h 5 min" for details and summaries. */
export function formatDuration(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(Math.round(ms / 60_000));
  const days = Math.floor(rest / 1440);
  rest -= days * 1440;
  const hours = Math.floor(rest / 60);
  const minutes = rest - hours * 60;
  const parts = [
    days ? `${days} d` : '',
    hours ? `${hours} h` : '',
    minutes || (!days && !hours) ? `${minutes} min` : '',
  ];
  return sign + parts.filter(Boolean).join(' ');
}

/** "2026-11-23 09:00 UTC" */
export function formatInstant(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/**
 * Resolves once no signal or update handler is running, checked where it counts.
 *
 * `condition(allHandlersFinished)` is tested after each job of an activation, while the code
 * after it runs only once every job of that activation has been applied: an update delivered
 * later in the same activation has started its handler by then. Acting on the first answer
 * (continuing as new, completing) would leave that update accepted and never completed, its
 * effects carried into the next run and the update run again there. So the check is repeated
 * in the continuation, right before the caller acts.
 */
export async function whenNoHandlerRuns(): Promise<void> {
  do {
    await condition(allHandlersFinished);
  } while (!allHandlersFinished());
}
