/**
 * The webhook ingress over real HTTP (Node's fetch) against the real dev server: a worker with
 * fake activities on this file's own task queue runs the journeys and cases the requests reach.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readJourney } from '../client';
import { IdempotencyStore } from '../lib/ingress/idempotency';
import { buildIngress, REPLAY_HEADER } from '../lib/ingress/server';
import { signedHeaders } from '../lib/ingress/signature';
import type { afterSalesCase } from '../workflows';
import {
  closeCaseUpdate,
  getCaseQuery,
  getCaseTimelineQuery,
  resolveUpdate,
  type CaseView,
} from '../workflows/after-sales-case/contract';
import {
  closeJourneyUpdate,
  getJourneyQuery,
  journeyWorkflowId,
  signContractUpdate,
} from '../workflows/customer-journey/contract';
import { ActivityRecorder } from './helpers/fake-activities';
import { createTestWorker, devServerEnvironment, testNames } from './helpers/temporal';
import { quoteApprovedByPolicy, throughProposal, type SendStep } from './helpers/journey-steps';

const SECRET = 'ingress-test-secret-0123456789';

let env: TestWorkflowEnvironment;
let taskQueue: string;
let worker: Worker;
let workerRun: Promise<void>;
let store: IdempotencyStore;
let ingress: FastifyInstance;
let baseUrl: string;
let unique: string;
/** What the tests started, closed at the end the way ops would. */
const customers: string[] = [];
const standaloneCases: string[] = [];

beforeAll(async () => {
  env = await devServerEnvironment();
  taskQueue = testNames().taskQueue;
  unique = randomUUID().slice(0, 8);
  worker = await createTestWorker(env, { taskQueue, activities: new ActivityRecorder().activities });
  workerRun = worker.run();
  store = IdempotencyStore.inMemory();
  ingress = buildIngress({ client: env.client, secret: SECRET, taskQueue, idempotency: store });
  baseUrl = await ingress.listen({ port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  try {
    for (const caseWorkflowId of standaloneCases) await closeCaseIfRunning(caseWorkflowId);
    for (const customerId of customers) await closeJourney(customerId);
  } finally {
    if (worker && worker.getState() === 'RUNNING') worker.shutdown();
    await workerRun;
    await ingress?.close();
    await store?.close();
    await env?.teardown();
  }
});

async function closeCaseIfRunning(caseWorkflowId: string): Promise<void> {
  const handle = env.client.workflow.getHandle<typeof afterSalesCase>(caseWorkflowId);
  if ((await handle.describe()).status.name !== 'RUNNING') return;
  await handle
    .executeUpdate(closeCaseUpdate, { args: [{ reason: 'other', note: 'test finished' }] })
    .catch(() => undefined);
  await handle.result().catch(() => undefined);
}

/** Closes the journey's open cases, then the journey (force), like the journey harness does. */
async function closeJourney(customerId: string): Promise<void> {
  const handle = env.client.workflow.getHandle(journeyWorkflowId(customerId));
  if ((await handle.describe()).status.name !== 'RUNNING') return;
  const view = await handle.query(getJourneyQuery);
  for (const record of view.cases.filter((candidate) => candidate.status === 'open')) {
    await closeCaseIfRunning(record.caseWorkflowId);
  }
  await handle
    .executeUpdate(closeJourneyUpdate, { args: [{ reason: 'test finished', force: true }] })
    .catch(() => undefined);
  await handle.result().catch(() => undefined);
}

function newCustomerId(label: string): string {
  const customerId = `C-ING-${label}-${unique}`;
  customers.push(customerId);
  return customerId;
}

interface CallOptions {
  /** An object is sent as JSON; a string as is. */
  body?: unknown;
  /** The idempotency key; a fresh one unless given (null: none). */
  key?: string | null;
  secret?: string;
  timestamp?: string;
  /** Headers that replace the signed ones (for tampering). */
  headers?: Record<string, string>;
  /** Signs as if sent to this path (for replay attempts). */
  signedPath?: string;
  contentType?: string;
  base?: string;
  unsigned?: boolean;
}

/** Parsed JSON answers, read freely by the assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

interface CallResult {
  status: number;
  body: Json;
  headers: Headers;
}

interface OpenApiOperation {
  requestBody: { content: Record<string, { schema: { $ref: string } }> };
  responses: Record<string, unknown>;
  parameters?: unknown[];
  security: unknown[];
}

interface OpenApiDocument {
  openapi: string;
  info: Record<string, unknown>;
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: {
    schemas: Record<string, Json>;
    parameters: Record<string, Json>;
    securitySchemes: Record<string, Json>;
  };
}

/** One real HTTP request to the ingress, signed like an integrator signs it. */
async function call(method: 'GET' | 'POST', target: string, options: CallOptions = {}): Promise<CallResult> {
  const raw =
    options.body === undefined
      ? method === 'POST'
        ? '{}'
        : ''
      : typeof options.body === 'string'
        ? options.body
        : JSON.stringify(options.body);
  const key =
    options.key === null ? undefined : (options.key ?? (method === 'POST' ? randomUUID() : undefined));
  const headers: Record<string, string> = {
    ...(method === 'POST' ? { 'content-type': options.contentType ?? 'application/json' } : {}),
    ...(key !== undefined ? { 'idempotency-key': key } : {}),
    ...(options.unsigned
      ? {}
      : signedHeaders(options.secret ?? SECRET, {
          method,
          path: options.signedPath ?? target,
          idempotencyKey: key,
          body: raw,
          timestamp: options.timestamp,
        })),
    ...options.headers,
  };
  const response = await fetch(`${options.base ?? baseUrl}${target}`, {
    method,
    headers,
    ...(method === 'POST' ? { body: raw } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
}

const casePath = (caseWorkflowId: string, suffix = '') =>
  `/v1/cases/${encodeURIComponent(caseWorkflowId)}${suffix}`;

async function startJourney(
  customerId: string,
  inquiry = 'Booking system for 40 clinics',
): Promise<CallResult> {
  return await call('POST', '/v1/journeys/inquiries', {
    body: {
      customerId,
      channel: 'email',
      inquiry,
      contact: { name: 'Han Mei', email: 'han.mei@example.com' },
    },
  });
}

/** Needs, proposal, a 40 % margin quote (approved by policy), the contract: after-sales can begin. */
async function driveToContract(customerId: string): Promise<void> {
  const handle = env.client.workflow.getHandle(journeyWorkflowId(customerId));
  const send: SendStep = (_step, update, arg) => handle.executeUpdate(update, { args: [arg] });
  await throughProposal(send);
  await quoteApprovedByPolicy(send);
  await expect
    .poll(async () => (await handle.query(getJourneyQuery)).stage, { timeout: 15_000, interval: 100 })
    .toBe('negotiation');
  await handle.executeUpdate(signContractUpdate, {
    args: [{ contractId: 'K-1', terms: { warrantyUntil: '2030-12-31', contractEnd: '2030-12-31' } }],
  });
}

/** A standalone case (not of a journey), started the way a backend with the SDK would. */
async function startStandaloneCase(category: 'technical' | 'logistics' = 'technical'): Promise<string> {
  const caseWorkflowId = `case-C-ING-${unique}-${standaloneCases.length + 1}`;
  await env.client.workflow.start<typeof afterSalesCase>('afterSalesCase', {
    taskQueue,
    workflowId: caseWorkflowId,
    args: [{ customerId: `C-ING-${unique}`, description: 'Router drops every hour', category }],
  });
  standaloneCases.push(caseWorkflowId);
  return caseWorkflowId;
}

async function rejectedSignals(caseWorkflowId: string): Promise<number> {
  return (await env.client.workflow.getHandle(caseWorkflowId).query(getCaseTimelineQuery)).rejectedSignals;
}

describe('the contract', () => {
  it('serves an OpenAPI 3.1 document of every endpoint and a health check, without a signature', async () => {
    const health = await fetch(`${baseUrl}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });

    const response = await fetch(`${baseUrl}/openapi.json`);
    expect(response.status).toBe(200);
    const document = (await response.json()) as OpenApiDocument;
    expect(document.openapi).toBe('3.1.0');
    expect(document.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
    expect(Object.keys(document.paths).sort()).toEqual(
      [
        '/healthz',
        '/openapi.json',
        '/v1/cases/{caseWorkflowId}',
        '/v1/cases/{caseWorkflowId}/agent-responses',
        '/v1/cases/{caseWorkflowId}/carrier-updates',
        '/v1/cases/{caseWorkflowId}/feedback',
        '/v1/journeys/inquiries',
        '/v1/journeys/{customerId}/issues',
      ].sort(),
    );
    const operations = [
      ['/v1/journeys/inquiries', 'post', '200', 'InquiryBody'],
      ['/v1/journeys/{customerId}/issues', 'post', '201', 'ReportIssue'],
      ['/v1/cases/{caseWorkflowId}/feedback', 'post', '200', 'SubmitFeedback'],
      ['/v1/cases/{caseWorkflowId}/carrier-updates', 'post', '202', 'CarrierUpdate'],
      ['/v1/cases/{caseWorkflowId}/agent-responses', 'post', '202', 'AgentResponded'],
    ] as const;
    for (const [route, method, success, bodySchema] of operations) {
      const operation = document.paths[route]![method]!;
      expect(operation.requestBody.content['application/json']?.schema.$ref).toBe(
        `#/components/schemas/${bodySchema}`,
      );
      expect(Object.keys(operation.responses)).toEqual(
        expect.arrayContaining([success, '400', '401', '413', '422', '503']),
      );
      expect(operation.security).toEqual([{ cjSignature: [], cjTimestamp: [] }]);
      expect(operation.parameters).toContainEqual({ $ref: '#/components/parameters/IdempotencyKey' });
    }
    expect(document.paths['/v1/cases/{caseWorkflowId}']!.get!.security).toEqual([
      { cjSignature: [], cjTimestamp: [] },
    ]);
    expect(document.paths['/openapi.json']!.get!.security).toEqual([]);
    expect(document.components.securitySchemes.cjSignature).toMatchObject({
      type: 'apiKey',
      in: 'header',
      name: 'x-cj-signature',
    });
    // Generated from the zod schemas, as input types (defaults shown, strict objects closed).
    const feedback = document.components.schemas.SubmitFeedback;
    expect(feedback).toMatchObject({
      type: 'object',
      required: ['csat', 'resolved'],
      additionalProperties: false,
    });
    expect(feedback.properties.csat).toMatchObject({ type: 'integer', minimum: 1, maximum: 5 });
    expect(document.components.schemas.ReportIssue.properties.severity.enum).toContain('service-outage');
    expect(document.components.schemas.ReportIssue.properties.severity.default).toBe('function-failure');
    // Every reference resolves inside the document.
    const refs = [
      ...JSON.stringify(document).matchAll(/"\$ref":"#\/components\/(schemas|parameters)\/([^"]+)"/g),
    ];
    expect(refs.length).toBeGreaterThan(10);
    for (const [, kind, name] of refs) {
      expect(document.components[kind as 'schemas' | 'parameters'][name!], `${kind}/${name}`).toBeDefined();
    }
  });
});

describe('journeys', () => {
  it('starts a journey with an inquiry and reaches the same journey with the next one', async () => {
    const customerId = newCustomerId('reach');
    const first = await startJourney(customerId);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({
      journeyId: journeyWorkflowId(customerId),
      created: true,
      // The starting inquiry arrives twice (as the input and as the update): recorded once.
      recorded: false,
      stage: 'inquiry',
      inquiries: 1,
    });

    const second = await startJourney(customerId, 'Calls about the same offer');
    expect(second.status).toBe(200);
    expect(second.body).toEqual({
      journeyId: journeyWorkflowId(customerId),
      created: false,
      recorded: true,
      stage: 'inquiry',
      inquiries: 2,
    });
    await expect
      .poll(
        async () =>
          (await env.client.workflow.count(`WorkflowId = '${journeyWorkflowId(customerId)}'`)).count,
        {
          timeout: 15_000,
        },
      )
      .toBe(1);
  });

  it('a retried inquiry has no second effect, even concurrently; its key with another body is 422', async () => {
    const customerId = newCustomerId('retry');
    const key = `crm-event-${randomUUID()}`;
    const body = { customerId, channel: 'phone', inquiry: 'Missed call about pricing' };
    const first = await call('POST', '/v1/journeys/inquiries', { key, body });
    expect(first.status).toBe(200);
    expect(first.headers.get(REPLAY_HEADER)).toBeNull();

    // Same key, same body (re-serialised in another key order): the first response, replayed.
    const retry = await call('POST', '/v1/journeys/inquiries', {
      key,
      body: { inquiry: body.inquiry, channel: body.channel, customerId },
    });
    expect(retry.status).toBe(first.status);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers.get(REPLAY_HEADER)).toBe('true');
    expect((await readJourney(env.client, customerId)).inquiries).toHaveLength(1);

    // Two copies at once: the second waits for the first and gets its response.
    const concurrentKey = `crm-event-${randomUUID()}`;
    const other = { customerId, channel: 'email', inquiry: 'Asks for a demo' };
    const [a, b] = await Promise.all([
      call('POST', '/v1/journeys/inquiries', { key: concurrentKey, body: other }),
      call('POST', '/v1/journeys/inquiries', { key: concurrentKey, body: other }),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.body).toEqual(b.body);
    expect(a.body).toMatchObject({ created: false, inquiries: 2 });
    expect([a.headers.get(REPLAY_HEADER), b.headers.get(REPLAY_HEADER)].sort()).toEqual(
      [null, 'true'].sort(),
    );
    expect((await readJourney(env.client, customerId)).inquiries).toHaveLength(2);

    const reused = await call('POST', '/v1/journeys/inquiries', {
      key,
      body: { ...body, inquiry: 'Something else entirely' },
    });
    expect(reused.status).toBe(422);
    expect(reused.body).toMatchObject({ error: 'idempotency-key-reused' });
    expect((await readJourney(env.client, customerId)).inquiries).toHaveLength(2);
  });
});

describe('after-sales over HTTP', () => {
  it('reports an issue on a contracted journey, answers and resolves its case, takes feedback once', async () => {
    const customerId = newCustomerId('case');
    expect((await startJourney(customerId)).status).toBe(200);

    const early = await call('POST', `/v1/journeys/${customerId}/issues`, {
      body: { description: 'Booking page down', category: 'technical', severity: 'service-outage' },
    });
    expect(early.status).toBe(409);
    expect(early.body).toEqual({ error: 'rejected', message: expect.stringMatching(/after the contract/) });

    await driveToContract(customerId);
    const issueKey = `ticket-${randomUUID()}`;
    const issue = { description: 'Booking page down', category: 'technical', severity: 'service-outage' };
    const reported = await call('POST', `/v1/journeys/${customerId}/issues`, { key: issueKey, body: issue });
    expect(reported.status).toBe(201);
    const caseWorkflowId = `${journeyWorkflowId(customerId)}/case-1`;
    expect(reported.body).toEqual({ caseWorkflowId, priority: 'P2' });
    expect(reported.headers.get('location')).toBe(casePath(caseWorkflowId));

    // The same webhook through another ingress instance (its own, empty store): Temporal
    // dedupes the update by its id, so no second case.
    const otherStore = IdempotencyStore.inMemory();
    const other = buildIngress({ client: env.client, secret: SECRET, taskQueue, idempotency: otherStore });
    try {
      const otherBase = await other.listen({ port: 0, host: '127.0.0.1' });
      const again = await call('POST', `/v1/journeys/${customerId}/issues`, {
        key: issueKey,
        body: issue,
        base: otherBase,
      });
      expect(again.status).toBe(201);
      expect(again.body).toEqual(reported.body);
    } finally {
      await other.close();
      await otherStore.close();
    }
    expect((await readJourney(env.client, customerId)).cases).toHaveLength(1);

    const read = await call('GET', casePath(caseWorkflowId));
    expect(read.status).toBe(200);
    expect(read.body as CaseView).toMatchObject({
      customerId,
      journeyId: journeyWorkflowId(customerId),
      priority: 'P2',
      team: 'senior-engineers',
    });

    // The workflow's validator refuses feedback before a resolution: 409 with its message.
    const tooEarly = await call('POST', casePath(caseWorkflowId, '/feedback'), {
      body: { csat: 5, nps: 9, resolved: true },
    });
    expect(tooEarly.status).toBe(409);
    expect(tooEarly.body).toEqual({
      error: 'rejected',
      message: expect.stringMatching(/not waiting for feedback/),
    });

    const answered = await call('POST', casePath(caseWorkflowId, '/agent-responses'), {
      body: { agentId: 'agent-7' },
    });
    expect(answered.status).toBe(202);
    expect(answered.body).toEqual({ accepted: true, caseWorkflowId });
    await expect
      .poll(async () => ((await call('GET', casePath(caseWorkflowId))).body as CaseView).stage, {
        timeout: 15_000,
        interval: 100,
      })
      .toBe('in-progress');
    const handle = env.client.workflow.getHandle<typeof afterSalesCase>(caseWorkflowId);
    await handle.executeUpdate(resolveUpdate, { args: [{ type: 'advice', note: 'cache cleared' }] });

    const feedbackKey = `survey-${randomUUID()}`;
    const feedback = { csat: 5, nps: 9, resolved: true };
    const answer = await call('POST', casePath(caseWorkflowId, '/feedback'), {
      key: feedbackKey,
      body: feedback,
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ outcome: 'closed', satisfied: true, reopenCount: 0 });

    const retried = await call('POST', casePath(caseWorkflowId, '/feedback'), {
      key: feedbackKey,
      body: feedback,
    });
    expect(retried.status).toBe(200);
    expect(retried.body).toEqual(answer.body);
    expect(retried.headers.get(REPLAY_HEADER)).toBe('true');
    const timeline = await handle.query(getCaseTimelineQuery);
    expect(timeline.entries.filter((entry) => entry.type === 'feedback-received')).toHaveLength(1);
    await handle.result();
    expect((await handle.query(getCaseQuery)).stage).toBe('closed');
  });

  it('delivers a carrier update to a case that is not about logistics: 202, recorded as rejected', async () => {
    const caseWorkflowId = await startStandaloneCase('technical');
    const response = await call('POST', casePath(caseWorkflowId, '/carrier-updates'), {
      body: { status: 'solution-agreed', claimId: 'CL-1' },
    });
    expect(response.status).toBe(202);
    expect(response.body).toEqual({ accepted: true, caseWorkflowId });
    await expect.poll(() => rejectedSignals(caseWorkflowId), { timeout: 15_000, interval: 100 }).toBe(1);
    const timeline = await env.client.workflow.getHandle(caseWorkflowId).query(getCaseTimelineQuery);
    expect(timeline.entries).toContainEqual(
      expect.objectContaining({
        type: 'signal-rejected',
        data: { signal: 'carrierUpdate', problems: ['case category is technical, not logistics'] },
      }),
    );
  });

  it('answers 404 for an unknown case', async () => {
    const unknown = `case-C-ING-${unique}-nobody`;
    for (const [method, target, body] of [
      ['POST', casePath(unknown, '/agent-responses'), { agentId: 'agent-7' }],
      ['POST', casePath(unknown, '/carrier-updates'), { status: 'delivered' }],
      ['POST', casePath(unknown, '/feedback'), { csat: 4, resolved: true }],
      ['GET', casePath(unknown), undefined],
    ] as const) {
      const response = await call(method, target, { body });
      expect(response.status, `${method} ${target}`).toBe(404);
      expect(response.body).toMatchObject({ error: 'not-found' });
    }
    const noJourney = await call('POST', `/v1/journeys/C-ING-${unique}-nobody/issues`, {
      body: { description: 'Screen flickers' },
    });
    expect(noJourney.status).toBe(404);
  });

  it('keeps idempotency keys across a restart with the file store', async () => {
    const caseWorkflowId = await startStandaloneCase('technical');
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'cj-ingress-'));
    const file = path.join(directory, 'idempotency.jsonl');
    const key = `carrier-${randomUUID()}`;
    const body = { status: 'in-transit', note: 'parcel scanned' };
    try {
      const firstStore = await IdempotencyStore.open({ file });
      const first = buildIngress({ client: env.client, secret: SECRET, taskQueue, idempotency: firstStore });
      const firstBase = await first.listen({ port: 0, host: '127.0.0.1' });
      const sent = await call('POST', casePath(caseWorkflowId, '/carrier-updates'), {
        key,
        body,
        base: firstBase,
      });
      expect(sent.status).toBe(202);
      await first.close();
      await firstStore.close();
      await expect.poll(() => rejectedSignals(caseWorkflowId), { timeout: 15_000, interval: 100 }).toBe(1);

      const secondStore = await IdempotencyStore.open({ file });
      const second = buildIngress({
        client: env.client,
        secret: SECRET,
        taskQueue,
        idempotency: secondStore,
      });
      try {
        const secondBase = await second.listen({ port: 0, host: '127.0.0.1' });
        const replayed = await call('POST', casePath(caseWorkflowId, '/carrier-updates'), {
          key,
          body,
          base: secondBase,
        });
        expect(replayed.status).toBe(202);
        expect(replayed.body).toEqual(sent.body);
        expect(replayed.headers.get(REPLAY_HEADER)).toBe('true');
        const reused = await call('POST', casePath(caseWorkflowId, '/carrier-updates'), {
          key,
          body: { status: 'delivered' },
          base: secondBase,
        });
        expect(reused.status).toBe(422);
        // A new key through the restarted ingress does reach the case.
        const fresh = await call('POST', casePath(caseWorkflowId, '/carrier-updates'), {
          body,
          base: secondBase,
        });
        expect(fresh.status).toBe(202);
        await expect.poll(() => rejectedSignals(caseWorkflowId), { timeout: 15_000, interval: 100 }).toBe(2);
      } finally {
        await second.close();
        await secondStore.close();
      }
      expect(fs.statSync(file).mode & 0o077).toBe(0);
      // The file holds response bodies and fingerprints, never request bodies.
      expect(fs.readFileSync(file, 'utf8')).not.toContain('parcel scanned');
    } finally {
      fs.rmSync(directory, { recursive: true, force: true });
    }
  });
});

describe('the idempotency store', () => {
  it('forgets keys after their TTL and skips a torn last line left by a crash', async () => {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'cj-ingress-'));
    const file = path.join(directory, 'keys.jsonl');
    let now = 1_000_000;
    let runs = 0;
    const execute = () => Promise.resolve({ status: 202, body: { run: ++runs } });
    try {
      const first = await IdempotencyStore.open({ file, ttlMs: 60_000, now: () => now });
      expect(await first.run('a', 'fp-a', execute)).toEqual({
        kind: 'fresh',
        response: { status: 202, body: { run: 1 } },
      });
      expect(await first.run('b', 'fp-b', execute)).toMatchObject({ kind: 'fresh' });
      expect(await first.run('a', 'fp-a', execute)).toEqual({
        kind: 'replayed',
        response: { status: 202, body: { run: 1 } },
      });
      expect(await first.run('a', 'fp-other', execute)).toEqual({ kind: 'conflict' });
      await first.close();
      fs.appendFileSync(file, '{"key":"c","fingerp');

      now += 30_000;
      const second = await IdempotencyStore.open({ file, ttlMs: 60_000, now: () => now });
      expect(second.size).toBe(2);
      expect(await second.run('a', 'fp-a', execute)).toMatchObject({ kind: 'replayed' });
      await second.close();
      expect(fs.readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(2);

      now += 31_000;
      const third = await IdempotencyStore.open({ file, ttlMs: 60_000, now: () => now });
      expect(third.size).toBe(0);
      expect(await third.run('a', 'fp-other', execute)).toEqual({
        kind: 'fresh',
        response: { status: 202, body: { run: 3 } },
      });
      await third.close();
    } finally {
      fs.rmSync(directory, { recursive: true, force: true });
    }
  });
});

describe('refusals', () => {
  it('400 names each field problem; malformed JSON, a missing key, a large body and other media are refused', async () => {
    const invalid = await call('POST', '/v1/journeys/not%20an%20id/issues', {
      body: { description: '', severity: 'meh', colour: 'red' },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error).toBe('invalid-request');
    expect(invalid.body.problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^customerId: must be an opaque CRM id/),
        'description: must describe the issue',
        'severity: must be one of cosmetic, function-failure, service-outage, safety-hazard',
        'input: unknown field colour',
      ]),
    );

    const feedback = await call('POST', casePath('journey-C-1/case-1', '/feedback'), {
      body: { csat: 9, resolved: 'yes' },
    });
    expect(feedback.status).toBe(400);
    expect(feedback.body.problems).toEqual(['csat: must be 1–5', 'resolved: must be a boolean']);

    const inquiry = await call('POST', '/v1/journeys/inquiries', { body: { channel: 'fax', inquiry: '' } });
    expect(inquiry.status).toBe(400);
    expect(inquiry.body.problems).toEqual(
      expect.arrayContaining([
        'customerId: is required',
        'channel: must be one of phone, email, online-chat, social, walk-in',
      ]),
    );

    const carried = await call('POST', '/v1/journeys/inquiries', {
      body: { customerId: 'C-1', inquiry: 'x', carried: {} },
    });
    expect(carried.status).toBe(400);
    expect(carried.body.problems).toEqual(['input: unknown field carried']);

    const malformed = await call('POST', '/v1/journeys/inquiries', { body: '{"customerId": "C-1",' });
    expect(malformed.status).toBe(400);
    expect(malformed.body).toEqual({ error: 'invalid-request', problems: ['body: must be valid JSON'] });

    const noKey = await call('POST', '/v1/journeys/inquiries', { key: null, body: { customerId: 'C-1' } });
    expect(noKey.status).toBe(400);
    expect(noKey.body.problems).toEqual(['idempotency-key: is required']);
    const longKey = await call('POST', '/v1/journeys/inquiries', {
      key: 'k'.repeat(129),
      body: { customerId: 'C-1' },
    });
    expect(longKey.status).toBe(400);
    expect(longKey.body.problems).toEqual(['idempotency-key: must be 1–128 printable characters']);

    const large = await call('POST', '/v1/journeys/inquiries', {
      body: JSON.stringify({ customerId: 'C-1', inquiry: 'x'.repeat(300 * 1024) }),
    });
    expect(large.status).toBe(413);
    expect(large.body).toMatchObject({ error: 'payload-too-large' });

    const text = await call('POST', '/v1/journeys/inquiries', { body: 'hello', contentType: 'text/plain' });
    expect(text.status).toBe(415);
  });

  it('401 for a missing or wrong signature and for a stale timestamp, saying only which', async () => {
    const target = casePath(`case-C-ING-${unique}-auth`, '/agent-responses');
    const body = { agentId: 'agent-7' };
    const signatureRefused = { error: 'unauthorized', message: 'signature missing or invalid' };

    expect(await call('POST', target, { body, unsigned: true })).toMatchObject({
      status: 401,
      body: signatureRefused,
    });
    expect(await call('POST', target, { body, secret: 'another-secret-of-enough-length' })).toMatchObject({
      status: 401,
      body: signatureRefused,
    });
    // Signed for one case, sent for another: the path is signed.
    expect(
      await call('POST', target, {
        body,
        signedPath: casePath(`case-C-ING-${unique}-other`, '/agent-responses'),
      }),
    ).toMatchObject({ status: 401, body: signatureRefused });
    // A body changed after signing.
    const key = randomUUID();
    const headers = signedHeaders(SECRET, {
      method: 'POST',
      path: target,
      idempotencyKey: key,
      body: '{"agentId":"a"}',
    });
    expect(await call('POST', target, { body: '{"agentId":"b"}', key, headers })).toMatchObject({
      status: 401,
      body: signatureRefused,
    });
    // A valid signature under another idempotency key (a replay under a fresh key).
    expect(
      await call('POST', target, { body, key: randomUUID(), headers: { 'idempotency-key': randomUUID() } }),
    ).toMatchObject({ status: 401, body: signatureRefused });
    // GETs are signed too.
    expect(await call('GET', casePath(`case-C-ING-${unique}-auth`), { unsigned: true })).toMatchObject({
      status: 401,
      body: signatureRefused,
    });

    const stale = await call('POST', target, {
      body,
      timestamp: new Date(Date.now() - 10 * 60_000).toISOString(),
    });
    expect(stale.status).toBe(401);
    expect(stale.body).toEqual({ error: 'unauthorized', message: expect.stringMatching(/^timestamp/) });
    const future = await call('POST', target, {
      body,
      timestamp: new Date(Date.now() + 10 * 60_000).toISOString(),
    });
    expect(future.status).toBe(401);
    expect(future.body.message).toMatch(/^timestamp/);
    const garbled = await call('POST', target, { body, timestamp: 'yesterday' });
    expect(garbled.status).toBe(401);
    expect(garbled.body.message).toMatch(/^timestamp/);
  });

  it('503 with Retry-After when Temporal is unavailable; the key is not kept', async () => {
    const connection = Connection.lazy({ address: '127.0.0.1:1', connectTimeout: 500 });
    const downStore = IdempotencyStore.inMemory();
    const down = buildIngress({
      client: new Client({ connection }),
      secret: SECRET,
      taskQueue,
      idempotency: downStore,
      temporalTimeoutMs: 1_500,
    });
    try {
      const downBase = await down.listen({ port: 0, host: '127.0.0.1' });
      const key = randomUUID();
      const send = () =>
        call('POST', casePath('journey-C-1/case-1', '/agent-responses'), {
          key,
          body: { agentId: 'agent-7' },
          base: downBase,
        });
      const first = await send();
      expect(first.status).toBe(503);
      expect(first.headers.get('retry-after')).toBe('5');
      expect(first.body).toMatchObject({ error: 'unavailable' });
      const retry = await send();
      expect(retry.status).toBe(503);
      expect(retry.headers.get(REPLAY_HEADER)).toBeNull();
      expect(downStore.size).toBe(0);
    } finally {
      await down.close();
      await downStore.close();
      await connection.close();
    }
  });
});
