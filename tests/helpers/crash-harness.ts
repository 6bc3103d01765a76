/**
 * The ground the crash suites stand on: a dev server of the file's own (SQLite in the run's
 * folder, so it can be stopped and started again on the same data), the product's worker as a
 * real child process with encrypted payloads and the webhook integration pointed at a local
 * idempotent receiver, and a `Chaos` that kills that worker with SIGKILL and records what each
 * kill interrupted. Client calls here ride out a dead worker or a server that is briefly gone.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import { afterAll, beforeAll, inject } from 'vitest';
import { loadDataConverter } from '../../lib/data-converter';
import { freePort, startDevServer, type RunningServer } from '../../local/temporal-runtime';
import {
  agentRespondedSignal,
  getCaseQuery,
  resolveUpdate,
  submitFeedbackUpdate,
  type CaseView,
  type Resolve,
  type ResolveResult,
  type SubmitFeedback,
} from '../../workflows/after-sales-case/contract';
import {
  getJourneyQuery,
  type JourneyInput,
  type JourneyView,
} from '../../workflows/customer-journey/contract';
import { allSearchAttributeKeys } from '../../workflows/kernel/search-attributes';
import { acceptedUncompletedUpdates, historyOf, pendingTimersAt } from './history';
import {
  ALWAYS_OPEN_CALENDAR,
  durableSignal,
  durableUpdate,
  eventually,
  seconds,
  sleep,
  testCodecKeys,
} from './reliability';
import { WebhookReceiver } from './webhook-receiver';
import { WorkerProcess } from './worker-process';

/** A dev server the file owns, and a client that speaks the product's encrypted payloads. */
export interface CrashGround {
  readonly dir: string;
  readonly server: RunningServer;
  readonly client: Client;
  readonly codec: PayloadCodec;
  /** The worker's settings for one task queue, its webhook calls going to `webhookUrl`. */
  workerSettings(taskQueue: string, webhookUrl: string): Record<string, string>;
  /** Stops the server (SIGTERM), waits `downMs`, starts it again on the same file and port. */
  restartServer(downMs: number): Promise<number>;
}

/** Starts the file's dev server before its tests and stops it after them. */
export function useCrashGround(name: string): CrashGround {
  const codecKeys = testCodecKeys();
  const state: {
    dir?: string;
    port?: number;
    server?: RunningServer;
    connection?: Connection;
    client?: Client;
    codec?: PayloadCodec;
  } = {};
  const start = () =>
    startDevServer({
      port: state.port!,
      headless: true,
      dbFile: path.join(state.dir!, 'temporal.sqlite'),
      logFile: path.join(state.dir!, 'dev-server.log'),
      searchAttributes: allSearchAttributeKeys,
    });

  beforeAll(async () => {
    state.dir = fs.mkdtempSync(path.join(inject('temporal').runDir, `${name}-`));
    state.port = await freePort();
    state.server = await start();
    const converter = loadDataConverter({ CJ_CODEC_KEYS: codecKeys });
    state.codec = converter.codec!;
    state.connection = await Connection.connect({ address: state.server.address });
    state.client = new Client({ connection: state.connection, dataConverter: converter.dataConverter });
  });
  afterAll(async () => {
    await state.connection?.close();
    await state.server?.stop();
  });

  return {
    get dir() {
      return state.dir!;
    },
    get server() {
      return state.server!;
    },
    get client() {
      return state.client!;
    },
    get codec() {
      return state.codec!;
    },
    workerSettings: (taskQueue, webhookUrl) => ({
      TEMPORAL_ADDRESS: state.server!.address,
      CJ_TASK_QUEUE: taskQueue,
      CJ_WORKFLOW_BUNDLE: inject('temporal').workflowBundlePath,
      CJ_INTEGRATION_MODE: 'webhook',
      CJ_WEBHOOK_URL: webhookUrl,
      CJ_CODEC_KEYS: codecKeys,
      CJ_SHUTDOWN_GRACE_SECONDS: '5',
      // Longer than a test needs to kill the worker while a request is held at the receiver
      // (under 30 s, the activities' start-to-close timeout).
      CJ_WEBHOOK_TIMEOUT_MS: '25000',
    }),
    async restartServer(downMs) {
      const stopping = Date.now();
      await state.server!.stop();
      await sleep(downMs);
      state.server = await start();
      return Date.now() - stopping;
    },
  };
}

/** What one kill interrupted. */
export interface KillRecord {
  label: string;
  /** Answers the receiver still owed the killed worker (its requests in flight). */
  httpInFlight: number;
  /** Activities the server had handed out and not seen finish. */
  pendingActivities: number;
  /** Timers started in workflow code and not fired yet. */
  pendingTimers: number;
  /** Updates accepted by a workflow and not completed. */
  openUpdates: number;
  downMs: number;
}

/** Runs the worker process, kills it and starts a new one, and records what each kill cut. */
export class Chaos {
  worker: WorkerProcess | undefined;
  readonly kills: KillRecord[] = [];
  starts = 0;

  constructor(
    private readonly ground: CrashGround,
    private readonly settings: Record<string, string>,
    private readonly receiver: WebhookReceiver,
    private readonly watched: () => string[],
  ) {}

  async start(): Promise<void> {
    this.worker = await WorkerProcess.start({
      env: this.settings,
      logFile: path.join(this.ground.dir, `worker-${this.settings.CJ_TASK_QUEUE}.log`),
    });
    this.starts += 1;
  }

  /** SIGKILL now; then a new worker process after `downMs`. */
  async killAndRestart(label: string, downMs: number): Promise<KillRecord> {
    const httpInFlight = this.receiver.inFlight;
    await this.worker!.kill();
    const snapshot = await this.snapshot(Date.now());
    this.receiver.releaseHeld();
    const record: KillRecord = { label, httpInFlight, ...snapshot, downMs };
    this.kills.push(record);
    await sleep(downMs);
    await this.start();
    return record;
  }

  /** Kills that interrupted what `predicate` looks for. */
  killsWhere(predicate: (kill: KillRecord) => boolean): number {
    return this.kills.filter(predicate).length;
  }

  /** What was under way when the worker died (timers by their event times: some fire meanwhile). */
  private async snapshot(killedAt: number): Promise<Omit<KillRecord, 'label' | 'httpInFlight' | 'downMs'>> {
    let activities = 0;
    let timers = 0;
    let updates = 0;
    await Promise.all(
      this.watched().map(async (workflowId) => {
        const handle = this.ground.client.workflow.getHandle(workflowId);
        const [description, events] = await Promise.all([
          handle.describe(),
          historyOf(this.ground.client, workflowId),
        ]);
        activities += description.raw.pendingActivities?.length ?? 0;
        timers += pendingTimersAt(events, killedAt);
        updates += acceptedUncompletedUpdates(events).length;
      }),
    );
    return { pendingActivities: activities, pendingTimers: timers, openUpdates: updates };
  }

  async stop(): Promise<void> {
    await this.worker?.stop();
  }
}

/**
 * Runs `body` with a webhook receiver and a worker process on `taskQueue`, under a `Chaos` that
 * watches `watched()`; both are stopped afterwards, whatever happened.
 */
export async function withChaos<T>(
  ground: CrashGround,
  taskQueue: string,
  watched: () => string[],
  body: (chaos: Chaos, receiver: WebhookReceiver) => Promise<T>,
): Promise<T> {
  const receiver = await WebhookReceiver.start();
  const chaos = new Chaos(ground, ground.workerSettings(taskQueue, receiver.url), receiver, watched);
  try {
    await chaos.start();
    return await body(chaos, receiver);
  } finally {
    await chaos.stop();
    await receiver.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Client calls that ride out a dead worker

function viewOf<T>(
  handle: WorkflowHandle,
  read: () => Promise<T>,
  accept: (value: T) => boolean,
  what: string,
) {
  return eventually(`${handle.workflowId}: ${what}`, read, { accept, timeoutMs: 150_000, intervalMs: 300 });
}

export const caseView = (handle: WorkflowHandle, accept: (view: CaseView) => boolean, what: string) =>
  viewOf(handle, () => handle.query(getCaseQuery), accept, what);
export const journeyView = (handle: WorkflowHandle, accept: (view: JourneyView) => boolean, what: string) =>
  viewOf(handle, () => handle.query(getJourneyQuery), accept, what);

/** Each update of a test gets its own id, kept across retries. */
export const updateId = (handle: WorkflowHandle, name: string) => `${handle.workflowId}:${name}`;

export const resolve = (handle: WorkflowHandle, request: Resolve, round = 1): Promise<ResolveResult> =>
  durableUpdate(handle, resolveUpdate, [request], updateId(handle, `resolve-${round}`));
export const feedback = (handle: WorkflowHandle, answer: SubmitFeedback, round = 1) =>
  durableUpdate(handle, submitFeedbackUpdate, [answer], updateId(handle, `feedback-${round}`));
export const answerCase = (handle: WorkflowHandle) =>
  durableSignal(() => handle.signal(agentRespondedSignal, { agentId: 'agent-7' }));

/** The result of a workflow, however long kills and retries take (up to `timeoutMs`). */
export async function resultOf<T>(handle: WorkflowHandle, timeoutMs = 240_000): Promise<T> {
  return await eventually(`${handle.workflowId} to complete`, () => handle.result() as Promise<T>, {
    timeoutMs,
  });
}

/** Short windows: first reply in 6 s and revisit in 3 s (their ladders fire), the rest by default. */
export function fastCasePolicy(extra: Record<string, unknown> = {}) {
  const reply = seconds(6);
  return { firstReply: { P1: reply, P2: reply, P3: reply, P4: reply }, revisit: seconds(3), ...extra };
}

/** An e-mail inquiry answered within 2 s and followed up 3 s after a quote; cases on the fast policy. */
export function crashJourneyInput(customerId: string): JourneyInput {
  return {
    customerId,
    channel: 'email',
    inquiry: 'Booking system for 40 clinics',
    owner: 'sales-7',
    policy: {
      calendar: ALWAYS_OPEN_CALENDAR,
      firstResponse: { email: '2s' },
      followUpCadence: ['3s', '30d'],
      case: fastCasePolicy(),
    },
  };
}
