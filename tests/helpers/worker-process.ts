/**
 * The product's worker (`worker.ts`) as a real child process, the way it runs in production:
 * started with `node --import tsx worker.ts` and its settings in the environment, killed with
 * SIGKILL to simulate a crash or stopped with SIGTERM. Its stdout and stderr are kept, so a test
 * can read what the worker logged.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const REPOSITORY = path.resolve(__dirname, '..', '..');
const READY_LINE = 'worker polling task queue';

/**
 * The child's environment: the settings given, on top of the parent's environment without any
 * Temporal, product or test-runner setting that could redirect or instrument the worker.
 */
function childEnvironment(settings: Record<string, string>): NodeJS.ProcessEnv {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) =>
        !name.startsWith('TEMPORAL_') &&
        !name.startsWith('CJ_') &&
        !name.startsWith('VITEST') &&
        name !== 'NODE_OPTIONS',
    ),
  );
  return { ...inherited, ...settings };
}

export interface WorkerProcessOptions {
  /** Settings of the worker: TEMPORAL_ADDRESS, CJ_TASK_QUEUE, CJ_WORKFLOW_BUNDLE… */
  env: Record<string, string>;
  /** Also append the output to this file (for reading after a failed run). */
  logFile?: string;
  /** How long the worker may take to poll (default 90 s: a busy 2-core machine). */
  readyTimeoutMs?: number;
}

export class WorkerProcess {
  private output = '';
  private readonly exit: Promise<void>;

  private constructor(private readonly child: ChildProcess) {
    this.exit = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  /** Starts `worker.ts` and resolves once it polls its task queue. */
  static async start(options: WorkerProcessOptions): Promise<WorkerProcess> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'worker.ts'], {
      cwd: REPOSITORY,
      env: childEnvironment(options.env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const worker = new WorkerProcess(child);
    const log = options.logFile ? fs.openSync(options.logFile, 'a') : undefined;
    const collect = (chunk: Buffer) => {
      worker.output += chunk.toString('utf8');
      if (log !== undefined) fs.writeSync(log, chunk);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    void worker.exit.then(() => log !== undefined && fs.closeSync(log));

    const timeoutMs = options.readyTimeoutMs ?? 90_000;
    const deadline = Date.now() + timeoutMs;
    while (!worker.output.includes(READY_LINE)) {
      if (worker.exited) {
        throw new Error(
          `the worker exited (${child.exitCode ?? child.signalCode}) before polling:\n${worker.output}`,
        );
      }
      if (Date.now() > deadline) {
        await worker.kill();
        throw new Error(`the worker did not poll within ${timeoutMs} ms:\n${worker.output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return worker;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  /** Everything the worker wrote to stdout and stderr so far. */
  get log(): string {
    return this.output;
  }

  /** A crash: SIGKILL, no chance to finish anything. Resolves once the process is gone. */
  async kill(): Promise<void> {
    if (this.exited) return;
    this.child.kill('SIGKILL');
    await this.exit;
  }

  /** A graceful stop: SIGTERM (the worker drains), SIGKILL after `graceMs`. */
  async stop(graceMs = 45_000): Promise<void> {
    if (this.exited) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exit;
    clearTimeout(timer);
  }
}
