/**
 * The pre-sales section of the report, in the terminal table and the HTML page: inquiries and
 * first responses per channel, conversion per channel, owner and month, reasons, days to the
 * contract, pre-sales satisfaction. The HTML carries its numbers in `data-*` attributes:
 *
 * | data-testid                                          | value                                  |
 * | ---------------------------------------------------- | -------------------------------------- |
 * | `kpi-inquiries`, `kpi-presales-answers`              | counts                                 |
 * | `kpi-first-response-compliance`, `kpi-conversion`    | fraction 0–1                           |
 * | `kpi-inquiry-response-median`                        | ms                                     |
 * | `kpi-days-to-contract`                               | days (mean)                            |
 * | `kpi-presales-csat`                                  | 1–5                                    |
 * | `inquiry-channel-row` (`data-channel`, `data-inquiries`, `data-compliance`) | per channel     |
 * | `conversion-row` (`data-dimension`, `data-key`, `data-won`, `data-lost`, `data-rate`) |       |
 * | `reason-row` (`data-kind` win/loss, `data-reason`, `data-count`)             |                 |
 */
import {
  element,
  escapeHtml,
  formatCsat,
  formatDuration,
  formatPercent,
  htmlTable,
  kpi,
  textTable,
} from './format';
import type { ConversionMetrics, FirstResponseMetrics, PresalesMetrics } from './presales';

const CONVERSION_DIMENSIONS = [
  ['channel', 'byChannel'],
  ['owner', 'byOwner'],
  ['month', 'byMonth'],
] as const;

function days(value: number | null): string {
  return value === null ? '—' : `${value.toFixed(1)} d`;
}

function responseCells(m: FirstResponseMetrics): string[] {
  return [
    String(m.inquiries),
    String(m.met),
    String(m.missed),
    String(m.open),
    formatPercent(m.compliance),
    formatDuration(m.meanMs),
    formatDuration(m.responseMs.median),
    formatDuration(m.responseMs.p90),
  ];
}
const RESPONSE_HEADERS = ['Inquiries', 'Met', 'Missed', 'Open', 'Compliance', 'Mean', 'Median', 'p90'];

function conversionCells(m: ConversionMetrics): string[] {
  return [String(m.won), String(m.lost), formatPercent(m.rate)];
}

function reasons(p: PresalesMetrics): { kind: 'win' | 'loss'; reason: string; count: number }[] {
  return [
    ...Object.entries(p.winReasons).map(([reason, count]) => ({ kind: 'win' as const, reason, count })),
    ...Object.entries(p.lossReasons).map(([reason, count]) => ({ kind: 'loss' as const, reason, count })),
  ];
}

/** The terminal table's pre-sales lines. */
export function presalesTableLines(p: PresalesMetrics): string[] {
  const out: string[] = [];
  out.push(
    `Pre-sales: ${p.journeys.listed} journeys listed` +
      (p.journeys.unreported
        ? ` (${p.journeys.unreported} started before journeys kept pre-sales figures)`
        : ''),
  );
  out.push(
    textTable(
      ['Measure', 'Value'],
      [
        ['Inquiries', String(p.firstResponse.inquiries)],
        [
          'First-response compliance',
          `${formatPercent(p.firstResponse.compliance)} (${p.firstResponse.met} met / ${p.firstResponse.missed} missed)`,
        ],
        [
          'First response mean / median / p90',
          `${formatDuration(p.firstResponse.meanMs)} / ${formatDuration(p.firstResponse.responseMs.median)} / ${formatDuration(p.firstResponse.responseMs.p90)}`,
        ],
        [
          'Conversion (won / decided)',
          `${formatPercent(p.conversion.rate)} (${p.conversion.won} won, ${p.conversion.lost} lost)`,
        ],
        [
          'Days to contract mean / median',
          `${days(p.daysToContract.mean)} / ${days(p.daysToContract.median)}`,
        ],
        [
          'Pre-sales CSAT / speed / understanding / attitude / effectiveness',
          `${formatCsat(p.satisfaction.csat)} / ${formatCsat(p.satisfaction.speed)} / ${formatCsat(p.satisfaction.understanding)} / ${formatCsat(p.satisfaction.attitude)} / ${formatCsat(p.satisfaction.effectiveness)} (${p.satisfaction.answers} answers)`,
        ],
      ],
    ),
  );
  out.push('');
  out.push('First response by channel');
  out.push(
    textTable(
      ['Channel', ...RESPONSE_HEADERS],
      Object.entries(p.firstResponse.byChannel).map(([channel, m]) => [channel, ...responseCells(m)]),
      [false, ...RESPONSE_HEADERS.map(() => true)],
    ),
  );
  for (const [dimension, key] of CONVERSION_DIMENSIONS) {
    out.push('');
    out.push(`Conversion by ${dimension}`);
    out.push(
      textTable(
        [dimension, 'Won', 'Lost', 'Rate'],
        Object.entries(p.conversion[key]).map(([name, m]) => [name, ...conversionCells(m)]),
        [false, true, true, true],
      ),
    );
  }
  out.push('');
  out.push('Win and loss reasons');
  out.push(
    textTable(
      ['Kind', 'Reason', 'Journeys'],
      reasons(p).map((entry) => [entry.kind, entry.reason, String(entry.count)]),
      [false, false, true],
    ),
  );
  return out;
}

/** The HTML page's pre-sales section (its chart is drawn from `chartData`). */
export function presalesHtml(p: PresalesMetrics, chart: string): string {
  const tiles = [
    kpi('kpi-inquiries', 'Inquiries', p.firstResponse.inquiries, String(p.firstResponse.inquiries)),
    kpi(
      'kpi-first-response-compliance',
      'First response in time',
      p.firstResponse.compliance,
      formatPercent(p.firstResponse.compliance),
      `${p.firstResponse.met} met / ${p.firstResponse.missed} missed`,
    ),
    kpi(
      'kpi-inquiry-response-median',
      'First response (median)',
      p.firstResponse.responseMs.median,
      formatDuration(p.firstResponse.responseMs.median),
      `mean ${formatDuration(p.firstResponse.meanMs)} · p90 ${formatDuration(p.firstResponse.responseMs.p90)}`,
    ),
    kpi(
      'kpi-conversion',
      'Conversion',
      p.conversion.rate,
      formatPercent(p.conversion.rate),
      `${p.conversion.won} won / ${p.conversion.lost} lost`,
    ),
    kpi(
      'kpi-days-to-contract',
      'Days to contract (mean)',
      p.daysToContract.mean,
      days(p.daysToContract.mean),
    ),
    kpi(
      'kpi-presales-csat',
      'Pre-sales CSAT',
      p.satisfaction.csat,
      formatCsat(p.satisfaction.csat),
      `${p.satisfaction.answers} answers`,
    ),
  ].join('');
  const channelRows = Object.entries(p.firstResponse.byChannel).map(([channel, m]) => ({
    attrs: {
      'data-testid': 'inquiry-channel-row',
      'data-channel': channel,
      'data-inquiries': m.inquiries,
      'data-compliance': m.compliance,
    },
    cells: [channel, ...responseCells(m)],
  }));
  const conversionTables = CONVERSION_DIMENSIONS.map(([dimension, key]) =>
    element(
      'div',
      { class: 'scroll' },
      htmlTable(
        `table-conversion-${dimension}`,
        [`By ${dimension}`, 'Won', 'Lost', 'Rate'],
        Object.entries(p.conversion[key]).map(([name, m]) => ({
          attrs: {
            'data-testid': 'conversion-row',
            'data-dimension': dimension,
            'data-key': name,
            'data-won': m.won,
            'data-lost': m.lost,
            'data-rate': m.rate,
          },
          cells: [name, ...conversionCells(m)],
        })),
        [false, true, true, true],
      ),
    ),
  ).join('\n');
  return [
    element('h2', {}, 'Pre-sales'),
    element(
      'p',
      { class: 'muted', 'data-testid': 'presales-journeys', 'data-value': p.journeys.listed },
      escapeHtml(
        `${p.journeys.listed} journeys listed` +
          (p.journeys.unreported
            ? `, ${p.journeys.unreported} without pre-sales figures (older versions)`
            : '') +
          '. Inquiries received and decisions (won at the signature, lost) in the range.',
      ),
    ),
    element('section', { class: 'kpis', 'aria-label': 'Pre-sales numbers' }, tiles),
    element('section', { class: 'charts' }, chart),
    element(
      'div',
      { class: 'scroll' },
      htmlTable('table-inquiry-channels', ['Channel', ...RESPONSE_HEADERS], channelRows, [
        false,
        ...RESPONSE_HEADERS.map(() => true),
      ]),
    ),
    conversionTables,
    element(
      'div',
      { class: 'scroll' },
      htmlTable(
        'table-reasons',
        ['Kind', 'Reason', 'Journeys'],
        reasons(p).map((entry) => ({
          attrs: {
            'data-testid': 'reason-row',
            'data-kind': entry.kind,
            'data-reason': entry.reason,
            'data-count': entry.count,
          },
          cells: [entry.kind, entry.reason, String(entry.count)],
        })),
        [false, false, true],
      ),
    ),
  ].join('\n');
}
