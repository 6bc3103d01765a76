/**
 * Prometheus and promtool for the metrics suite, into the per-user cache, no root needed:
 *
 * 1. Debian's `prometheus` package, where the machine has apt (the README already takes
 *    PostgreSQL from it): `apt-get download` only fetches the `.deb` with the machine's package
 *    lists, and `dpkg-deb -x` unpacks its two programs. A second or so.
 * 2. Otherwise built from the Go module proxy, the way the Temporal servers are
 *    (`local/cluster/binaries.ts`): the same pinned release on every machine, a few minutes on
 *    2 cores. Prometheus publishes its Go module with v0 tags (3.16.0 is `v0.316.0`); that tag's
 *    go.mod has no `replace`, so `go install pkg@version` builds it. Built this way it has no
 *    embedded web UI assets (those come from an npm build); the HTTP API, rule evaluation and
 *    scraping are all there.
 *
 * The suite uses only what both have (the HTTP query API, rule files and `promtool test rules`,
 * all in Prometheus 2.x): Debian 12 ships 2.42.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { goInstall } from '../cluster/go-install';
import { cacheDir, commandExists, isExecutable, type Log } from '../temporal-runtime';

/** The Prometheus release, and its Go module tag. */
export const PROMETHEUS_VERSION = '3.16.0';
const PROMETHEUS_MODULE_VERSION = 'v0.316.0';
const PROMETHEUS_MODULE = 'github.com/prometheus/prometheus';

export interface PrometheusBinaries {
  prometheus: string;
  promtool: string;
  /** How they were found: CJ_PROMETHEUS_BIN, the cache, unpacked from Debian's package, or built. */
  source: 'env' | 'cache' | 'debian' | 'built';
  /** The release they report (`prometheus --version`). */
  version?: string;
  /** Build time of this call in ms (both programs), when built. */
  buildMs?: number;
}

const defaultLog: Log = (line) => console.error(`[prometheus] ${line}`);

/**
 * Finds Prometheus and promtool: the folder named by CJ_PROMETHEUS_BIN (a distribution's
 * `/usr/bin`, say), else the cache (a build from source first, then Debian's), else Debian's
 * package unpacked into the cache, else builds both into the cache (a few minutes on 2 cores the
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
    return { ...binaries, source: 'cache', version: PROMETHEUS_VERSION };
  }
  const debian = path.join(cacheDir(env), 'prometheus', 'debian');
  const unpacked = { prometheus: path.join(debian, 'prometheus'), promtool: path.join(debian, 'promtool') };
  if (isExecutable(unpacked.prometheus) && isExecutable(unpacked.promtool)) {
    return { ...unpacked, source: 'cache', version: versionOf(unpacked.prometheus) };
  }
  const fromDebian = unpackDebianPackage(debian, log);
  if (fromDebian) return { ...unpacked, source: 'debian', version: fromDebian };
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
  return { ...binaries, source: 'built', version: PROMETHEUS_VERSION, buildMs: Date.now() - started };
}

/** The version `prometheus --version` reports on its first line ("prometheus, version 2.42.0+ds …"). */
function versionOf(prometheus: string): string | undefined {
  const run = spawnSync(prometheus, ['--version'], { encoding: 'utf8', timeout: 30_000 });
  return /version (\S+)/.exec(`${run.stdout}${run.stderr}`)?.[1];
}

/**
 * Fetches Debian's `prometheus` package with `apt-get download` (into a staging folder, as any
 * user: it only reads the machine's package lists) and unpacks its two programs into `target`,
 * renamed into place so a concurrent run never sees half of it. Returns the version, or
 * undefined when the machine has no apt, its lists do not know the package, or the programs do
 * not run: then the caller builds from source.
 */
function unpackDebianPackage(target: string, log: Log): string | undefined {
  if (!commandExists('apt-get') || !commandExists('dpkg-deb')) return undefined;
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const staging = fs.mkdtempSync(`${target}.staging-`);
  try {
    log("fetching Debian's prometheus package (apt-get download; no root needed)");
    const download = spawnSync('apt-get', ['download', 'prometheus'], {
      cwd: staging,
      encoding: 'utf8',
      timeout: 300_000,
    });
    const deb = fs.readdirSync(staging).find((name) => name.endsWith('.deb'));
    if (download.status !== 0 || !deb) {
      log(
        `Debian's package is not available (${(download.stderr || String(download.error)).trim()}); building from source`,
      );
      return undefined;
    }
    const root = path.join(staging, 'root');
    const unpack = spawnSync('dpkg-deb', ['-x', path.join(staging, deb), root], { encoding: 'utf8' });
    const bin = path.join(root, 'usr', 'bin');
    const version = unpack.status === 0 ? versionOf(path.join(bin, 'prometheus')) : undefined;
    if (!version || !isExecutable(path.join(bin, 'promtool'))) {
      log(`${deb} did not unpack into runnable programs (${unpack.stderr.trim()}); building from source`);
      return undefined;
    }
    const programs = path.join(staging, 'programs');
    fs.mkdirSync(programs);
    for (const name of ['prometheus', 'promtool'])
      fs.renameSync(path.join(bin, name), path.join(programs, name));
    try {
      fs.renameSync(programs, target);
    } catch (error) {
      // Another run unpacked it first: theirs is as good.
      if (!isExecutable(path.join(target, 'prometheus'))) throw error;
    }
    log(`Prometheus ${version} from ${deb}`);
    return version;
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}
