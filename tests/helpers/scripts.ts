/**
 * Runs one of the project's commands (`scripts/<name>.ts`) the way `npm run <name>` does, against
 * the shared dev server, with none of the test runner's Temporal or codec settings leaking in.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { inject } from 'vitest';

const ROOT = path.resolve(__dirname, '..', '..');

export interface ScriptRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runScript(name: string, args: string[]): Promise<ScriptRun> {
  const childEnv: NodeJS.ProcessEnv = Object.fromEntries(
    Object.entries(process.env).filter(
      ([setting]) => !setting.startsWith('TEMPORAL_') && !setting.startsWith('CJ_CODEC'),
    ),
  );
  childEnv.TEMPORAL_ADDRESS = inject('temporal').devServer.address;
  return new Promise((done) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'scripts', `${name}.ts`), ...args],
      { cwd: ROOT, env: childEnv, timeout: 60_000 },
      (error, stdout, stderr) => {
        done({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
      },
    );
  });
}
