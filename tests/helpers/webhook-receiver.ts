/**
 * A local HTTP receiver for the webhook integration that behaves like a real idempotent
 * receiver: the first request with an idempotency key has the effect (recorded here) and its
 * answer is stored; a repeat of the key gets that first answer again with `idempotent-replay:
 * true` and has no effect. Tests count effects per key, duplicates absorbed and conflicts (the
 * same key with another request: two different effects for one key, which must never happen).
 *
 * Rules let a test make it misbehave per request: fail with a status (no effect), answer late,
 * or hold the answer until released (the effect happened, the answer is lost when the worker
 * dies meanwhile).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { canonicalJson } from '../../lib/ingress/idempotency';

export interface ReceivedRequest {
  system: string;
  operation: string;
  key: string;
  payload: Record<string, unknown>;
  /** 1 for the first request with this key, 2 for the next… */
  attempt: number;
}

export type Verdict =
  /** Refuse without effect: 5xx/408/429 are retried by the worker, other 4xx are permanent. */
  | { kind: 'fail'; status: number; body?: Record<string, unknown> }
  /** Take the request (the effect happens now); answer after `delayMs`, or never until released. */
  | { kind: 'accept'; delayMs?: number; hold?: boolean; body?: Record<string, unknown> };

/** Decides what to do with a request whose key has no effect yet; `undefined`: accept at once. */
export type Rule = (request: ReceivedRequest) => Verdict | undefined;

export interface Effect {
  key: string;
  system: string;
  operation: string;
  payload: Record<string, unknown>;
  /** What the receiver answered (and answers every repeat with). */
  body: Record<string, unknown>;
  at: number;
}

export interface Delivery {
  key: string;
  system: string;
  operation: string;
  at: number;
  outcome: 'effect' | 'replay' | 'failed' | 'conflict';
  status: number;
}

export class WebhookReceiver {
  readonly deliveries: Delivery[] = [];
  readonly effects = new Map<string, Effect>();
  /** Same key, different operation or payload: must stay empty. */
  readonly conflicts: { key: string; first: string; second: string }[] = [];
  /** Requests taken whose answer is still pending (delayed or held). */
  private readonly open = new Set<http.ServerResponse>();
  private readonly held: { response: http.ServerResponse; send: () => void; operation: string }[] = [];
  private readonly fingerprints = new Map<string, string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  rule: Rule | undefined;
  private sequence = 0;

  private constructor(
    private readonly server: http.Server,
    readonly url: string,
  ) {}

  /** Listens on 127.0.0.1 (`port` 0 or omitted: any free port). */
  static async start(options: { port?: number; rule?: Rule } = {}): Promise<WebhookReceiver> {
    const holder: { receiver?: WebhookReceiver } = {};
    const server = http.createServer((request, response) => holder.receiver!.handle(request, response));
    server.keepAliveTimeout = 1_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const receiver = new WebhookReceiver(server, `http://127.0.0.1:${port}`);
    receiver.rule = options.rule;
    holder.receiver = receiver;
    return receiver;
  }

  /** Answers still pending (delayed or held): requests in flight as the worker sees them. */
  get inFlight(): number {
    return this.open.size;
  }

  /** Held answers, optionally of one operation. */
  heldCount(operation?: string): number {
    return this.held.filter((entry) => operation === undefined || entry.operation === operation).length;
  }

  /** Sends every held answer (to a dead socket, when the worker was killed meanwhile). */
  releaseHeld(): void {
    for (const entry of this.held.splice(0)) entry.send();
  }

  /** Repeats of a key answered from the stored first answer: duplicates absorbed. */
  get replays(): number {
    return this.deliveries.filter((delivery) => delivery.outcome === 'replay').length;
  }

  /** Effects of one operation (and system). */
  effectsOf(operation: string, system?: string): Effect[] {
    return [...this.effects.values()].filter(
      (effect) => effect.operation === operation && (system === undefined || effect.system === system),
    );
  }

  /** Requests received for a key, whatever their outcome. */
  deliveriesOf(key: string): Delivery[] {
    return this.deliveries.filter((delivery) => delivery.key === key);
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.releaseHeld();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private handle(request: http.IncomingMessage, response: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      let body: { operation?: unknown; payload?: unknown };
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof body;
      } catch {
        response.writeHead(400).end();
        return;
      }
      const key = String(request.headers['idempotency-key'] ?? '');
      const system = String(request.headers['x-cj-system'] ?? '');
      const operation = typeof body.operation === 'string' ? body.operation : '';
      const payload = (body.payload ?? {}) as Record<string, unknown>;
      this.receive(response, { key, system, operation, payload });
    });
  }

  private receive(response: http.ServerResponse, request: Omit<ReceivedRequest, 'attempt'>): void {
    const { key, system, operation, payload } = request;
    const at = Date.now();
    const fingerprint = `${system} ${operation} ${canonicalJson(payload)}`;
    const known = this.effects.get(key);
    if (known) {
      if (this.fingerprints.get(key) !== fingerprint) {
        this.conflicts.push({ key, first: this.fingerprints.get(key)!, second: fingerprint });
        this.deliveries.push({ key, system, operation, at, outcome: 'conflict', status: 422 });
        json(response, 422, { code: 'idempotency-key-reused', message: 'another request under this key' });
        return;
      }
      this.deliveries.push({ key, system, operation, at, outcome: 'replay', status: 200 });
      json(response, 200, known.body, { 'idempotent-replay': 'true' });
      return;
    }
    const attempt = this.deliveries.filter((delivery) => delivery.key === key).length + 1;
    const verdict = this.rule?.({ ...request, attempt }) ?? { kind: 'accept' };
    if (verdict.kind === 'fail') {
      this.deliveries.push({ key, system, operation, at, outcome: 'failed', status: verdict.status });
      json(response, verdict.status, verdict.body ?? { code: `http-${verdict.status}`, message: 'refused' });
      return;
    }
    const answer = verdict.body ?? { id: `${operation}-${++this.sequence}` };
    this.effects.set(key, { key, system, operation, payload, body: answer, at });
    this.fingerprints.set(key, fingerprint);
    this.deliveries.push({ key, system, operation, at, outcome: 'effect', status: 200 });
    this.open.add(response);
    response.once('close', () => this.open.delete(response));
    const send = () => {
      this.open.delete(response);
      if (!response.destroyed) json(response, 200, answer);
    };
    if (verdict.hold) this.held.push({ response, send, operation });
    else if (verdict.delayMs) {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        send();
      }, verdict.delayMs);
      this.timers.add(timer);
    } else send();
  }
}

function json(
  response: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  try {
    response.writeHead(status, { 'content-type': 'application/json', ...headers });
    response.end(JSON.stringify(body));
  } catch {
    // the caller is gone (a killed worker): nothing to answer
  }
}
