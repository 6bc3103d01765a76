/**
 * Prometheus and promtool, built once per machine from the Go module proxy into the per-user
 * cache, the way the Temporal servers are (`lib/cluster/binaries.ts`): no root, no system
 * package, the same pinned release on every machine, and nothing but the module proxy needed.
 *
 * Prometheus publishes its Go module with v0 tags (3.16.0 is `v0.316.0`); that tag's go.mod has
 * no `replace`, so `go install pkg@version` builds it. Built this way it has no embedded web UI
 * assets (those come from an npm build); the HTTP API, rule evaluation and scraping are all there.
 */
import fs from 'node:fs';
import path from 'node:path';
import { goInstall } from '../cluster/go-install';
import { cacheDir, isExecutable, type Log } from '../temporal-runtime';

/** The Prometheus release, and its Go module tag. */
export const PROMETHEUS_VERSION = '3.16.0';
const PROMETHEUS_MODULE_VERSION = 'v0.316.0';
const PROMETHEUS_MODULE = 'github.com/prometheus/prometheus';

export interface PrometheusBinaries {
  prometheus: string;
  promtool: string;
  /** How they were found: CJ_PROMETHEUS_BIN, the cache, or built by this call. */
  source: 'env' | 'cache' | 'built';
  /** Build time of this call in ms (both programs), when built. */
  buildMs?: number;
}

const defaultLog: Log = (line) => console.error(`[prometheus] ${line}`);

/**
 * Finds Prometheus and promtool: the folder named by CJ_PROMETHEUS_BIN (a distribution's
 * `/usr/bin`, say), else the cache, else builds both into the cache (a few minutes on 2 cores the
 * first time; the second shares most of the first's compiled packages).
 *
 * @throws when Go is missing or a build fails; the message names the step and how to retry.
 */
export async function provisionPrometheus(
  options: { env?: NodeJS.ProcessEnv; log?: Log; retryHint?: string } = {},
): Promise<PrometheusBinaries> {
  const env = options.env ?? process.env;
  const log = options.log ?? defaultLog;
  if (env.CJ_PROMETHEUS_BIN) {
    const found = {
      prometheus: path.join(env.CJ_PROMETHEUS_BIN, 'prometheus'),
      promtool: path.join(env.CJ_PROMETHEUS_BIN, 'promtool'),
    };
    if (!isExecutable(found.prometheus) || !isExecutable(found.promtool)) {
      throw new Error(`CJ_PROMETHEUS_BIN=${env.CJ_PROMETHEUS_BIN} does not hold prometheus and promtool`);
    }
    return { ...found, source: 'env' };
  }
  const dir = path.join(cacheDir(env), 'prometheus', PROMETHEUS_VERSION);
  const binaries = { prometheus: path.join(dir, 'prometheus'), promtool: path.join(dir, 'promtool') };
  if (isExecutable(binaries.prometheus) && isExecutable(binaries.promtool)) {
    return { ...binaries, source: 'cache' };
  }
  const started = Date.now();
  const common = {
    version: PROMETHEUS_MODULE_VERSION,
    env,
    log,
    retryHint: options.retryHint ?? 'npm test',
    // What `prometheus --version` and its build_info metric report.
    linkerSettings: [`github.com/prometheus/common/version.Version=${PROMETHEUS_VERSION}`],
  };
  fs.mkdirSync(dir, { recursive: true });
  try {
    await goInstall({
      ...common,
      pkg: `${PROMETHEUS_MODULE}/cmd/prometheus`,
      target: binaries.prometheus,
      what: `Prometheus ${PROMETHEUS_VERSION}`,
    });
    await goInstall({
      ...common,
      pkg: `${PROMETHEUS_MODULE}/cmd/promtool`,
      target: binaries.promtool,
      what: `promtool ${PROMETHEUS_VERSION}`,
    });
  } catch (error) {
    if (
      (error as NodeJS.ErrnoException).code === 'ENOENT' &&
      (error as NodeJS.ErrnoException).path === 'go'
    ) {
      throw new Error(
        'Prometheus is built from source with Go, and `go` is not on PATH. Install Go (1.21 or newer ' +
          `fetches the toolchain Prometheus needs through the module proxy), or set CJ_PROMETHEUS_BIN to a ` +
          'folder holding prometheus and promtool.',
      );
    }
    throw error;
  }
  return { ...binaries, source: 'built', buildMs: Date.now() - started };
}
