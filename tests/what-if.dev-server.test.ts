/**
 * `npm run what-if` on the real dev server: three cases with a 10-second first reply, answered at
 * once, after 5 seconds and never, closed by ops; then the period replayed from their memos.
 * With the policy they ran under, the replay gives every recorded outcome back; a stricter
 * candidate (2.5 seconds) breaches the one answered after 5 seconds too, and only it changes.
 * The command prints the same, refuses a policy file with a wrong field naming it, and writes an
 * HTML page whose charts draw in headless Chromium.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { closedCasesQuery } from '../lib/report/collect';
import { collectJournaledCases, type JournaledCases } from '../lib/what-if/collect';
import { compareOutcomes, type WhatIfReport } from '../lib/what-if/engine';
import { agentRespondedSignal } from '../workflows/after-sales-case/contract';
import { closeCase, withCaseWorker } from './helpers/case-harness';
import { withReportPage } from './helpers/report-page';
import { runScript } from './helpers/scripts';
import { devServerEnvironment } from './helpers/temporal';

const seconds = (value: number) => ({ hours: value / 3600, basis: 'calendar' as const });
/** What the cases ran under: a 10-second first reply for P3, no QA draw. */
const RAN_UNDER = { firstReply: { P3: seconds(10) }, qaSampleRate: 0 };
const STRICTER = { firstReply: { P3: seconds(2.5) } };

const prefix = `C-WIF-${randomUUID().slice(0, 8)}`;
const filter = `CustomerId IN ('${prefix}-fast', '${prefix}-slow', '${prefix}-late')`;

let env: TestWorkflowEnvironment;
let range: { from: Date; to: Date };
let collected: JournaledCases;
const workflowIds: Record<'fast' | 'slow' | 'late', string> = { fast: '', slow: '', late: '' };

/**
 * Runs the three cases and reads them back, once, inside the first test that asks (the harness
 * and its polls belong to a test).
 */
let running: Promise<void> | undefined;
const casesClosed = () => (running ??= runCases());

async function runCases(): Promise<void> {
  const started = new Date();
  await withCaseWorker(env, async ({ start, waitFor }) => {
    const open = async (key: keyof typeof workflowIds, answerAfterMs?: number) => {
      const handle = await start({
        customerId: `${prefix}-${key}`,
        description: 'Router drops every hour',
        category: 'technical',
        channel: 'email',
        policy: RAN_UNDER,
      });
      workflowIds[key] = handle.workflowId;
      await waitFor(handle, (view) => view.clocks.some((clock) => clock.window === 'first-reply'));
      if (answerAfterMs !== undefined) {
        await new Promise((resolve) => setTimeout(resolve, answerAfterMs));
        await handle.signal(agentRespondedSignal, { agentId: 'agent-7' });
        await waitFor(handle, (view) => view.stage === 'in-progress');
      } else {
        await waitFor(handle, (view) => view.slaBreached);
      }
      await closeCase(handle);
      return await handle.result();
    };
    const results = await Promise.all([open('fast', 0), open('slow', 5_000), open('late')]);
    expect(results.map((result) => result.breachedWindows)).toEqual([[], [], ['first-reply']]);
  });
  range = { from: new Date(started.getTime() - 60_000), to: new Date(Date.now() + 60_000) };
  await expect
    .poll(
      async () => (await env.client.workflow.count(closedCasesQuery(range.from, range.to, filter))).count,
      {
        timeout: 20_000,
      },
    )
    .toBe(3);
  collected = await collectJournaledCases(env.client, { ...range, extraQuery: filter });
}

beforeAll(async () => {
  env = await devServerEnvironment();
});

afterAll(async () => {
  await env?.teardown();
});

const byKey = (report: WhatIfReport) =>
  Object.fromEntries(
    Object.entries(workflowIds).map(([key, id]) => [key, report.changed.find((c) => c.workflowId === id)]),
  );

describe('what-if on closed cases', () => {
  // Asserts the numbers of docs/rules.md OU-1.
  it('replayed with the policy they ran under, gives every recorded outcome back, window by window', async () => {
    await casesClosed();
    expect(collected.cases).toHaveLength(3);
    expect(collected.withoutJournal).toBe(0);
    for (const entry of collected.cases) {
      expect(entry.journal.overrides?.firstReply?.P3).toEqual(seconds(10));
      expect(entry.journal.entries[0]).toMatchObject({
        op: 'start',
        window: 'first-reply',
        key: 'firstReply.P3',
      });
    }
    const report = compareOutcomes(collected.cases, {}, { ...collected, range });
    expect(report.check).toEqual({ cases: 3, agreeing: 3, disagreements: [] });
    expect(report.changed).toEqual([]);
    expect(report.totals.actual).toEqual(report.totals.candidate);
    expect(report.totals.actual).toMatchObject({ cases: 3, breaches: 1, escalatedCases: 1 });
  });

  // Asserts the numbers of docs/rules.md OU-1.
  it('under a stricter first reply (2.5 s), the case answered after 5 s breaches too, and nothing else changes', async () => {
    await casesClosed();
    const report = compareOutcomes(collected.cases, STRICTER, { ...collected, range });
    expect(report.check.disagreements).toEqual([]);
    expect(report.totals.actual.breaches).toBe(1);
    expect(report.totals.candidate.breaches).toBe(2);
    expect(report.totals.candidate.escalatedCases).toBe(2);
    // Grouped by the team a case closed with: the late one went to the specialists at its breach.
    expect(report.byTeam).toMatchObject({
      'senior-engineers': { actual: { cases: 2, breaches: 0 }, candidate: { cases: 2, breaches: 1 } },
      'specialist-team': { actual: { cases: 1, breaches: 1 }, candidate: { cases: 1, breaches: 1 } },
    });
    expect(byKey(report)).toEqual({
      fast: undefined,
      slow: expect.objectContaining({ actual: [], candidate: ['first-reply'], priority: 'P3' }),
      late: undefined,
    });
  });
});

describe('npm run what-if', () => {
  const rangeArgs = () => [
    '--from',
    range.from.toISOString(),
    '--to',
    range.to.toISOString(),
    '--query',
    filter,
  ];
  const policyFile = (name: string, policy: unknown) => {
    const file = path.join(inject('temporal').runDir, name);
    fs.writeFileSync(file, JSON.stringify(policy));
    return file;
  };

  it('--format json prints the comparison the library computes; the table names the changed case', async () => {
    await casesClosed();
    const file = policyFile('stricter.json', STRICTER);
    const json = await runScript('what-if', ['--policy', file, '--format', 'json', ...rangeArgs()]);
    expect(json.stderr).not.toContain('what-if failed');
    expect(json.code).toBe(0);
    const printed = JSON.parse(json.stdout) as WhatIfReport;
    const expected = compareOutcomes(collected.cases, STRICTER, { ...collected, range });
    expect({ ...printed, generatedAt: '' }).toEqual({ ...expected, generatedAt: '' });
    expect(json.stderr).toMatch(
      /what-if: 3 cases replayed, 1 change outcome, 0 disagree with their record, in [\d.]+ s/,
    );

    const table = await runScript('what-if', ['--policy', file, ...rangeArgs()]);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain(
      'Replayed with the budgets they recorded, all 3 cases give their recorded outcome back.',
    );
    expect(table.stdout).toMatch(/Breaches\s+1\s+2\s+\+1/);
    expect(table.stdout).toContain(workflowIds.slow);
  });

  it('refuses a candidate with a wrong field, naming it, before reading any case', async () => {
    await casesClosed();
    const file = policyFile('wrong.json', { firstReply: { P3: { hours: -1, basis: 'calendar' } } });
    const run = await runScript('what-if', ['--policy', file, ...rangeArgs()]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`--policy: ${file} is not a case policy:`);
    expect(run.stderr).toContain('firstReply.P3.hours');
    expect(run.stdout).toBe('');
  });

  it('--format html writes a self-contained page whose charts draw and whose table lists the changed case', async () => {
    await casesClosed();
    const out = path.join(inject('temporal').runDir, 'what-if.html');
    const run = await runScript('what-if', [
      '--policy',
      policyFile('stricter-html.json', STRICTER),
      '--format',
      'html',
      '--out',
      out,
      ...rangeArgs(),
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe(out);
    await withReportPage(out, async (page) => {
      expect(await page.getByTestId('what-if-check').getAttribute('data-agreeing')).toBe('3');
      expect(await page.getByTestId('kpi-what-if-breaches').locator('.kpi-value').textContent()).toBe(
        '1 → 2',
      );
      expect(await page.getByTestId('what-if-changed-row').getAttribute('data-workflow-id')).toBe(
        workflowIds.slow,
      );
    });
  });
});
