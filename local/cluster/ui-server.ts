/**
 * The Web UI of the local cluster: Temporal's `ui-server` on its own port, pointed at the
 * cluster's frontend, decrypting payloads through our codec server.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { toYaml, uiConfig, type ClusterPorts } from './config';
import { sleep, startDaemon, tail, type Daemon } from './processes';
import { serverEnv, type ClusterLayout } from './temporal-server';

const UI_ENV = 'ui-server';

export const uiPidFile = (layout: ClusterLayout) => path.join(layout.runDir, 'ui-server.pid');

async function answers(url: string): Promise<boolean> {
  return await new Promise((resolve) => {
    const request = http.get(url, { timeout: 2_000 }, (response) => {
      response.resume();
      resolve((response.statusCode ?? 500) < 500);
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(false));
  });
}

/**
 * Writes the UI's config and starts it; resolves once it serves pages.
 *
 * @returns the running UI and its URL (`localhost`, the origin the codec server allows).
 */
export async function startUiServer(options: {
  binary: string;
  layout: ClusterLayout;
  ports: ClusterPorts;
  codecEndpoint?: string;
  env: NodeJS.ProcessEnv;
  timeoutMs?: number;
}): Promise<{ daemon: Daemon; url: string }> {
  const { layout } = options;
  fs.mkdirSync(layout.configDir, { recursive: true, mode: 0o700 });
  fs.mkdirSync(layout.logDir, { recursive: true });
  fs.mkdirSync(layout.runDir, { recursive: true });
  const config = uiConfig({ ports: options.ports, codecEndpoint: options.codecEndpoint });
  fs.writeFileSync(
    path.join(layout.configDir, `${UI_ENV}.yaml`),
    `# Written by lib/cluster at every start; edits are overwritten.\n${toYaml(config)}`,
  );
  const logFile = path.join(layout.logDir, 'ui-server.log');
  const daemon = startDaemon(
    options.binary,
    ['--root', layout.configDir, '--config', '.', '--env', UI_ENV, 'start'],
    { logFile, pidFile: uiPidFile(layout), env: serverEnv(options.env) },
  );
  const url = `http://localhost:${options.ports.ui}`;
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  while (!(await answers(`http://127.0.0.1:${options.ports.ui}/`))) {
    const { child } = daemon;
    if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
      await daemon.stop();
      throw new Error(
        `the Web UI server did not start on port ${options.ports.ui}\n--- ${logFile} ---\n${tail(logFile)}`,
      );
    }
    await sleep(200);
  }
  return { daemon, url };
}
