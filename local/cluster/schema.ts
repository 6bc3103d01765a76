/**
 * The cluster's two PostgreSQL databases and their schemas, kept up to date by Temporal's own
 * schema tool at every start:
 *
 * - `temporal`: executions, history, tasks, namespaces, cluster metadata.
 * - `temporal_visibility`: the workflow list and its search attributes (SQL advanced
 *   visibility), indexed with GIN indexes that need the `btree_gin` extension.
 *
 * `setup-schema -v 0.0` creates the version tables only (a no-op once they exist), and
 * `update-schema` applies each `versioned/vX.Y` step above the recorded version: on a fresh
 * database all of them, after a server upgrade the new ones, otherwise none.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Log } from '../temporal-runtime';
import type { ClusterBinaries } from './binaries';
import { ensureDatabases, psql, type PostgresHandle } from './postgres';
import { runChecked } from './processes';

export const DATABASES = { temporal: 'temporal', visibility: 'temporal_visibility' } as const;

/** The newest `versioned/vX.Y` folder of a schema: the version the server expects. */
export function newestSchemaVersion(schemaDir: string): string {
  const versions = fs
    .readdirSync(path.join(schemaDir, 'versioned'))
    .filter((name) => /^v\d+\.\d+$/.test(name))
    .map((name) => name.slice(1).split('.').map(Number) as [number, number])
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const newest = versions[versions.length - 1];
  if (!newest) throw new Error(`no versioned schema in ${schemaDir}`);
  return newest.join('.');
}

async function schemaTool(
  binaries: ClusterBinaries,
  pg: PostgresHandle,
  database: string,
  args: string[],
): Promise<void> {
  // Connection settings through the tool's environment variables: the password stays off `ps`.
  const env = {
    ...process.env,
    SQL_PLUGIN: 'postgres12',
    SQL_HOST: '127.0.0.1',
    SQL_PORT: String(pg.port),
    SQL_USER: pg.user,
    SQL_PASSWORD: pg.password,
    SQL_DATABASE: database,
  };
  await runChecked(`temporal-sql-tool ${args[0]} on ${database}`, binaries.sqlTool, args, {
    env,
    timeoutMs: 5 * 60_000,
  });
}

async function recordedVersion(pg: PostgresHandle, database: string): Promise<string | undefined> {
  try {
    return (await psql(pg, database, 'SELECT curr_version FROM schema_version')) || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Creates both databases (with `btree_gin` in the visibility one) and brings their schemas to the
 * newest version shipped with the server binary; safe to run at every start.
 *
 * @returns the schema version of each database afterwards.
 */
export async function ensureSchemas(
  binaries: ClusterBinaries,
  pg: PostgresHandle,
  log: Log,
): Promise<{ temporal: string; visibility: string }> {
  await ensureDatabases(pg, { [DATABASES.temporal]: [], [DATABASES.visibility]: ['btree_gin'] });
  const result = { temporal: '', visibility: '' };
  for (const key of ['temporal', 'visibility'] as const) {
    const database = DATABASES[key];
    const dir = binaries.schema[key];
    const target = newestSchemaVersion(dir);
    const before = await recordedVersion(pg, database);
    if (before !== target) {
      log(`schema of ${database}: ${before ?? 'empty'} → ${target}`);
      await schemaTool(binaries, pg, database, ['setup-schema', '-v', '0.0']);
      await schemaTool(binaries, pg, database, ['update-schema', '-d', path.join(dir, 'versioned')]);
    }
    result[key] = (await recordedVersion(pg, database)) ?? '';
    if (result[key] !== target) {
      throw new Error(
        `the schema of ${database} is at version ${result[key] || 'none'}, server expects ${target}` +
          ' (a newer server may have migrated it; use its binaries or a fresh CJ_CLUSTER_DATA_DIR)',
      );
    }
  }
  return result;
}
