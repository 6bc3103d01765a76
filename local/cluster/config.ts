/**
 * Ports, settings and the generated configuration files of the local cluster.
 *
 * The defaults sit 100 above `npm start`'s (7233/8233/8234), so both can run side by side:
 *
 * | Port      | Setting                 | What                                                      |
 * | --------- | ----------------------- | --------------------------------------------------------- |
 * | 7333      | CJ_CLUSTER_PORT         | frontend gRPC (workers and clients connect here)          |
 * | 7334–7341 | CJ_CLUSTER_PORT + 1…8   | frontend HTTP, history, matching, worker, 4 × membership  |
 * | 8333      | CJ_CLUSTER_UI_PORT      | Web UI                                                    |
 * | 8334      | CJ_CLUSTER_CODEC_PORT   | codec server the Web UI decrypts payloads through         |
 * | 5333      | CJ_CLUSTER_PG_PORT      | PostgreSQL (loopback only)                                |
 */
import { z } from 'zod';

/**
 * History shards of a new cluster. Fixed at the first start (the persisted count wins over any
 * later config), so it is a constant here, not a setting. Four let the history service work on
 * several workflow partitions at once; a production cluster sizes this for its peak load.
 */
export const HISTORY_SHARDS = 4;

export interface ClusterPorts {
  frontend: number;
  frontendHttp: number;
  history: number;
  matching: number;
  worker: number;
  frontendMembership: number;
  historyMembership: number;
  matchingMembership: number;
  workerMembership: number;
  ui: number;
  codec: number;
  postgres: number;
}

/** The server's other ports, as offsets from the frontend's gRPC port. */
const SERVER_PORT_OFFSETS = {
  frontendHttp: 1,
  history: 2,
  matching: 3,
  worker: 4,
  frontendMembership: 5,
  historyMembership: 6,
  matchingMembership: 7,
  workerMembership: 8,
} as const;

/**
 * The highest port the server's own ports may use: PostgreSQL's `cluster_membership` table keeps
 * each service's membership port in a SMALLINT, so a port above 32767 stops the server at start
 * ("value is out of range for type smallint").
 */
export const MAX_SERVER_PORT = 32767;

const port = z.coerce.number().int().min(1).max(65535, 'must be a port number (1-65535)');
const serverPort = z.coerce
  .number()
  .int()
  .min(1)
  .max(
    MAX_SERVER_PORT - 8,
    `must be at most ${MAX_SERVER_PORT - 8}: the server uses it and the 8 ports after it, all at most ${MAX_SERVER_PORT}`,
  );

export const ClusterSettings = z.object({
  CJ_CLUSTER_DATA_DIR: z.string().min(1).default('data/cluster'),
  CJ_CLUSTER_PORT: serverPort.default(7333),
  CJ_CLUSTER_UI_PORT: port.default(8333),
  CJ_CLUSTER_CODEC_PORT: port.default(8334),
  CJ_CLUSTER_PG_PORT: port.default(5333),
});
export type ClusterSettings = z.infer<typeof ClusterSettings>;

/** Every port of the cluster from the frontend's and the three others. */
export function derivePorts(base: {
  frontend: number;
  ui: number;
  codec: number;
  postgres: number;
}): ClusterPorts {
  const server = Object.fromEntries(
    Object.entries(SERVER_PORT_OFFSETS).map(([name, offset]) => [name, base.frontend + offset]),
  ) as Record<keyof typeof SERVER_PORT_OFFSETS, number>;
  return { ...base, ...server };
}

export function portsFromSettings(settings: ClusterSettings): ClusterPorts {
  return derivePorts({
    frontend: settings.CJ_CLUSTER_PORT,
    ui: settings.CJ_CLUSTER_UI_PORT,
    codec: settings.CJ_CLUSTER_CODEC_PORT,
    postgres: settings.CJ_CLUSTER_PG_PORT,
  });
}

/** A minimal YAML writer for the config files: maps, lists and scalars (strings JSON-quoted). */
export function toYaml(value: unknown, indent = ''): string {
  if (Array.isArray(value)) {
    return value.map((item) => `${indent}-${block(item, `${indent}  `, true)}`).join('');
  }
  if (value !== null && typeof value === 'object') {
    return Object.entries(value)
      .filter(([, item]) => item !== undefined)
      .map(([key, item]) => `${indent}${key}:${block(item, `${indent}  `, false)}`)
      .join('');
  }
  return `${indent}${scalar(value)}\n`;
}

function block(value: unknown, indent: string, inList: boolean): string {
  if (value !== null && typeof value === 'object') {
    const nested = toYaml(value, indent);
    // A map inside a list starts on the dash's line.
    return inList && !Array.isArray(value) ? ` ${nested.slice(indent.length)}` : `\n${nested}`;
  }
  return ` ${scalar(value)}\n`;
}

function scalar(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

export interface ServerConfigInput {
  ports: ClusterPorts;
  postgres: { user: string; password: string };
  databases: { temporal: string; visibility: string };
  dynamicConfigFile: string;
}

function sqlStore(input: ServerConfigInput, database: string, maxConns: number): Record<string, unknown> {
  return {
    sql: {
      pluginName: 'postgres12',
      databaseName: database,
      connectAddr: `127.0.0.1:${input.ports.postgres}`,
      connectProtocol: 'tcp',
      user: input.postgres.user,
      password: input.postgres.password,
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  };
}

function service(grpcPort: number, membershipPort: number, httpPort?: number): Record<string, unknown> {
  return { rpc: { grpcPort, membershipPort, httpPort, bindOnLocalHost: true } };
}

/**
 * The static config of one `temporal-server start` process running all four services, with
 * PostgreSQL both as the default store and as SQL advanced visibility.
 */
export function serverConfig(input: ServerConfigInput): Record<string, unknown> {
  const { ports } = input;
  const frontend = `127.0.0.1:${ports.frontend}`;
  return {
    log: { stdout: true, level: 'info', format: 'json' },
    persistence: {
      defaultStore: 'postgres-default',
      visibilityStore: 'postgres-visibility',
      numHistoryShards: HISTORY_SHARDS,
      // Each of the four services has its own pools: 4 × (20 + 10) stays well under max_connections.
      datastores: {
        'postgres-default': sqlStore(input, input.databases.temporal, 20),
        'postgres-visibility': sqlStore(input, input.databases.visibility, 10),
      },
    },
    global: { membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' } },
    services: {
      frontend: service(ports.frontend, ports.frontendMembership, ports.frontendHttp),
      history: service(ports.history, ports.historyMembership),
      matching: service(ports.matching, ports.matchingMembership),
      worker: service(ports.worker, ports.workerMembership),
    },
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: {
        active: {
          enabled: true,
          initialFailoverVersion: 1,
          rpcName: 'frontend',
          rpcAddress: frontend,
          httpAddress: `127.0.0.1:${ports.frontendHttp}`,
        },
      },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    archival: { history: { state: 'disabled' }, visibility: { state: 'disabled' } },
    namespaceDefaults: { archival: { history: { state: 'disabled' }, visibility: { state: 'disabled' } } },
    publicClient: { hostPort: frontend },
    dynamicConfigClient: { filepath: input.dynamicConfigFile, pollInterval: '10s' },
  };
}

/**
 * Dynamic config: the server's defaults, except the visibility rate limit (10 requests/s per
 * namespace), which the Web UI's list pages and the reports' count queries exceed in bursts.
 * The server re-reads this file every 10 s.
 */
export function dynamicConfig(): Record<string, unknown> {
  return { 'frontend.namespaceRPS.visibility': [{ value: 100 }] };
}

/** The Web UI server's config: the cluster's frontend, and the codec server for payloads. */
export function uiConfig(input: { ports: ClusterPorts; codecEndpoint?: string }): Record<string, unknown> {
  return {
    temporalGrpcAddress: `127.0.0.1:${input.ports.frontend}`,
    host: '127.0.0.1',
    port: input.ports.ui,
    enableUi: true,
    defaultNamespace: 'default',
    // Plain HTTP on loopback: a secure-only cookie would never be sent back.
    cors: { cookieInsecure: true },
    // It would ask the internet for newer releases; there is none to ask here.
    notifyOnNewVersion: false,
    codec: { endpoint: input.codecEndpoint ?? '' },
  };
}
