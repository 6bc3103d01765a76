/**
 * The worker's Prometheus endpoint: the SDK runtime's telemetry (workflow and activity task
 * latencies, schedule-to-start, slots, pollers, sticky cache, request failures) plus the business
 * metrics the workflows record (`workflows/kernel/metrics.ts`), served on `/metrics` at
 * CJ_METRICS_HOST:CJ_METRICS_PORT.
 *
 * The SDK's runtime is one per process and takes its telemetry settings only when it is created,
 * before the first native connection; a runtime created without them (by any earlier connection
 * or worker) cannot be given them afterwards. So the worker installs it first thing, and
 * `npm start`, which runs the worker in-process, installs it before it starts anything.
 */
import { Runtime } from '@temporalio/worker';
import { HISTOGRAM_BUCKETS } from '../workflows/kernel/metrics';
import { ConfigError } from './config';

/** The address the runtime of this process serves metrics on, once installed by us. */
let installedAt: string | undefined;

/**
 * Creates the process's SDK runtime with a Prometheus endpoint at `bindAddress` (`host:port`).
 * Does nothing without an address (metrics off) or when this address is already installed.
 *
 * Counters end in `_total` and durations are in seconds, as Prometheus names them; the SDK's own
 * metrics keep their `temporal_` prefix, ours start with `cj_`.
 *
 * @throws ConfigError naming CJ_METRICS_PORT when the endpoint cannot be served (port taken), or
 *   when this process already has a runtime without it.
 */
export function installMetricsRuntime(bindAddress: string | undefined): void {
  if (bindAddress === undefined || installedAt === bindAddress) return;
  if (Runtime._instance !== undefined) {
    throw new ConfigError([
      `CJ_METRICS_PORT: this process already runs a Temporal runtime ` +
        `${installedAt ? `serving metrics on ${installedAt}` : 'without metrics'}; ` +
        'the metrics endpoint must be set up before the first connection',
    ]);
  }
  try {
    Runtime.install({
      telemetryOptions: {
        metrics: {
          prometheus: {
            bindAddress,
            countersTotalSuffix: true,
            useSecondsForDurations: true,
            histogramBucketOverrides: HISTOGRAM_BUCKETS,
          },
        },
      },
    });
  } catch (error) {
    throw new ConfigError([
      `CJ_METRICS_PORT / CJ_METRICS_HOST: cannot serve metrics on ${bindAddress} ` +
        `(${(error as Error).message.split('\n')[0]}); choose a free port`,
    ]);
  }
  installedAt = bindAddress;
}
