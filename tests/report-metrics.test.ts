/**
 * The analyst report's numbers from hand-built case results: percentiles (nearest rank), SLA
 * compliance with fulfilled, breached and cancelled windows, CSAT, NPS, rates, flagged areas and
 * "too few answers"; plus the pure parts around them (rendering, command-line options).
 */
import { describe, expect, it } from 'vitest';
import {
  buildReport,
  computeMetrics,
  escapeHtml,
  formatDuration,
  formatPercent,
  groupMetrics,
  percentile,
  renderHtml,
  renderJson,
  renderTable,
  repeatIssues,
  slaCompliance,
  type OpenCases,
  type Report,
} from '../lib/report';
import { UsageError } from '../scripts/command-line';
import { parseReportOptions } from '../scripts/report';
import { CaseResult, type WindowOutcome } from '../workflows/after-sales-case/contract';

let counter = 0;

/** A valid CaseResult (checked against the contract's schema) with the given fields. */
function result(overrides: Partial<CaseResult> = {}): CaseResult {
  counter += 1;
  return CaseResult.parse({
    caseId: `case-${counter}`,
    customerId: `C-${counter}`,
    outcome: 'closed-satisfied',
    priority: 'P3',
    channel: 'phone',
    category: 'technical',
    severity: 'function-failure',
    team: 'technical-support',
    windows: [],
    promoter: false,
    reopenCount: 0,
    slaBreached: false,
    breachedWindows: [],
    escalated: false,
    qaSampled: false,
    openedAt: '2026-11-02T01:00:00.000Z',
    closedAt: '2026-11-03T01:00:00.000Z',
    ...overrides,
  });
}

function window(
  name: WindowOutcome['window'],
  state: WindowOutcome['state'],
  breached = false,
): WindowOutcome {
  return {
    window: name,
    basis: 'calendar',
    budgetMs: 3_600_000,
    consumedMs: 1_000,
    pausedMs: 0,
    breached,
    state,
  };
}

const noOpenCases: OpenCases = { total: 0, byStage: {}, unknownStage: 0 };

describe('percentiles (nearest rank)', () => {
  it('takes the value at rank ceil(p/100 × n) of the sorted values', () => {
    const values = [50, 15, 40, 20, 35]; // sorted: 15 20 35 40 50
    expect(percentile(values, 30)).toBe(20); // rank ceil(1.5) = 2
    expect(percentile(values, 40)).toBe(20); // rank 2
    expect(percentile(values, 50)).toBe(35); // rank ceil(2.5) = 3
    expect(percentile(values, 90)).toBe(50); // rank ceil(4.5) = 5
    expect(percentile(values, 100)).toBe(50);
    expect(percentile(values, 1)).toBe(15);
  });

  it('gives the lower middle value as the median of an even count, and always an observed value', () => {
    expect(percentile([4, 1, 3, 2], 50)).toBe(2);
    const oneToTen = Array.from({ length: 10 }, (_, i) => i + 1);
    expect(percentile(oneToTen, 90)).toBe(9);
    expect(percentile(oneToTen, 91)).toBe(10);
    expect(percentile([7], 90)).toBe(7);
  });

  it('is null without values and refuses a percentile outside (0, 100]', () => {
    expect(percentile([], 50)).toBeNull();
    expect(() => percentile([1], 0)).toThrow(RangeError);
    expect(() => percentile([1], 101)).toThrow(RangeError);
  });

  // Asserts the numbers of docs/rules.md LE-7.
  it('first-response and resolution times use only the cases that have them', () => {
    const metrics = groupMetrics([
      result({ firstResponseMs: 1_000, resolutionMs: 10_000 }),
      result({ firstResponseMs: 3_000, resolutionMs: 30_000 }),
      result({ firstResponseMs: 2_000 }),
      result({}),
    ]);
    expect(metrics.firstResponseMs).toEqual({ count: 3, mean: 2_000, median: 2_000, p90: 3_000 });
    expect(metrics.resolutionMs).toEqual({ count: 2, mean: 20_000, median: 10_000, p90: 30_000 });
  });
});

describe('SLA compliance', () => {
  // Asserts the numbers of docs/rules.md LE-5.
  it('counts fulfilled-on-time as met, any breach as missed, and leaves cancelled and open windows out', () => {
    const compliance = slaCompliance([
      result({
        windows: [
          window('first-reply', 'fulfilled'), // met
          window('resolution', 'cancelled'), // closed before it mattered: neither
          window('revisit', 'fulfilled'), // met
        ],
      }),
      result({
        windows: [
          window('first-reply', 'fulfilled', true), // fulfilled late: missed
          window('resolution', 'fulfilled'), // met
          window('resolution', 'cancelled', true), // breached, then the case was closed: missed
          window('revisit', 'running'), // still open, not breached: neither
        ],
      }),
      result({ windows: [window('carrier-solution', 'cancelled')] }),
    ]);
    expect(compliance.byWindow['first-reply']).toEqual({
      met: 1,
      missed: 1,
      cancelled: 0,
      open: 0,
      rate: 0.5,
    });
    expect(compliance.byWindow.resolution).toEqual({ met: 1, missed: 1, cancelled: 1, open: 0, rate: 0.5 });
    expect(compliance.byWindow.revisit).toEqual({ met: 1, missed: 0, cancelled: 0, open: 1, rate: 1 });
    // Only cancelled: no measurable window, so no rate (not 0 %, not 100 %).
    expect(compliance.byWindow['carrier-solution']).toEqual({
      met: 0,
      missed: 0,
      cancelled: 1,
      open: 0,
      rate: null,
    });
    expect(compliance.byWindow.recall.rate).toBeNull();
    expect(compliance.all).toEqual({ met: 3, missed: 2, cancelled: 2, open: 1, rate: 3 / 5 });
  });

  it('counts every occurrence of a window that repeats after a reopen', () => {
    const compliance = slaCompliance([
      result({ windows: [window('resolution', 'fulfilled'), window('resolution', 'fulfilled', true)] }),
    ]);
    expect(compliance.byWindow.resolution).toMatchObject({ met: 1, missed: 1, rate: 0.5 });
  });

  it('lists every window name, so the JSON keeps its shape with no cases', () => {
    expect(Object.keys(slaCompliance([]).byWindow)).toEqual([
      'first-reply',
      'resolution',
      'carrier-solution',
      'exchange',
      'recall',
      'recall-details',
      'defect-decision',
      'defect-completion',
      'claim-settlement',
      'collaboration',
      'appointment',
      'repair',
      'revisit',
    ]);
  });
});

describe('satisfaction, NPS, escalation and reopen rates', () => {
  // Asserts the numbers of docs/rules.md LE-5.
  it('CSAT average and satisfaction rate over answered cases only', () => {
    const { csat } = groupMetrics([
      result({ csat: 5 }),
      result({ csat: 4 }),
      result({ csat: 3 }),
      result({}),
    ]);
    expect(csat).toEqual({ answers: 3, average: 4, satisfied: 2, satisfactionRate: 2 / 3 });
  });

  // Asserts the numbers of docs/rules.md LE-5.
  it('NPS is % promoters (9–10) minus % detractors (0–6) among the answers', () => {
    const balanced = groupMetrics([10, 9, 8, 7, 6, 0].map((nps) => result({ nps }))).nps;
    expect(balanced).toEqual({ answers: 6, promoters: 2, passives: 2, detractors: 2, score: 0 });
    const positive = groupMetrics([
      result({ nps: 10 }),
      result({ nps: 10 }),
      result({ nps: 10 }),
      result({ nps: 6 }),
      result({}),
    ]).nps;
    expect(positive).toEqual({ answers: 4, promoters: 3, passives: 0, detractors: 1, score: 50 });
    expect(groupMetrics([result({ nps: 0 })]).nps.score).toBe(-100);
    expect(groupMetrics([result({})]).nps.score).toBeNull();
  });

  // Asserts the numbers of docs/rules.md LE-5.
  it('escalation and reopen rates are shares of all cases; a case reopened twice counts once', () => {
    const metrics = groupMetrics([
      result({ escalated: true, reopenCount: 2 }),
      result({ escalated: true }),
      result({ reopenCount: 1 }),
      result({}),
    ]);
    expect(metrics.escalation).toEqual({ count: 2, rate: 0.5 });
    expect(metrics.reopen).toEqual({ count: 2, rate: 0.5 });
  });

  it('has no rates, but no errors, without cases', () => {
    const metrics = groupMetrics([]);
    expect(metrics.cases).toBe(0);
    expect(metrics.csat).toEqual({ answers: 0, average: null, satisfied: 0, satisfactionRate: null });
    expect(metrics.escalation.rate).toBeNull();
    expect(metrics.firstResponseMs).toEqual({ count: 0, mean: null, median: null, p90: null });
    expect(metrics.resolution).toEqual({ count: 0, rate: null });
    expect(metrics.repeat).toEqual({ count: 0, rate: null });
    expect(metrics.ratings.attitude).toEqual({ answers: 0, average: null });
  });
});

describe('areas and the QA sample', () => {
  // care: 4 answers, 2 satisfied (50 %) → flagged; quality: 5 answers, 4 satisfied (exactly
  // 80 %) → not flagged; logistics: 2 answers, 0 satisfied → too few answers.
  const cases = [
    ...[5, 4, 2, 1].map((csat) =>
      result({ team: 'customer-care', category: 'other', channel: 'email', csat }),
    ),
    ...[5, 5, 4, 4, 3].map((csat) =>
      result({ team: 'quality-team', category: 'quality', channel: 'email', priority: 'P2', csat }),
    ),
    ...[2, 1].map((csat) =>
      result({ team: 'logistics-desk', category: 'logistics', channel: 'social', csat }),
    ),
    result({ team: 'logistics-desk', category: 'logistics', channel: 'social' }), // no answer
  ];

  // Asserts the numbers of docs/rules.md LE-4.
  it('flags areas below 80 % with enough answers, worst first, and lists the others with too few', () => {
    const { areas, byTeam } = computeMetrics(cases);
    expect(areas.flagged.map((area) => `${area.dimension}:${area.value}`)).toEqual([
      'priority:P3', // 2 of 6 answers (customer-care 2/4 + logistics 0/2)
      'team:customer-care', // 2 of 4
      'category:other', // 2 of 4
      'channel:email', // 6 of 9
    ]);
    expect(areas.flagged[1]).toEqual({
      dimension: 'team',
      value: 'customer-care',
      cases: 4,
      answers: 4,
      satisfied: 2,
      satisfactionRate: 0.5,
      npsAnswers: 0,
      nps: null,
      below: ['csat'],
    });
    // Exactly 80 % is not below the target.
    expect(byTeam['quality-team']!.csat.satisfactionRate).toBe(0.8);
    expect(areas.flagged.some((area) => area.value === 'quality-team')).toBe(false);
    expect(areas.tooFewAnswers).toEqual([
      ...(['team:logistics-desk', 'category:logistics', 'channel:social'] as const).map((key) => {
        const [dimension, value] = key.split(':') as ['team', string];
        return {
          dimension,
          value,
          cases: 3,
          answers: 2,
          satisfied: 0,
          satisfactionRate: 0,
          npsAnswers: 0,
          nps: null,
          below: [],
        };
      }),
    ]);
  });

  // Asserts the numbers of docs/rules.md LE-4.
  it('flags an area whose NPS is below the target too, naming why', () => {
    const detractors = [2, 3, 9].map((nps) => result({ team: 'customer-care', csat: 5, nps }));
    const { areas } = computeMetrics(detractors);
    // CSAT 100 % satisfied, but NPS (1 promoter − 2 detractors) / 3 = −33: below 0.
    expect(areas.flagged.find((area) => area.dimension === 'team')).toMatchObject({
      value: 'customer-care',
      satisfactionRate: 1,
      npsAnswers: 3,
      below: ['nps'],
    });
    expect(computeMetrics(detractors, { npsTarget: -50 }).areas.flagged).toEqual([]);
  });

  it('breaks every figure down by the customer’s region', () => {
    const metrics = computeMetrics([
      result({ region: 'east-china', csat: 5 }),
      result({ region: 'east-china', csat: 2 }),
      result({}),
    ]);
    expect(Object.keys(metrics.byRegion)).toEqual(['(none)', 'east-china']);
    expect(metrics.byRegion['east-china']!.csat).toMatchObject({ answers: 2, satisfactionRate: 0.5 });
  });

  it('the minimum number of answers is an option', () => {
    const { areas } = computeMetrics(cases, { minAnswers: 2 });
    expect(areas.flagged.map((area) => `${area.dimension}:${area.value}`)).toEqual([
      'team:logistics-desk',
      'category:logistics',
      'channel:social',
      'priority:P3',
      'team:customer-care',
      'category:other',
      'channel:email',
    ]);
    expect(areas.tooFewAnswers).toEqual([]);
    expect(() => computeMetrics(cases, { minAnswers: 0 })).toThrow(RangeError);
  });

  it('an area without any answer is "too few answers", never flagged', () => {
    const { areas } = computeMetrics([result({ team: 'management', outcome: 'closed-by-ops' })]);
    expect(areas.flagged).toEqual([]);
    expect(areas.tooFewAnswers.find((area) => area.dimension === 'team')).toMatchObject({
      value: 'management',
      answers: 0,
      satisfactionRate: null,
    });
  });

  it('breakdowns are keyed by the values that occur, in the contract order', () => {
    const metrics = computeMetrics(cases);
    expect(Object.keys(metrics.byTeam)).toEqual(['logistics-desk', 'quality-team', 'customer-care']);
    expect(Object.keys(metrics.byPriority)).toEqual(['P2', 'P3']);
    expect(metrics.byCategory.quality!.cases).toBe(5);
  });

  it('the QA sample lists the sampled cases, oldest close first', () => {
    const late = result({ qaSampled: true, closedAt: '2026-11-05T00:00:00.000Z', outcome: 'closed-by-ops' });
    const early = result({
      qaSampled: true,
      closedAt: '2026-11-04T00:00:00.000Z',
      team: 'quality-team',
      category: 'quality',
    });
    const { qaSample } = computeMetrics([late, result({}), early]);
    expect(qaSample).toEqual([
      {
        caseId: early.caseId,
        team: 'quality-team',
        priority: 'P3',
        category: 'quality',
        outcome: 'closed-satisfied',
        closedAt: '2026-11-04T00:00:00.000Z',
      },
      {
        caseId: late.caseId,
        team: 'technical-support',
        priority: 'P3',
        category: 'technical',
        outcome: 'closed-by-ops',
        closedAt: '2026-11-05T00:00:00.000Z',
      },
    ]);
  });
});

describe('the report object and its renderings', () => {
  const range = { from: new Date('2026-11-01T00:00:00Z'), to: new Date('2026-11-08T00:00:00Z') };
  const generatedAt = new Date('2026-11-08T09:00:00Z');

  // Asserts the numbers of docs/rules.md OU-3.
  it('breaks paused time down by reason: cases that paused for it, the total and the median per case', () => {
    const HOUR = 3_600_000;
    const report = buildReport({
      results: [
        result({ pausedByReason: { parts: 10 * HOUR, 'customer-information': HOUR } }),
        result({ pausedByReason: { parts: 30 * HOUR } }),
        result({ pausedByReason: { parts: 20 * HOUR } }),
        result({}),
      ],
      range,
      generatedAt,
      openCases: { total: 0, byStage: {}, unknownStage: 0 },
    });
    expect(report.pauses).toEqual({
      'customer-information': { cases: 1, totalMs: HOUR, medianMs: HOUR },
      parts: { cases: 3, totalMs: 60 * HOUR, medianMs: 20 * HOUR },
    });
    expect(renderTable(report)).toMatch(/^parts +3 +2\.5 d +20\.0 h$/m);
    expect(renderHtml(report, { chartJs: '' })).toContain('data-reason="parts"');
  });

  it('has a stable JSON shape', () => {
    const report = buildReport({
      results: [result({ csat: 5, nps: 10, firstResponseMs: 1_000, resolutionMs: 5_000, qaSampled: true })],
      range,
      generatedAt,
      skipped: [{ workflowId: 'case-x', runId: 'r', reason: 'invalid', detail: 'outcome: is required' }],
      openCases: { total: 2, byStage: { 'awaiting-reply': 2 }, unknownStage: 0 },
    });
    const json = JSON.parse(renderJson(report)) as Report;
    expect(Object.keys(json)).toEqual([
      'schemaVersion',
      'generatedAt',
      'range',
      'collection',
      'openCases',
      'presales',
      'rootCauseAnalyses',
      'qaReviews',
      'customersAtRisk',
      'settings',
      'overall',
      'byTeam',
      'byCategory',
      'byPriority',
      'byChannel',
      'byAssignee',
      'byRegion',
      'repeatIssues',
      'areas',
      'qaSample',
      'pauses',
    ]);
    expect(json.schemaVersion).toBe(1);
    expect(json.range).toEqual({ from: '2026-11-01T00:00:00.000Z', to: '2026-11-08T00:00:00.000Z' });
    expect(json.collection).toMatchObject({ listed: 2, read: 1, skipped: 1 });
    expect(json.settings).toEqual({
      minAnswers: 3,
      satisfactionTarget: 0.8,
      npsTarget: 0,
      repeatWindowDays: 30,
    });
    expect(Object.keys(json.overall)).toEqual([
      'cases',
      'outcomes',
      'slaCompliance',
      'firstResponseMs',
      'resolutionMs',
      'csat',
      'nps',
      'escalation',
      'reopen',
      'resolution',
      'repeat',
      'ratings',
      'qaSampled',
    ]);
    expect(json.overall.outcomes).toEqual({
      'closed-satisfied': 1,
      'closed-unsatisfied': 0,
      'closed-no-feedback': 0,
      'closed-by-ops': 0,
    });
  });

  it('renders an empty range without errors', () => {
    const report = buildReport({ results: [], range, generatedAt, openCases: noOpenCases });
    expect(renderTable(report)).toMatch(/^Cases +0$/m);
    expect(renderHtml(report, { chartJs: '/* no chart.js in this test */' })).toContain(
      'data-testid="kpi-csat-average" data-value=""',
    );
  });

  it('the terminal table aligns its columns', () => {
    const report = buildReport({
      results: [result({ csat: 5, team: 'customer-care' }), result({ csat: 2, team: 'quality-team' })],
      range,
      generatedAt,
      openCases: noOpenCases,
    });
    const lines = renderTable(report).split('\n');
    const header = lines.findIndex((line) => line.startsWith('Team '));
    const [heading, rule, ...rows] = lines.slice(header, header + 4);
    expect(rule).toMatch(/^-+( +-+)+$/);
    // Right-aligned numbers end under the end of their heading; every line has the same columns.
    const casesEnd = heading!.indexOf('Cases') + 'Cases'.length;
    for (const row of rows) {
      expect(row[casesEnd - 1]).toBe('1');
      expect(row[casesEnd]).toBe(' ');
      expect(row.indexOf('%')).toBe(rows[0]!.indexOf('%'));
    }
  });

  it('escapes every text in the HTML', () => {
    const report = buildReport({
      results: [result({ caseId: '<img src=x onerror=alert(1)>', qaSampled: true })],
      range,
      generatedAt,
      openCases: noOpenCases,
    });
    const html = renderHtml(report, { chartJs: '' });
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(escapeHtml(`"a" & 'b'`)).toBe('&quot;a&quot; &amp; &#39;b&#39;');
  });

  it('formats durations and percentages for people', () => {
    expect(formatDuration(350)).toBe('350 ms');
    expect(formatDuration(2_345)).toBe('2.3 s');
    expect(formatDuration(12 * 60_000)).toBe('12 min');
    expect(formatDuration(5.25 * 3_600_000)).toBe('5.3 h');
    expect(formatDuration(3 * 86_400_000)).toBe('3.0 d');
    expect(formatDuration(null)).toBe('—');
    expect(formatPercent(0.8)).toBe('80.0 %');
    expect(formatPercent(null)).toBe('—');
  });
});

describe('npm run report options', () => {
  const now = new Date('2026-11-23T10:00:00Z');

  it('defaults to the last 7 days as a table on stdout', () => {
    expect(parseReportOptions([], now)).toEqual({
      from: new Date('2026-11-16T10:00:00Z'),
      to: now,
      format: 'table',
      out: undefined,
      minAnswers: 3,
      repeatWindowDays: 30,
      npsTarget: 0,
      query: undefined,
      journeyQuery: undefined,
      help: false,
    });
    expect(parseReportOptions(['--repeat-days', '14'], now).repeatWindowDays).toBe(14);
  });

  it('reads dates as UTC days, --to included, and instants as given', () => {
    const options = parseReportOptions(['--from', '2026-11-01', '--to', '2026-11-23'], now);
    expect(options.from.toISOString()).toBe('2026-11-01T00:00:00.000Z');
    expect(options.to.toISOString()).toBe('2026-11-24T00:00:00.000Z');
    const shanghai = parseReportOptions(['--from', '2026-11-01T00:00:00+08:00', '--days', '1'], now);
    expect(shanghai.from.toISOString()).toBe('2026-10-31T16:00:00.000Z');
    expect(shanghai.to.toISOString()).toBe('2026-11-01T16:00:00.000Z');
    const back = parseReportOptions(['--to', '2026-11-10', '--days', '3'], now);
    expect([back.from.toISOString(), back.to.toISOString()]).toEqual([
      '2026-11-08T00:00:00.000Z',
      '2026-11-11T00:00:00.000Z',
    ]);
  });

  it('writes HTML to report.html unless --out says otherwise', () => {
    expect(parseReportOptions(['--format', 'html'], now).out).toBe('report.html');
    expect(parseReportOptions(['--format', 'html', '--out', 'x/nov.html'], now).out).toBe('x/nov.html');
    expect(parseReportOptions(['--min-answers', '5'], now).minAnswers).toBe(5);
  });

  it('names every wrong option', () => {
    const message = (argv: string[]) => {
      try {
        parseReportOptions(argv, now);
      } catch (error) {
        expect(error).toBeInstanceOf(UsageError);
        return (error as Error).message;
      }
      throw new Error('expected a UsageError');
    };
    expect(message(['--days', 'soon'])).toContain('--days: must be a whole number of days');
    const several = message(['--format', 'pdf', '--min-answers', '0', '--from', 'yesterday']);
    expect(several).toContain('--format: must be one of table, json, html');
    expect(several).toContain('--min-answers: must be at least 1');
    expect(several).toContain('--from: must be a date (YYYY-MM-DD) or an ISO-8601 instant');
    expect(message(['--from', '2026-11-10', '--to', '2026-11-01'])).toContain('--from: must be before --to');
    expect(message(['--from', '2026-11-01', '--to', '2026-11-10', '--days', '2'])).toContain(
      '--days: cannot be combined with both --from and --to',
    );
    expect(message(['--form', '2026-11-01'])).toContain("Unknown option '--form'");
    expect(message(['--days'])).toContain('--days');
  });
});

describe('resolution, repeat issues, people and ratings', () => {
  // Asserts the numbers of docs/rules.md LE-7.
  it('counts resolved cases by the customer’s word, else by a resolution carried out', () => {
    const metrics = groupMetrics([
      result({ resolved: true, resolutionType: 'advice' }),
      result({ resolved: false, resolutionType: 'repair', outcome: 'closed-unsatisfied' }),
      result({ resolutionType: 'replace', outcome: 'closed-no-feedback' }),
      result({ outcome: 'closed-by-ops' }),
    ]);
    expect(metrics.resolution).toEqual({ count: 2, rate: 0.5 });
  });

  // Asserts the numbers of docs/rules.md LE-7.
  it('finds a case repeating an earlier one of the same customer and product within 30 days, linked', () => {
    const first = result({ customerId: 'C-R', product: 'SKU-1', openedAt: '2026-11-01T08:00:00.000Z' });
    const again = result({ customerId: 'C-R', product: 'SKU-1', openedAt: '2026-11-20T08:00:00.000Z' });
    const otherProduct = result({
      customerId: 'C-R',
      product: 'SKU-2',
      openedAt: '2026-11-21T08:00:00.000Z',
    });
    const tooLate = result({ customerId: 'C-R', product: 'SKU-1', openedAt: '2026-12-25T08:00:00.000Z' });
    const otherCustomer = result({
      customerId: 'C-S',
      product: 'SKU-1',
      openedAt: '2026-11-22T08:00:00.000Z',
    });
    // Without a product, the category is the subject.
    const byCategory = [
      result({ customerId: 'C-T', category: 'logistics', openedAt: '2026-11-03T08:00:00.000Z' }),
      result({ customerId: 'C-T', category: 'logistics', openedAt: '2026-11-05T08:00:00.000Z' }),
    ];
    const cases = [first, again, otherProduct, tooLate, otherCustomer, ...byCategory];
    expect(repeatIssues(cases)).toEqual([
      {
        caseId: byCategory[1]!.caseId,
        repeats: byCategory[0]!.caseId,
        customerId: 'C-T',
        subject: 'logistics',
        days: 2,
      },
      { caseId: again.caseId, repeats: first.caseId, customerId: 'C-R', subject: 'SKU-1', days: 19 },
    ]);
    const metrics = computeMetrics(cases);
    expect(metrics.overall.repeat).toEqual({ count: 2, rate: 2 / 7 });
    expect(metrics.repeatIssues).toHaveLength(2);
    // The edge: 30 days to the minute is a repeat, an hour more is not.
    const edge = (customerId: string, later: string) => [
      result({ customerId, product: 'SKU-9', openedAt: '2026-11-01T08:00:00.000Z' }),
      result({ customerId, product: 'SKU-9', openedAt: later }),
    ];
    expect(repeatIssues(edge('C-E', '2026-12-01T08:00:00.000Z')).map((r) => r.days)).toEqual([30]);
    expect(repeatIssues(edge('C-F', '2026-12-01T09:00:00.000Z'))).toEqual([]);
    // A window of 10 days keeps only the category repeat.
    expect(computeMetrics(cases, { repeatWindowDays: 10 }).repeatIssues.map((r) => r.subject)).toEqual([
      'logistics',
    ]);
  });

  // Asserts the numbers of docs/rules.md LE-7, LE-8.
  it('breaks the figures down per person and averages each rating dimension', () => {
    const metrics = computeMetrics([
      result({ assignee: 'agent-1', ratings: { attitude: 5, speed: 3, effectiveness: 4 } }),
      result({ assignee: 'agent-1', ratings: { attitude: 3 } }),
      result({ assignee: 'agent-2', ratings: { speed: 5 } }),
      result({}),
    ]);
    expect(Object.keys(metrics.byAssignee)).toEqual(['(unassigned)', 'agent-1', 'agent-2']);
    expect(metrics.byAssignee['agent-1']!.cases).toBe(2);
    expect(metrics.overall.ratings).toEqual({
      attitude: { answers: 2, average: 4 },
      speed: { answers: 2, average: 4 },
      effectiveness: { answers: 1, average: 4 },
    });
    expect(metrics.byAssignee['agent-1']!.ratings.attitude).toEqual({ answers: 2, average: 4 });
  });
});
