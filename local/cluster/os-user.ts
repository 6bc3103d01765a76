/**
 * PostgreSQL refuses to run as root. When we are root (containers, CI), its programs run as an
 * unprivileged user instead, which must be able to reach the data folder.
 */
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../lib/config';
import type { Log } from '../temporal-runtime';
import { run } from './processes';

export interface OsUser {
  name: string;
  uid: number;
  gid: number;
}

/**
 * The user PostgreSQL runs as: `nobody` (or CJ_CLUSTER_PG_OS_USER) when we are root, undefined
 * otherwise (it runs as ourselves).
 */
export async function postgresOsUser(env: NodeJS.ProcessEnv): Promise<OsUser | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const name = env.CJ_CLUSTER_PG_OS_USER || 'nobody';
  const [uid, gid] = await Promise.all([run('id', ['-u', name]), run('id', ['-g', name])]);
  if (uid.code !== 0 || gid.code !== 0) {
    throw new Error(
      `PostgreSQL cannot run as root, and the user "${name}" to run it as does not exist (CJ_CLUSTER_PG_OS_USER)`,
    );
  }
  return { name, uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

function isInside(dir: string, parent: string): boolean {
  return dir === parent || dir.startsWith(parent + path.sep);
}

/**
 * Makes sure `user` can pass through every folder above `dir`.
 *
 * The project's `data/` is private (0700: it holds the generated codec key). A folder inside it
 * that blocks the way gets search permission for others (o+x: they may pass through to a name
 * they know, not list it; the key file stays 0600). A folder outside it is not ours to change.
 *
 * @throws naming the first folder outside `data/` that the user cannot pass.
 */
export async function ensureReachable(dir: string, user: OsUser, log: Log): Promise<void> {
  const dataRoot = path.join(projectRoot(), 'data');
  const chain: string[] = [];
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    chain.unshift(current);
    if (path.dirname(current) === current) break;
  }
  for (const folder of chain) {
    const probe = await run('test', ['-x', folder], { uid: user.uid, gid: user.gid });
    if (probe.code === 0) continue;
    if (isInside(folder, dataRoot) && fs.existsSync(folder)) {
      fs.chmodSync(folder, fs.statSync(folder).mode | 0o001);
      log(
        `${folder}: search permission for others, so PostgreSQL (running as "${user.name}") can reach its data`,
      );
      continue;
    }
    throw new Error(
      `PostgreSQL runs as "${user.name}" here (it refuses root), and that user cannot pass through ${folder}. ` +
        'Make it searchable (chmod o+x) or set CJ_CLUSTER_DATA_DIR to a folder the user can reach.',
    );
  }
}
