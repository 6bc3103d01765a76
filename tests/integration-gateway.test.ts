/**
 * The integration gateway on real parts: a local HTTP receiver (node:http on port 0), real files
 * in the run's scratch folder, and one retry path through a real worker on the time-skipping
 * test server.
 */
import fs from 'node:fs';
import http from 'node:http';
import { type AddressInfo } from 'node:net';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { ActivityFailure, ApplicationFailure, WorkflowFailedError } from '@temporalio/client';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import {
  loadIntegrationGateway,
  OutboxGateway,
  outboxFile,
  readOutbox,
  TransientIntegrationError,
  verifySignature,
  WebhookGateway,
  type GatewayRequest,
  type GatewayResult,
  type IntegrationGateway,
} from '../activities/integrations';
import { ConfigError, projectRoot } from '../lib/config';
import type { GatewayFixtureActivities, notifyThroughGateway } from './fixtures/gateway-workflow';
import { createTestWorker, testNames, timeSkippingEnvironment } from './helpers/temporal';

const SECRET = 'test-secret-0123456789';

interface ReceivedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** What the receiver answers a request with; 'hang' never answers. */
type Reply = { status: number; body?: unknown; headers?: Record<string, string> } | 'hang';

interface Receiver {
  url: string;
  requests: ReceivedRequest[];
  close(): Promise<void>;
}

/** A local HTTP server that records every request and answers with `reply(request, index)`. */
async function startReceiver(reply: (request: ReceivedRequest, index: number) => Reply): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request: ReceivedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(request);
      const answer = reply(request, requests.length - 1);
      if (answer === 'hang') return;
      const body =
        answer.body === undefined
          ? ''
          : typeof answer.body === 'string'
            ? answer.body
            : JSON.stringify(answer.body);
      res.writeHead(answer.status, answer.headers).end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A URL nothing listens on: a server's port after it closed. */
async function refusedUrl(): Promise<string> {
  const receiver = await startReceiver(() => ({ status: 200 }));
  await receiver.close();
  return receiver.url;
}

function request(overrides: Partial<GatewayRequest> = {}): GatewayRequest {
  return {
    system: 'messaging',
    operation: 'notify-customer',
    idempotencyKey: 'journey-123/notify-customer',
    payload: { to: 'jane.doe@example.com', template: 'quote-ready' },
    ...overrides,
  };
}

/** The result narrowed to an acceptance (fails the test otherwise). */
function accepted(result: GatewayResult): Extract<GatewayResult, { status: 'accepted' }> {
  if (result.status !== 'accepted') throw new Error(`expected an acceptance, got ${JSON.stringify(result)}`);
  return result;
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

function scratchDir(name: string): string {
  return fs.mkdtempSync(path.join(inject('temporal').runDir, `${name}-`));
}

describe('WebhookGateway', () => {
  it('posts the key, the system and a JSON body, signed so that verifySignature accepts it', async () => {
    const receiver = await startReceiver(() => ({ status: 200, body: { id: 'msg-1' } }));
    try {
      const gateway = new WebhookGateway({
        endpoints: { messaging: `${receiver.url}/hooks/` },
        secret: SECRET,
      });
      const result = await gateway.send(request());

      expect(result).toEqual({ status: 'accepted', body: { id: 'msg-1' }, duplicate: false });
      expect(receiver.requests).toHaveLength(1);
      const [received] = receiver.requests;
      expect(received!.method).toBe('POST');
      expect(received!.url).toBe('/hooks/notify-customer');
      expect(received!.headers['content-type']).toBe('application/json');
      expect(received!.headers['idempotency-key']).toBe('journey-123/notify-customer');
      expect(received!.headers['x-cj-system']).toBe('messaging');
      const body = JSON.parse(received!.body) as { sentAt: string };
      expect(body).toEqual({
        operation: 'notify-customer',
        idempotencyKey: 'journey-123/notify-customer',
        payload: { to: 'jane.doe@example.com', template: 'quote-ready' },
        sentAt: expect.any(String),
      });
      expect(Number.isNaN(Date.parse(body.sentAt))).toBe(false);
      expect(received!.headers['x-cj-timestamp']).toBe(body.sentAt);

      const signature = received!.headers['x-cj-signature'] as string;
      expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/);
      expect(verifySignature(received!.body, SECRET, signature)).toBe(true);
      expect(verifySignature(Buffer.from(received!.body), SECRET, signature)).toBe(true);
      expect(verifySignature(received!.body.replace('quote-ready', 'quote-read!'), SECRET, signature)).toBe(
        false,
      );
      expect(verifySignature(received!.body, 'another-secret-0123456789', signature)).toBe(false);
      expect(verifySignature(received!.body, SECRET, undefined)).toBe(false);
      expect(verifySignature(received!.body, SECRET, 'sha256=abc')).toBe(false);
    } finally {
      await receiver.close();
    }
  });

  it('sends no signature without a secret', async () => {
    const receiver = await startReceiver(() => ({ status: 202 }));
    try {
      const gateway = new WebhookGateway({ endpoints: {}, defaultEndpoint: receiver.url });
      expect(await gateway.send(request({ system: 'crm', operation: 'log-contact' }))).toEqual({
        status: 'accepted',
        body: {},
        duplicate: false,
      });
      expect(receiver.requests[0]!.url).toBe('/log-contact');
      expect(receiver.requests[0]!.headers['x-cj-system']).toBe('crm');
      expect(receiver.requests[0]!.headers['x-cj-signature']).toBeUndefined();
      expect(receiver.requests[0]!.headers['x-cj-timestamp']).toBeUndefined();
    } finally {
      await receiver.close();
    }
  });

  it('accepts any 2xx; an idempotent-replay header or body.duplicate marks a duplicate', async () => {
    const replies: Reply[] = [
      { status: 200, body: { id: 'msg-1' }, headers: { 'idempotent-replay': 'true' } },
      { status: 201, body: { id: 'msg-1', duplicate: true } },
      { status: 200, body: 'ok', headers: { 'content-type': 'text/plain' } },
      { status: 200, body: [1, 2] },
      { status: 204 },
    ];
    const receiver = await startReceiver((_request, index) => replies[index]!);
    try {
      const gateway = new WebhookGateway({ endpoints: { messaging: receiver.url } });
      const results = [];
      for (let i = 0; i < replies.length; i++) results.push(await gateway.send(request()));
      expect(results).toEqual([
        { status: 'accepted', body: { id: 'msg-1' }, duplicate: true },
        { status: 'accepted', body: { id: 'msg-1', duplicate: true }, duplicate: true },
        { status: 'accepted', body: {}, duplicate: false },
        { status: 'accepted', body: {}, duplicate: false },
        { status: 'accepted', body: {}, duplicate: false },
      ]);
    } finally {
      await receiver.close();
    }
  });

  it.each([503, 500, 429, 408, 425])('HTTP %i is transient', async (status) => {
    const receiver = await startReceiver(() => ({
      status,
      body: { code: 'busy', message: 'try later' },
      headers: { 'retry-after': '2' },
    }));
    try {
      const gateway = new WebhookGateway({ endpoints: { messaging: receiver.url } });
      const error = await caught(gateway.send(request()));
      expect(error).toBeInstanceOf(TransientIntegrationError);
      const transient = error as TransientIntegrationError;
      expect(transient.message).toContain('messaging notify-customer');
      expect(transient.message).toContain(`HTTP ${status}`);
      expect(transient.message).not.toContain('jane.doe');
      expect(transient).toMatchObject({
        system: 'messaging',
        operation: 'notify-customer',
        httpStatus: status,
      });
      expect(transient.retryAfterMs).toBe(2000);
    } finally {
      await receiver.close();
    }
  });

  it('a refused connection is transient', async () => {
    const gateway = new WebhookGateway({ endpoints: { messaging: await refusedUrl() } });
    const error = await caught(gateway.send(request()));
    expect(error).toBeInstanceOf(TransientIntegrationError);
    expect((error as Error).message).toMatch(/^messaging notify-customer: network error \(ECONNREFUSED\)$/);
    expect((error as TransientIntegrationError).httpStatus).toBeUndefined();
  });

  it('a receiver that does not answer within timeoutMs is transient', async () => {
    const receiver = await startReceiver(() => 'hang');
    try {
      const gateway = new WebhookGateway({ endpoints: { messaging: receiver.url }, timeoutMs: 300 });
      const started = Date.now();
      const error = await caught(gateway.send(request()));
      expect(error).toBeInstanceOf(TransientIntegrationError);
      expect((error as Error).message).toBe('messaging notify-customer: no answer within 300 ms');
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(receiver.requests).toHaveLength(1);
    } finally {
      await receiver.close();
    }
  });

  it('other 4xx answers are rejections carrying status, code and message from the body', async () => {
    const longMessage = 'x'.repeat(2_000);
    const replies: Reply[] = [
      { status: 400, body: { code: 'invalid-phone', message: 'phone number is not valid' } },
      { status: 404, body: { error: 'unknown-operation', message: 'no such operation' } },
      { status: 422, body: { code: 'unprocessable', message: longMessage } },
      { status: 404, body: 'Not Found', headers: { 'content-type': 'text/plain' } },
    ];
    const receiver = await startReceiver((_request, index) => replies[index]!);
    try {
      const gateway = new WebhookGateway({ endpoints: { messaging: receiver.url } });
      const results = [];
      for (let i = 0; i < replies.length; i++) results.push(await gateway.send(request()));
      expect(results[0]).toEqual({
        status: 'rejected',
        httpStatus: 400,
        code: 'invalid-phone',
        message: 'phone number is not valid',
      });
      expect(results[1]).toEqual({
        status: 'rejected',
        httpStatus: 404,
        code: 'unknown-operation',
        message: 'no such operation',
      });
      expect(results[2]).toMatchObject({ status: 'rejected', httpStatus: 422, code: 'unprocessable' });
      const truncated = results[2] as { message: string };
      expect(truncated.message).toHaveLength(500);
      expect(truncated.message.startsWith('xxxx')).toBe(true);
      expect(results[3]).toMatchObject({ status: 'rejected', httpStatus: 404, code: 'http-404' });
      expect(receiver.requests).toHaveLength(4);
    } finally {
      await receiver.close();
    }
  });

  it('a system with no endpoint and no default is a plain configuration error naming the setting', async () => {
    const gateway = new WebhookGateway({ endpoints: { messaging: 'http://127.0.0.1:9' } });
    const error = await caught(gateway.send(request({ system: 'crm' })));
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(TransientIntegrationError);
    expect((error as Error).message).toContain('CJ_WEBHOOK_URL_CRM');
    expect((error as Error).message).toContain('CJ_WEBHOOK_URL');
  });

  it('refuses a malformed request before sending anything', async () => {
    const receiver = await startReceiver(() => ({ status: 200 }));
    try {
      const gateway = new WebhookGateway({ endpoints: {}, defaultEndpoint: receiver.url });
      await expect(gateway.send(request({ operation: '../admin' }))).rejects.toThrow(/kebab-case/);
      await expect(gateway.send(request({ idempotencyKey: 'a\r\nx-injected: 1' }))).rejects.toThrow(
        /idempotencyKey/,
      );
      expect(receiver.requests).toHaveLength(0);
    } finally {
      await receiver.close();
    }
  });
});

describe('OutboxGateway', () => {
  it('records one line per key and answers a repeated key as a duplicate with the same id', async () => {
    const dir = scratchDir('outbox');
    const gateway = new OutboxGateway({ dir });
    const first = await gateway.send(request({ idempotencyKey: 'journey-1/notify' }));
    const other = await gateway.send(request({ idempotencyKey: 'journey-2/notify' }));
    const again = await gateway.send(
      request({ idempotencyKey: 'journey-1/notify', payload: { changed: true } }),
    );

    expect(first).toEqual({
      status: 'accepted',
      body: { id: expect.stringMatching(/^messaging-[0-9a-f]{12}$/) },
      duplicate: false,
    });
    expect(again).toEqual({ ...first, duplicate: true });
    expect(accepted(other).body.id).not.toBe(accepted(first).body.id);

    const lines = fs.readFileSync(path.join(dir, 'messaging.jsonl'), 'utf8').split('\n');
    expect(lines).toHaveLength(3); // two entries and the final newline
    expect(readOutbox(dir, 'messaging')).toEqual([
      {
        key: 'journey-1/notify',
        operation: 'notify-customer',
        payload: { to: 'jane.doe@example.com', template: 'quote-ready' },
        recordedAt: expect.any(String),
      },
      expect.objectContaining({ key: 'journey-2/notify' }),
    ]);
    expect(readOutbox(dir, 'crm')).toEqual([]);
  });

  it('keeps one file per system', async () => {
    const dir = scratchDir('outbox');
    const gateway = new OutboxGateway({ dir });
    const messaging = await gateway.send(request({ system: 'messaging' }));
    const crm = await gateway.send(request({ system: 'crm', operation: 'log-contact' }));
    expect(accepted(crm).duplicate).toBe(false);
    expect(accepted(messaging).body.id).toMatch(/^messaging-/);
    expect(accepted(crm).body.id).toMatch(/^crm-/);
    expect(readOutbox(dir, 'crm').map((entry) => entry.operation)).toEqual(['log-contact']);
    expect(outboxFile(dir, 'crm')).toBe(path.join(dir, 'crm.jsonl'));
  });

  it('writes a key once when calls with it race, also from two gateways on one folder', async () => {
    const dir = scratchDir('outbox');
    const gateway = new OutboxGateway({ dir });
    const sibling = new OutboxGateway({ dir });
    const results = await Promise.all([
      ...Array.from({ length: 10 }, () => gateway.send(request({ idempotencyKey: 'same' }))),
      ...Array.from({ length: 5 }, () => sibling.send(request({ idempotencyKey: 'same' }))),
      gateway.send(request({ idempotencyKey: 'different' })),
    ]);
    const same = results.slice(0, 15);
    expect(same.filter((result) => !accepted(result).duplicate)).toHaveLength(1);
    expect(new Set(same.map((result) => accepted(result).body.id)).size).toBe(1);
    expect(readOutbox(dir, 'messaging').map((entry) => entry.key)).toEqual(['same', 'different']);
  });

  it('a new gateway on the same folder (a restarted worker) still knows the keys recorded before', async () => {
    const dir = scratchDir('outbox');
    const before = await new OutboxGateway({ dir }).send(request({ idempotencyKey: 'journey-1/notify' }));
    const restarted = new OutboxGateway({ dir });
    const after = await restarted.send(request({ idempotencyKey: 'journey-1/notify' }));
    expect(after).toEqual({ ...before, duplicate: true });
    expect(readOutbox(dir, 'messaging')).toHaveLength(1);
  });

  it('tolerates a torn last line and starts the next entry on a line of its own', async () => {
    const dir = scratchDir('outbox');
    await new OutboxGateway({ dir }).send(request({ idempotencyKey: 'kept' }));
    const file = outboxFile(dir, 'messaging');
    fs.appendFileSync(file, '{"key":"torn","operation":"notify-cus'); // a crash mid-write

    expect(readOutbox(dir, 'messaging').map((entry) => entry.key)).toEqual(['kept']);
    const restarted = new OutboxGateway({ dir });
    expect(accepted(await restarted.send(request({ idempotencyKey: 'kept' }))).duplicate).toBe(true);
    expect(accepted(await restarted.send(request({ idempotencyKey: 'torn' }))).duplicate).toBe(false);
    expect(accepted(await restarted.send(request({ idempotencyKey: 'next' }))).duplicate).toBe(false);
    expect(readOutbox(dir, 'messaging').map((entry) => entry.key)).toEqual(['kept', 'torn', 'next']);
    expect(fs.readFileSync(file, 'utf8').split('\n')[1]).toBe('{"key":"torn","operation":"notify-cus');
    expect(
      accepted(await new OutboxGateway({ dir }).send(request({ idempotencyKey: 'torn' }))).duplicate,
    ).toBe(true);
  });
});

describe('integration settings', () => {
  it('default to the outbox in data/outbox of the repository; empty values count as unset', () => {
    for (const env of [{}, { CJ_INTEGRATION_MODE: '', CJ_OUTBOX_DIR: '', CJ_WEBHOOK_SECRET: '' }]) {
      const { gateway, description } = loadIntegrationGateway(env);
      expect(gateway).toBeInstanceOf(OutboxGateway);
      expect((gateway as OutboxGateway).dir).toBe(path.join(projectRoot(), 'data', 'outbox'));
      expect(description).toContain('outbox in data/outbox');
    }
    const dir = scratchDir('configured');
    const { gateway } = loadIntegrationGateway({ CJ_OUTBOX_DIR: dir });
    expect((gateway as OutboxGateway).dir).toBe(dir);
    // npm start's data folder takes the outbox along.
    const dataDir = scratchDir('data');
    const withData = loadIntegrationGateway({ CJ_DATA_DIR: dataDir }).gateway as OutboxGateway;
    expect(withData.dir).toBe(path.join(dataDir, 'outbox'));
  });

  it('webhook mode without any URL is a configuration error naming CJ_WEBHOOK_URL', () => {
    const error = (() => {
      try {
        loadIntegrationGateway({ CJ_INTEGRATION_MODE: 'webhook', CJ_WEBHOOK_URL: '' });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      expect.stringMatching(/^CJ_WEBHOOK_URL: required when/),
    ]);
  });

  it('names every wrong setting in one error', () => {
    let error: unknown;
    try {
      loadIntegrationGateway({
        CJ_INTEGRATION_MODE: 'webhook',
        CJ_WEBHOOK_URL: 'ftp://hooks.example.com',
        CJ_WEBHOOK_URL_CRM: 'not a url',
        CJ_WEBHOOK_SECRET: 'too-short',
        CJ_WEBHOOK_TIMEOUT_MS: 'soon',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toContain(
      'CJ_WEBHOOK_URL: must be an http(s) URL, for example https://hooks.example.com/customer-journey',
    );
    expect(problems).toContainEqual(expect.stringMatching(/^CJ_WEBHOOK_URL_CRM: must be an http\(s\) URL/));
    expect(problems).toContain('CJ_WEBHOOK_SECRET: must be at least 16 characters');
    expect(problems).toContain('CJ_WEBHOOK_TIMEOUT_MS: must be a whole number');
    expect(() => loadIntegrationGateway({ CJ_INTEGRATION_MODE: 'smtp' })).toThrow(
      'CJ_INTEGRATION_MODE: must be outbox or webhook',
    );
  });

  it('sends each system to its own URL when one is set, and the rest to CJ_WEBHOOK_URL', async () => {
    const shared = await startReceiver(() => ({ status: 200, body: { id: 'shared' } }));
    const messaging = await startReceiver(() => ({ status: 200, body: { id: 'messaging' } }));
    try {
      const { gateway, description } = loadIntegrationGateway({
        CJ_INTEGRATION_MODE: 'webhook',
        CJ_WEBHOOK_URL: `${shared.url}/cj`,
        CJ_WEBHOOK_URL_MESSAGING: `${messaging.url}/sms`,
        CJ_WEBHOOK_SECRET: SECRET,
        CJ_WEBHOOK_TIMEOUT_MS: '5000',
      });
      expect(gateway).toBeInstanceOf(WebhookGateway);
      expect(description).toBe(
        `integrations: webhook to default ${shared.url}, messaging ${messaging.url} (signed, timeout 5000 ms)`,
      );
      expect(description).not.toContain(SECRET);

      expect(await gateway.send(request({ system: 'messaging' }))).toMatchObject({
        body: { id: 'messaging' },
      });
      expect(await gateway.send(request({ system: 'crm', operation: 'log-contact' }))).toMatchObject({
        body: { id: 'shared' },
      });
      expect(messaging.requests.map((r) => r.url)).toEqual(['/sms/notify-customer']);
      expect(shared.requests.map((r) => r.url)).toEqual(['/cj/log-contact']);
      for (const received of [...messaging.requests, ...shared.requests]) {
        expect(verifySignature(received.body, SECRET, received.headers['x-cj-signature'] as string)).toBe(
          true,
        );
      }
    } finally {
      await Promise.all([shared.close(), messaging.close()]);
    }
  });

  it('per-system URLs alone satisfy webhook mode', () => {
    const { gateway } = loadIntegrationGateway({
      CJ_INTEGRATION_MODE: 'webhook',
      CJ_WEBHOOK_URL_FEEDBACK: 'https://survey.example.com/hooks',
    });
    expect(gateway).toBeInstanceOf(WebhookGateway);
  });
});

/** The fixture's activity on top of a gateway, as production activities will be written. */
function gatewayActivities(gateway: IntegrationGateway, attempts: number[]): GatewayFixtureActivities {
  return {
    async notifyCustomer({ idempotencyKey, message }) {
      const { attempt } = Context.current().info;
      attempts.push(attempt);
      const result = await gateway.send({
        system: 'messaging',
        operation: 'notify-customer',
        idempotencyKey,
        payload: { message },
      });
      if (result.status === 'rejected') {
        throw ApplicationFailure.nonRetryable(
          `messaging notify-customer rejected with HTTP ${result.httpStatus} ${result.code}: ${result.message}`,
          'IntegrationRejected',
          { httpStatus: result.httpStatus, code: result.code },
        );
      }
      return { id: String(result.body.id), duplicate: result.duplicate, attempt };
    },
  };
}

describe('retries through Temporal', () => {
  let bundle: WorkflowBundleWithSourceMap;
  beforeAll(async () => {
    bundle = await bundleWorkflowCode({
      workflowsPath: path.join(__dirname, 'fixtures/gateway-workflow.ts'),
      logger: { log() {}, trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error },
    });
  });

  async function runWorkflow(reply: (request: ReceivedRequest, index: number) => Reply) {
    const receiver = await startReceiver(reply);
    const env = await timeSkippingEnvironment();
    const { taskQueue, workflowId } = testNames();
    const attempts: number[] = [];
    try {
      const worker = await createTestWorker(env, {
        taskQueue,
        workflowBundle: bundle,
        activities: gatewayActivities(
          new WebhookGateway({ endpoints: { messaging: receiver.url }, secret: SECRET, timeoutMs: 5_000 }),
          attempts,
        ),
      });
      const id = workflowId();
      const outcome = await worker.runUntil(
        env.client.workflow
          .execute<typeof notifyThroughGateway>('notifyThroughGateway', {
            taskQueue,
            workflowId: id,
            args: ['your quote is ready'],
          })
          .then(
            (result) => ({ result, error: undefined }),
            (error: unknown) => ({ result: undefined, error }),
          ),
      );
      return { ...outcome, workflowId: id, requests: receiver.requests, attempts };
    } finally {
      await env.teardown();
      await receiver.close();
    }
  }

  it('retries 503s with backoff and the same idempotency key until the receiver accepts', async () => {
    const { result, error, workflowId, requests, attempts } = await runWorkflow((_request, index) =>
      index < 2 ? { status: 503, body: { code: 'overloaded' } } : { status: 200, body: { id: 'msg-42' } },
    );
    expect(error).toBeUndefined();
    expect(result).toEqual({ id: 'msg-42', duplicate: false, attempt: 3 });
    expect(attempts).toEqual([1, 2, 3]);
    expect(requests).toHaveLength(3);
    expect(new Set(requests.map((r) => r.headers['idempotency-key']))).toEqual(
      new Set([`${workflowId}/notify-customer`]),
    );
    for (const received of requests) {
      expect(verifySignature(received.body, SECRET, received.headers['x-cj-signature'] as string)).toBe(true);
    }
  });

  it('fails the step at once, without retrying, when the receiver rejects the request', async () => {
    const { result, error, requests, attempts } = await runWorkflow(() => ({
      status: 422,
      body: { code: 'invalid-recipient', message: 'no phone number on file' },
    }));
    expect(result).toBeUndefined();
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const activityFailure = (error as WorkflowFailedError).cause;
    expect(activityFailure).toBeInstanceOf(ActivityFailure);
    const failure = (activityFailure as ActivityFailure).cause;
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({
      type: 'IntegrationRejected',
      nonRetryable: true,
      message: 'messaging notify-customer rejected with HTTP 422 invalid-recipient: no phone number on file',
      details: [{ httpStatus: 422, code: 'invalid-recipient' }],
    });
    expect(requests).toHaveLength(1);
    expect(attempts).toEqual([1]);
  });
});
