/**
 * The bench's child processes and what /proc says about them: the worker (forked, so its VmRSS
 * is the whole worker), start-up probes, and the dev server's CPU time.
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { FromWorker, ToWorker } from './worker-process';
import type { WorkerTuning } from './settings';

const WORKER_SCRIPT = path.join(__dirname, 'worker-process.ts');

/** Linux clock ticks per second for /proc/<pid>/stat (USER_HZ, 100 on every mainstream kernel). */
const CLOCK_TICKS = 100;

/** The environment of a worker process: the product's own settings, nothing inherited that could redirect it. */
export function workerEnvironment(settings: Record<string, string>): NodeJS.ProcessEnv {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('TEMPORAL_') && !name.startsWith('CJ_')),
  );
  return { ...inherited, ...settings };
}

function forkWorker(args: string[], env: NodeJS.ProcessEnv, logFile: string): ChildProcess {
  const log = fs.openSync(logFile, 'a');
  try {
    return fork(WORKER_SCRIPT, args, {
      cwd: path.resolve(__dirname, '..'),
      env,
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', log, log, 'ipc'],
    });
  } finally {
    fs.closeSync(log);
  }
}

/** The next message of a kind from a worker; rejects when it reports an error or exits first. */
function nextMessage<K extends FromWorker['type']>(
  child: ChildProcess,
  type: K,
  timeoutMs: number,
): Promise<Extract<FromWorker, { type: K }>> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    const onMessage = (message: FromWorker) => {
      if (message.type === 'error') {
        cleanup();
        reject(new Error(`worker failed: ${message.message}`));
      } else if (message.type === type) {
        cleanup();
        resolve(message as Extract<FromWorker, { type: K }>);
      }
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`worker exited with code ${code} before "${type}"`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`no "${type}" from the worker within ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

export interface RunningWorker {
  pid: number;
  createWorkerMs: number;
  /** The tuning as the SDK compiled it into the worker's options. */
  applied: WorkerTuning;
  stop(): Promise<void>;
}

/** Starts the serving worker and waits until it polls. */
export async function startWorker(
  tuning: WorkerTuning,
  env: NodeJS.ProcessEnv,
  logFile: string,
): Promise<RunningWorker> {
  const child = forkWorker(['serve', JSON.stringify(tuning)], env, logFile);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let ready: Extract<FromWorker, { type: 'ready' }>;
  try {
    ready = await nextMessage(child, 'ready', 180_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    pid: child.pid!,
    createWorkerMs: ready.createWorkerMs,
    applied: ready.applied,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.send({ type: 'shutdown' } satisfies ToWorker);
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** One start-up in a fresh process: createWorker until polling, and process start until polling. */
export async function measureStartup(
  tuning: WorkerTuning,
  bundling: 'prebuilt' | 'bundle',
  env: NodeJS.ProcessEnv,
  logFile: string,
): Promise<{ createWorkerMs: number; processToReadyMs: number }> {
  const child = forkWorker(['startup', JSON.stringify(tuning), bundling], env, logFile);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    const result = await nextMessage(child, 'startup', 180_000);
    const code = await exited;
    if (code !== 0) throw new Error(`start-up probe exited with code ${code}`);
    return { createWorkerMs: result.createWorkerMs, processToReadyMs: result.processToReadyMs };
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

/** VmRSS of a process in bytes (/proc/<pid>/status). */
export function residentBytes(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!match) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]) * 1024;
}

/** User + system CPU seconds a process has used (/proc/<pid>/stat), or undefined when it is gone. */
export function cpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which may itself contain spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

/** The pid of the dev server listening on `port` (a `temporal server start-dev … --port <port>`). */
export function findDevServerPid(port: number): number | undefined {
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      const portAt = args.indexOf('--port');
      if (args.includes('start-dev') && portAt >= 0 && args[portAt + 1] === String(port))
        return Number(entry);
    } catch {
      // a process that ended meanwhile
    }
  }
  return undefined;
}
