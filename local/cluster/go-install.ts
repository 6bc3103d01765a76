/**
 * `go install pkg@version` into a cache folder, the way `lib/temporal-runtime.ts` builds the CLI:
 * from the Go module proxy, into a private staging folder renamed into place (so a concurrent run
 * never sees half a binary), retried with GOSUMDB=off where Go's checksum database is not
 * reachable.
 *
 * Unlike the CLI build this one is asynchronous, so Ctrl-C and the log keep working during the
 * few minutes a Temporal server build takes.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Log } from '../temporal-runtime';

const SUMDB_FAILURE = /sum\.golang\.org|checksum database|verifying module|SECURITY ERROR/i;

/** A server build takes 2.5–4 minutes on a 2-core machine with cold caches; leave ample room. */
export const DEFAULT_BUILD_TIMEOUT_MS = 30 * 60_000;

export interface GoInstallOptions {
  /** Package path, e.g. `go.temporal.io/server/cmd/server`. */
  pkg: string;
  /** Module version with its `v`, e.g. `v1.29.2`. */
  version: string;
  /** Final path of the binary; its folder is created. */
  target: string;
  /** What the step is, for the log and the error ("the Temporal server"). */
  what: string;
  /** How to run the step again, named in the failure message. */
  retryHint: string;
  env?: NodeJS.ProcessEnv;
  log: Log;
  timeoutMs?: number;
  /** Extra `-X importpath.name=value` settings, e.g. the version a program reports. */
  linkerSettings?: string[];
}

interface RunResult {
  code: number | null;
  stderr: string;
  timedOut: boolean;
}

async function runGo(args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<RunResult> {
  return await new Promise((resolve, reject) => {
    const child = spawn('go', args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    // Keep the end of the output only: a failing build can print megabytes.
    child.stderr.on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-64 * 1024)));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, timedOut });
    });
  });
}

/** The name `go install` gives a package's binary: the last path element that is not `vN`. */
export function binaryName(pkg: string): string {
  const parts = pkg.split('/');
  let name = parts[parts.length - 1]!;
  if (/^v\d+$/.test(name) && parts.length > 1) name = parts[parts.length - 2]!;
  return name;
}

/**
 * Builds one binary with `go install` unless `target` already exists.
 *
 * @returns the build's duration in milliseconds, or `undefined` when the target was cached.
 * @throws an error naming the step, Go's output and how to retry.
 */
export async function goInstall(options: GoInstallOptions): Promise<number | undefined> {
  if (fs.existsSync(options.target)) return undefined;
  const { pkg, version, log } = options;
  const dir = path.dirname(options.target);
  const timeoutMs = options.timeoutMs ?? DEFAULT_BUILD_TIMEOUT_MS;
  log(
    `building ${options.what} (${pkg}@${version}) with Go into ${dir}; once per machine, cached afterwards`,
  );
  const started = Date.now();
  fs.mkdirSync(dir, { recursive: true });
  const staging = fs.mkdtempSync(path.join(dir, '.build-'));
  try {
    // Static binaries: no C toolchain needed, and they run on any Linux of the same architecture.
    const env = { ...(options.env ?? process.env), GOBIN: staging, CGO_ENABLED: '0' };
    const ldflags = ['-s', '-w', ...(options.linkerSettings ?? []).map((setting) => `-X ${setting}`)];
    const args = ['install', '-trimpath', '-ldflags', ldflags.join(' '), `${pkg}@${version}`];
    let result = await runGo(args, env, timeoutMs);
    if (result.code !== 0 && !result.timedOut && SUMDB_FAILURE.test(result.stderr)) {
      log(
        "Go's checksum database is not reachable here; retrying with GOSUMDB=off. " +
          "Every dependency is still pinned by the module's own go.sum.",
      );
      result = await runGo(args, { ...env, GOSUMDB: 'off' }, timeoutMs);
    }
    if (result.code !== 0) {
      const why = result.timedOut
        ? `it did not finish within ${Math.round(timeoutMs / 60_000)} minutes`
        : `go exited with code ${result.code}`;
      throw new Error(
        `Building ${options.what} failed: go install ${pkg}@${version}: ${why}.\n${result.stderr.trim()}\n` +
          `Nothing was cached; fix the cause above and run \`${options.retryHint}\` again.`,
      );
    }
    fs.renameSync(path.join(staging, binaryName(pkg)), options.target);
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
  const elapsed = Date.now() - started;
  log(`built ${options.target} in ${Math.round(elapsed / 1000)} s`);
  return elapsed;
}

/** Where the Go module cache holds a module version, downloading it when needed. */
export async function moduleDir(
  module: string,
  version: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  const run = async (extra: NodeJS.ProcessEnv) =>
    await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn('go', ['mod', 'download', '-json', `${module}@${version}`], {
        env: { ...env, ...extra },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  let result = await run({});
  // `go mod download -json` reports errors in its JSON, not only on stderr.
  if (result.code !== 0 && SUMDB_FAILURE.test(result.stdout + result.stderr)) {
    result = await run({ GOSUMDB: 'off' });
  }
  const info = JSON.parse(result.stdout || '{}') as { Dir?: string; Error?: string };
  if (result.code !== 0 || !info.Dir) {
    throw new Error(`go mod download ${module}@${version} failed: ${info.Error ?? result.stderr}`);
  }
  return info.Dir;
}
