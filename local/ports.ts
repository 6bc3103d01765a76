/**
 * Ports a command is about to serve on: refused before anything starts when another process holds
 * one, and checked after start to belong to the process we started.
 *
 * Without this, a dev server that could not bind its port died quietly while the worker attached
 * to whatever server held the port: a foreign one without our search attributes, where every
 * workflow task then failed forever.
 */
import fs from 'node:fs';
import net from 'node:net';

/** A port a command needs, with the setting that moves it. */
export interface NeededPort {
  port: number;
  /** What listens there, e.g. "Temporal gRPC frontend". */
  what: string;
  /** The environment setting that changes it, e.g. CJ_DEV_SERVER_PORT. */
  setting: string;
}

/** Thrown before anything starts; the message names every taken port and its setting. */
export class PortsTakenError extends Error {
  override readonly name = 'PortsTakenError';
  constructor(readonly taken: NeededPort[]) {
    super(
      taken
        .map(
          ({ port, what, setting }) =>
            `Port ${port} (${what}) is already in use by another process: stop that process, or set ${setting} to a free port.`,
        )
        .join('\n'),
    );
  }
}

function canBind(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

function answers(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    const done = (result: boolean) => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** True when something listens on the port (on the bind address, or on loopback). */
export async function portInUse(port: number, host = '127.0.0.1'): Promise<boolean> {
  if (!(await canBind(port, host))) return true;
  // A server on another loopback address (::1) does not stop our bind but would take our clients.
  return (await answers(port, '127.0.0.1')) || (await answers(port, '::1'));
}

/** @throws PortsTakenError listing every port of `needed` that another process holds. */
export async function assertPortsFree(needed: readonly NeededPort[], host = '127.0.0.1'): Promise<void> {
  const taken: NeededPort[] = [];
  for (const entry of needed) if (await portInUse(entry.port, host)) taken.push(entry);
  if (taken.length > 0) throw new PortsTakenError(taken);
}

/** Inodes of the sockets listening on `port`, from the kernel's tables (Linux only). */
function listeningInodes(port: number): Set<string> | undefined {
  const inodes = new Set<string>();
  let readAny = false;
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = fs.readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    readAny = true;
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      // local_address is HEXIP:HEXPORT; state 0A is LISTEN; field 9 is the inode.
      const local = fields[1];
      if (!local || fields[3] !== '0A') continue;
      if (parseInt(local.split(':').pop() ?? '', 16) === port && fields[9]) inodes.add(fields[9]);
    }
  }
  return readAny ? inodes : undefined;
}

/**
 * Whether process `pid` holds the socket listening on `port`. `undefined` where the system does
 * not say (no /proc): the caller then relies on the process still running.
 */
export function ownsListeningPort(pid: number, port: number): boolean | undefined {
  const inodes = listeningInodes(port);
  if (!inodes) return undefined;
  let fds: string[];
  try {
    fds = fs.readdirSync(`/proc/${pid}/fd`);
  } catch {
    return undefined;
  }
  return fds.some((fd) => {
    try {
      const target = fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
      const match = /^socket:\[(\d+)\]$/.exec(target);
      return match !== null && inodes.has(match[1]!);
    } catch {
      return false;
    }
  });
}
