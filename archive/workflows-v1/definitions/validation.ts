/**
 * Turning zod issues into sentences an ops person understands.
 *
 * Used by workflow inputs (a failed start lists every problem), update validators (the caller
 * sees why the update was rejected), signal handlers (the rejection lands in the timeline), the
 * client helpers and the webhook ingress (400 responses). Each problem names the field.
 */
import type { z } from 'zod';

/** One problem with one field, e.g. `severity: must be one of cosmetic, function-failure, …`. */
export type Problem = string;

function fieldName(path: readonly PropertyKey[]): string {
  return path.length === 0 ? 'input' : path.map((part) => String(part)).join('.');
}

function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'is required';
      return `must be ${issue.expected === 'object' ? 'a JSON object' : `a ${issue.expected}`}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((value) => String(value)).join(', ')}`;
    case 'unrecognized_keys':
      return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`;
    case 'invalid_union':
      return issue.message && !issue.message.startsWith('Invalid input')
        ? issue.message
        : 'has an unsupported shape';
    default:
      return issue.message;
  }
}

/** Every problem in a zod error, one sentence per field. */
export function describeProblems(error: z.ZodError): Problem[] {
  return error.issues.map((issue) => `${fieldName(issue.path)}: ${describeIssue(issue)}`);
}

export type Checked<T> = { ok: true; value: T } | { ok: false; problems: Problem[] };

/** Parses without throwing; the problems are ready to show. */
export function check<S extends z.ZodType>(schema: S, value: unknown): Checked<z.output<S>> {
  // reportInput lets the messages tell "is required" from "must be a …"; the inputs stay in
  // the issues and are never logged.
  const result = schema.safeParse(value, { reportInput: true });
  return result.success
    ? { ok: true, value: result.data }
    : { ok: false, problems: describeProblems(result.error) };
}

/** The error thrown by clients and validators: its message lists every problem. */
export class ValidationError extends Error {
  override readonly name = 'ValidationError';
  constructor(
    readonly subject: string,
    readonly problems: Problem[],
  ) {
    super(`Invalid ${subject}: ${problems.join('; ')}`);
  }
}

/**
 * A request that is well formed but not possible now (wrong stage, already done…). Thrown by
 * update validators; the message states the rule, never the caller's data, so it is shown
 * unencrypted (see lib/codec/failure-converter.ts).
 */
export class RuleViolation extends Error {
  override readonly name = 'RuleViolation';
}

/** Errors whose messages describe fields and rules only, never values: safe to show in plain text. */
export const PUBLIC_ERROR_NAMES: readonly string[] = ['ValidationError', 'RuleViolation'];

/** Parses or throws a {@link ValidationError} naming every field problem. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, subject: string): z.output<S> {
  const checked = check(schema, value);
  if (!checked.ok) throw new ValidationError(subject, checked.problems);
  return checked.value;
}
