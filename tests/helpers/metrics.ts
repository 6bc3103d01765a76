/**
 * Reading what a worker's metrics endpoint serves and what the shipped ops files ask of it: the
 * Prometheus text format (names and values of series), the expressions of the Grafana dashboard
 * and of the alert rules, and the metric names an expression refers to.
 */
import fs from 'node:fs';
import path from 'node:path';

const REPOSITORY = path.resolve(__dirname, '..', '..');
export const ALERTS_FILE = path.join(REPOSITORY, 'ops', 'prometheus', 'alerts.yml');
export const ALERT_TESTS_FILE = path.join(REPOSITORY, 'ops', 'prometheus', 'alerts.test.yml');
export const DASHBOARD_FILE = path.join(REPOSITORY, 'ops', 'grafana', 'dashboard.json');

export interface Series {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The series of a `/metrics` page (text exposition format; comments skipped). */
export function parseExposition(text: string): Series[] {
  const series: Series[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const pair of (match[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[pair[1]!] = pair[2]!;
    }
    series.push({ name: match[1]!, labels, value: Number(match[4]) });
  }
  return series;
}

/** The page of a worker's metrics endpoint, parsed. */
export async function scrape(address: string): Promise<Series[]> {
  const response = await fetch(`http://${address}/metrics`, { signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`GET http://${address}/metrics answered ${response.status}`);
  return parseExposition(await response.text());
}

/** The sum of the values of the series with this name and (at least) these labels. */
export function total(series: Series[], name: string, labels: Record<string, string> = {}): number {
  return series
    .filter(
      (entry) =>
        entry.name === name && Object.entries(labels).every(([key, value]) => entry.labels[key] === value),
    )
    .reduce((sum, entry) => sum + entry.value, 0);
}

interface DashboardPanel {
  title: string;
  targets?: { expr?: string }[];
  panels?: DashboardPanel[];
}

/** Every PromQL expression of the dashboard: panel targets and query variables. */
export function dashboardExpressions(): { where: string; expr: string }[] {
  const dashboard = JSON.parse(fs.readFileSync(DASHBOARD_FILE, 'utf8')) as {
    panels: DashboardPanel[];
    templating: { list: { name: string; type: string; query?: string | { query?: string } }[] };
  };
  const found: { where: string; expr: string }[] = [];
  const visit = (panel: DashboardPanel) => {
    for (const target of panel.targets ?? []) {
      if (target.expr) found.push({ where: `panel "${panel.title}"`, expr: target.expr });
    }
    panel.panels?.forEach(visit);
  };
  dashboard.panels.forEach(visit);
  for (const variable of dashboard.templating.list) {
    if (variable.type !== 'query') continue;
    const query = typeof variable.query === 'string' ? variable.query : variable.query?.query;
    // label_values(metric, label) is Grafana's, not PromQL: the metric selector is what Prometheus sees.
    const labelValues = query && /^label_values\((.+),\s*\w+\)$/.exec(query);
    if (labelValues) found.push({ where: `variable $${variable.name}`, expr: labelValues[1]! });
  }
  return found;
}

/**
 * An expression with Grafana's variables replaced as Grafana would before sending it: the
 * rate interval by a duration, a multi-value variable set to "All" by its `.+`.
 */
export function asGrafanaSends(expr: string): string {
  return expr.replaceAll('$__rate_interval', '1m').replaceAll('$team', '.+');
}

/** Metric names an expression selects (`cj_*`, `temporal_*` and `up`). */
export function metricNamesIn(expr: string): string[] {
  return [
    ...new Set([...expr.matchAll(/\b(cj_[a-z_]+|temporal_[a-z_]+|up)\b(?=\s*[{[)])/g)].map((m) => m[1]!)),
  ];
}

/** The `expr` of every rule of a rules file (a small reader for the shape alerts.yml has). */
export function ruleExpressions(file = ALERTS_FILE): { alert: string; expr: string }[] {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const rules: { alert: string; expr: string }[] = [];
  for (let i = 0; i < lines.length; i++) {
    const alert = /^\s*- alert: (\S+)/.exec(lines[i]!);
    if (!alert) continue;
    const exprLine = lines.slice(i + 1).findIndex((line) => /^\s*expr:/.test(line));
    const start = i + 1 + exprLine;
    const inline = /^\s*expr: (.*)$/.exec(lines[start]!)![1]!;
    if (inline !== '|') {
      rules.push({ alert: alert[1]!, expr: inline });
      continue;
    }
    const indent = /^(\s*)/.exec(lines[start + 1]!)![1]!.length;
    const body: string[] = [];
    for (let j = start + 1; j < lines.length; j++) {
      const line = lines[j]!;
      if (line.trim() !== '' && /^(\s*)/.exec(line)![1]!.length < indent) break;
      body.push(line.slice(indent));
    }
    rules.push({ alert: alert[1]!, expr: body.join('\n').trim() });
  }
  return rules;
}
