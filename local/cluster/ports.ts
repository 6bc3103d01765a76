/**
 * Which ports the cluster uses, and the check that none is taken before anything starts.
 */
import { freePort } from '../temporal-runtime';
import { derivePorts, MAX_SERVER_PORT, type ClusterPorts } from './config';
import { isPortFree } from './processes';

/** Where free server ports are looked for: below the SMALLINT limit, above the usual services. */
const SERVER_PORT_RANGE = [20_000, MAX_SERVER_PORT - 8] as const;

/** A free block of nine ports (the server's) inside SERVER_PORT_RANGE. */
async function freeServerBlock(): Promise<number> {
  const [low, high] = SERVER_PORT_RANGE;
  for (let attempt = 0; attempt < 100; attempt++) {
    const start = low + Math.floor(Math.random() * (high - low));
    let free = true;
    for (let offset = 0; offset <= 8 && free; offset++) free = await isPortFree(start + offset);
    if (free) return start;
  }
  throw new Error(`no nine free consecutive ports between ${low} and ${high + 8} for the Temporal server`);
}

/**
 * Completes the ports: the server's eight others follow the frontend's (a free block is picked
 * when no frontend port is given); the UI, codec server and PostgreSQL get any free port.
 */
export async function resolvePorts(given: Partial<ClusterPorts> = {}): Promise<ClusterPorts> {
  const frontend = given.frontend ?? (await freeServerBlock());
  const ports = {
    ...derivePorts({
      frontend,
      ui: given.ui ?? (await freePort()),
      codec: given.codec ?? (await freePort()),
      postgres: given.postgres ?? (await freePort()),
    }),
    ...given,
  };
  const tooHigh = (Object.keys(ports) as (keyof ClusterPorts)[]).filter(
    (name) => !['ui', 'codec', 'postgres'].includes(name) && ports[name] > MAX_SERVER_PORT,
  );
  if (tooHigh.length > 0) {
    throw new Error(
      `The Temporal server's ports must be at most ${MAX_SERVER_PORT} on PostgreSQL: ${tooHigh.map((name) => `${name} ${ports[name]}`).join(', ')}`,
    );
  }
  return ports;
}

/** What a port is and which setting moves it, for the "port taken" message. */
export function describePort(name: keyof ClusterPorts, ports: ClusterPorts): string {
  switch (name) {
    case 'frontend':
      return 'Temporal frontend gRPC; set CJ_CLUSTER_PORT';
    case 'ui':
      return 'Web UI; set CJ_CLUSTER_UI_PORT';
    case 'codec':
      return 'codec server; set CJ_CLUSTER_CODEC_PORT';
    case 'postgres':
      return 'PostgreSQL; set CJ_CLUSTER_PG_PORT';
    default:
      return (
        `Temporal ${name.replace(/([A-Z])/g, ' $1').toLowerCase()}, CJ_CLUSTER_PORT+${ports[name] - ports.frontend}; ` +
        'set CJ_CLUSTER_PORT to move the server and the 8 ports after it'
      );
  }
}

/**
 * Refuses to start when a port is taken, naming each taken port and the setting that moves it.
 *
 * @throws an error listing the taken ports.
 */
export async function checkPortsFree(ports: ClusterPorts): Promise<void> {
  const taken: (keyof ClusterPorts)[] = [];
  for (const name of Object.keys(ports) as (keyof ClusterPorts)[]) {
    if (!(await isPortFree(ports[name]))) taken.push(name);
  }
  if (taken.length > 0) {
    throw new Error(
      `Cannot start the local cluster: ${taken.length === 1 ? 'a port is' : 'ports are'} already in use:\n` +
        taken.map((name) => `  - ${ports[name]} (${describePort(name, ports)})`).join('\n'),
    );
  }
}
