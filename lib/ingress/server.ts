/**
 * The webhook ingress: an HTTP front for systems that cannot embed the Temporal SDK (telephony,
 * survey tools, carriers). Authenticated JSON webhooks become the journey's and the case's
 * updates, signals and queries; see `contract.ts` for the endpoints and `signature.ts` for the
 * signature scheme.
 *
 * Every signed request goes through the same steps, in this order:
 *
 * 1. body limit (256 KiB → 413) and content type (`application/json` → else 415), kept raw;
 * 2. signature over the exact raw bytes, then the timestamp (→ 401 naming only which of the two);
 * 3. `idempotency-key` (POST; 1–128 printable characters → else 400);
 * 4. JSON (→ 400), then the idempotency store: a repeat gets the first response, another request
 *    under the same key 422;
 * 5. path parameters and body against the workflows' zod schemas (→ 400 naming each field);
 * 6. the Temporal call, its errors mapped: rejected update 409, unknown workflow 404,
 *    Temporal unavailable 503 with `Retry-After`.
 *
 * Logs carry method, path (no query), status and duration only: never bodies, headers or
 * personal data.
 */
import { createHash } from 'node:crypto';
import {
  type Client,
  isGrpcServiceError,
  QueryNotRegisteredError,
  ServiceError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
} from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify';
import type { z } from 'zod';
import {
  executeJourneyUpdate,
  isContinuingAsNew,
  readCase,
  signalCase,
  startOrReachJourney,
} from '../../client';
import {
  AFTER_SALES_CASE_WORKFLOW,
  submitFeedbackUpdate,
  type CaseView,
  type FeedbackResult,
} from '../../workflows/after-sales-case/contract';
import {
  journeyWorkflowId,
  reportIssueUpdate,
  type IssueReported,
} from '../../workflows/customer-journey/contract';
import { check, ValidationError } from '../../workflows/kernel/validation';
import {
  ENDPOINTS,
  INGRESS_BODY_LIMIT_BYTES,
  PUBLIC_PATHS,
  routePath,
  type Endpoint,
  type ErrorBody,
} from './contract';
import { type IdempotencyStore, requestFingerprint, type StoredResponse } from './idempotency';
import { buildOpenApiDocument } from './openapi';
import {
  DEFAULT_TIMESTAMP_TOLERANCE_MS,
  IDEMPOTENCY_HEADER,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  verifyRequest,
} from './signature';
import { MIN_INGRESS_SECRET_LENGTH } from './settings';

/** 1–128 printable ASCII characters. */
const IDEMPOTENCY_KEY_PATTERN = /^[\x20-\x7e]{1,128}$/;
/** Seconds a sender should wait before retrying when Temporal is unavailable. */
export const RETRY_AFTER_SECONDS = 5;
/** How long one request may spend in Temporal calls before it answers 503. */
export const DEFAULT_TEMPORAL_TIMEOUT_MS = 20_000;
/** Response header set on a response replayed from the idempotency store. */
export const REPLAY_HEADER = 'idempotent-replay';

export interface IngressOptions {
  /** A connected Temporal client (e.g. from `connectClient()`); the caller closes its connection. */
  client: Client;
  /** The shared HMAC secret (`CJ_INGRESS_SECRET`), at least 16 characters. */
  secret: string;
  /** Where new journeys run (`CJ_TASK_QUEUE`). */
  taskQueue: string;
  /** Remembers responses per idempotency key; the caller closes it after the server. */
  idempotency: IdempotencyStore;
  /**
   * `true`: Fastify's pino logger at info, one line per request (method, path, status, duration);
   * a logger instance: that one; default: silent.
   */
  logger?: boolean | FastifyBaseLogger;
  /** Allowed distance of `x-cj-timestamp` from the ingress's clock (default 5 minutes). */
  timestampToleranceMs?: number;
  /** Deadline of the Temporal calls of one request (default 20 s); past it the answer is 503. */
  temporalTimeoutMs?: number;
}

/** What a route hands back; sent as is and stored for idempotent replay. */
type Answer = StoredResponse;

type ParamsOf<E extends Endpoint> = E extends { params: infer P extends z.ZodType } ? z.output<P> : object;
type BodyOf<E extends Endpoint> = E extends { body: infer B extends z.ZodType } ? z.output<B> : undefined;

interface RouteInput<E extends Endpoint> {
  params: ParamsOf<E>;
  body: BodyOf<E>;
  /** The idempotency key (empty for GET). */
  key: string;
}

function answer(status: number, body: unknown, headers?: Record<string, string>): Answer {
  return headers ? { status, body, headers } : { status, body };
}

function failure(status: number, body: ErrorBody, headers?: Record<string, string>): Answer {
  return answer(status, body, headers);
}

function invalid(problems: string[]): Answer {
  return failure(400, { error: 'invalid-request', problems });
}

function unavailable(message: string): Answer {
  return failure(503, { error: 'unavailable', message }, { 'retry-after': String(RETRY_AFTER_SECONDS) });
}

/** The request target without its query string, exactly as sent. */
function rawPath(request: FastifyRequest): string {
  const url = request.raw.url ?? request.url;
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' ? value : undefined;
}

/** A gRPC status code carried by a Temporal client error or its cause. */
function grpcCode(error: unknown): number | undefined {
  if (isGrpcServiceError(error)) return error.code;
  if (error instanceof ServiceError && isGrpcServiceError(error.cause)) return error.cause.code;
  return undefined;
}

const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_RESOURCE_EXHAUSTED = 8;
const GRPC_UNAVAILABLE = 14;

/** Maps what a Temporal call threw onto the ingress's answers; `undefined` for the unexpected. */
function temporalFailure(error: unknown): Answer | undefined {
  if (error instanceof ValidationError) return invalid(error.problems);
  if (isContinuingAsNew(error)) {
    return unavailable('the journey is moving to a new run; retry with the same idempotency key');
  }
  if (error instanceof WorkflowUpdateFailedError) {
    // The validator's (or handler's) own message is in the cause; the wrapper only says "failed".
    const message = error.cause instanceof Error ? error.cause.message : error.message;
    return failure(409, { error: 'rejected', message });
  }
  if (error instanceof WorkflowNotFoundError) {
    return failure(404, { error: 'not-found', message: `no running workflow ${error.workflowId}`.trim() });
  }
  if (error instanceof QueryNotRegisteredError) {
    return failure(404, { error: 'not-found', message: 'the workflow is not a case' });
  }
  if (error instanceof WorkflowUpdateRPCTimeoutOrCancelledError) {
    return unavailable('Temporal did not answer in time; retry with the same idempotency key');
  }
  const code = grpcCode(error);
  if (code === GRPC_UNAVAILABLE || code === GRPC_DEADLINE_EXCEEDED || code === GRPC_RESOURCE_EXHAUSTED) {
    return unavailable('Temporal is unavailable; retry with the same idempotency key');
  }
  return undefined;
}

/** A workflow-side id for an update, so Temporal itself dedupes retries across instances. */
function updateId(update: string, key: string): string {
  return `ingress:${update}:${key}`;
}

/** A stable inquiry id for a retried inquiry that carries none (≤ 64 characters). */
function inquiryIdFor(key: string): string {
  return `ingress-${createHash('sha256').update(key).digest('hex').slice(0, 40)}`;
}

/**
 * Builds the ingress (not yet listening: call `listen`). Closing it does not close the client's
 * connection or the idempotency store: close them after it, in that order.
 */
export function buildIngress(options: IngressOptions): FastifyInstance {
  const { client, secret, taskQueue, idempotency } = options;
  if (typeof secret !== 'string' || secret.length < MIN_INGRESS_SECRET_LENGTH) {
    throw new RangeError(`secret must be at least ${MIN_INGRESS_SECRET_LENGTH} characters`);
  }
  const toleranceMs = options.timestampToleranceMs ?? DEFAULT_TIMESTAMP_TOLERANCE_MS;
  const temporalTimeoutMs = options.temporalTimeoutMs ?? DEFAULT_TEMPORAL_TIMEOUT_MS;

  const app: FastifyInstance = Fastify({
    bodyLimit: INGRESS_BODY_LIMIT_BYTES,
    // One line per request from the onResponse hook below; Fastify's own lines carry the URL with
    // its query string.
    logController: new LogController({ disableRequestLogging: true }),
    requestIdHeader: false,
    routerOptions: { maxParamLength: 512 },
    ...(options.logger === true
      ? {
          logger: {
            level: 'info',
            redact: { paths: ['req.headers', 'res.headers', 'headers'], censor: '[redacted]' },
            serializers: {
              req: (request: { method?: string; url?: string }) => ({
                method: request.method,
                url: request.url?.split('?')[0],
              }),
              res: (reply: { statusCode?: number }) => ({ statusCode: reply.statusCode }),
            },
          },
        }
      : options.logger
        ? { loggerInstance: options.logger }
        : { logger: false }),
  });

  // Bodies are kept as the exact bytes received: the signature covers them, and JSON is parsed
  // only once the signature is good.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => {
    done(null, body);
  });

  app.addHook('onResponse', (request, reply, done) => {
    request.log.info(
      {
        method: request.method,
        url: rawPath(request),
        status: reply.statusCode,
        durationMs: Math.round(reply.elapsedTime),
      },
      'request',
    );
    done();
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode ?? 500;
    let body: ErrorBody;
    if (status === 413) {
      body = { error: 'payload-too-large', message: `the body exceeds ${INGRESS_BODY_LIMIT_BYTES} bytes` };
    } else if (status === 415) {
      body = { error: 'unsupported-media-type', message: 'send the body as application/json' };
    } else if (status >= 400 && status < 500) {
      body = { error: 'invalid-request', message: 'malformed request' };
    } else {
      // The name only: messages of unexpected errors may quote what was sent.
      request.log.error({ error: error.name, code: error.code }, 'request failed');
      body = { error: 'internal', message: 'internal error' };
    }
    void reply.code(status >= 400 && status < 600 ? status : 500).send(body);
  });

  app.setNotFoundHandler((_request, reply) => {
    void reply.code(404).send({ error: 'not-found', message: 'no such endpoint' } satisfies ErrorBody);
  });

  const openApi = buildOpenApiDocument();
  app.get(PUBLIC_PATHS.openapi, (_request, reply) => reply.send(openApi));
  app.get(PUBLIC_PATHS.health, (_request, reply) => reply.send({ status: 'ok' }));

  /** Sends the answer (replayed ones marked). */
  const send = (reply: FastifyReply, result: Answer, replayed = false) => {
    void reply.code(result.status);
    for (const [name, value] of Object.entries(result.headers ?? {})) void reply.header(name, value);
    if (replayed) void reply.header(REPLAY_HEADER, 'true');
    return reply.send(result.body);
  };

  /** Registers one endpoint of the contract with the common steps around its handler. */
  const route = <E extends Endpoint>(endpoint: E, handler: (input: RouteInput<E>) => Promise<Answer>) => {
    app.route({
      method: endpoint.method,
      url: routePath(endpoint.path),
      handler: async (request, reply) => {
        const path = rawPath(request);
        const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        const key = header(request, IDEMPOTENCY_HEADER) ?? '';

        if (endpoint.signed) {
          const verdict = verifyRequest(
            secret,
            {
              timestamp: header(request, TIMESTAMP_HEADER),
              signature: header(request, SIGNATURE_HEADER),
              method: request.method,
              path,
              idempotencyKey: key,
              body: raw,
            },
            { toleranceMs },
          );
          if (!verdict.ok) {
            const message =
              verdict.failed === 'signature'
                ? 'signature missing or invalid'
                : `timestamp missing, malformed or more than ${Math.round(toleranceMs / 60_000)} minutes off`;
            return send(reply, failure(401, { error: 'unauthorized', message }));
          }
        }

        if (endpoint.idempotent && !IDEMPOTENCY_KEY_PATTERN.test(key)) {
          return send(
            reply,
            invalid([`${IDEMPOTENCY_HEADER}: ${key ? 'must be 1–128 printable characters' : 'is required'}`]),
          );
        }

        let json: unknown = undefined;
        if (endpoint.body) {
          try {
            json = JSON.parse(raw.toString('utf8'));
          } catch {
            // Not the parser's message: it quotes the body.
            return send(reply, invalid(['body: must be valid JSON']));
          }
        }

        const execute = async (): Promise<Answer> => {
          const problems: string[] = [];
          let params: unknown = {};
          if (endpoint.params) {
            const checked = check(endpoint.params, request.params);
            if (checked.ok) params = checked.value;
            else problems.push(...checked.problems);
          }
          let body: unknown = undefined;
          if (endpoint.body) {
            const checked = check(endpoint.body, json);
            if (checked.ok) body = checked.value;
            else problems.push(...checked.problems);
          }
          if (problems.length > 0) return invalid(problems);
          try {
            return await client.connection.withDeadline(Date.now() + temporalTimeoutMs, () =>
              handler({ params, body, key } as RouteInput<E>),
            );
          } catch (error) {
            const mapped = temporalFailure(error);
            if (mapped) return mapped;
            request.log.error(
              { error: error instanceof Error ? error.name : typeof error },
              'request failed',
            );
            return failure(500, { error: 'internal', message: 'internal error' });
          }
        };

        if (!endpoint.idempotent) return send(reply, await execute());
        const outcome = await idempotency.run(key, requestFingerprint(request.method, path, json), execute);
        if (outcome.kind === 'conflict') {
          return send(
            reply,
            failure(422, {
              error: 'idempotency-key-reused',
              message: 'this idempotency key was already used with another request',
            }),
          );
        }
        return send(reply, outcome.response, outcome.kind === 'replayed');
      },
    });
  };

  route(ENDPOINTS.inquiry, async ({ body, key }) => {
    const reached = await startOrReachJourney(
      client,
      { ...body, inquiryId: body.inquiryId ?? inquiryIdFor(key) },
      { taskQueue },
    );
    const { journeyId, created, recorded, stage, inquiries } = reached;
    return answer(200, { journeyId, created, recorded, stage, inquiries });
  });

  route(ENDPOINTS.issue, async ({ params, body, key }) => {
    const reported: IssueReported = await executeJourneyUpdate(
      client.workflow.getHandle(journeyWorkflowId(params.customerId)),
      reportIssueUpdate,
      { args: [body], updateId: updateId('reportIssue', key) },
    );
    return answer(201, reported, {
      location: `/v1/cases/${encodeURIComponent(reported.caseWorkflowId)}`,
    });
  });

  route(ENDPOINTS.feedback, async ({ params, body, key }) => {
    const result: FeedbackResult = await client.workflow
      .getHandle(params.caseWorkflowId)
      .executeUpdate(submitFeedbackUpdate, { args: [body], updateId: updateId('submitFeedback', key) });
    return answer(200, result);
  });

  /** Delivers a signal to a running case; anything else is 404 (no case) or 409 (closed). */
  const signalRunningCase = async (caseWorkflowId: string, deliver: () => Promise<void>): Promise<Answer> => {
    const description = await client.workflow.getHandle(caseWorkflowId).describe();
    if (description.type !== AFTER_SALES_CASE_WORKFLOW) {
      return failure(404, { error: 'not-found', message: `no case ${caseWorkflowId}` });
    }
    if (description.status.name !== 'RUNNING') {
      return failure(409, {
        error: 'rejected',
        message: `the case is ${description.status.name.toLowerCase()}`,
      });
    }
    await deliver();
    return answer(202, { accepted: true, caseWorkflowId });
  };

  route(ENDPOINTS.carrierUpdate, async ({ params, body }) =>
    signalRunningCase(params.caseWorkflowId, () =>
      signalCase(client, params.caseWorkflowId, 'carrierUpdate', body),
    ),
  );

  route(ENDPOINTS.agentResponse, async ({ params, body }) =>
    signalRunningCase(params.caseWorkflowId, () =>
      signalCase(client, params.caseWorkflowId, 'agentResponded', body),
    ),
  );

  route(ENDPOINTS.readCase, async ({ params }) => {
    const view: CaseView = await readCase(client, params.caseWorkflowId);
    return answer(200, view);
  });

  return app;
}
