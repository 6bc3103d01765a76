/**
 * The runtime itself: provisioned servers, the worker factory, configuration errors and
 * `npm start`, all on real Temporal servers.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ConfigError, loadWorkerConfig } from '../lib/config';
import { DEFAULT_TASK_QUEUE } from '../workflows/kernel/contract';
import { ownsListeningPort, portInUse } from '../local/ports';
import { freePort } from '../local/temporal-runtime';
import { createWorker } from '../worker';
import { allSearchAttributeKeys } from '../workflows/kernel/search-attributes';
import type { sleepFor } from './fixtures/sleeper-workflow';
import { testNames, timeSkippingEnvironment } from './helpers/temporal';
import { startProduct } from './helpers/web-ui';

const root = path.resolve(__dirname, '..');
const { IndexedValueType } = temporal.api.enums.v1;

describe('dev server', () => {
  let connection: Connection;
  beforeAll(async () => {
    connection = await Connection.connect({ address: inject('temporal').devServer.address });
  });
  afterAll(async () => {
    await connection?.close();
  });

  it('has every custom search attribute registered with its type', async () => {
    const { customAttributes } = await connection.operatorService.listSearchAttributes({
      namespace: 'default',
    });
    for (const key of allSearchAttributeKeys) {
      const registered = customAttributes?.[key.name];
      expect(registered, key.name).toBeDefined();
      expect(IndexedValueType[registered!], key.name).toBe(
        `INDEXED_VALUE_TYPE_${TypedSearchAttributes.toMetadataType(key.type)
          .replace(/([a-z])([A-Z])/g, '$1_$2')
          .toUpperCase()}`,
      );
    }
  });

  it('keeps the search attributes within the per-namespace limits of the SQLite visibility store', () => {
    const limits: Record<string, number> = {
      Keyword: 10,
      Bool: 3,
      Int: 3,
      Double: 3,
      Datetime: 3,
      Text: 3,
      KeywordList: 3,
    };
    const counts: Record<string, number> = {};
    for (const key of allSearchAttributeKeys) {
      const type = TypedSearchAttributes.toMetadataType(key.type);
      counts[type] = (counts[type] ?? 0) + 1;
    }
    for (const [type, count] of Object.entries(counts))
      expect(count, type).toBeLessThanOrEqual(limits[type]!);
  });

  it('serves the Web UI', async () => {
    const response = await fetch(inject('temporal').devServer.uiUrl);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<html');
  });
});

describe('worker', () => {
  it('a worker built by the worker factory polls the customer-journey task queue', async () => {
    const { address } = inject('temporal').devServer;
    const config = loadWorkerConfig({
      TEMPORAL_ADDRESS: address,
      CJ_WORKFLOW_BUNDLE: inject('temporal').workflowBundlePath,
    });
    expect(config.taskQueue).toBe(DEFAULT_TASK_QUEUE);
    const nativeConnection = await NativeConnection.connect(config.connectionOptions);
    const client = await Connection.connect({ address });
    try {
      const worker = await createWorker({ config, connection: nativeConnection });
      await worker.runUntil(async () => {
        await expect
          .poll(
            async () => {
              const { pollers } = await client.workflowService.describeTaskQueue({
                namespace: 'default',
                taskQueue: { name: DEFAULT_TASK_QUEUE },
                taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
              });
              return (pollers ?? []).map((poller) => poller.identity);
            },
            { timeout: 20_000, interval: 250 },
          )
          .toContain(worker.options.identity);
      });
    } finally {
      await client.close();
      await nativeConnection.close();
    }
  });

  it('names every wrong setting in one configuration error', () => {
    let caught: unknown;
    try {
      loadWorkerConfig({
        TEMPORAL_ADDRESS: 'localhost',
        CJ_SHUTDOWN_GRACE_SECONDS: 'soon',
        CJ_WORKFLOW_BUNDLE: path.join(root, 'no-such-bundle.js'),
        TEMPORAL_TLS: 'maybe',
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const message = (caught as ConfigError).message;
    expect(message).toContain('TEMPORAL_ADDRESS: must be host:port');
    expect(message).toContain('CJ_SHUTDOWN_GRACE_SECONDS: must be a whole number');
    expect(message).toContain('CJ_WORKFLOW_BUNDLE: file does not exist');
    expect(message).toContain('TEMPORAL_TLS: must be true or false');
  });

  it('the worker process stops at start with a message naming a wrong setting', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'worker.ts')], {
      cwd: root,
      env: {
        ...process.env,
        TEMPORAL_ADDRESS: 'http://nowhere',
        CJ_TASK_QUEUE: '',
        CJ_MAX_CACHED_WORKFLOWS: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toContain('Invalid configuration');
    expect(stderr).toContain('TEMPORAL_ADDRESS: must be host:port');
    expect(stderr).toContain('CJ_MAX_CACHED_WORKFLOWS: must be greater than 0');
  });
});

describe('time-skipping test server', () => {
  it('runs a workflow that sleeps 48 hours in seconds of wall time', async () => {
    const env = await timeSkippingEnvironment();
    const { taskQueue, workflowId } = testNames();
    const bundle = await bundleWorkflowCode({
      workflowsPath: path.join(__dirname, 'fixtures/sleeper-workflow.ts'),
    });
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: bundle,
    });
    try {
      const wallStart = Date.now();
      const result = await worker.runUntil(
        env.client.workflow.execute<typeof sleepFor>('sleepFor', {
          taskQueue,
          workflowId: workflowId(),
          args: [{ hours: 48 }],
        }),
      );
      const workflowElapsed = Date.parse(result.wokeAt) - Date.parse(result.startedAt);
      expect(workflowElapsed).toBeGreaterThanOrEqual(48 * 3600_000);
      expect(Date.now() - wallStart).toBeLessThan(60_000);
    } finally {
      await env.teardown();
    }
  });
});

describe('npm start', () => {
  it('brings up the UI and the worker, and keeps workflows across a restart', async () => {
    const where = {
      runDir: inject('temporal').runDir,
      workflowBundlePath: inject('temporal').workflowBundlePath,
    };
    const workflowId = testNames().workflowId('kept');

    const first = await startProduct(where);
    const { uiUrl, codecUrl, address, dataDir } = first;
    try {
      expect(first.output()).toContain(uiUrl);
      expect((await fetch(uiUrl)).status).toBe(200);
      // Encrypted by default: a private key in the data folder, and the UI decrypts through the
      // codec server, which accepts the UI's origin.
      expect(first.output()).toContain(`Codec server:     ${codecUrl}`);
      expect(first.output()).toContain('payloads encrypted (AES-256-GCM');
      expect(fs.statSync(path.join(dataDir, 'codec-keys.json')).mode & 0o777).toBe(0o600);
      const uiSettings = (await (await fetch(`${uiUrl}/api/v1/settings`)).json()) as {
        Codec?: { Endpoint?: string };
      };
      expect(uiSettings.Codec?.Endpoint).toBe(codecUrl);
      const preflight = await fetch(`${codecUrl}/decode`, {
        method: 'OPTIONS',
        headers: { origin: uiUrl, 'access-control-request-method': 'POST' },
      });
      expect(preflight.status).toBe(204);
      const connection = await Connection.connect({ address });
      try {
        await connection.workflowService.startWorkflowExecution({
          namespace: 'default',
          workflowId,
          requestId: workflowId,
          workflowType: { name: 'kept-across-restarts' },
          taskQueue: { name: 'nobody-polls-this' },
        });
      } finally {
        await connection.close();
      }
    } finally {
      await first.stop();
    }
    expect(first.output()).toContain('stopping the Temporal dev server');

    const second = await startProduct({ ...where, again: first });
    try {
      const connection = await Connection.connect({ address });
      try {
        const described = await connection.workflowService.describeWorkflowExecution({
          namespace: 'default',
          execution: { workflowId },
        });
        expect(described.workflowExecutionInfo?.type?.name).toBe('kept-across-restarts');
      } finally {
        await connection.close();
      }
    } finally {
      await second.stop();
    }
    expect(second.output()).toContain('stopping the Temporal dev server');
  });

  it('refuses taken ports before starting anything, naming each port and the setting that moves it', async () => {
    const holders = await Promise.all([holdPort(), holdPort()]);
    const [grpc, codec] = holders.map((holder) => holder.port) as [number, number];
    try {
      const where = {
        runDir: inject('temporal').runDir,
        workflowBundlePath: inject('temporal').workflowBundlePath,
      };
      const ui = await freePort();
      const refused = await startProduct({ ...where, ports: { dev: grpc, ui, codec } }).then(
        () => undefined,
        (error: unknown) => error as Error,
      );
      expect(refused?.message).toContain(
        `Port ${grpc} (Temporal gRPC frontend) is already in use by another process: stop that process, or set CJ_DEV_SERVER_PORT to a free port.`,
      );
      expect(refused?.message).toContain(`Port ${codec} (codec server) is already in use`);
      expect(refused?.message).toContain('CJ_CODEC_PORT');
      expect(refused?.message).not.toContain(`Port ${ui}`);
      // Nothing was started: no worker line, and the UI port is still free.
      expect(refused?.message).not.toContain('worker polling');
      expect(await portInUse(ui)).toBe(false);
    } finally {
      await Promise.all(holders.map((holder) => holder.close()));
    }
  });
});

describe('the check that a started server is ours', () => {
  it('knows which process holds a listening port', async () => {
    const child = spawn(
      process.execPath,
      [
        '-e',
        "require('net').createServer().listen(0, '127.0.0.1', function () { console.log(this.address().port) })",
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      const port = await new Promise<number>((resolve) =>
        child.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim()))),
      );
      expect(ownsListeningPort(child.pid!, port)).toBe(true);
      expect(ownsListeningPort(process.pid, port)).toBe(false);
    } finally {
      child.kill();
    }
  });
});

/** Another process's listener, as a foreign server would hold a port. */
async function holdPort(): Promise<{ port: number; close(): Promise<void> }> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return { port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
