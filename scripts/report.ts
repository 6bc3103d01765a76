/**
 * `npm run report`: SLA compliance and satisfaction numbers from the closed `afterSalesCase`
 * workflows themselves, and the pre-sales figures (inquiries, conversion) from the journeys.
 *
 *   npm run report                                    # last 7 days, table on stdout
 *   npm run report -- --from 2026-11-01 --to 2026-11-23 --format html --out nov.html
 *   npm run report -- --days 30 --format json > report.json
 *
 * Progress and the run time go to stderr, so stdout holds only the report (or the file's path).
 * Connects like every command (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TLS, API key, profiles and
 * the payload codec keys; see lib/temporal-client.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { ConfigError } from '../lib/config';
import { generateReport } from '../lib/report/generate';
import { DEFAULT_MIN_ANSWERS, DEFAULT_NPS_TARGET, DEFAULT_REPEAT_WINDOW_DAYS } from '../lib/report/metrics';
import { renderHtml, renderJson, renderTable } from '../lib/report/render';
import { connectClient } from '../lib/temporal-client';

const DAY = 86_400_000;
export const DEFAULT_DAYS = 7;

export const USAGE = `Usage: npm run report -- [options]

  --from <date|instant>  first day (YYYY-MM-DD, a UTC day) or instant (ISO-8601 with offset)
  --to <date|instant>    last day, included (YYYY-MM-DD), or end instant, excluded; default now
  --days <n>             length of the range in days (default ${DEFAULT_DAYS}); with --from or --to alone
  --format <f>           table (default, stdout), json (stdout) or html (writes a file)
  --out <file>           write the report to this file (html default: report.html)
  --min-answers <n>      CSAT answers an area needs to be judged (default ${DEFAULT_MIN_ANSWERS})
  --nps-target <n>       an area with an NPS below this (and enough answers) is flagged too (default ${DEFAULT_NPS_TARGET})
  --repeat-days <n>      a case this close to an earlier one of the customer repeats it (default ${DEFAULT_REPEAT_WINDOW_DAYS})
  --query <filter>       extra visibility filter for the cases, e.g. "AssignedTeam = 'quality-team'"
  --journey-query <f>    extra visibility filter for the journeys (pre-sales), e.g. "Channel = 'phone'"
  --help                 this text
`;

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

const RawOptions = z.strictObject({
  from: dateOrInstant.optional(),
  to: dateOrInstant.optional(),
  days: wholeNumber(1, 'days').optional(),
  format: z.enum(['table', 'json', 'html'], 'must be one of table, json, html').default('table'),
  out: z.string().trim().min(1, 'must name a file').optional(),
  'min-answers': wholeNumber(1, 'answers').default(DEFAULT_MIN_ANSWERS),
  'repeat-days': wholeNumber(1, 'days').default(DEFAULT_REPEAT_WINDOW_DAYS),
  'nps-target': z
    .string()
    .regex(/^-?\d+$/, 'must be a whole number from -100 to 100')
    .transform(Number)
    .refine((n) => n >= -100 && n <= 100, 'must be a whole number from -100 to 100')
    .default(DEFAULT_NPS_TARGET),
  query: z.string().trim().min(1, 'must not be empty').optional(),
  'journey-query': z.string().trim().min(1, 'must not be empty').optional(),
  help: z.boolean().optional(),
});

export interface ReportOptions {
  from: Date;
  to: Date;
  format: 'table' | 'json' | 'html';
  /** Where to write the report; undefined: stdout (table, json). */
  out?: string;
  minAnswers: number;
  repeatWindowDays: number;
  npsTarget: number;
  query?: string;
  journeyQuery?: string;
  help: boolean;
}

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
 * Reads the command line. Without `--from`/`--to` the range is the `--days` (7) before `now`;
 * `--from` alone runs to now, or for `--days` when given; `--to` alone goes back `--days` (7).
 *
 * @throws UsageError naming every wrong option.
 */
export function parseReportOptions(argv: string[], now: Date = new Date()): ReportOptions {
  const o = readOptions(argv, RawOptions, USAGE);
  const { from, to } = rangeOf(o, now, DEFAULT_DAYS);
  return {
    from,
    to,
    format: o.format,
    out: o.out ?? (o.format === 'html' ? 'report.html' : undefined),
    minAnswers: o['min-answers'],
    repeatWindowDays: o['repeat-days'],
    npsTarget: o['nps-target'],
    query: o.query,
    journeyQuery: o['journey-query'],
    help: o.help ?? false,
  };
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

export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  const started = performance.now();
  const options = parseReportOptions(argv);
  if (options.help) {
    process.stdout.write(USAGE);
    return;
  }
  const { client, connection } = await connectClient();
  try {
    process.stderr.write(
      `listing cases closed from ${options.from.toISOString()} to ${options.to.toISOString()}` +
        `${options.query ? ` where ${options.query}` : ''}\n`,
    );
    const report = await generateReport(client, {
      from: options.from,
      to: options.to,
      extraQuery: options.query,
      journeyQuery: options.journeyQuery,
      minAnswers: options.minAnswers,
      repeatWindowDays: options.repeatWindowDays,
      npsTarget: options.npsTarget,
      onProgress: progressPrinter(process.stderr),
    });
    writeOutput(options, report, { html: renderHtml, json: renderJson, table: renderTable });
    if (report.collection.skipped > 0) {
      process.stderr.write(
        `${report.collection.skipped} results skipped (unreadable or invalid); see collection.skippedCases\n`,
      );
    }
    process.stderr.write(
      `report: ${report.collection.read} cases read, ${report.collection.skipped} skipped, ` +
        `${report.openCases.total} open` +
        (report.presales
          ? `; ${report.presales.journeys.listed} journeys listed (${report.presales.journeys.unreported} without pre-sales figures)`
          : '') +
        `, in ${((performance.now() - started) / 1000).toFixed(2)} s\n`,
    );
  } finally {
    await connection.close();
  }
}

if (require.main === module) runCommand('report', main);
