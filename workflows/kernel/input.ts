/**
 * Workflow inputs that fail fast: a wrong input fails the workflow at once, non-retryably, with
 * every problem named (retrying cannot fix a bad input, and a stuck task would hide it).
 */
import { ApplicationFailure } from '@temporalio/common';
import type { z } from 'zod';
import { addWorkingTime, CalendarError, nextOpening, type BusinessCalendar } from './business-hours';
import { FailureType } from './errors';
import { check } from './validation';

/** Parses a workflow input or throws the non-retryable failure naming every problem. */
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

/** Refuses an input whose calendar cannot hold the business-time spans it asks for. */
export function assertWorkableCalendar(
  workflowType: string,
  calendar: BusinessCalendar,
  calendarField: string,
  spans: readonly BusinessSpan[],
  now: string,
): void {
  const problems = calendarProblems(calendar, calendarField, spans, now);
  if (problems.length > 0) throw invalidInput(workflowType, problems);
}
