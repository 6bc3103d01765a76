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
import { z } from 'zod';
import { generateReport } from '../lib/report/generate';
import { DEFAULT_MIN_ANSWERS, DEFAULT_NPS_TARGET, DEFAULT_REPEAT_WINDOW_DAYS } from '../lib/report/metrics';
import { renderHtml, renderJson, renderTable } from '../lib/report/render';
import { connectClient } from '../lib/temporal-client';
import {
  dateOrInstant,
  progressPrinter,
  rangeOf,
  readOptions,
  runCommand,
  wholeNumber,
  writeOutput,
} from './command-line';

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
