/**
 * `GET /openapi.json`: the ingress's OpenAPI 3.1 document, generated from the endpoint table
 * (`contract.ts`) and the workflows' zod schemas with `z.toJSONSchema` (request bodies as their
 * input type, so defaults and optional fields show as the sender sees them; responses as their
 * output type).
 */
import { z } from 'zod';
import { CustomerId } from '../../workflows/kernel/contract';
import {
  CaseWorkflowId,
  ENDPOINTS,
  ErrorBody,
  Health,
  INGRESS_BODY_LIMIT_BYTES,
  PUBLIC_PATHS,
  type Endpoint,
} from './contract';
import { IDEMPOTENCY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER } from './signature';

export const INGRESS_API_VERSION = '1.0.0';

type JsonObject = Record<string, unknown>;

const SIGNATURE_DESCRIPTION = [
  '`sha256=<hex>`: HMAC-SHA256, keyed with the shared secret (`CJ_INGRESS_SECRET`), over the bytes',
  '',
  '```',
  '<x-cj-timestamp>\\n<METHOD>\\n<path>\\n<idempotency-key>\\n<raw body>',
  '```',
  '',
  '`<path>` is the request target as sent (percent-encoded), without the query string;',
  '`<idempotency-key>` is that header’s value, empty when absent (GET); `<raw body>` is the exact',
  'body bytes, empty for GET. No newline follows the body. A wrong or missing signature is 401',
  '`signature missing or invalid`.',
].join('\n');

const TIMESTAMP_DESCRIPTION =
  'When the request was signed, ISO-8601 with an offset (`2026-03-01T09:30:00Z`). It is part of the signed bytes and must be within ±5 minutes of the ingress’s clock, else 401 `timestamp …`.';

const GENERIC_ERRORS: Record<number, string> = {
  400: 'Malformed JSON, a missing or bad `idempotency-key`, or a field problem: `problems` names each field.',
  401: 'The signature or the timestamp is missing or wrong.',
  413: `The body exceeds ${INGRESS_BODY_LIMIT_BYTES} bytes (256 KiB).`,
  415: 'The body is not `application/json`.',
  500: 'An unexpected error.',
  503: 'Temporal is unavailable or did not answer in time; retry after `Retry-After` seconds with the same idempotency key.',
};

/** Converts named zod schemas into `components.schemas` entries referencing each other. */
function componentSchemas(
  named: Record<string, z.ZodType>,
  io: 'input' | 'output',
): Record<string, JsonObject> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(named)) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, {
    io,
    target: 'draft-2020-12',
    unrepresentable: 'any',
    uri: (id) => `#/components/schemas/${id}`,
  });
  return Object.fromEntries(
    Object.entries(schemas).map(([id, schema]) => {
      const { $schema: _dialect, $id: _id, ...rest } = schema as JsonObject;
      return [id, rest];
    }),
  );
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (name: string) => ({ 'application/json': { schema: ref(name) } });

function operation(endpoint: Endpoint): JsonObject {
  const parameters: JsonObject[] = [];
  for (const name of Object.keys(endpoint.params?.shape ?? {})) {
    parameters.push({
      name,
      in: 'path',
      required: true,
      description:
        name === 'caseWorkflowId'
          ? 'The case’s workflow id, URL-encoded: `journey-C-1%2Fcase-2` for `journey-C-1/case-2`.'
          : 'The customer’s opaque CRM id.',
      schema: ref(name === 'caseWorkflowId' ? 'CaseWorkflowId' : 'CustomerId'),
    });
  }
  if (endpoint.idempotent) parameters.push({ $ref: '#/components/parameters/IdempotencyKey' });

  const headers = successHeaders(endpoint);
  const responses: JsonObject = {
    [String(endpoint.success.status)]: {
      description: endpoint.success.description,
      content: json(endpoint.success.name),
      ...(Object.keys(headers).length > 0 ? { headers } : {}),
    },
  };
  const errors: Partial<Record<number, string>> = { ...GENERIC_ERRORS, ...endpoint.errors };
  if (!endpoint.body) {
    delete errors[413];
    delete errors[415];
  }
  for (const [status, description] of Object.entries(errors).sort(([a], [b]) => Number(a) - Number(b))) {
    responses[status] = {
      description: description ?? '',
      content: json('Error'),
      ...(status === '503'
        ? { headers: { 'Retry-After': { description: 'Seconds to wait.', schema: { type: 'integer' } } } }
        : {}),
    };
  }

  return {
    operationId: endpoint.operationId,
    summary: endpoint.summary,
    description: endpoint.description,
    tags: [endpoint.path.startsWith('/v1/journeys') ? 'journeys' : 'cases'],
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(endpoint.body && endpoint.bodyName
      ? { requestBody: { required: true, content: json(endpoint.bodyName) } }
      : {}),
    responses,
    security: endpoint.signed ? [{ cjSignature: [], cjTimestamp: [] }] : [],
  };
}

function successHeaders(endpoint: Endpoint): JsonObject {
  return {
    ...(endpoint.success.status === 201
      ? { Location: { description: 'The new case’s URL.', schema: { type: 'string' } } }
      : {}),
    ...(endpoint.idempotent
      ? {
          'Idempotent-Replay': {
            description: '`true` when this is the stored response to an earlier request with the same key.',
            schema: { type: 'string', enum: ['true'] },
          },
        }
      : {}),
  };
}

/** The OpenAPI 3.1 document of the ingress. */
export function buildOpenApiDocument(): JsonObject {
  const endpoints: Endpoint[] = Object.values(ENDPOINTS);
  const requestSchemas: Record<string, z.ZodType> = { CustomerId, CaseWorkflowId };
  const responseSchemas: Record<string, z.ZodType> = { Error: ErrorBody, Health };
  for (const endpoint of endpoints) {
    if (endpoint.body && endpoint.bodyName) requestSchemas[endpoint.bodyName] = endpoint.body;
    responseSchemas[endpoint.success.name] = endpoint.success.schema;
  }

  const paths: Record<string, JsonObject> = {};
  for (const endpoint of endpoints) {
    paths[endpoint.path] = { ...paths[endpoint.path], [endpoint.method.toLowerCase()]: operation(endpoint) };
  }
  paths[PUBLIC_PATHS.openapi] = {
    get: {
      operationId: 'openApi',
      summary: 'This document',
      tags: ['meta'],
      security: [],
      responses: { '200': { description: 'The OpenAPI 3.1 document.', content: { 'application/json': {} } } },
    },
  };
  paths[PUBLIC_PATHS.health] = {
    get: {
      operationId: 'health',
      summary: 'Liveness: the ingress answers (it does not call Temporal)',
      tags: ['meta'],
      security: [],
      responses: { '200': { description: 'Alive.', content: json('Health') } },
    },
  };

  return {
    openapi: '3.1.0',
    info: {
      title: 'Customer journey webhook ingress',
      version: INGRESS_API_VERSION,
      description:
        'Authenticated JSON webhooks onto the customer journey’s and after-sales case’s signals, updates and queries. Every POST needs the signature headers and an `idempotency-key`: a retry with the same key has no second effect and gets the first response (with `Idempotent-Replay: true`); the same key with another request is 422.',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    tags: [
      { name: 'journeys', description: 'Customer journeys (`customerJourney`)' },
      { name: 'cases', description: 'After-sales cases (`afterSalesCase`)' },
      { name: 'meta', description: 'The document and liveness' },
    ],
    paths,
    components: {
      schemas: {
        ...componentSchemas(requestSchemas, 'input'),
        ...componentSchemas(responseSchemas, 'output'),
      },
      parameters: {
        IdempotencyKey: {
          name: IDEMPOTENCY_HEADER,
          in: 'header',
          required: true,
          description:
            '1–128 printable characters, unique per logical event. Kept 24 hours: a retry with the same key gets the first response; the key is also the Temporal update id, so updates are deduplicated by Temporal across ingress instances.',
          schema: { type: 'string', minLength: 1, maxLength: 128, pattern: '^[\\x20-\\x7e]{1,128}$' },
        },
      },
      securitySchemes: {
        cjSignature: {
          type: 'apiKey',
          in: 'header',
          name: SIGNATURE_HEADER,
          description: SIGNATURE_DESCRIPTION,
        },
        cjTimestamp: {
          type: 'apiKey',
          in: 'header',
          name: TIMESTAMP_HEADER,
          description: TIMESTAMP_DESCRIPTION,
        },
      },
    },
  };
}
