/**
 * `npm run what-if`: how last month's cases would have fared under a candidate case policy.
 *
 *   npm run what-if -- --policy stricter-p3.json --from 2026-11-01 --to 2026-11-30
 *   npm run what-if -- --policy late-desk.json --days 30 --format html --out what-if.html
 *
 * The candidate is a JSON file in the shape of a case's `policy` input (see README, "What-if
 * policy replay"). Without `--policy` every case is replayed as it ran, which checks the replay.
 * Progress and the run time go to stderr; stdout holds only the comparison (or the file's path).
 */
import fs from 'node:fs';
import { z } from 'zod';
import { connectClient } from '../lib/temporal-client';
import { collectJournaledCases } from '../lib/what-if/collect';
import { compareOutcomes } from '../lib/what-if/engine';
import { renderWhatIfHtml, renderWhatIfJson, renderWhatIfTable } from '../lib/what-if/render';
import { CasePolicyOverrides } from '../workflows/after-sales-case/policy-overrides';
import { describeProblems } from '../workflows/kernel/validation';
import {
  dateOrInstant,
  progressPrinter,
  rangeOf,
  readOptions,
  runCommand,
  UsageError,
  wholeNumber,
  writeOutput,
} from './command-line';

export const DEFAULT_DAYS = 30;

export const USAGE = `Usage: npm run what-if -- [options]

  --policy <file>        the candidate case policy (JSON, the shape of a case's "policy" input);
                         without it, every case is replayed as it ran
  --from <date|instant>  first day (YYYY-MM-DD, a UTC day) or instant (ISO-8601 with offset)
  --to <date|instant>    last day, included (YYYY-MM-DD), or end instant, excluded; default now
  --days <n>             length of the range in days (default ${DEFAULT_DAYS}); with --from or --to alone
  --format <f>           table (default, stdout), json (stdout) or html (writes a file)
  --out <file>           write the comparison to this file (html default: what-if.html)
  --query <filter>       extra visibility filter for the cases, e.g. "AssignedTeam = 'quality-team'"
  --help                 this text
`;

const RawOptions = z.strictObject({
  policy: z.string().trim().min(1, 'must name a file').optional(),
  from: dateOrInstant.optional(),
  to: dateOrInstant.optional(),
  days: wholeNumber(1, 'days').optional(),
  format: z.enum(['table', 'json', 'html'], 'must be one of table, json, html').default('table'),
  out: z.string().trim().min(1, 'must name a file').optional(),
  query: z.string().trim().min(1, 'must not be empty').optional(),
  help: z.boolean().optional(),
});

export interface WhatIfOptions {
  candidate: CasePolicyOverrides;
  from: Date;
  to: Date;
  format: 'table' | 'json' | 'html';
  out?: string;
  query?: string;
  help: boolean;
}

/**
 * Reads the candidate policy file: JSON, valid for a case's `policy` input.
 *
 * @throws UsageError naming the file and each field that is wrong.
 */
export function readCandidate(file: string): CasePolicyOverrides {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`--policy: cannot read ${file}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--policy: ${file} is not JSON: ${(error as Error).message}`);
  }
  const parsed = CasePolicyOverrides.safeParse(json);
  if (!parsed.success) {
    throw new UsageError(
      `--policy: ${file} is not a case policy:\n${describeProblems(parsed.error)
        .map((problem) => `  ${problem}`)
        .join('\n')}`,
    );
  }
  return parsed.data;
}

/** @throws UsageError naming every wrong option, or what is wrong in the policy file. */
export function parseWhatIfOptions(argv: string[], now: Date = new Date()): WhatIfOptions {
  const o = readOptions(argv, RawOptions, USAGE);
  const { from, to } = rangeOf(o, now, DEFAULT_DAYS);
  return {
    candidate: o.policy ? readCandidate(o.policy) : {},
    from,
    to,
    format: o.format,
    out: o.out ?? (o.format === 'html' ? 'what-if.html' : undefined),
    query: o.query,
    help: o.help ?? false,
  };
}

export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  const started = performance.now();
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(USAGE);
    return;
  }
  const options = parseWhatIfOptions(argv);
  const { client, connection } = await connectClient();
  try {
    process.stderr.write(
      `replaying cases closed from ${options.from.toISOString()} to ${options.to.toISOString()}` +
        `${options.query ? ` where ${options.query}` : ''}\n`,
    );
    const collected = await collectJournaledCases(client, {
      from: options.from,
      to: options.to,
      extraQuery: options.query,
      onProgress: progressPrinter(process.stderr),
    });
    const report = compareOutcomes(collected.cases, options.candidate, {
      range: { from: options.from, to: options.to },
      withoutJournal: collected.withoutJournal,
      unreadable: collected.unreadable,
    });
    writeOutput(options, report, {
      html: (value) => renderWhatIfHtml(value),
      json: renderWhatIfJson,
      table: renderWhatIfTable,
    });
    process.stderr.write(
      `what-if: ${report.collection.replayed} cases replayed, ${report.changed.length} change outcome, ` +
        `${report.check.disagreements.length} disagree with their record, ` +
        `in ${((performance.now() - started) / 1000).toFixed(2)} s\n`,
    );
  } finally {
    await connection.close();
  }
}

if (require.main === module) runCommand('what-if', () => main());
