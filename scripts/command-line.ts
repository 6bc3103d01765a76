/**
 * What every command line of the project shares (`npm run report`, `npm run what-if`): options
 * read into a schema with every wrong one named, a date range, progress on stderr, the output in
 * a chosen format, and the exit codes (2 for a wrong command line or setting, 1 for a failure).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { ConfigError } from '../lib/config';

const DAY = 86_400_000;

/** A wrong command line; the message names every wrong option. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const dateOrInstant = z.union(
  [z.iso.date(), z.iso.datetime({ offset: true })],
  'must be a date (YYYY-MM-DD) or an ISO-8601 instant with offset (2026-11-01T08:00:00+08:00)',
);
export const wholeNumber = (least: number, unit: string) =>
  z
    .string()
    .regex(/^\d+$/, `must be a whole number of ${unit}`)
    .transform(Number)
    .refine((n) => n >= least, `must be at least ${least}`);

const isDate = (value: string) => /^\d{4}-\d{2}-\d{2}$/.test(value);
/** A `--from` value: a date is the start of that UTC day. */
const startOf = (value: string) => new Date(isDate(value) ? `${value}T00:00:00Z` : value);
/** A `--to` value: a date is included, so the range ends at the start of the next UTC day. */
const endOf = (value: string) =>
  isDate(value) ? new Date(Date.parse(`${value}T00:00:00Z`) + DAY) : new Date(value);

/**
 * Reads a command line of `--name value` options (and a boolean `--help`) into `schema`.
 *
 * @throws UsageError naming an unknown option, or every wrong one.
 */
export function readOptions<T extends z.ZodObject>(argv: string[], schema: T, usage: string): z.output<T> {
  const options = Object.fromEntries(
    Object.keys(schema.shape).map((name) => [
      name,
      name === 'help' ? { type: 'boolean' as const, short: 'h' } : { type: 'string' as const },
    ]),
  );
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    // "Unknown option '--form'. To specify a positional argument…": the first sentence is enough.
    throw new UsageError(`${(error as Error).message.split('. ')[0]!.replace(/\.$/, '')}\n\n${usage}`);
  }
  const parsed = schema.safeParse(values);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `--${issue.path.join('.')}: ${issue.message}`);
    throw new UsageError(`Invalid options:\n${problems.map((problem) => `  ${problem}`).join('\n')}`);
  }
  return parsed.data;
}

/**
 * The range of `--from`, `--to` and `--days`: without `--from`/`--to`, the `--days` (default
 * `defaultDays`) before `now`; `--from` alone runs to now, or for `--days` when given; `--to`
 * alone goes back `--days`.
 *
 * @throws UsageError when the three are combined or the range is empty.
 */
export function rangeOf(
  o: { from?: string; to?: string; days?: number },
  now: Date,
  defaultDays: number,
): { from: Date; to: Date } {
  if (o.from && o.to && o.days !== undefined) {
    throw new UsageError('Invalid options:\n  --days: cannot be combined with both --from and --to');
  }
  const days = (o.days ?? defaultDays) * DAY;
  let from: Date;
  let to: Date;
  if (o.from && o.to) [from, to] = [startOf(o.from), endOf(o.to)];
  else if (o.from) {
    from = startOf(o.from);
    to = o.days !== undefined ? new Date(from.getTime() + days) : now;
  } else if (o.to) {
    to = endOf(o.to);
    from = new Date(to.getTime() - days);
  } else [from, to] = [new Date(now.getTime() - days), now];
  if (!(from.getTime() < to.getTime())) {
    throw new UsageError(
      `Invalid options:\n  --from: must be before --to (the range is ${from.toISOString()} to ${to.toISOString()})`,
    );
  }
  return { from, to };
}

/**
 * Progress on stderr: a bar rewritten in place on a terminal, a line per tenth otherwise. Cases
 * whose figures are in their memo come page by page; older ones one history at a time.
 */
export function progressPrinter(stream: NodeJS.WriteStream): (done: number, total: number) => void {
  const width = 30;
  let lastTenth = -1;
  return (done, total) => {
    const share = total === 0 ? 1 : Math.min(1, done / total);
    if (stream.isTTY) {
      const filled = Math.round(share * width);
      stream.write(
        `\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} cases read` +
          `${done === total ? '\n' : ''}`,
      );
      return;
    }
    const tenth = Math.floor(share * 10);
    if (tenth <= lastTenth) return;
    lastTenth = tenth;
    stream.write(`cases read ${done}/${total}\n`);
  };
}

/**
 * Renders `value` in the chosen format and writes it to `out` (its path then goes to stdout), or
 * to stdout itself.
 */
export function writeOutput<T>(
  options: { format: 'table' | 'json' | 'html'; out?: string },
  value: T,
  render: Record<'table' | 'json' | 'html', (value: T) => string>,
): void {
  const output = render[options.format](value);
  if (options.out) {
    const file = path.resolve(options.out);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, output);
    process.stdout.write(`${file}\n`);
  } else {
    process.stdout.write(output);
  }
}

/** Runs a command's `main`: a wrong command line or setting exits 2 with its message, a failure 1. */
export function runCommand(name: string, main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    if (error instanceof UsageError || error instanceof ConfigError) {
      console.error(error.message);
      process.exitCode = 2;
      return;
    }
    console.error(`${name} failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
}
