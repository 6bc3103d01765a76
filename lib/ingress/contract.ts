/**
 * The ingress's HTTP contract: every endpoint with its path parameters, body schema and
 * responses. The server registers its routes from this table and `/openapi.json` is generated
 * from it, so the two cannot drift apart. Bodies are the workflows' own zod schemas.
 */
import { z } from 'zod';
import {
  AgentResponded,
  CarrierUpdate,
  CaseView,
  FeedbackResult,
  SubmitFeedback,
} from '../../workflows/after-sales-case/contract';
import { CustomerId } from '../../workflows/kernel/contract';
import {
  InquiryResult,
  IssueReported,
  JourneyInput,
  ReportIssue,
} from '../../workflows/customer-journey/contract';

/** Largest accepted body: 256 KiB (larger → 413). */
export const INGRESS_BODY_LIMIT_BYTES = 256 * 1024;

/** A journey's inquiry as a webhook sends it: the journey input without its internal state. */
export const InquiryBody = JourneyInput.omit({ carried: true });

/** What the sender learns about the journey its inquiry reached. */
export const InquiryResponse = InquiryResult;

/**
 * A case workflow id as it appears in a path, URL-encoded: `journey-C-1%2Fcase-2` for a case of
 * a journey, `case-C-1-1a2b3c4d` for a standalone one.
 */
export const CaseWorkflowId = z
  .string()
  .min(1, 'must not be empty')
  .max(255, 'must be at most 255 characters')
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._:/-]*$/,
    'must be a case workflow id such as journey-C-1/case-2 (URL-encoded: journey-C-1%2Fcase-2)',
  );

export const CaseParams = z.object({ caseWorkflowId: CaseWorkflowId });
export const CustomerParams = z.object({ customerId: CustomerId });

/** A signal the case will handle. */
export const Accepted = z.object({ accepted: z.literal(true), caseWorkflowId: z.string() });

export const ErrorCode = z.enum([
  'invalid-request',
  'unauthorized',
  'not-found',
  'rejected',
  'idempotency-key-reused',
  'payload-too-large',
  'unsupported-media-type',
  'unavailable',
  'internal',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ErrorBody = z.object({
  error: ErrorCode,
  message: z.string().optional(),
  /** One sentence per field problem, naming the field (`severity: must be one of …`). */
  problems: z.array(z.string()).optional(),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

export const Health = z.object({ status: z.literal('ok') });

export type Method = 'GET' | 'POST';

export interface Endpoint {
  operationId: string;
  method: Method;
  /** OpenAPI form: `/v1/cases/{caseWorkflowId}/feedback`. */
  path: string;
  summary: string;
  description: string;
  params?: z.ZodObject;
  body?: z.ZodType;
  success: { status: number; description: string; schema: z.ZodType; name: string };
  /** Statuses besides the generic ones every signed request can get (400, 401, 413, 415, 500, 503). */
  errors: Partial<Record<number, string>>;
  /** Needs the signature headers. */
  signed: boolean;
  /** Needs `idempotency-key`; a retry gets the first response. */
  idempotent: boolean;
  /** Schema names of the body for the OpenAPI document. */
  bodyName?: string;
}

const CONFLICT_422 = 'The idempotency key was used before with another request.';

export const ENDPOINTS = {
  inquiry: {
    operationId: 'startOrReachJourney',
    method: 'POST',
    path: '/v1/journeys/inquiries',
    summary: 'Start or reach a customer journey with an inquiry',
    description:
      'Update-with-start: starts the journey `journey-<customerId>` or reaches the running one, and records the inquiry once per `inquiryId` (when absent, one is derived from the idempotency key, so a retry through another ingress instance is still recorded once).',
    body: InquiryBody,
    bodyName: 'InquiryBody',
    success: {
      status: 200,
      description: 'The journey the inquiry reached.',
      schema: InquiryResponse,
      name: 'InquiryResponse',
    },
    errors: { 409: 'The journey refused the inquiry (it is lost or closed).', 422: CONFLICT_422 },
    signed: true,
    idempotent: true,
  },
  issue: {
    operationId: 'reportIssue',
    method: 'POST',
    path: '/v1/journeys/{customerId}/issues',
    summary: 'Report an after-sales issue on a customer’s journey',
    description:
      'The journey’s `reportIssue` update (the idempotency key is its update id): starts an `afterSalesCase` that inherits the contract’s promised terms. Only after the contract is signed.',
    params: CustomerParams,
    body: ReportIssue,
    bodyName: 'ReportIssue',
    success: {
      status: 201,
      description: 'The case was opened; `Location` is its URL.',
      schema: IssueReported,
      name: 'IssueReported',
    },
    errors: {
      404: 'The customer has no running journey.',
      409: 'The journey rejected the issue (e.g. no contract yet).',
      422: CONFLICT_422,
    },
    signed: true,
    idempotent: true,
  },
  feedback: {
    operationId: 'submitFeedback',
    method: 'POST',
    path: '/v1/cases/{caseWorkflowId}/feedback',
    summary: 'The customer’s revisit answer (survey)',
    description:
      'The case’s `submitFeedback` update (the idempotency key is its update id). Satisfied closes the case; not satisfied reopens it with the specialist team.',
    params: CaseParams,
    body: SubmitFeedback,
    bodyName: 'SubmitFeedback',
    success: {
      status: 200,
      description: 'What the answer meant.',
      schema: FeedbackResult,
      name: 'FeedbackResult',
    },
    errors: {
      404: 'No such case, or it has already closed.',
      409: 'The case rejected the feedback (it is not waiting for any).',
      422: CONFLICT_422,
    },
    signed: true,
    idempotent: true,
  },
  carrierUpdate: {
    operationId: 'carrierUpdate',
    method: 'POST',
    path: '/v1/cases/{caseWorkflowId}/carrier-updates',
    summary: 'News from the carrier on a logistics claim',
    description:
      'The case’s `carrierUpdate` signal. Accepted means delivered: a case that cannot use it (not a logistics case) records it as rejected in its timeline.',
    params: CaseParams,
    body: CarrierUpdate,
    bodyName: 'CarrierUpdate',
    success: { status: 202, description: 'Delivered to the case.', schema: Accepted, name: 'Accepted' },
    errors: { 404: 'No such case.', 409: 'The case is closed.', 422: CONFLICT_422 },
    signed: true,
    idempotent: true,
  },
  agentResponse: {
    operationId: 'agentResponded',
    method: 'POST',
    path: '/v1/cases/{caseWorkflowId}/agent-responses',
    summary: 'An agent replied to the customer (telephony, ticketing)',
    description: 'The case’s `agentResponded` signal; fulfils the first-reply window.',
    params: CaseParams,
    body: AgentResponded,
    bodyName: 'AgentResponded',
    success: { status: 202, description: 'Delivered to the case.', schema: Accepted, name: 'Accepted' },
    errors: { 404: 'No such case.', 409: 'The case is closed.', 422: CONFLICT_422 },
    signed: true,
    idempotent: true,
  },
  readCase: {
    operationId: 'getCase',
    method: 'GET',
    path: '/v1/cases/{caseWorkflowId}',
    summary: 'The case: stage, priority, team and every SLA clock',
    description:
      'The case’s `getCase` query. Signed like the POSTs, over an empty body and an empty idempotency key.',
    params: CaseParams,
    success: { status: 200, description: 'The case.', schema: CaseView, name: 'CaseView' },
    errors: { 404: 'No such case.' },
    signed: true,
    idempotent: false,
  },
} as const satisfies Record<string, Endpoint>;

/** Endpoints without a signature, outside the table's generic handling. */
export const PUBLIC_PATHS = { openapi: '/openapi.json', health: '/healthz' } as const;

/** `/v1/cases/{caseWorkflowId}` → `/v1/cases/:caseWorkflowId` (Fastify's route syntax). */
export function routePath(openApiPath: string): string {
  return openApiPath.replace(/\{([^}]+)\}/g, ':$1');
}
