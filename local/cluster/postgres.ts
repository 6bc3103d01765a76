/**
 * The cluster's own PostgreSQL: a data folder inside the project's `data/`, initialised once with
 * `initdb`, started and stopped with `pg_ctl`, listening on loopback only. Not the system
 * service, so it needs no configuration of the machine and goes away with `data/`.
 *
 * PostgreSQL refuses to run as root. When we are root (containers, CI), initdb and pg_ctl run as
 * an unprivileged user (`nobody` unless CJ_CLUSTER_PG_OS_USER names another), which owns the data
 * folder. Clients (psql, the schema tool, the server) connect over TCP with a password generated
 * at initdb and kept next to the data folder, readable by its owner only.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Log } from '../temporal-runtime';
import { ensureReachable, postgresOsUser, type OsUser } from './os-user';
import { run, runChecked, tail } from './processes';

/** The database user that owns everything (created by initdb as the superuser). */
export const PG_USER = 'temporal';

export interface PostgresLayout {
  /** PGDATA. */
  dataDir: string;
  logFile: string;
  passwordFile: string;
}

export function postgresLayout(clusterDir: string): PostgresLayout {
  return {
    dataDir: path.join(clusterDir, 'postgres'),
    logFile: path.join(clusterDir, 'logs', 'postgres.log'),
    passwordFile: path.join(clusterDir, 'postgres.password'),
  };
}

/**
 * The folder holding initdb, pg_ctl and psql: CJ_CLUSTER_PG_BIN, else where `pg_ctl` on PATH
 * really lives, else the newest Debian/Ubuntu `/usr/lib/postgresql/<major>/bin`.
 */
export function postgresBinDir(env: NodeJS.ProcessEnv = process.env): string {
  const hasTools = (dir: string) =>
    ['initdb', 'pg_ctl', 'psql'].every((tool) => fs.existsSync(path.join(dir, tool)));
  if (env.CJ_CLUSTER_PG_BIN) {
    if (!hasTools(env.CJ_CLUSTER_PG_BIN)) {
      throw new Error(`CJ_CLUSTER_PG_BIN=${env.CJ_CLUSTER_PG_BIN} does not hold initdb, pg_ctl and psql`);
    }
    return env.CJ_CLUSTER_PG_BIN;
  }
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    const candidate = dir && path.join(dir, 'pg_ctl');
    if (candidate && fs.existsSync(candidate)) {
      // Debian links pg_ctl into /usr/local/bin or /usr/bin; initdb and postgres sit next to the target.
      const real = path.dirname(fs.realpathSync(candidate));
      if (hasTools(real)) return real;
    }
  }
  // Debian and Ubuntu keep the server binaries off PATH, one folder per major version.
  const debian = '/usr/lib/postgresql';
  const majors = fs.existsSync(debian)
    ? fs
        .readdirSync(debian)
        .filter((name) => /^\d+$/.test(name) && hasTools(path.join(debian, name, 'bin')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (majors[0]) return path.join(debian, majors[0], 'bin');
  throw new Error(
    'PostgreSQL (12 or newer) was not found: install it (Debian: apt-get install postgresql) or set ' +
      'CJ_CLUSTER_PG_BIN to the folder holding initdb, pg_ctl and psql. Its system service is not used.',
  );
}

export interface PostgresHandle {
  port: number;
  user: string;
  password: string;
  layout: PostgresLayout;
  /** `pg_ctl stop -m fast`: ends sessions, checkpoints, exits. */
  stop(): Promise<void>;
}

/** Runs initdb into a staging folder renamed into place, so a failed init leaves nothing half-made. */
async function initdb(
  bin: string,
  layout: PostgresLayout,
  user: OsUser | undefined,
  log: Log,
): Promise<void> {
  const parent = path.dirname(layout.dataDir);
  const staging = fs.mkdtempSync(path.join(parent, '.postgres-init-'));
  const pwFile = `${staging}.pw`;
  const password = randomBytes(24).toString('base64url');
  fs.writeFileSync(pwFile, `${password}\n`, { mode: 0o600 });
  try {
    if (user) {
      fs.chownSync(staging, user.uid, user.gid);
      fs.chownSync(pwFile, user.uid, user.gid);
    }
    log(`initialising PostgreSQL in ${layout.dataDir} (once)`);
    await runChecked(
      'initdb',
      path.join(bin, 'initdb'),
      // No locale: byte-order collation behaves the same on every machine, and Temporal needs no other.
      [
        '-D',
        staging,
        '-U',
        PG_USER,
        `--pwfile=${pwFile}`,
        '--auth=scram-sha-256',
        '--encoding=UTF8',
        '--no-locale',
      ],
      { uid: user?.uid, gid: user?.gid, env: { ...process.env, LC_ALL: 'C' } },
    );
    // Loopback only; the socket in the data folder itself (a relative path: PostgreSQL runs there,
    // and a long absolute path would exceed the 107-byte socket name limit). Four services with a
    // connection pool each need more than the default 100 connections.
    fs.appendFileSync(
      path.join(staging, 'postgresql.conf'),
      [
        '',
        '# Local Temporal cluster (written once by lib/cluster/postgres.ts)',
        "listen_addresses = '127.0.0.1'",
        "unix_socket_directories = '.'",
        'max_connections = 200',
        '',
      ].join('\n'),
    );
    fs.renameSync(staging, layout.dataDir);
    fs.writeFileSync(layout.passwordFile, `${password}\n`, { mode: 0o600 });
  } catch (error) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw error;
  } finally {
    fs.rmSync(pwFile, { force: true });
  }
}

/** `pg_ctl status`: 0 running, 3 not running, 4 no data folder. */
async function isRunning(bin: string, layout: PostgresLayout, user: OsUser | undefined): Promise<boolean> {
  const status = await run(path.join(bin, 'pg_ctl'), ['status', '-D', layout.dataDir], {
    uid: user?.uid,
    gid: user?.gid,
  });
  return status.code === 0;
}

/**
 * Stops the cluster's PostgreSQL when a run that was killed left it running, so the port and
 * settings of this run apply.
 *
 * @returns whether there was one to stop.
 */
export async function stopLeftoverPostgres(
  clusterDir: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<boolean> {
  const layout = postgresLayout(clusterDir);
  if (!fs.existsSync(path.join(layout.dataDir, 'postmaster.pid'))) return false;
  const bin = postgresBinDir(env);
  const user = await postgresOsUser(env);
  if (!(await isRunning(bin, layout, user))) return false;
  await runChecked(
    'pg_ctl stop',
    path.join(bin, 'pg_ctl'),
    ['stop', '-D', layout.dataDir, '-m', 'fast', '-w'],
    {
      uid: user?.uid,
      gid: user?.gid,
    },
  );
  return true;
}

/** Initialises (first time only) and starts the cluster's PostgreSQL on `port`. */
export async function startPostgres(options: {
  clusterDir: string;
  port: number;
  env?: NodeJS.ProcessEnv;
  log: Log;
}): Promise<PostgresHandle> {
  const env = options.env ?? process.env;
  const bin = postgresBinDir(env);
  const layout = postgresLayout(options.clusterDir);
  const user = await postgresOsUser(env);
  const owner = user ? { uid: user.uid, gid: user.gid } : {};
  fs.mkdirSync(path.dirname(layout.logFile), { recursive: true });
  if (user) await ensureReachable(options.clusterDir, user, options.log);
  if (!fs.existsSync(path.join(layout.dataDir, 'PG_VERSION'))) {
    if (fs.existsSync(layout.dataDir) && fs.readdirSync(layout.dataDir).length > 0) {
      throw new Error(
        `${layout.dataDir} exists but is not a PostgreSQL data folder; move it away and start again`,
      );
    }
    fs.rmSync(layout.dataDir, { recursive: true, force: true });
    await initdb(bin, layout, user, options.log);
  }
  const pgCtl = path.join(bin, 'pg_ctl');
  if (!fs.existsSync(layout.logFile)) fs.writeFileSync(layout.logFile, '');
  if (user) fs.chownSync(layout.logFile, user.uid, user.gid);
  const started = await run(
    pgCtl,
    ['start', '-D', layout.dataDir, '-l', layout.logFile, '-w', '-t', '60', '-o', `-p ${options.port}`],
    owner,
  );
  if (started.code !== 0) {
    throw new Error(
      `PostgreSQL did not start on port ${options.port}: ${started.stderr.trim() || started.stdout.trim()}\n` +
        `--- last lines of ${layout.logFile} ---\n${tail(layout.logFile)}`,
    );
  }
  const password = fs.readFileSync(layout.passwordFile, 'utf8').trim();
  return {
    port: options.port,
    user: PG_USER,
    password,
    layout,
    stop: async () => {
      await runChecked('pg_ctl stop', pgCtl, ['stop', '-D', layout.dataDir, '-m', 'fast', '-w'], owner);
    },
  };
}

/** Runs one SQL statement with psql over TCP as the `temporal` superuser; returns its rows. */
export async function psql(
  pg: PostgresHandle,
  database: string,
  sql: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  const bin = postgresBinDir(env);
  const args = ['-X', '-q', '-t', '-A', '-v', 'ON_ERROR_STOP=1', '-h', '127.0.0.1', '-p', String(pg.port)];
  const result = await runChecked(
    `psql on database ${database}`,
    path.join(bin, 'psql'),
    [...args, '-U', pg.user, '-d', database, '-c', sql],
    { env: { ...env, PGPASSWORD: pg.password, PGCONNECT_TIMEOUT: '10' } },
  );
  return result.stdout.trim();
}

/**
 * Creates the databases that do not exist yet, then the extensions in each (idempotent).
 *
 * @param databases database name → extensions it needs
 */
export async function ensureDatabases(
  pg: PostgresHandle,
  databases: Record<string, readonly string[]>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  for (const [name, extensions] of Object.entries(databases)) {
    if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a plain database name: ${name}`);
    // CREATE DATABASE has no IF NOT EXISTS.
    const exists = await psql(pg, 'postgres', `SELECT 1 FROM pg_database WHERE datname = '${name}'`, env);
    if (exists !== '1') await psql(pg, 'postgres', `CREATE DATABASE ${name}`, env);
    for (const extension of extensions) {
      try {
        await psql(pg, name, `CREATE EXTENSION IF NOT EXISTS ${extension}`, env);
      } catch (error) {
        throw new Error(
          `The PostgreSQL extension ${extension} is missing (Temporal's visibility schema indexes with it). ` +
            `It ships with PostgreSQL's contrib modules (Debian: part of the postgresql package; elsewhere postgresql-contrib).\n${(error as Error).message}`,
        );
      }
    }
  }
}
