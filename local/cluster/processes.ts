/**
 * Child-process plumbing of the local cluster: short commands with their output captured,
 * long-running servers with their output in a log file and a pid file (so a run that was killed
 * can be cleaned up by the next), graceful stops, and port checks.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Run as another user (PostgreSQL refuses root); needs root. */
  uid?: number;
  gid?: number;
  timeoutMs?: number;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion, capturing its output; rejects only when it cannot start. */
export async function run(command: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  return await new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = options.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), options.timeoutMs) : undefined;
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Like `run`, but a non-zero exit is an error naming the step and showing the output. */
export async function runChecked(
  what: string,
  command: string,
  args: string[],
  options: RunOptions = {},
): Promise<RunResult> {
  const result = await run(command, args, options);
  if (result.code !== 0) {
    const output = `${result.stdout}\n${result.stderr}`.trim();
    throw new Error(`${what} failed (${command} exited with ${result.code ?? 'a signal'}):\n${output}`);
  }
  return result;
}

export interface Daemon {
  child: ChildProcess;
  /** Stops it (SIGTERM, then SIGKILL after the grace period) and removes its pid file. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts a long-running server with stdout and stderr appended to `logFile`, in a process group
 * of its own: Ctrl-C in the terminal reaches only us, and we stop the servers in order.
 */
export function startDaemon(
  command: string,
  args: string[],
  options: { logFile: string; pidFile: string; env?: NodeJS.ProcessEnv; cwd?: string },
): Daemon {
  const fd = fs.openSync(options.logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(command, args, {
      env: options.env,
      cwd: options.cwd,
      stdio: ['ignore', fd, fd],
      detached: true,
    });
  } finally {
    fs.closeSync(fd);
  }
  if (child.pid !== undefined) fs.writeFileSync(options.pidFile, `${child.pid}\n${command}\n`);
  return {
    child,
    stop: async (graceMs = 30_000) => {
      await stopChild(child, graceMs);
      fs.rmSync(options.pidFile, { force: true });
    },
  };
}

/** SIGTERM, then SIGKILL when the process has not exited within `graceMs`. */
export async function stopChild(child: ChildProcess, graceMs = 30_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The command line of a process (Linux /proc); undefined elsewhere or when it is gone. */
function commandLine(pid: number): string | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return undefined;
  }
}

/**
 * Stops what a killed earlier run left behind: the process of a pid file, when it is still the
 * same program (pids are reused, so an unrelated process is never signalled).
 *
 * @returns the pid stopped, if any.
 */
export async function stopLeftover(pidFile: string, graceMs = 30_000): Promise<number | undefined> {
  let content: string;
  try {
    content = fs.readFileSync(pidFile, 'utf8');
  } catch {
    return undefined;
  }
  fs.rmSync(pidFile, { force: true });
  const [pidText, command] = content.split('\n');
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return undefined;
  const cmdline = commandLine(pid);
  if (!command || !cmdline?.startsWith(command)) return undefined;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(200);
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  return pid;
}

/**
 * Claims a folder for this process with a pid file, so a second start on the same data cannot
 * mistake the first one's servers for leftovers (and stop them).
 *
 * @returns a function that gives the claim up.
 * @throws when a live process holds the claim.
 */
export function claim(pidFile: string, what: string): () => void {
  try {
    const [pidText, command] = fs.readFileSync(pidFile, 'utf8').split('\n');
    const pid = Number(pidText);
    if (pid !== process.pid && isAlive(pid) && command && commandLine(pid)?.startsWith(command)) {
      throw new Error(`${what} is already running (pid ${pid}); stop it first (Ctrl-C in its terminal)`);
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  fs.writeFileSync(pidFile, `${process.pid}\n${process.execPath}\n`);
  return () => fs.rmSync(pidFile, { force: true });
}

export async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/** True when nothing listens on `host:port` (we can bind it ourselves). */
export async function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return await new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** The last lines of a log file, for an error message. */
export function tail(file: string, lines = 30): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
