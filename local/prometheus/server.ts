/**
 * A Prometheus of our own: a generated config scraping the given targets (the workers' metrics
 * endpoints) at a short interval, optional rule files, its data in a folder of the caller's, and
 * a small client of its HTTP API. Used by the tests and the bench; ops run their own Prometheus
 * with `ops/prometheus/alerts.yml`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { toYaml } from '../cluster/config';
import { sleep, startDaemon, tail, type Daemon } from '../cluster/processes';
import { freePort } from '../temporal-runtime';

export interface ScrapeJob {
  /** Becomes the `job` label. */
  name: string;
  /** `host:port` of each endpoint (path `/metrics`). */
  targets: string[];
  /** Extra labels on every series of this job. */
  labels?: Record<string, string>;
}

export interface PrometheusOptions {
  /** The prometheus binary (`provisionPrometheus`). */
  binary: string;
  /** Folder for the config, the TSDB and the log; created. */
  dir: string;
  jobs: ScrapeJob[];
  /** Rule files (alerting or recording) to load, as given. */
  ruleFiles?: string[];
  /** Scrape and rule evaluation interval (default 1 s: tests wait on it). */
  intervalSeconds?: number;
  /** HTTP port on 127.0.0.1; any free one when omitted. */
  port?: number;
  readyTimeoutMs?: number;
}

/** One series of an instant vector. */
export interface Sample {
  metric: Record<string, string>;
  value: number;
}

export interface RuleState {
  group: string;
  name: string;
  type: 'alerting' | 'recording';
  health: string;
  lastError?: string;
  query: string;
  /** Alerting rules: inactive, pending or firing. */
  state?: string;
}

export interface TargetState {
  job: string;
  scrapeUrl: string;
  health: string;
  lastError: string;
}

interface ApiAnswer<T> {
  status: 'success' | 'error';
  data?: T;
  errorType?: string;
  error?: string;
}

/** A PromQL expression Prometheus refused, with its reason. */
export class PromQLError extends Error {
  override readonly name = 'PromQLError';
  constructor(
    readonly expression: string,
    readonly errorType: string,
    reason: string,
  ) {
    super(`${errorType}: ${reason} (in \`${expression}\`)`);
  }
}

/** The HTTP API of a Prometheus server (`/api/v1`). */
export class PrometheusApi {
  constructor(readonly url: string) {}

  private async get<T>(pathname: string, params: Record<string, string> = {}): Promise<ApiAnswer<T>> {
    const url = new URL(`/api/v1/${pathname}`, this.url);
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
    const response = await fetch(url, { signal: AbortSignal.timeout(15_000) });
    return (await response.json()) as ApiAnswer<T>;
  }

  /**
   * Evaluates an instant query now.
   *
   * @throws PromQLError when the expression does not parse or cannot be evaluated.
   */
  async query(expression: string): Promise<Sample[]> {
    const answer = await this.get<{ resultType: string; result: unknown }>('query', { query: expression });
    if (answer.status !== 'success' || !answer.data) {
      throw new PromQLError(expression, answer.errorType ?? 'error', answer.error ?? 'no data');
    }
    const { resultType, result } = answer.data;
    if (resultType === 'scalar') {
      const [, value] = result as [number, string];
      return [{ metric: {}, value: Number(value) }];
    }
    if (resultType !== 'vector') throw new PromQLError(expression, 'unexpected', `a ${resultType} result`);
    return (result as { metric: Record<string, string>; value: [number, string] }[]).map((entry) => ({
      metric: entry.metric,
      value: Number(entry.value[1]),
    }));
  }

  /** The sum of an instant query's values (0 for an empty result). */
  async sum(expression: string): Promise<number> {
    return (await this.query(expression)).reduce((total, sample) => total + sample.value, 0);
  }

  /** Every loaded rule with its health and, for alerts, its state. */
  async rules(): Promise<RuleState[]> {
    const answer = await this.get<{
      groups: { name: string; rules: (Omit<RuleState, 'group'> & { lastError?: string })[] }[];
    }>('rules');
    if (answer.status !== 'success' || !answer.data) throw new Error(`rules: ${answer.error}`);
    return answer.data.groups.flatMap((group) =>
      group.rules.map((rule) => ({
        group: group.name,
        name: rule.name,
        type: rule.type,
        health: rule.health,
        lastError: rule.lastError || undefined,
        query: rule.query,
        state: rule.state,
      })),
    );
  }

  /** Every active scrape target with the health of its last scrape. */
  async targets(): Promise<TargetState[]> {
    const answer = await this.get<{
      activeTargets: {
        labels: Record<string, string>;
        scrapeUrl: string;
        health: string;
        lastError: string;
      }[];
    }>('targets');
    if (answer.status !== 'success' || !answer.data) throw new Error(`targets: ${answer.error}`);
    return answer.data.activeTargets.map((target) => ({
      job: target.labels.job ?? '',
      scrapeUrl: target.scrapeUrl,
      health: target.health,
      lastError: target.lastError,
    }));
  }
}

export interface RunningPrometheus {
  url: string;
  api: PrometheusApi;
  configFile: string;
  logFile: string;
  stop(): Promise<void>;
}

/** The generated `prometheus.yml`. */
export function prometheusConfig(options: {
  jobs: ScrapeJob[];
  ruleFiles?: string[];
  intervalSeconds: number;
}): Record<string, unknown> {
  const interval = `${options.intervalSeconds}s`;
  return {
    global: { scrape_interval: interval, scrape_timeout: interval, evaluation_interval: interval },
    rule_files: options.ruleFiles && options.ruleFiles.length > 0 ? options.ruleFiles : undefined,
    scrape_configs: options.jobs.map((job) => ({
      job_name: job.name,
      static_configs: [{ targets: job.targets, labels: job.labels }],
    })),
  };
}

/**
 * Starts Prometheus on loopback and waits until it is ready (TSDB open, config and rules loaded).
 *
 * @throws when it exits or is not ready in time; the message carries its log's last lines.
 */
export async function startPrometheus(options: PrometheusOptions): Promise<RunningPrometheus> {
  fs.mkdirSync(options.dir, { recursive: true });
  const port = options.port ?? (await freePort());
  const configFile = path.join(options.dir, 'prometheus.yml');
  const logFile = path.join(options.dir, 'prometheus.log');
  fs.writeFileSync(
    configFile,
    `# Written by lib/prometheus/server.ts\n${toYaml(
      prometheusConfig({ ...options, intervalSeconds: options.intervalSeconds ?? 1 }),
    )}`,
  );
  const url = `http://127.0.0.1:${port}`;
  const daemon: Daemon = startDaemon(
    options.binary,
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${path.join(options.dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--storage.tsdb.retention.time=1d',
      '--log.level=warn',
    ],
    { logFile, pidFile: path.join(options.dir, 'prometheus.pid') },
  );
  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  for (;;) {
    const { child } = daemon;
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `prometheus exited (${child.exitCode ?? child.signalCode}) before it was ready\n` +
          `--- last lines of ${logFile} ---\n${tail(logFile)}`,
      );
    }
    const ready = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(2_000) }).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) {
      await daemon.stop(5_000);
      throw new Error(
        `prometheus was not ready at ${url}\n--- last lines of ${logFile} ---\n${tail(logFile)}`,
      );
    }
    await sleep(200);
  }
  return { url, api: new PrometheusApi(url), configFile, logFile, stop: () => daemon.stop(10_000) };
}
