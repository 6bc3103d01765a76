/**
 * The what-if comparison as a terminal table, JSON, or a self-contained HTML page with charts
 * (the analyst report's style and Chart.js, inlined).
 */
import { element, escapeHtml, htmlTable, kpi, textTable } from '../report/format';
import { chartJsBundle, inlineScript, REPORT_STYLE, scriptJson } from '../report/render';
import type { SideBySide, WhatIfReport, WhatIfTotals } from './engine';

/** The figures shown side by side, in order. */
const FIGURES: { key: keyof WhatIfTotals; label: string }[] = [
  { key: 'windows', label: 'Windows' },
  { key: 'warnings', label: 'Warnings' },
  { key: 'breaches', label: 'Breaches' },
  { key: 'escalatedCases', label: 'Cases escalated' },
  { key: 'notifications', label: 'People told' },
  { key: 'notificationsOutsideHours', label: 'Told outside hours' },
  { key: 'hoursWokenOutsideHours', label: 'Hours woken outside hours' },
];

const change = (before: number, after: number) =>
  after === before ? '=' : `${after > before ? '+' : ''}${after - before}`;

function figureRows(pair: SideBySide): string[][] {
  return FIGURES.map(({ key, label }) => [
    label,
    String(pair.actual[key]),
    String(pair.candidate[key]),
    change(pair.actual[key], pair.candidate[key]),
  ]);
}

function groupRows(groups: Record<string, SideBySide>): string[][] {
  return Object.entries(groups).map(([name, pair]) => [
    name,
    String(pair.actual.cases),
    `${pair.actual.breaches} → ${pair.candidate.breaches}`,
    `${pair.actual.escalatedCases} → ${pair.candidate.escalatedCases}`,
    `${pair.actual.notificationsOutsideHours} → ${pair.candidate.notificationsOutsideHours}`,
  ]);
}

const GROUP_HEADERS = ['', 'Cases', 'Breaches', 'Escalated', 'Told outside hours'];

/** A line per disagreeing case, for the check's verdict. */
function checkLine(report: WhatIfReport): string {
  const { check } = report;
  return check.disagreements.length === 0
    ? `Replayed with the budgets they recorded, all ${check.cases} cases give their recorded outcome back.`
    : `Replayed with the budgets they recorded, ${check.disagreements.length} of ${check.cases} cases do NOT give their recorded outcome back: ` +
        check.disagreements.map((d) => `${d.workflowId} (${d.detail})`).join('; ');
}

function collectionLine(report: WhatIfReport): string {
  const c = report.collection;
  return (
    `${c.replayed} of ${c.listed} closed cases replayed` +
    (c.withoutJournal ? `; ${c.withoutJournal} closed before cases kept an SLA journal` : '') +
    (c.unreadable ? `; ${c.unreadable} unreadable` : '')
  );
}

export function renderWhatIfTable(report: WhatIfReport): string {
  const right = [false, true, true, true, true];
  const changed = report.changed.map((c) => [
    c.workflowId,
    c.team,
    c.priority,
    c.actual.join(', ') || '—',
    c.candidate.join(', ') || '—',
  ]);
  return [
    `What-if: cases closed from ${report.range.from} to ${report.range.to}`,
    `Candidate policy: ${JSON.stringify(report.candidate)}`,
    collectionLine(report),
    checkLine(report),
    '',
    textTable(['', 'Actual', 'Candidate', 'Change'], figureRows(report.totals), right),
    '',
    'Per team',
    textTable(GROUP_HEADERS, groupRows(report.byTeam), right),
    '',
    'Per priority',
    textTable(GROUP_HEADERS, groupRows(report.byPriority), right),
    '',
    `Cases whose outcome changes (${report.changed.length})`,
    changed.length > 0
      ? textTable(['Case', 'Team', 'Priority', 'Breached (actual)', 'Breached (candidate)'], changed)
      : 'none',
    '',
  ].join('\n');
}

export function renderWhatIfJson(report: WhatIfReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** Builds the two charts from the embedded data, and says on `<body>` whether they drew. */
const PAGE_SCRIPT = `
(function () {
  var body = document.body;
  try {
    var data = JSON.parse(document.getElementById('what-if-data').textContent);
    function bars(id, groups) {
      var labels = Object.keys(groups);
      new Chart(document.getElementById(id), {
        type: 'bar',
        data: {
          labels: labels,
          datasets: [
            { label: 'Breaches, actual', data: labels.map(function (k) { return groups[k].actual.breaches; }), backgroundColor: '#90a4ae' },
            { label: 'Breaches, candidate', data: labels.map(function (k) { return groups[k].candidate.breaches; }), backgroundColor: '#e53935' },
            { label: 'Told outside hours, actual', data: labels.map(function (k) { return groups[k].actual.notificationsOutsideHours; }), backgroundColor: '#b39ddb' },
            { label: 'Told outside hours, candidate', data: labels.map(function (k) { return groups[k].candidate.notificationsOutsideHours; }), backgroundColor: '#5e35b1' }
          ]
        },
        options: { responsive: true, maintainAspectRatio: false, animation: false, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
      });
    }
    bars('chart-what-if-by-team', data.byTeam);
    bars('chart-what-if-by-priority', data.byPriority);
    body.setAttribute('data-charts', 'ready');
  } catch (error) {
    body.setAttribute('data-charts', 'error');
    body.setAttribute('data-charts-error', String(error && error.message || error));
  }
})();
`;

export function renderWhatIfHtml(report: WhatIfReport, options: { chartJs?: string } = {}): string {
  const t = report.totals;
  const tiles = FIGURES.map(({ key, label }) =>
    kpi(
      `kpi-what-if-${key}`,
      label,
      t.candidate[key],
      `${t.actual[key]} → ${t.candidate[key]}`,
      change(t.actual[key], t.candidate[key]),
    ),
  ).join('');
  const chart = (id: string, heading: string) =>
    element(
      'figure',
      { class: 'chart' },
      element('h3', {}, escapeHtml(heading)) +
        element(
          'div',
          { class: 'chart-box' },
          `<canvas id="${id}" data-testid="${id}" role="img" aria-label="${escapeHtml(heading)}"></canvas>`,
        ),
    );
  const groupTable = (testId: string, groups: Record<string, SideBySide>) =>
    htmlTable(
      testId,
      GROUP_HEADERS,
      groupRows(groups).map((cells) => ({
        attrs: { 'data-testid': `${testId}-row`, 'data-group': cells[0] },
        cells,
      })),
      [false, true, true, true, true],
    );
  const sections = [
    element('p', { 'data-testid': 'what-if-collection' }, escapeHtml(collectionLine(report))),
    element(
      'p',
      {
        'data-testid': 'what-if-check',
        'data-agreeing': report.check.agreeing,
        'data-cases': report.check.cases,
      },
      escapeHtml(checkLine(report)),
    ),
    element('section', { class: 'kpis', 'aria-label': 'Actual → candidate' }, tiles),
    element('h2', {}, 'Charts'),
    element(
      'section',
      { class: 'charts' },
      chart('chart-what-if-by-team', 'Per team: breaches and people told outside hours') +
        chart('chart-what-if-by-priority', 'Per priority: breaches and people told outside hours'),
    ),
    element('h2', {}, 'Per team'),
    groupTable('table-what-if-by-team', report.byTeam),
    element('h2', {}, 'Per priority'),
    groupTable('table-what-if-by-priority', report.byPriority),
    element('h2', {}, `Cases whose outcome changes (${report.changed.length})`),
    htmlTable(
      'table-what-if-changed',
      ['Case', 'Team', 'Priority', 'Breached (actual)', 'Breached (candidate)'],
      report.changed.map((c) => ({
        attrs: { 'data-testid': 'what-if-changed-row', 'data-workflow-id': c.workflowId },
        cells: [c.workflowId, c.team, c.priority, c.actual.join(', ') || '—', c.candidate.join(', ') || '—'],
      })),
    ),
  ].join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>What-if policy replay</title>
<style>${REPORT_STYLE}</style>
</head>
<body>
<header><h1>What-if policy replay</h1><p>${escapeHtml(`Cases closed from ${report.range.from} to ${report.range.to}`)}</p>
<p>${escapeHtml(`Candidate policy: ${JSON.stringify(report.candidate)}`)}</p></header>
<main>
${sections}
</main>
<script type="application/json" id="what-if-data">${scriptJson({ byTeam: report.byTeam, byPriority: report.byPriority })}</script>
<script>${inlineScript(options.chartJs ?? chartJsBundle())}</script>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}
