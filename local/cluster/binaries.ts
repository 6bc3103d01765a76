/**
 * The three programs of the local cluster, built once per machine from the Go module proxy into
 * the per-user cache (next to the CLI of `lib/temporal-runtime.ts`):
 *
 * - `temporal-server`: the Temporal server itself (`go.temporal.io/server/cmd/server`).
 * - `temporal-sql-tool`: creates and migrates its PostgreSQL schemas (`cmd/tools/sql`, same
 *   module version), with the versioned schema folders copied next to it from the module.
 * - `temporal-ui-server`: the Web UI (`github.com/temporalio/ui-server/v2`, assets embedded).
 */
import fs from 'node:fs';
import path from 'node:path';
import { cacheDir, type Log } from '../temporal-runtime';
import { goInstall, moduleDir } from './go-install';

/**
 * Server release of the cluster: the newest 1.29 patch on the module proxy (1.29.2 carries a
 * security fix over 1.29.1, the dev server's). The proxy's version list omits it, so
 * `go list -m -versions` shows 1.29.1 as the newest; `go list -m go.temporal.io/server@v1.29.2`
 * resolves it.
 */
export const SERVER_VERSION = 'v1.29.2';
const SERVER_MODULE = 'go.temporal.io/server';
/** The Web UI release the CLI v1.5.1 embeds for server 1.29; its go.mod has no `replace`. */
export const UI_SERVER_VERSION = 'v2.42.1';
const UI_SERVER_PACKAGE = 'github.com/temporalio/ui-server/v2/cmd/server';

/** The schema folders of the `postgres12` plugin, relative to the server module's root. */
const SCHEMA_DIRS = ['schema/postgresql/v12/temporal', 'schema/postgresql/v12/visibility'] as const;

export interface ClusterBinaries {
  server: string;
  sqlTool: string;
  uiServer: string;
  /** Versioned schema folders (each with `versioned/vX.Y/manifest.json`). */
  schema: { temporal: string; visibility: string };
}

/** Build times of this call, in ms; a binary found in the cache has none. */
export type BuildTimes = Partial<Record<'server' | 'sqlTool' | 'uiServer', number>>;

/** Where each piece lives in the cache, whether or not it is there yet. */
export function clusterBinaryPaths(env: NodeJS.ProcessEnv = process.env): ClusterBinaries {
  const serverDir = path.join(cacheDir(env), 'temporal-server', SERVER_VERSION);
  const [temporal, visibility] = SCHEMA_DIRS.map((dir) => path.join(serverDir, dir));
  return {
    server: path.join(serverDir, 'temporal-server'),
    sqlTool: path.join(serverDir, 'temporal-sql-tool'),
    uiServer: path.join(cacheDir(env), 'temporal-ui-server', UI_SERVER_VERSION, 'temporal-ui-server'),
    schema: { temporal: temporal!, visibility: visibility! },
  };
}

function isComplete(binaries: ClusterBinaries): boolean {
  return [binaries.server, binaries.sqlTool, binaries.uiServer, binaries.schema.temporal].every((file) =>
    fs.existsSync(file),
  );
}

/** Copies the schema folders out of the (read-only) module cache, staged and renamed into place. */
async function copySchemas(serverDir: string, env: NodeJS.ProcessEnv, log: Log): Promise<void> {
  const target = path.join(serverDir, 'schema');
  if (fs.existsSync(target)) return;
  const source = await moduleDir(SERVER_MODULE, SERVER_VERSION, env);
  const staging = fs.mkdtempSync(path.join(serverDir, '.schema-'));
  try {
    for (const dir of SCHEMA_DIRS) {
      fs.cpSync(path.join(source, dir), path.join(staging, path.relative('schema', dir)), {
        recursive: true,
      });
    }
    // The module cache is read-only; the copy should be removable like the rest of the cache.
    makeWritable(staging);
    fs.renameSync(staging, target);
  } catch (error) {
    makeWritable(staging);
    fs.rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  log(`copied the PostgreSQL schemas of server ${SERVER_VERSION} to ${target}`);
}

function makeWritable(dir: string): void {
  if (!fs.existsSync(dir)) return;
  fs.chmodSync(dir, 0o755);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) makeWritable(file);
    else fs.chmodSync(file, 0o644);
  }
}

/**
 * Finds the cluster's binaries in the cache, building what is missing (about 3–5 minutes the
 * first time on a 2-core machine, seconds afterwards).
 *
 * @throws when Go is missing or a build fails; the message names the step and how to retry.
 */
export async function provisionClusterBinaries(options: {
  env?: NodeJS.ProcessEnv;
  log: Log;
  retryHint?: string;
}): Promise<{ binaries: ClusterBinaries; buildTimes: BuildTimes }> {
  const env = options.env ?? process.env;
  const binaries = clusterBinaryPaths(env);
  const buildTimes: BuildTimes = {};
  if (isComplete(binaries)) return { binaries, buildTimes };
  const retryHint = options.retryHint ?? 'npm run cluster';
  const common = { version: SERVER_VERSION, env, log: options.log, retryHint };
  try {
    buildTimes.server = await goInstall({
      ...common,
      pkg: `${SERVER_MODULE}/cmd/server`,
      target: binaries.server,
      what: `the Temporal server ${SERVER_VERSION}`,
    });
    buildTimes.sqlTool = await goInstall({
      ...common,
      pkg: `${SERVER_MODULE}/cmd/tools/sql`,
      target: binaries.sqlTool,
      what: `the Temporal SQL schema tool ${SERVER_VERSION}`,
    });
    await copySchemas(path.dirname(binaries.server), env, options.log);
    buildTimes.uiServer = await goInstall({
      ...common,
      version: UI_SERVER_VERSION,
      pkg: UI_SERVER_PACKAGE,
      target: binaries.uiServer,
      what: `the Temporal Web UI server ${UI_SERVER_VERSION}`,
    });
  } catch (error) {
    if (
      (error as NodeJS.ErrnoException).code === 'ENOENT' &&
      (error as NodeJS.ErrnoException).path === 'go'
    ) {
      throw new Error(
        'The local cluster is built from source with Go, and `go` is not on PATH. Install Go (1.21 or ' +
          'newer fetches the Go 1.25 toolchain the server needs through the module proxy), then run ' +
          `\`${retryHint}\` again.`,
      );
    }
    throw error;
  }
  return { binaries, buildTimes };
}
