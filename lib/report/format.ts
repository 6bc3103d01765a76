/**
 * Formatting shared by the report's forms and sections: numbers for people, aligned text tables,
 * and the few HTML builders every section uses (escaped text, elements, KPI tiles, tables).
 */

export const DASH = '—';

/** `0.8` → `80.0 %`; null → `—`. */
export function formatPercent(rate: number | null, digits = 1): string {
  return rate === null ? DASH : `${(rate * 100).toFixed(digits)} %`;
}

/** A duration in the unit that reads best: `350 ms`, `2.3 s`, `12 min`, `5.2 h`, `3.1 d`. */
export function formatDuration(ms: number | null): string {
  if (ms === null) return DASH;
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`;
  if (ms < 48 * 3_600_000) return `${(ms / 3_600_000).toFixed(1)} h`;
  return `${(ms / 86_400_000).toFixed(1)} d`;
}

/** CSAT average with two decimals. */
export function formatCsat(average: number | null): string {
  return average === null ? DASH : average.toFixed(2);
}

/** NPS as a whole number (`60`, `-20`). */
export function formatNps(score: number | null): string {
  if (score === null) return DASH;
  const rounded = Math.round(score);
  return String(rounded === 0 ? 0 : rounded);
}

/** Aligned plain-text columns; `right` marks the columns to right-align (numbers). */
export function textTable(headers: string[], rows: string[][], right: boolean[] = []): string {
  const widths = headers.map((header, column) =>
    rows.reduce((widest, row) => Math.max(widest, (row[column] ?? '').length), header.length),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (right[column] ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char]!);
}

export type Attributes = Record<string, string | number | null | undefined>;

function attributes(attrs: Attributes): string {
  return Object.entries(attrs)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => ` ${name}="${escapeHtml(value === null ? '' : String(value))}"`)
    .join('');
}

export function element(tag: string, attrs: Attributes, content: string): string {
  return `<${tag}${attributes(attrs)}>${content}</${tag}>`;
}

export function kpi(testId: string, label: string, value: number | null, text: string, note = ''): string {
  return element(
    'div',
    { class: 'kpi', 'data-testid': testId, 'data-value': value },
    element('div', { class: 'kpi-label' }, escapeHtml(label)) +
      element('div', { class: 'kpi-value' }, escapeHtml(text)) +
      (note ? element('div', { class: 'kpi-note' }, escapeHtml(note)) : ''),
  );
}

export function htmlTable(
  testId: string,
  headers: string[],
  rows: { attrs: Attributes; cells: string[] }[],
  numeric: boolean[] = [],
): string {
  const head = element('tr', {}, headers.map((header) => element('th', {}, escapeHtml(header))).join(''));
  const body = rows
    .map((row) =>
      element(
        'tr',
        row.attrs,
        row.cells
          .map((cell, column) =>
            element('td', { class: numeric[column] ? 'num' : undefined }, escapeHtml(cell)),
          )
          .join(''),
      ),
    )
    .join('');
  return element('table', { 'data-testid': testId }, element('thead', {}, head) + element('tbody', {}, body));
}
