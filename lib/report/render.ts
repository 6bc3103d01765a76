/**
 * The analyst report in three forms: a plain-text table for the terminal, JSON (the `Report`
 * object of `metrics.ts`, field for field) and one self-contained HTML file with charts that
 * opens offline (the Chart.js UMD bundle is inlined from node_modules).
 *
 * The HTML gives every key number a stable `data-testid` and its raw value in `data-value`
 * (empty when there is none), so browser tests and scrapers read numbers, not formatted text:
 *
 * | data-testid                                           | value                                   |
 * | ----------------------------------------------------- | --------------------------------------- |
 * | `report-range` (`data-from`, `data-to`)               | the range, ISO instants                 |
 * | `report-generated-at` (`data-value`)                  | ISO instant                             |
 * | `report-case-count` (`data-value`)                    | cases read                              |
 * | `kpi-cases`, `kpi-open-cases`, `kpi-qa-sampled`       | counts                                  |
 * | `kpi-sla-compliance`                                  | fraction 0–1, every window              |
 * | `kpi-first-response-median`, `kpi-resolution-median`  | ms                                      |
 * | `kpi-csat-average`                                    | 1–5                                     |
 * | `kpi-satisfaction-rate`, `kpi-escalation-rate`, `kpi-reopen-rate` | fraction 0–1                |
 * | `kpi-nps`                                             | −100…100                                |
 * | `chart-sla-compliance`, `chart-satisfaction-by-team`, `chart-times-by-priority` | canvases      |
 * | `flagged-area` rows (`data-dimension`, `data-value`, `data-rate`, `data-answers`) | flagged     |
 * | `too-few-answers` rows (same attributes)              | areas not judged                        |
 * | `qa-sample-row` rows (`data-case-id`)                 | the QA sample                           |
 * | `sla-window-row` rows (`data-window`, `data-met`, `data-missed`, `data-rate`) | per window  |
 * | `breakdown-row` rows (`data-dimension`, `data-key`, `data-cases`, `data-satisfaction-rate`) | |
 *
 * The pre-sales section's numbers are listed in `render-presales.ts`. Once the charts are drawn,
 * `<body>` gets `data-charts="ready"` (or `"error"`).
 */
import fs from 'node:fs';
import path from 'node:path';
import { WINDOW_LABELS, WindowName } from '../../workflows/after-sales-case/policy';
import {
  AREA_DIMENSIONS,
  type Area,
  type AreaDimension,
  type Compliance,
  type GroupMetrics,
  type Report,
} from './metrics';
import {
  element,
  escapeHtml,
  formatCsat,
  formatDuration,
  formatNps,
  formatPercent,
  htmlTable,
  kpi,
  textTable,
} from './format';
import { presalesHtml, presalesTableLines } from './render-presales';

export { escapeHtml, formatCsat, formatDuration, formatNps, formatPercent, textTable } from './format';

// ---------------------------------------------------------------------------------------------
// Formatting, shared by every form

/** Window names for people; the revisit window's length varies with promised terms, so no "48-hour". */
const WINDOW_TITLES: Record<WindowName, string> = { ...WINDOW_LABELS, revisit: 'revisit' };

function complianceText(compliance: Compliance): string {
  return `${formatPercent(compliance.rate)} (${compliance.met} met / ${compliance.missed} missed)`;
}

type BreakdownDimension = AreaDimension | 'assignee' | 'region';
/** The report's breakdowns: the areas, then per person and per region. */
const BREAKDOWN_DIMENSIONS: readonly BreakdownDimension[] = [...AREA_DIMENSIONS, 'assignee', 'region'];

const DIMENSION_TITLES: Record<BreakdownDimension, string> = {
  team: 'Team',
  category: 'Category',
  priority: 'Priority',
  channel: 'Channel',
  assignee: 'Person',
  region: 'Region',
};

function breakdownOf(report: Report, dimension: BreakdownDimension): Record<string, GroupMetrics> {
  switch (dimension) {
    case 'assignee':
      return report.byAssignee;
    case 'region':
      return report.byRegion;
    case 'team':
      return report.byTeam;
    case 'category':
      return report.byCategory;
    case 'priority':
      return report.byPriority;
    case 'channel':
      return report.byChannel;
  }
}

/** The columns of every breakdown, in both the terminal and the HTML table. */
const BREAKDOWN_COLUMNS: { title: string; value: (group: GroupMetrics) => string }[] = [
  { title: 'Cases', value: (g) => String(g.cases) },
  { title: 'SLA', value: (g) => formatPercent(g.slaCompliance.all.rate) },
  { title: '1st resp. median', value: (g) => formatDuration(g.firstResponseMs.median) },
  { title: '1st resp. p90', value: (g) => formatDuration(g.firstResponseMs.p90) },
  { title: 'Resolution median', value: (g) => formatDuration(g.resolutionMs.median) },
  { title: 'Resolution p90', value: (g) => formatDuration(g.resolutionMs.p90) },
  { title: 'CSAT', value: (g) => formatCsat(g.csat.average) },
  { title: 'Answers', value: (g) => String(g.csat.answers) },
  { title: 'Satisfied', value: (g) => formatPercent(g.csat.satisfactionRate) },
  { title: 'NPS', value: (g) => formatNps(g.nps.score) },
  { title: 'Escalated', value: (g) => formatPercent(g.escalation.rate) },
  { title: 'Reopened', value: (g) => formatPercent(g.reopen.rate) },
  { title: 'Resolved', value: (g) => formatPercent(g.resolution.rate) },
  { title: 'Repeats', value: (g) => formatPercent(g.repeat.rate) },
];

function ratingsText(g: GroupMetrics): string {
  return (['attitude', 'speed', 'effectiveness'] as const)
    .map((dimension) => `${dimension} ${formatCsat(g.ratings[dimension].average)}`)
    .join(' · ');
}

// ---------------------------------------------------------------------------------------------
// (a) Terminal table

function areaRows(areas: Area[]): string[][] {
  return areas.map((area) => [
    area.dimension,
    area.value,
    String(area.cases),
    String(area.answers),
    formatPercent(area.satisfactionRate),
    `${formatNps(area.nps)} (${area.npsAnswers})`,
    area.below.join(', ') || '—',
  ]);
}

const AREA_HEADERS = ['Dimension', 'Value', 'Cases', 'Answers', 'Satisfied', 'NPS (answers)', 'Below'];
const AREA_NUMERIC = [false, false, true, true, true, true, false];

/** The report as plain text for a terminal (no colours, no dependencies). */
const PAUSE_HEADERS = ['Waiting on', 'Cases', 'Total', 'Median per case'];

/** Paused time per reason (rule OU-3), one row per reason that occurred. */
function pauseRows(report: Report): string[][] {
  return Object.entries(report.pauses).map(([reason, p]) => [
    reason,
    String(p.cases),
    formatDuration(p.totalMs),
    formatDuration(p.medianMs),
  ]);
}

export function renderTable(report: Report): string {
  const o = report.overall;
  const out: string[] = [];
  out.push(`After-sales report: cases closed from ${report.range.from} to ${report.range.to} (end excluded)`);
  out.push(
    `Generated ${report.generatedAt}; ${report.collection.read} cases read` +
      `${report.collection.skipped ? `, ${report.collection.skipped} skipped (unreadable or invalid results)` : ''}` +
      `; ${report.openCases.total} still open`,
  );
  out.push('');
  out.push('Overall');
  out.push(
    textTable(
      ['Measure', 'Value'],
      [
        ['Cases', String(o.cases)],
        ['SLA compliance (all windows)', complianceText(o.slaCompliance.all)],
        [
          'First response mean / median / p90',
          `${formatDuration(o.firstResponseMs.mean)} / ${formatDuration(o.firstResponseMs.median)} / ${formatDuration(o.firstResponseMs.p90)}`,
        ],
        [
          'Resolution mean / median / p90',
          `${formatDuration(o.resolutionMs.mean)} / ${formatDuration(o.resolutionMs.median)} / ${formatDuration(o.resolutionMs.p90)}`,
        ],
        ['Resolution rate', `${formatPercent(o.resolution.rate)} (${o.resolution.count})`],
        [
          `Repeat issues (within ${report.settings.repeatWindowDays} days)`,
          `${formatPercent(o.repeat.rate)} (${o.repeat.count})`,
        ],
        ['Ratings (1–5)', ratingsText(o)],
        ['CSAT average', `${formatCsat(o.csat.average)} (${o.csat.answers} answers)`],
        ['Satisfaction rate (CSAT >= 4)', formatPercent(o.csat.satisfactionRate)],
        ['NPS', `${formatNps(o.nps.score)} (${o.nps.answers} answers)`],
        ['Escalation rate', `${formatPercent(o.escalation.rate)} (${o.escalation.count})`],
        ['Reopen rate', `${formatPercent(o.reopen.rate)} (${o.reopen.count})`],
        ['QA sample', String(report.qaSample.length)],
      ],
    ),
  );
  out.push('');
  out.push('SLA compliance by window (cancelled windows without a breach are not counted)');
  out.push(
    textTable(
      ['Window', 'Met', 'Missed', 'Cancelled', 'Compliance'],
      WindowName.options
        .map((name) => [name, o.slaCompliance.byWindow[name]] as const)
        .filter(([, c]) => c.met + c.missed + c.cancelled + c.open > 0)
        .map(([name, c]) => [
          name,
          String(c.met),
          String(c.missed),
          String(c.cancelled),
          formatPercent(c.rate),
        ]),
      [false, true, true, true, true],
    ),
  );
  for (const dimension of BREAKDOWN_DIMENSIONS) {
    out.push('');
    out.push(`By ${dimension === 'assignee' ? 'person' : dimension}`);
    out.push(
      textTable(
        [DIMENSION_TITLES[dimension], ...BREAKDOWN_COLUMNS.map((column) => column.title)],
        Object.entries(breakdownOf(report, dimension)).map(([key, group]) => [
          key,
          ...BREAKDOWN_COLUMNS.map((column) => column.value(group)),
        ]),
        [false, ...BREAKDOWN_COLUMNS.map(() => true)],
      ),
    );
  }
  const target = formatPercent(report.settings.satisfactionTarget, 0);
  out.push('');
  out.push(
    `Areas flagged for root-cause analysis (satisfaction below ${target}, at least ${report.settings.minAnswers} answers): ${report.areas.flagged.length}`,
  );
  if (report.areas.flagged.length > 0) {
    out.push(textTable(AREA_HEADERS, areaRows(report.areas.flagged), AREA_NUMERIC));
  }
  const reviews = report.qaReviews;
  if (reviews) {
    out.push('');
    out.push(
      `QA reviews: ${reviews.completed.length} finished in the range (solution ${formatCsat(reviews.averages.solution)}, ` +
        `communication ${formatCsat(reviews.averages.communication)}, satisfaction ${formatCsat(reviews.averages.satisfaction)}); ` +
        `${reviews.open} open, ${reviews.overdue} overdue`,
    );
    if (reviews.completed.length > 0) {
      out.push(
        textTable(
          ['Subject', 'Solution', 'Communication', 'Satisfaction', 'Findings'],
          reviews.completed.map((r) => [
            `${r.kind} ${r.subject}`,
            String(r.scores.solution),
            String(r.scores.communication),
            String(r.scores.satisfaction),
            r.findings.slice(0, 80),
          ]),
          [false, true, true, true, false],
        ),
      );
    }
  }
  const rcas = report.rootCauseAnalyses;
  if (rcas) {
    out.push('');
    out.push(
      `Root-cause analyses: ${rcas.open.length} open (${rcas.overdue} overdue), ${rcas.closedInRange} closed in the range`,
    );
    if (rcas.open.length > 0) {
      out.push(
        textTable(
          ['Analysis', 'Due', 'Overdue'],
          rcas.open.map((rca) => [rca.workflowId, rca.dueAt ?? '—', rca.overdue ? 'yes' : 'no']),
        ),
      );
    }
  }
  out.push('');
  out.push(
    `Too few answers to judge (fewer than ${report.settings.minAnswers}): ${report.areas.tooFewAnswers.length}`,
  );
  if (report.areas.tooFewAnswers.length > 0) {
    out.push(textTable(AREA_HEADERS, areaRows(report.areas.tooFewAnswers), AREA_NUMERIC));
  }
  out.push('');
  out.push(`Repeat issues: ${report.repeatIssues.length}`);
  if (report.repeatIssues.length > 0) {
    out.push(
      textTable(
        ['Case', 'Repeats', 'Customer', 'Product / category', 'Days'],
        report.repeatIssues.map((r) => [r.caseId, r.repeats, r.customerId, r.subject, String(r.days)]),
        [false, false, false, false, true],
      ),
    );
  }
  if (report.customersAtRisk) {
    out.push('');
    out.push(`Customers at SLA risk: ${report.customersAtRisk.length}`);
    if (report.customersAtRisk.length > 0) {
      out.push(
        textTable(
          ['Customer', 'Journey'],
          report.customersAtRisk.map((c) => [c.customerId, c.journeyId]),
        ),
      );
    }
  }
  out.push('');
  out.push(`Paused time by reason: ${Object.keys(report.pauses).length} reasons`);
  if (Object.keys(report.pauses).length > 0) {
    out.push(textTable(PAUSE_HEADERS, pauseRows(report), [false, true, true, true]));
  }
  out.push('');
  out.push(`QA sample: ${report.qaSample.length} cases`);
  if (report.qaSample.length > 0) {
    out.push(
      textTable(
        ['Case', 'Team', 'Priority', 'Category', 'Outcome', 'Closed'],
        report.qaSample.map((entry) => [
          entry.caseId,
          entry.team,
          entry.priority,
          entry.category,
          entry.outcome,
          entry.closedAt,
        ]),
      ),
    );
  }
  out.push('');
  out.push(`Open cases by stage: ${report.openCases.total}`);
  const stages = Object.entries(report.openCases.byStage).filter(([, count]) => count > 0);
  if (report.openCases.unknownStage > 0) stages.push(['(no stage yet)', report.openCases.unknownStage]);
  if (stages.length > 0) {
    out.push(
      textTable(
        ['Stage', 'Open'],
        stages.map(([stage, count]) => [stage, String(count)]),
        [false, true],
      ),
    );
  }
  if (report.presales) {
    out.push('');
    out.push(...presalesTableLines(report.presales));
  }
  if (report.collection.skipped > 0) {
    out.push('');
    out.push(`Skipped results: ${report.collection.skipped}`);
    out.push(
      textTable(
        ['Workflow', 'Reason', 'Detail'],
        report.collection.skippedCases.map((skip) => [
          skip.workflowId,
          skip.reason,
          skip.detail.slice(0, 120),
        ]),
      ),
    );
  }
  return out.join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------------
// (b) JSON

/** The report as JSON: the `Report` object, field for field (see `metrics.ts`). */
export function renderJson(report: Report): string {
  return JSON.stringify(report, null, 2) + '\n';
}

// ---------------------------------------------------------------------------------------------
// (c) HTML

/** JSON that is safe inside a `<script>` element. */
/** A value as JSON that is safe inside a `<script>` element. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** A script's source made safe to inline: no `</script` can end the element early. */
export function inlineScript(source: string): string {
  return source.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

/** The Chart.js UMD bundle (defines the global `Chart`), read from node_modules. */
export function chartJsBundle(): string {
  const main = require.resolve('chart.js'); // …/chart.js/dist/chart.cjs
  return fs.readFileSync(path.join(path.dirname(main), 'chart.umd.min.js'), 'utf8');
}

function areaTable(testId: string, rowTestId: string, areas: Area[]): string {
  return htmlTable(
    testId,
    AREA_HEADERS,
    areas.map((area, index) => ({
      attrs: {
        'data-testid': rowTestId,
        'data-dimension': area.dimension,
        'data-value': area.value,
        'data-rate': area.satisfactionRate,
        'data-answers': area.answers,
        'data-nps': area.nps,
        'data-below': area.below.join(' '),
      },
      cells: areaRows(areas)[index]!,
    })),
    AREA_NUMERIC,
  );
}

/** Chooses one unit for a set of durations so an axis reads well. */
function durationUnit(values: (number | null)[]): { name: string; ms: number } {
  const max = Math.max(0, ...values.filter((value): value is number => value !== null));
  if (max < 120_000) return { name: 'seconds', ms: 1_000 };
  if (max < 2 * 3_600_000) return { name: 'minutes', ms: 60_000 };
  if (max < 72 * 3_600_000) return { name: 'hours', ms: 3_600_000 };
  return { name: 'days', ms: 86_400_000 };
}

/** What the page's script draws: computed here so the page holds no logic but drawing. */
export interface ChartData {
  slaCompliance: { labels: string[]; percent: (number | null)[] };
  satisfactionByTeam: {
    labels: string[];
    percent: (number | null)[];
    /** `below` (flagged), `ok`, or `few` (too few answers to judge). */
    status: string[];
    targetPercent: number;
  };
  timesByPriority: {
    labels: string[];
    unit: string;
    firstResponseMedian: (number | null)[];
    firstResponseP90: (number | null)[];
    resolutionMedian: (number | null)[];
    resolutionP90: (number | null)[];
  };
  /** Pre-sales conversion per channel (empty without pre-sales figures). */
  conversionByChannel: { labels: string[]; percent: (number | null)[] };
}

export function chartData(report: Report): ChartData {
  const percent = (rate: number | null) => (rate === null ? null : Math.round(rate * 1000) / 10);
  const windows = WindowName.options.filter((name) => {
    const c = report.overall.slaCompliance.byWindow[name];
    return c.met + c.missed > 0;
  });
  const teams = Object.entries(report.byTeam).filter(([, group]) => group.csat.answers > 0);
  const priorities = Object.entries(report.byPriority);
  const unit = durationUnit(
    priorities.flatMap(([, g]) => [
      g.firstResponseMs.p90,
      g.resolutionMs.p90,
      g.firstResponseMs.median,
      g.resolutionMs.median,
    ]),
  );
  const inUnit = (ms: number | null) => (ms === null ? null : Math.round((ms / unit.ms) * 100) / 100);
  return {
    slaCompliance: {
      labels: windows.map((name) => WINDOW_TITLES[name]),
      percent: windows.map((name) => percent(report.overall.slaCompliance.byWindow[name].rate)),
    },
    satisfactionByTeam: {
      labels: teams.map(([team]) => team),
      percent: teams.map(([, group]) => percent(group.csat.satisfactionRate)),
      status: teams.map(([, group]) =>
        group.csat.answers < report.settings.minAnswers
          ? 'few'
          : (group.csat.satisfactionRate ?? 0) < report.settings.satisfactionTarget
            ? 'below'
            : 'ok',
      ),
      targetPercent: report.settings.satisfactionTarget * 100,
    },
    timesByPriority: {
      labels: priorities.map(([priority]) => priority),
      unit: unit.name,
      firstResponseMedian: priorities.map(([, g]) => inUnit(g.firstResponseMs.median)),
      firstResponseP90: priorities.map(([, g]) => inUnit(g.firstResponseMs.p90)),
      resolutionMedian: priorities.map(([, g]) => inUnit(g.resolutionMs.median)),
      resolutionP90: priorities.map(([, g]) => inUnit(g.resolutionMs.p90)),
    },
    conversionByChannel: {
      labels: Object.keys(report.presales?.conversion.byChannel ?? {}),
      percent: Object.values(report.presales?.conversion.byChannel ?? {}).map((m) => percent(m.rate)),
    },
  };
}

/** Draws the three charts from the `chart-data` JSON; runs in the browser. */
const PAGE_SCRIPT = `
(function () {
  'use strict';
  var body = document.body;
  try {
    var data = JSON.parse(document.getElementById('chart-data').textContent);
    var colours = { ok: '#2e7d32', below: '#c62828', few: '#9e9e9e' };
    var common = {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      plugins: { legend: { position: 'bottom' } }
    };
    function options(extra) { return Object.assign({}, common, extra); }
    function percentAxis(title) {
      return { y: { beginAtZero: true, max: 100, title: { display: true, text: title } } };
    }
    new Chart(document.getElementById('chart-sla-compliance'), {
      type: 'bar',
      data: {
        labels: data.slaCompliance.labels,
        datasets: [{ label: 'SLA compliance (%)', data: data.slaCompliance.percent, backgroundColor: '#1565c0' }]
      },
      options: options({ scales: percentAxis('% of windows met') })
    });
    var team = data.satisfactionByTeam;
    new Chart(document.getElementById('chart-satisfaction-by-team'), {
      type: 'bar',
      data: {
        labels: team.labels,
        datasets: [
          {
            type: 'line',
            label: team.targetPercent + ' % target',
            data: team.labels.map(function () { return team.targetPercent; }),
            borderColor: '#c62828',
            borderDash: [6, 4],
            borderWidth: 2,
            pointRadius: 0,
            fill: false
          },
          {
            type: 'bar',
            label: 'Satisfaction rate (%)',
            data: team.percent,
            backgroundColor: team.status.map(function (s) { return colours[s]; })
          }
        ]
      },
      options: options({ scales: percentAxis('% of answers with CSAT >= 4') })
    });
    var times = data.timesByPriority;
    new Chart(document.getElementById('chart-times-by-priority'), {
      type: 'bar',
      data: {
        labels: times.labels,
        datasets: [
          { label: 'First response median', data: times.firstResponseMedian, backgroundColor: '#90caf9' },
          { label: 'First response p90', data: times.firstResponseP90, backgroundColor: '#1565c0' },
          { label: 'Resolution median', data: times.resolutionMedian, backgroundColor: '#ffcc80' },
          { label: 'Resolution p90', data: times.resolutionP90, backgroundColor: '#ef6c00' }
        ]
      },
      options: options({
        scales: { y: { beginAtZero: true, title: { display: true, text: times.unit } } }
      })
    });
    var conversion = document.getElementById('chart-conversion-by-channel');
    if (conversion) {
      new Chart(conversion, {
        type: 'bar',
        data: {
          labels: data.conversionByChannel.labels,
          datasets: [{ label: 'Conversion (%)', data: data.conversionByChannel.percent, backgroundColor: '#6a1b9a' }]
        },
        options: options({ scales: percentAxis('% of decided journeys won') })
      });
    }
    body.setAttribute('data-charts', 'ready');
  } catch (error) {
    body.setAttribute('data-charts', 'error');
    body.setAttribute('data-charts-error', String(error && error.message || error));
  }
})();
`;

/** The report pages' style sheet (the what-if page uses it too). */
export const REPORT_STYLE = `
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #1d2733; background: #f4f6f8; }
header { background: #1d2733; color: #fff; padding: 20px 32px; }
header h1 { margin: 0 0 6px; font-size: 22px; }
header p { margin: 2px 0; opacity: .85; font-size: 14px; }
main { padding: 20px 32px 40px; max-width: 1280px; }
h2 { font-size: 17px; margin: 28px 0 10px; }
.kpis { display: grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); gap: 12px; }
.kpi { background: #fff; border-radius: 8px; padding: 12px 14px; box-shadow: 0 1px 2px rgba(0,0,0,.08); }
.kpi-label { font-size: 12px; color: #5b6672; text-transform: uppercase; letter-spacing: .03em; }
.kpi-value { font-size: 24px; font-weight: 600; margin-top: 4px; }
.kpi-note { font-size: 12px; color: #5b6672; margin-top: 2px; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(380px, 1fr)); gap: 16px; }
.chart { background: #fff; border-radius: 8px; padding: 12px; box-shadow: 0 1px 2px rgba(0,0,0,.08); }
.chart { margin: 0; }
.chart h3 { margin: 0 0 8px; font-size: 14px; }
.chart figcaption { margin: -4px 0 6px; font-size: 12px; }
.chart-box { position: relative; height: 280px; }
table { border-collapse: collapse; background: #fff; min-width: 50%; font-size: 13px; box-shadow: 0 1px 2px rgba(0,0,0,.08); }
th, td { padding: 6px 10px; border-bottom: 1px solid #e3e7eb; text-align: left; white-space: nowrap; }
th { background: #eef1f4; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.scroll { overflow-x: auto; }
.muted { color: #5b6672; font-size: 13px; }
`;

function breakdownTable(report: Report, dimension: BreakdownDimension): string {
  return htmlTable(
    `table-by-${dimension}`,
    [DIMENSION_TITLES[dimension], ...BREAKDOWN_COLUMNS.map((column) => column.title)],
    Object.entries(breakdownOf(report, dimension)).map(([key, group]) => ({
      attrs: {
        'data-testid': 'breakdown-row',
        'data-dimension': dimension,
        'data-key': key,
        'data-cases': group.cases,
        'data-satisfaction-rate': group.csat.satisfactionRate,
        'data-resolution-rate': group.resolution.rate,
        'data-repeat-rate': group.repeat.rate,
      },
      cells: [key, ...BREAKDOWN_COLUMNS.map((column) => column.value(group))],
    })),
    [false, ...BREAKDOWN_COLUMNS.map(() => true)],
  );
}

export interface HtmlOptions {
  /** The Chart.js UMD source; read from node_modules when absent. */
  chartJs?: string;
  title?: string;
}

/** The report as one self-contained HTML page (Chart.js inlined, no network needed). */
export function renderHtml(report: Report, options: HtmlOptions = {}): string {
  const o = report.overall;
  const title = options.title ?? 'After-sales report';
  const target = formatPercent(report.settings.satisfactionTarget, 0);
  const chart = (id: string, heading: string, caption = '') =>
    element(
      'figure',
      { class: 'chart' },
      element('h3', {}, escapeHtml(heading)) +
        (caption ? element('figcaption', { class: 'muted' }, escapeHtml(caption)) : '') +
        element(
          'div',
          { class: 'chart-box' },
          `<canvas id="${id}" data-testid="${id}" role="img" aria-label="${escapeHtml(heading)}"></canvas>`,
        ),
    );
  const tiles = [
    kpi('kpi-cases', 'Cases closed', o.cases, String(o.cases)),
    kpi('kpi-open-cases', 'Still open', report.openCases.total, String(report.openCases.total)),
    kpi(
      'kpi-sla-compliance',
      'SLA compliance',
      o.slaCompliance.all.rate,
      formatPercent(o.slaCompliance.all.rate),
      `${o.slaCompliance.all.met} met / ${o.slaCompliance.all.missed} missed windows`,
    ),
    kpi(
      'kpi-first-response-median',
      'First response (median)',
      o.firstResponseMs.median,
      formatDuration(o.firstResponseMs.median),
      `mean ${formatDuration(o.firstResponseMs.mean)} · p90 ${formatDuration(o.firstResponseMs.p90)}`,
    ),
    kpi(
      'kpi-resolution-median',
      'Resolution (median)',
      o.resolutionMs.median,
      formatDuration(o.resolutionMs.median),
      `mean ${formatDuration(o.resolutionMs.mean)} · p90 ${formatDuration(o.resolutionMs.p90)}`,
    ),
    kpi(
      'kpi-csat-average',
      'CSAT average',
      o.csat.average,
      formatCsat(o.csat.average),
      `${o.csat.answers} answers`,
    ),
    kpi(
      'kpi-satisfaction-rate',
      'Satisfied (CSAT ≥ 4)',
      o.csat.satisfactionRate,
      formatPercent(o.csat.satisfactionRate),
      `target ${target}`,
    ),
    kpi('kpi-nps', 'NPS', o.nps.score, formatNps(o.nps.score), `${o.nps.answers} answers`),
    kpi(
      'kpi-escalation-rate',
      'Escalated',
      o.escalation.rate,
      formatPercent(o.escalation.rate),
      `${o.escalation.count} cases`,
    ),
    kpi(
      'kpi-reopen-rate',
      'Reopened',
      o.reopen.rate,
      formatPercent(o.reopen.rate),
      `${o.reopen.count} cases`,
    ),
    kpi(
      'kpi-resolution-rate',
      'Resolved',
      o.resolution.rate,
      formatPercent(o.resolution.rate),
      `${o.resolution.count} cases`,
    ),
    kpi(
      'kpi-repeat-rate',
      'Repeat issues',
      o.repeat.rate,
      formatPercent(o.repeat.rate),
      `${o.repeat.count} within ${report.settings.repeatWindowDays} days`,
    ),
    kpi(
      'kpi-ratings',
      'Ratings (1–5)',
      o.ratings.attitude.average,
      ratingsText(o),
      'attitude · speed · effectiveness',
    ),
    kpi('kpi-qa-sampled', 'QA sample', report.qaSample.length, String(report.qaSample.length)),
  ].join('');
  const windowRows = WindowName.options
    .map((name) => [name, o.slaCompliance.byWindow[name]] as const)
    .filter(([, c]) => c.met + c.missed + c.cancelled + c.open > 0)
    .map(([name, c]) => ({
      attrs: {
        'data-testid': 'sla-window-row',
        'data-window': name,
        'data-met': c.met,
        'data-missed': c.missed,
        'data-rate': c.rate,
      },
      cells: [
        WINDOW_TITLES[name],
        String(c.met),
        String(c.missed),
        String(c.cancelled),
        formatPercent(c.rate),
      ],
    }));
  const openStages = Object.entries(report.openCases.byStage).filter(([, count]) => count > 0);
  if (report.openCases.unknownStage > 0) openStages.push(['(no stage yet)', report.openCases.unknownStage]);

  const sections = [
    element('section', { class: 'kpis', 'aria-label': 'Key numbers' }, tiles),
    element('h2', {}, 'Charts'),
    element(
      'section',
      { class: 'charts' },
      chart('chart-sla-compliance', 'SLA compliance per window (%)') +
        chart(
          'chart-satisfaction-by-team',
          `Satisfaction rate per team (%), ${target} target`,
          `Red: below the target; green: at or above it; grey: fewer than ${report.settings.minAnswers} answers, not judged.`,
        ) +
        chart('chart-times-by-priority', 'First response and resolution per priority: median and p90'),
    ),
    element('h2', {}, `Areas flagged for root-cause analysis (${report.areas.flagged.length})`),
    element(
      'p',
      { class: 'muted' },
      escapeHtml(
        `Teams, categories, priorities and channels with at least ${report.settings.minAnswers} CSAT answers and a satisfaction rate below ${target}.`,
      ),
    ),
    report.areas.flagged.length > 0
      ? element(
          'div',
          { class: 'scroll' },
          areaTable('table-flagged-areas', 'flagged-area', report.areas.flagged),
        )
      : element('p', { 'data-testid': 'no-flagged-areas' }, 'No area is below the target.'),
    report.qaReviews
      ? element(
          'h2',
          {
            'data-testid': 'qa-reviews-summary',
            'data-completed': report.qaReviews.completed.length,
            'data-open': report.qaReviews.open,
            'data-overdue': report.qaReviews.overdue,
          },
          escapeHtml(
            `QA reviews: ${report.qaReviews.completed.length} finished, ${report.qaReviews.open} open, ${report.qaReviews.overdue} overdue`,
          ),
        ) +
        element(
          'div',
          { class: 'scroll' },
          htmlTable(
            'table-qa-reviews',
            ['Subject', 'Solution', 'Communication', 'Satisfaction', 'Findings'],
            report.qaReviews.completed.map((r) => ({
              attrs: { 'data-testid': 'qa-review-row', 'data-subject': r.subject },
              cells: [
                `${r.kind} ${r.subject}`,
                String(r.scores.solution),
                String(r.scores.communication),
                String(r.scores.satisfaction),
                r.findings,
              ],
            })),
            [false, true, true, true, false],
          ),
        )
      : '',
    report.rootCauseAnalyses
      ? element(
          'h2',
          {
            'data-testid': 'rca-summary',
            'data-open': report.rootCauseAnalyses.open.length,
            'data-overdue': report.rootCauseAnalyses.overdue,
            'data-closed': report.rootCauseAnalyses.closedInRange,
          },
          escapeHtml(
            `Root-cause analyses: ${report.rootCauseAnalyses.open.length} open, ${report.rootCauseAnalyses.overdue} overdue, ${report.rootCauseAnalyses.closedInRange} closed in the range`,
          ),
        ) +
        element(
          'div',
          { class: 'scroll' },
          htmlTable(
            'table-rca',
            ['Analysis', 'Due', 'Overdue'],
            report.rootCauseAnalyses.open.map((rca) => ({
              attrs: {
                'data-testid': 'rca-row',
                'data-id': rca.workflowId,
                'data-overdue': String(rca.overdue),
              },
              cells: [rca.workflowId, rca.dueAt ?? '—', rca.overdue ? 'yes' : 'no'],
            })),
          ),
        )
      : '',
    element('h2', {}, `Too few answers to judge (${report.areas.tooFewAnswers.length})`),
    report.areas.tooFewAnswers.length > 0
      ? element(
          'div',
          { class: 'scroll' },
          areaTable('table-too-few-answers', 'too-few-answers', report.areas.tooFewAnswers),
        )
      : element('p', { class: 'muted' }, 'Every area has enough answers.'),
    element('h2', {}, `QA sample (${report.qaSample.length})`),
    element(
      'div',
      { class: 'scroll' },
      htmlTable(
        'table-qa-sample',
        ['Case', 'Team', 'Priority', 'Category', 'Outcome', 'Closed'],
        report.qaSample.map((entry) => ({
          attrs: { 'data-testid': 'qa-sample-row', 'data-case-id': entry.caseId },
          cells: [entry.caseId, entry.team, entry.priority, entry.category, entry.outcome, entry.closedAt],
        })),
      ),
    ),
    element('h2', {}, 'SLA compliance by window'),
    element(
      'p',
      { class: 'muted' },
      'Met: fulfilled without a breach. Missed: breached, even if fulfilled late or cancelled afterwards. Windows cancelled without a breach count in neither.',
    ),
    element(
      'div',
      { class: 'scroll' },
      htmlTable('table-sla-windows', ['Window', 'Met', 'Missed', 'Cancelled', 'Compliance'], windowRows, [
        false,
        true,
        true,
        true,
        true,
      ]),
    ),
    element('h2', {}, `Repeat issues (${report.repeatIssues.length})`),
    element(
      'div',
      { class: 'scroll' },
      htmlTable(
        'table-repeat-issues',
        ['Case', 'Repeats', 'Customer', 'Product / category', 'Days'],
        report.repeatIssues.map((r) => ({
          attrs: { 'data-testid': 'repeat-row', 'data-case-id': r.caseId, 'data-repeats': r.repeats },
          cells: [r.caseId, r.repeats, r.customerId, r.subject, String(r.days)],
        })),
        [false, false, false, false, true],
      ),
    ),
    report.customersAtRisk
      ? element('h2', {}, `Customers at SLA risk (${report.customersAtRisk.length})`) +
        htmlTable(
          'table-customers-at-risk',
          ['Customer', 'Journey'],
          report.customersAtRisk.map((c) => ({
            attrs: { 'data-testid': 'customer-at-risk', 'data-customer-id': c.customerId },
            cells: [c.customerId, c.journeyId],
          })),
        )
      : '',
    element('h2', {}, `Paused time by reason (${Object.keys(report.pauses).length})`),
    element(
      'div',
      { class: 'scroll' },
      htmlTable(
        'table-pauses',
        PAUSE_HEADERS,
        pauseRows(report).map((cells) => ({
          attrs: {
            'data-testid': 'pause-row',
            'data-reason': cells[0],
            'data-total-ms': report.pauses[cells[0]!]!.totalMs,
          },
          cells,
        })),
        [false, true, true, true],
      ),
    ),
    ...BREAKDOWN_DIMENSIONS.flatMap((dimension) => [
      element('h2', {}, `By ${dimension === 'assignee' ? 'person' : dimension}`),
      element('div', { class: 'scroll' }, breakdownTable(report, dimension)),
    ]),
    element('h2', {}, `Open cases by stage (${report.openCases.total})`),
    element(
      'div',
      { class: 'scroll' },
      htmlTable(
        'table-open-cases',
        ['Stage', 'Open'],
        openStages.map(([stage, count]) => ({
          attrs: { 'data-stage': stage },
          cells: [stage, String(count)],
        })),
        [false, true],
      ),
    ),
    report.presales
      ? presalesHtml(
          report.presales,
          chart(
            'chart-conversion-by-channel',
            'Pre-sales conversion per channel (% of decided journeys won)',
          ),
        )
      : '',
    report.collection.skipped > 0
      ? element(
          'p',
          { class: 'muted', 'data-testid': 'skipped-cases', 'data-value': report.collection.skipped },
          escapeHtml(
            `${report.collection.skipped} closed cases were left out: their result could not be read or was not a valid case result.`,
          ),
        )
      : '',
  ].join('\n');

  const header = element(
    'header',
    {},
    element('h1', {}, escapeHtml(title)) +
      element(
        'p',
        { 'data-testid': 'report-range', 'data-from': report.range.from, 'data-to': report.range.to },
        escapeHtml(`Cases closed from ${report.range.from} to ${report.range.to} (end excluded)`),
      ) +
      element(
        'p',
        {},
        element(
          'span',
          { 'data-testid': 'report-case-count', 'data-value': report.collection.read },
          escapeHtml(`${report.collection.read} cases`),
        ) +
          escapeHtml(' · generated ') +
          element(
            'time',
            {
              'data-testid': 'report-generated-at',
              'data-value': report.generatedAt,
              datetime: report.generatedAt,
            },
            escapeHtml(report.generatedAt),
          ),
      ),
  );

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${REPORT_STYLE}</style>
</head>
<body>
${header}
<main>
${sections}
</main>
<script type="application/json" id="chart-data">${scriptJson(chartData(report))}</script>
<script>${inlineScript(options.chartJs ?? chartJsBundle())}</script>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}
