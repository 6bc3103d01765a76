/**
 * Temporal runtime provisioning: finds or builds the two servers this project runs on, and
 * starts them.
 *
 * - The dev server is the Temporal CLI (`temporal server start-dev`): real persistence, the Web
 *   UI and the visibility store our search attributes live in.
 * - The time-skipping test server is the Java `temporal-test-server`, used by the workflow tests
 *   so 48 hours of timers pass in milliseconds.
 *
 * The SDK would normally download both at run time, which fails where only package registries
 * are reachable. So each is resolved in this order: an explicit path from the environment, a
 * suitable binary on PATH (CLI only), a build cached per user outside the repository, a fresh
 * build from the registries (Go module proxy / Maven Central), and only then the SDK's own
 * download. `npm start`, the test setup and CI all go through this module.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { indexedValueType, type SearchAttributeSpec } from '../lib/namespace-setup';
import { ownsListeningPort } from './ports';

/** The Temporal CLI release we build: server 1.29.1 with SQLite and Web UI 2.42.1. */
export const TEMPORAL_CLI_VERSION = '1.5.1';
/** Newest CLI tag whose go.mod has no local `replace`, so `go install pkg@version` works. */
const TEMPORAL_CLI_PACKAGE = 'github.com/temporalio/cli/cmd/temporal';
/** Oldest server a `temporal` found on PATH may embed for us to use it instead of building. */
const MIN_SERVER_VERSION = [1, 29, 0] as const;
/** The Java time-skipping test server artifact on Maven Central. */
export const TEST_SERVER_VERSION = '1.32.1';
const TEST_SERVER_ARTIFACT = 'io.temporal:temporal-test-server';
const TEST_SERVER_MAIN_CLASS = 'io.temporal.testserver.TestServer';

export type Log = (line: string) => void;
const defaultLog: Log = (line) => console.error(`[temporal-runtime] ${line}`);

export interface ResolvedExecutable {
  path: string;
  /** Where it came from, for the log line and the README's troubleshooting table. */
  source: 'env' | 'path' | 'cache' | 'built';
}

/** Per-user cache outside the repository, shared by every clone on the machine. */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CJ_CACHE_DIR) return path.resolve(env.CJ_CACHE_DIR);
  const base = env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'customer-journey-workflows');
}

/** True when `command` can be started (it need not accept `-version`). */
export function commandExists(command: string): boolean {
  return spawnSync(command, ['-version'], { stdio: 'ignore' }).error === undefined;
}

/** True for an existing file this process may execute. */
export function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function compareVersions(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const diff = (a[i] ?? 0) - (b[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

/**
 * Reads `temporal --version` ("temporal version 1.5.1 (Server 1.29.1, UI 2.42.1)") and says
 * whether the embedded server is new enough for this project.
 */
export function describeCli(
  file: string,
): { version: string; server: string; suitable: boolean } | undefined {
  const result = spawnSync(file, ['--version'], { encoding: 'utf8', timeout: 15_000 });
  if (result.status !== 0) return undefined;
  const match = /temporal version (\S+) \(Server (\d+)\.(\d+)\.(\d+)/.exec(result.stdout);
  if (!match) return undefined;
  const server = [Number(match[2]), Number(match[3]), Number(match[4])];
  return {
    version: match[1]!,
    server: server.join('.'),
    suitable: compareVersions(server, MIN_SERVER_VERSION) >= 0,
  };
}

function findOnPath(command: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, command);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/**
 * First-run budgets on a busy 2-core machine with cold caches: the CLI build took up to 3.5 min
 * (most of it downloading and compiling ~500 modules), Maven's resolution seconds, the first
 * start of the test server (writing its class-data archive) under a minute. Each is several
 * times that, so only a hung step hits it.
 */
const GO_BUILD_TIMEOUT_MS = 30 * 60_000;
const MAVEN_TIMEOUT_MS = 10 * 60_000;
const CDS_DUMP_TIMEOUT_MS = 5 * 60_000;
/** The dev server on an existing SQLite file replays its shard; a minute on a loaded machine. */
const DEV_SERVER_READY_TIMEOUT_MS = 3 * 60_000;
const TEST_SERVER_READY_TIMEOUT_MS = 2 * 60_000;

/** How to retry a provisioning step: what is done is kept, so a retry continues from there. */
const RETRY_HINT =
  'Retry with `npm run provision` (or the command again); finished steps are cached in ' +
  '~/.cache/customer-journey-workflows (CJ_CACHE_DIR), partial ones are discarded.';

function run(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs: number },
) {
  const { timeoutMs, ...rest } = options;
  return spawnSync(command, args, {
    ...rest,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
  });
}

/** The failure of a provisioning step: which step, why, and how to retry. */
function stepFailed(step: string, result: ReturnType<typeof run>, timeoutMs: number): Error {
  const why = result.error?.message.includes('ETIMEDOUT')
    ? `it did not finish within ${timeoutMs / 60_000} minutes`
    : `it exited with ${result.status ?? result.signal}`;
  const output = `${result.stdout ?? ''}\n${result.stderr ?? ''}`.trim().split('\n').slice(-40).join('\n');
  return new Error(`${step} failed: ${why}.\n${output}\n${RETRY_HINT}`);
}

const SUMDB_FAILURE = /sum\.golang\.org|checksum database|verifying module|SECURITY ERROR/i;

/**
 * Finds a Temporal CLI, building it into the cache when none is found.
 *
 * @returns the binary, or `undefined` when there is neither a CLI nor a Go toolchain (callers
 *   then fall back to the SDK's own download, which works on a machine with internet access).
 */
export function provisionTemporalCli(
  env: NodeJS.ProcessEnv = process.env,
  log: Log = defaultLog,
): ResolvedExecutable | undefined {
  if (env.TEMPORAL_CLI_PATH) {
    if (!isExecutable(env.TEMPORAL_CLI_PATH)) {
      throw new Error(`TEMPORAL_CLI_PATH=${env.TEMPORAL_CLI_PATH} is not an executable file`);
    }
    return { path: env.TEMPORAL_CLI_PATH, source: 'env' };
  }
  const onPath = findOnPath('temporal', env);
  if (onPath) {
    const info = describeCli(onPath);
    if (info?.suitable) return { path: onPath, source: 'path' };
    log(
      `ignoring ${onPath}: ${info ? `its server is ${info.server}` : 'it did not report a version'}, ` +
        `this project needs server ${MIN_SERVER_VERSION.join('.')} or newer`,
    );
  }

  const targetDir = path.join(cacheDir(env), 'temporal-cli', `v${TEMPORAL_CLI_VERSION}`);
  const target = path.join(targetDir, 'temporal');
  if (isExecutable(target)) return { path: target, source: 'cache' };

  if (!commandExists('go')) return undefined;
  log(
    `building the Temporal CLI v${TEMPORAL_CLI_VERSION} (dev server + Web UI) with Go into ${targetDir}. ` +
      'The SDK cannot download it here, so we build it once from the Go module proxy; ' +
      'this takes a few minutes the first time and is cached afterwards.',
  );
  const started = Date.now();
  fs.mkdirSync(targetDir, { recursive: true });
  // Build into a private folder and rename, so a concurrent run never sees half a binary.
  const staging = fs.mkdtempSync(path.join(targetDir, '.build-'));
  const args = [
    'install',
    '-trimpath',
    '-ldflags',
    `-s -w -X github.com/temporalio/cli/temporalcli.Version=${TEMPORAL_CLI_VERSION}`,
    `${TEMPORAL_CLI_PACKAGE}@v${TEMPORAL_CLI_VERSION}`,
  ];
  const buildEnv = { ...env, GOBIN: staging, CGO_ENABLED: '0' };
  const step = `Provisioning step "go install ${TEMPORAL_CLI_PACKAGE}@v${TEMPORAL_CLI_VERSION}"`;
  let result = run('go', args, { env: buildEnv, timeoutMs: GO_BUILD_TIMEOUT_MS });
  if (result.status !== 0 && SUMDB_FAILURE.test(result.stderr ?? '')) {
    log(
      "Go's checksum database is not reachable here; retrying with GOSUMDB=off. " +
        "Every dependency is still pinned by the CLI module's own go.sum.",
    );
    result = run('go', args, { env: { ...buildEnv, GOSUMDB: 'off' }, timeoutMs: GO_BUILD_TIMEOUT_MS });
  }
  if (result.status !== 0) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw stepFailed(step, result, GO_BUILD_TIMEOUT_MS);
  }
  fs.renameSync(path.join(staging, 'temporal'), target);
  fs.rmSync(staging, { recursive: true, force: true });
  log(`built ${target} in ${Math.round((Date.now() - started) / 1000)} s`);
  return { path: target, source: 'built' };
}

function testServerPom(): string {
  const [groupId, artifactId] = TEST_SERVER_ARTIFACT.split(':');
  return `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.customer-journey</groupId>
  <artifactId>temporal-test-server-launcher</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>${groupId}</groupId>
      <artifactId>${artifactId}</artifactId>
      <version>${TEST_SERVER_VERSION}</version>
    </dependency>
  </dependencies>
</project>
`;
}

// The launcher takes the same arguments as the SDK's downloaded test server (`<port>
// [--enable-time-skipping]`), so either can stand in for the other. Class-data sharing
// halves the JVM's start-up, which matters on a busy 2-core machine.
const LAUNCHER = `#!/bin/sh
here=$(cd "$(dirname "$0")" && pwd)
java=java
if [ -n "$JAVA_HOME" ] && [ -x "$JAVA_HOME/bin/java" ]; then java="$JAVA_HOME/bin/java"; fi
cds=""
if [ -f "$here/classes.jsa" ]; then cds="-XX:SharedArchiveFile=$here/classes.jsa -Xshare:auto -Xlog:cds=off -Xlog:cds+dynamic=off"; fi
exec "$java" $cds $CJ_TEST_SERVER_JAVA_OPTS -XX:+UseSerialGC -cp "$here/lib/*" ${TEST_SERVER_MAIN_CLASS} "$@"
`;

/**
 * Finds the time-skipping test server, resolving it with Maven into the cache when needed.
 *
 * @returns a launcher taking `<port> [--enable-time-skipping]`, or `undefined` when neither
 *   Java nor Maven is installed (callers fall back to the SDK's download).
 */
export async function provisionTestServer(
  env: NodeJS.ProcessEnv = process.env,
  log: Log = defaultLog,
): Promise<ResolvedExecutable | undefined> {
  if (env.TEMPORAL_TEST_SERVER_PATH) {
    if (!isExecutable(env.TEMPORAL_TEST_SERVER_PATH)) {
      throw new Error(`TEMPORAL_TEST_SERVER_PATH=${env.TEMPORAL_TEST_SERVER_PATH} is not an executable file`);
    }
    return { path: env.TEMPORAL_TEST_SERVER_PATH, source: 'env' };
  }
  const targetDir = path.join(cacheDir(env), 'temporal-test-server', TEST_SERVER_VERSION);
  const launcher = path.join(targetDir, 'temporal-test-server');
  if (isExecutable(launcher)) return { path: launcher, source: 'cache' };
  if (!commandExists('java') || !commandExists('mvn')) return undefined;

  log(
    `resolving ${TEST_SERVER_ARTIFACT}:${TEST_SERVER_VERSION} (the time-skipping test server) with Maven into ${targetDir}; ` +
      'this happens once and is cached afterwards.',
  );
  const started = Date.now();
  fs.mkdirSync(path.dirname(targetDir), { recursive: true });
  const staging = fs.mkdtempSync(path.join(path.dirname(targetDir), `.${TEST_SERVER_VERSION}-`));
  try {
    fs.writeFileSync(path.join(staging, 'pom.xml'), testServerPom());
    const mvnArgs = [
      '-B',
      '-q',
      'dependency:copy-dependencies',
      `-DoutputDirectory=${path.join(staging, 'lib')}`,
    ];
    const result = run('mvn', mvnArgs, { cwd: staging, env, timeoutMs: MAVEN_TIMEOUT_MS });
    if (result.status !== 0) {
      throw stepFailed(
        `Provisioning step "mvn dependency:copy-dependencies" (${TEST_SERVER_ARTIFACT}:${TEST_SERVER_VERSION})`,
        result,
        MAVEN_TIMEOUT_MS,
      );
    }
    const stagedLauncher = path.join(staging, 'temporal-test-server');
    fs.writeFileSync(stagedLauncher, LAUNCHER, { mode: 0o755 });
    await dumpClassDataArchive(staging, log);
    fs.rmSync(targetDir, { recursive: true, force: true });
    fs.renameSync(staging, targetDir);
  } catch (error) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  log(`test server ready in ${Math.round((Date.now() - started) / 1000)} s`);
  return { path: launcher, source: 'built' };
}

/** Runs the server once with -XX:ArchiveClassesAtExit so later starts map its classes. */
async function dumpClassDataArchive(dir: string, log: Log): Promise<void> {
  const port = await freePort();
  const archive = path.join(dir, 'classes.jsa');
  const child = spawn(path.join(dir, 'temporal-test-server'), [String(port)], {
    env: { ...process.env, CJ_TEST_SERVER_JAVA_OPTS: `-XX:ArchiveClassesAtExit=${archive}` },
    stdio: 'ignore',
  });
  try {
    await waitForFrontend(`127.0.0.1:${port}`, child, CDS_DUMP_TIMEOUT_MS, () => '');
  } catch (error) {
    throw new Error(
      `Provisioning step "first start of the time-skipping test server" (writing its class-data archive) failed: ` +
        `${(error as Error).message}\n${RETRY_HINT}`,
    );
  } finally {
    await stopProcess(child);
  }
  if (!fs.existsSync(archive))
    log('class-data archive was not written; the test server will start without it');
}

/** Asks the OS for a free TCP port on loopback. */
export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Waits until a Temporal frontend answers a real RPC (an open port is not enough: the server
 * may still be creating its namespace).
 */
async function waitForFrontend(
  address: string,
  child: ChildProcess | undefined,
  timeoutMs: number,
  describeFailure: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) {
      throw new Error(
        `server at ${address} exited with code ${child.exitCode} before it was ready${describeFailure()}`,
      );
    }
    try {
      const connection = await Connection.connect({ address, connectTimeout: 2_000 });
      try {
        await connection.workflowService.describeNamespace({ namespace: 'default' });
        return;
      } finally {
        await connection.close();
      }
    } catch (error) {
      lastError = error;
      await sleep(200);
    }
  }
  throw new Error(
    `server at ${address} was not ready within ${timeoutMs} ms: ${String(lastError)}${describeFailure()}`,
  );
}

async function stopProcess(child: ChildProcess, graceMs = 15_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

export interface RunningServer {
  /** gRPC frontend, host:port. */
  address: string;
  /** Web UI base URL, when the server has one. */
  uiUrl?: string;
  /** How the binary was found (or `sdk-download`). */
  source: ResolvedExecutable['source'] | 'sdk-download';
  stop(): Promise<void>;
}

export interface DevServerOptions {
  port?: number;
  uiPort?: number;
  /** SQLite file for persistence; in memory when omitted. */
  dbFile?: string;
  /** Web UI off (tests that need no browser). */
  headless?: boolean;
  searchAttributes: readonly SearchAttributeSpec[];
  /** Remote codec endpoint the Web UI uses to decode payloads. */
  uiCodecEndpoint?: string;
  /** Where the server's own log goes (it is noisy, so not the terminal). */
  logFile?: string;
  /** Bind address; loopback unless told otherwise. */
  ip?: string;
}

/** Every port a dev server listens on; all are passed, so the CLI picks none of its own. */
interface DevServerPorts {
  port: number;
  uiPort: number;
  httpPort: number;
  metricsPort: number;
}

function devServerArgs(options: DevServerOptions & DevServerPorts): string[] {
  const args = [
    'server',
    'start-dev',
    '--ip',
    options.ip ?? '127.0.0.1',
    '--port',
    String(options.port),
    '--http-port',
    String(options.httpPort),
    '--metrics-port',
    String(options.metricsPort),
    '--log-level',
    'warn',
    '--log-format',
    'json',
  ];
  if (options.headless) args.push('--headless');
  else args.push('--ui-port', String(options.uiPort));
  if (options.dbFile) {
    // WAL lets the UI's reads proceed while the history service writes; NORMAL sync is the usual
    // pairing with WAL and still survives a process crash.
    args.push(
      '--db-filename',
      options.dbFile,
      '--sqlite-pragma',
      'journal_mode=wal',
      '--sqlite-pragma',
      'synchronous=normal',
    );
  }
  for (const { name, type } of options.searchAttributes) {
    args.push('--search-attribute', `${name}=${TypedSearchAttributes.toMetadataType(type)}`);
  }
  if (options.uiCodecEndpoint) args.push('--ui-codec-endpoint', options.uiCodecEndpoint);
  return args;
}

/**
 * Starts the Temporal dev server with every custom search attribute registered.
 *
 * Uses the provisioned CLI; where none can be provisioned, the SDK's own download.
 */
export async function startDevServer(
  options: DevServerOptions,
  env: NodeJS.ProcessEnv = process.env,
  log: Log = defaultLog,
): Promise<RunningServer> {
  const cli = provisionTemporalCli(env, log);
  if (!cli) {
    log('no Temporal CLI and no Go toolchain: falling back to the SDK download of the dev server');
    const port = options.port || (await freePort());
    const uiPort = options.uiPort || (await freePort());
    const testEnv = await TestWorkflowEnvironment.createLocal({
      server: {
        ip: options.ip ?? '127.0.0.1',
        port,
        ui: !options.headless,
        uiPort,
        dbFilename: options.dbFile,
        searchAttributes: [...options.searchAttributes],
        extraArgs: options.uiCodecEndpoint ? ['--ui-codec-endpoint', options.uiCodecEndpoint] : [],
      },
    });
    return {
      address: testEnv.address,
      uiUrl: options.headless ? undefined : `http://localhost:${uiPort}`,
      source: 'sdk-download',
      stop: () => testEnv.teardown(),
    };
  }
  if (options.dbFile) fs.mkdirSync(path.dirname(options.dbFile), { recursive: true });
  // Ports we choose (every port not set, or set to 0) are found free and released before the
  // server binds them, so another process can take one in between; a start that loses such a
  // race is tried again with fresh ones. A port set by the caller that is taken fails at once.
  for (let attempt = 1; ; attempt++) {
    const ports: DevServerPorts = {
      port: options.port || (await freePort()),
      uiPort: options.uiPort || (await freePort()),
      httpPort: await freePort(),
      metricsPort: await freePort(),
    };
    try {
      return await startCliDevServer(cli, options, ports);
    } catch (error) {
      const retry = error instanceof PortRaceLost && attempt < PORT_RACE_ATTEMPTS;
      if (!retry) throw error;
      log(
        `the dev server lost a port to another process (${error.message.split('\n')[0]}); starting it again on fresh ports`,
      );
    }
  }
}

/** Starts of a dev server tried before a lost port race is reported. */
const PORT_RACE_ATTEMPTS = 3;

/** The dev server could not bind a port the runtime chose for it. */
class PortRaceLost extends Error {
  override readonly name = 'PortRaceLost';
}

async function startCliDevServer(
  cli: ResolvedExecutable,
  options: DevServerOptions,
  ports: DevServerPorts,
): Promise<RunningServer> {
  const { port, uiPort } = ports;
  // The server's own output, for the error when it fails: its log file, or the last of it in memory.
  let recent = '';
  const logFd = options.logFile ? fs.openSync(options.logFile, 'a') : 'pipe';
  const child = spawn(cli.path, devServerArgs({ ...options, ...ports }), {
    stdio: ['ignore', logFd, logFd],
  });
  if (typeof logFd === 'number') fs.closeSync(logFd);
  const keep = (chunk: Buffer) => {
    recent = (recent + chunk.toString('utf8')).slice(-16_384);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const address = `127.0.0.1:${port}`;
  const output = () =>
    options.logFile ? tail(options.logFile, 30) : recent.split('\n').slice(-30).join('\n');
  const describeFailure = () =>
    options.logFile
      ? `\n--- last lines of ${options.logFile} ---\n${output()}`
      : `\n--- last output ---\n${output()}`;
  const chosen = (which: number, set: number | undefined) => !set && which !== 0;
  try {
    await waitForFrontend(address, child, DEV_SERVER_READY_TIMEOUT_MS, describeFailure);
    // Whatever answered must be the server just started: one that lost the port to another
    // process dies moments later, while the answer came from that other server.
    if (child.exitCode !== null || ownsListeningPort(child.pid ?? -1, port) === false) {
      const message =
        `the Temporal server answering on ${address} is not the one just started (it ` +
        `${child.exitCode !== null ? `exited with code ${child.exitCode}` : 'does not hold the port'}): ` +
        `another process took port ${port}; stop it or choose another port${describeFailure()}`;
      throw chosen(port, options.port) ? new PortRaceLost(message) : new Error(message);
    }
  } catch (error) {
    await stopProcess(child);
    if (error instanceof PortRaceLost) throw error;
    // "address already in use" on a port we picked (HTTP API, metrics, UI, or gRPC when unset).
    const lostOurs =
      /address already in use/i.test(output()) &&
      [
        ports.httpPort,
        ports.metricsPort,
        ...(options.port ? [] : [port]),
        ...(options.uiPort ? [] : [uiPort]),
      ].some((candidate) => output().includes(`:${candidate}`));
    if (lostOurs) throw new PortRaceLost(error instanceof Error ? error.message : String(error));
    throw error;
  }
  return {
    address,
    uiUrl: options.headless ? undefined : `http://localhost:${uiPort}`,
    source: cli.source,
    stop: () => stopProcess(child),
  };
}

function tail(file: string, lines: number): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * Starts one time-skipping test server through the SDK's supported `existing-path` executable
 * (our Maven-resolved launcher, so nothing is downloaded at run time) and registers the custom
 * search attributes through its operator service, which is the only way it learns them. The
 * environment's client unlocks time skipping while a result is awaited, as in the SDK's tests.
 */
export async function startTimeSkippingEnvironment(
  options: { port?: number; searchAttributes: readonly SearchAttributeSpec[] },
  env: NodeJS.ProcessEnv = process.env,
  log: Log = defaultLog,
): Promise<TestWorkflowEnvironment> {
  const launcher = await provisionTestServer(env, log);
  if (!launcher) log('no Java/Maven: falling back to the SDK download of the time-skipping test server');
  const executable = launcher ? { type: 'existing-path' as const, path: launcher.path } : undefined;
  const starting = startTimeSkippingServer(options.port, executable, log);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      // Whatever starts after the deadline is stopped, not leaked.
      starting.then((late) => late.teardown()).catch(() => undefined);
      reject(
        new Error(
          `the time-skipping test server (${launcher?.path ?? 'SDK download'}) did not start within ` +
            `${TEST_SERVER_READY_TIMEOUT_MS / 1000} s; is the machine overloaded? ${RETRY_HINT}`,
        ),
      );
    }, TEST_SERVER_READY_TIMEOUT_MS);
  });
  const testEnv = await Promise.race([starting, timedOut]).finally(() => clearTimeout(timer));
  try {
    await registerSearchAttributes(testEnv.address, options.searchAttributes);
  } catch (error) {
    await testEnv.teardown();
    throw error;
  }
  return testEnv;
}

/**
 * Starts of the time-skipping server tried before its start-up is reported as failed. Three once
 * missed the SDK's 5 s each on 2 cores shared by the suite, two CPU hogs and other test runs.
 */
const TEST_SERVER_START_ATTEMPTS = 5;

/**
 * The SDK gives the server's JVM 5 s to answer; on a machine busy with other builds it can take
 * longer. A start that missed that is tried again (the JVM's files are in the page cache by
 * then), within our own overall deadline.
 */
async function startTimeSkippingServer(
  port: number | undefined,
  executable: { type: 'existing-path'; path: string } | undefined,
  log: Log,
): Promise<TestWorkflowEnvironment> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await TestWorkflowEnvironment.createTimeSkipping({ server: { port, executable } });
    } catch (error) {
      const slow = error instanceof Error && /did not start within/.test(error.message);
      if (!slow || attempt >= TEST_SERVER_START_ATTEMPTS) throw error;
      log(`the time-skipping test server was slow to start (attempt ${attempt}); starting it again`);
    }
  }
}

/** Adds custom search attributes the server does not know yet. */
export async function registerSearchAttributes(
  address: string,
  searchAttributes: readonly SearchAttributeSpec[],
  namespace = 'default',
): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    // The time-skipping server cannot list search attributes; it starts with none of ours.
    const existing = await connection.operatorService
      .listSearchAttributes({ namespace })
      .then((response) => response.customAttributes ?? {})
      .catch(() => ({}));
    const missing = searchAttributes.filter(({ name }) => !(name in existing));
    if (missing.length === 0) return;
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map(({ name, type }) => [name, indexedValueType(type)])),
    });
  } finally {
    await connection.close();
  }
}
