/**
 * The report's pre-sales figures on the real dev server: four journeys with known inquiries,
 * answers and decisions (one won, two lost, one still open), then the report read from the
 * visibility listing must show exactly what they did, in the numbers and in the HTML page as
 * headless Chromium shows it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { formatPercent, generateReport, renderHtml, renderTable, type Report } from '../lib/report';
import type { customerJourney } from '../workflows';
import {
  getJourneyQuery,
  inquiryAnsweredSignal,
  journeyWorkflowId,
  markLostUpdate,
  signContractUpdate,
  submitPresalesFeedbackUpdate,
  type JourneyInput,
  type JourneyView,
} from '../workflows/customer-journey/contract';
import { launchBrowser } from './helpers/browser';
import { ActivityRecorder } from './helpers/fake-activities';
import { toNegotiation, type JourneyHandle } from './helpers/journey-harness';
import { createTestWorker, devServerEnvironment, testNames } from './helpers/temporal';

let env: TestWorkflowEnvironment;
let report: Report;
let customers: string[];

/** Windows on calendar time around the clock, seconds long: the unanswered phone inquiry breaches while we wait. */
const policy: JourneyInput['policy'] = {
  // The desk never closes (a window would otherwise start at the next opening).
  calendar: {
    timeZone: 'UTC',
    workingDays: [1, 2, 3, 4, 5, 6, 7],
    opensAt: '00:00',
    closesAt: '23:59',
    holidays: [],
  },
  firstResponse: { email: '1h', phone: '2s' },
  inquiryBasis: { email: 'calendar', phone: 'calendar' },
};

beforeAll(async () => {
  env = await devServerEnvironment();
  const { taskQueue } = testNames();
  const tag = taskQueue.slice(-8);
  const worker = await createTestWorker(env, { taskQueue, activities: new ActivityRecorder().activities });
  const from = new Date(Date.now() - 60_000);
  await worker.runUntil(async () => {
    const start = (name: string, channel: 'email' | 'phone', owner: string) => {
      const customerId = `C-PS-${tag}-${name}`;
      return env.client.workflow.start<typeof customerJourney>('customerJourney', {
        taskQueue,
        workflowId: journeyWorkflowId(customerId),
        args: [{ customerId, channel, owner, inquiry: 'Interested', policy }],
      });
    };
    const waitFor = async (
      handle: JourneyHandle,
      done: (view: JourneyView) => boolean,
    ): Promise<JourneyView> => {
      let view = await handle.query(getJourneyQuery);
      // Generous: a window opened in the desk's one closed minute (23:59 UTC) waits for 00:00.
      const deadline = Date.now() + 90_000;
      while (!done(view)) {
        if (Date.now() > deadline)
          throw new Error(
            `journey ${handle.workflowId} did not get there: ${JSON.stringify(view.inquiries)}`,
          );
        await new Promise((resolve) => setTimeout(resolve, 100));
        view = await handle.query(getJourneyQuery);
      }
      return view;
    };
    // Won: answered in time, then the contract, with its reason; the survey answered.
    const won = await start('won', 'email', 'sales-1');
    await won.signal(inquiryAnsweredSignal, { agentId: 'sales-1' });
    await toNegotiation(won, waitFor);
    await won.executeUpdate(signContractUpdate, {
      args: [{ contractId: 'K-PS-1', terms: {}, winReason: 'product-fit' }],
    });
    await won.executeUpdate(submitPresalesFeedbackUpdate, {
      args: [{ csat: 4, speed: 5, understanding: 3, attitude: 4 }],
    });
    // Lost on price after the phone inquiry's 2-second window went by unanswered.
    const late = await start('late', 'phone', 'sales-2');
    await waitFor(late, (view) => view.firstResponse?.breached === true);
    await late.executeUpdate(markLostUpdate, { args: [{ reason: 'price' }] });
    // Lost to a competitor, answered in time.
    const competitor = await start('competitor', 'email', 'sales-2');
    await competitor.signal(inquiryAnsweredSignal, { agentId: 'sales-2' });
    await waitFor(competitor, (view) => view.firstResponse?.respondedAt !== undefined);
    await competitor.executeUpdate(markLostUpdate, { args: [{ reason: 'competitor' }] });
    // Still undecided, its e-mail window open.
    const open = await start('open', 'email', 'sales-1');
    await waitFor(open, (view) => view.firstResponse !== undefined);
    customers = ['won', 'late', 'competitor', 'open'].map((name) => `C-PS-${tag}-${name}`);
    const scope = `CustomerId IN (${customers.map((id) => `'${id}'`).join(', ')})`;
    // The listing shows each journey's latest memo once visibility has caught up.
    const deadline = Date.now() + 20_000;
    for (;;) {
      report = await generateReport(env.client, {
        from,
        to: new Date(Date.now() + 60_000),
        extraQuery: scope,
        journeyQuery: scope,
      });
      const p = report.presales!;
      if (
        (p.conversion.won === 1 && p.conversion.lost === 2 && p.satisfaction.answers === 1) ||
        Date.now() > deadline
      )
        break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    for (const handle of [late, competitor, open]) await handle.terminate('test finished');
    await won.terminate('test finished');
  });
});
afterAll(async () => {
  await env?.teardown();
});

/** Runs in the page (a string: the test's tsconfig has no DOM types). */
const CONVERSION_PROBE = `(() => {
  const chart = window.Chart.getChart('chart-conversion-by-channel');
  return chart ? { labels: chart.data.labels, data: chart.data.datasets[0].data } : null;
})()`;

describe('pre-sales figures from the journeys', () => {
  // Asserts the numbers of docs/rules.md LE-6, LE-8.
  it('counts inquiries and first responses per channel, conversion, reasons, days to contract and the survey', () => {
    const p = report.presales!;
    expect(p.journeys).toEqual({ listed: 4, unreported: 0 });
    expect(p.firstResponse).toMatchObject({ inquiries: 4, met: 2, missed: 1, open: 1, compliance: 2 / 3 });
    expect(p.firstResponse.byChannel.email).toMatchObject({
      inquiries: 3,
      met: 2,
      missed: 0,
      open: 1,
      compliance: 1,
    });
    expect(p.firstResponse.byChannel.phone).toMatchObject({ inquiries: 1, met: 0, missed: 1, compliance: 0 });
    expect(p.firstResponse.responseMs.count).toBe(2);
    expect(p.conversion).toMatchObject({ won: 1, lost: 2, rate: 1 / 3 });
    expect(p.conversion.byChannel).toEqual({
      email: { won: 1, lost: 1, rate: 0.5 },
      phone: { won: 0, lost: 1, rate: 0 },
    });
    expect(p.conversion.byOwner).toEqual({
      'sales-1': { won: 1, lost: 0, rate: 1 },
      'sales-2': { won: 0, lost: 2, rate: 0 },
    });
    expect(Object.values(p.conversion.byMonth).reduce((sum, m) => sum + m.won + m.lost, 0)).toBe(3);
    expect(p.lossReasons).toEqual({ price: 1, competitor: 1 });
    expect(p.winReasons).toEqual({ 'product-fit': 1 });
    expect(p.daysToContract.count).toBe(1);
    expect(p.daysToContract.mean).toBeGreaterThan(0);
    expect(p.daysToContract.mean).toBeLessThan(1);
    expect(p.satisfaction).toEqual({
      answers: 1,
      csat: 4,
      speed: 5,
      understanding: 3,
      attitude: 4,
      effectiveness: null,
    });
  });

  it('the terminal table has the pre-sales section', () => {
    const table = renderTable(report);
    expect(table).toContain('Pre-sales: 4 journeys listed');
    expect(table).toMatch(/Conversion \(won \/ decided\)\s+33\.3 % \(1 won, 2 lost\)/);
    expect(table).toMatch(/Conversion by owner\n[\s\S]*sales-2\s+0\s+2\s+0\.0 %/);
  });

  it('the HTML page shows them and draws the conversion chart', async () => {
    const file = path.join(inject('temporal').runDir, 'report-presales.html');
    fs.writeFileSync(file, renderHtml(report));
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      await page.goto(pathToFileURL(file).href);
      await page.waitForSelector('body[data-charts]');
      expect(await page.getAttribute('body', 'data-charts')).toBe('ready');
      const value = (testId: string) => page.getByTestId(testId).getAttribute('data-value');
      expect(await value('kpi-inquiries')).toBe('4');
      expect(await value('kpi-conversion')).toBe(String(1 / 3));
      expect((await page.getByTestId('kpi-conversion').locator('.kpi-value').textContent())?.trim()).toBe(
        formatPercent(1 / 3),
      );
      expect(await value('kpi-first-response-compliance')).toBe(String(2 / 3));
      expect(await value('kpi-presales-csat')).toBe('4');
      const phone = page.locator('[data-testid="inquiry-channel-row"][data-channel="phone"]');
      expect(await phone.getAttribute('data-compliance')).toBe('0');
      const reasons = await page
        .getByTestId('reason-row')
        .evaluateAll((rows) =>
          rows.map((row) => `${row.dataset.kind}:${row.dataset.reason}:${row.dataset.count}`),
        );
      expect(reasons.sort()).toEqual(['loss:competitor:1', 'loss:price:1', 'win:product-fit:1']);
      const chart = await page.evaluate<{ labels: string[]; data: number[] } | null>(CONVERSION_PROBE);
      expect(chart).toEqual({ labels: ['email', 'phone'], data: [50, 0] });
    } finally {
      await browser.close();
    }
  });
});
