/**
 * What a namespace must hold before this product's workflows can run in it, how to check it, and
 * how to put it there.
 *
 * Every workflow upserts the custom search attributes of `workflows/kernel/search-attributes.ts`;
 * on a namespace without them every workflow task fails (`BadSearchAttributes`) and retries
 * forever. So the worker checks them at start (`checkNamespace`), and `npm run setup-namespace`
 * adds what is missing (`setupNamespace`) on any cluster whose operator service allows it. Temporal
 * Cloud adds search attributes through its own API instead; there the setup prints exactly what
 * to add.
 */
import { isGrpcServiceError, type Connection } from '@temporalio/client';
import { TypedSearchAttributes, type SearchAttributeType } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import Long from 'long';

const { IndexedValueType } = temporal.api.enums.v1;

/** Same shape as the SDK's `SearchAttributeKey` (which the package does not export). */
export interface SearchAttributeSpec {
  name: string;
  type: SearchAttributeType;
}

/** The command that fixes what the preflight finds. */
export const SETUP_COMMAND = 'npm run setup-namespace';

/** How long a namespace this setup registers keeps closed workflows (our default). */
export const DEFAULT_RETENTION_DAYS = 30;

/** gRPC status codes we act on (the numbers are gRPC's own). */
const NOT_FOUND = 5;
const ALREADY_EXISTS = 6;
const PERMISSION_DENIED = 7;
const UNIMPLEMENTED = 12;
const UNAUTHENTICATED = 16;

/** `Keyword`, `Bool`… as the server and the CLI name the types. */
export function typeName(type: SearchAttributeType): string {
  return TypedSearchAttributes.toMetadataType(type);
}

/** The operator service's enum value of a search attribute type. */
export function indexedValueType(type: SearchAttributeType): temporal.api.enums.v1.IndexedValueType {
  const value =
    IndexedValueType[`INDEXED_VALUE_TYPE_${snake(typeName(type))}` as keyof typeof IndexedValueType];
  if (typeof value !== 'number') throw new Error(`unsupported search attribute type ${typeName(type)}`);
  return value;
}

/** `KeywordList` → `KEYWORD_LIST`. */
function snake(name: string): string {
  return name.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
}

/** `INDEXED_VALUE_TYPE_KEYWORD_LIST` (or its number) → `KeywordList`. */
function typeNameOf(value: temporal.api.enums.v1.IndexedValueType | string | null | undefined): string {
  const name = typeof value === 'number' ? IndexedValueType[value] : String(value ?? '');
  return name
    .replace(/^INDEXED_VALUE_TYPE_/, '')
    .toLowerCase()
    .replace(/(^|_)([a-z])/g, (_, __, letter: string) => letter.toUpperCase());
}

export interface NamespaceReport {
  namespace: string;
  exists: boolean;
  /** Attributes the namespace lacks. */
  missing: SearchAttributeSpec[];
  /** Attributes registered with another type (they cannot be changed in place). */
  wrongType: { name: string; expected: string; actual: string }[];
  /** Set when the server would not list the namespace's attributes (then nothing is known of them). */
  unverifiable?: string;
}

export function isReady(report: NamespaceReport): boolean {
  return report.exists && report.missing.length === 0 && report.wrongType.length === 0;
}

async function namespaceExists(connection: Connection, namespace: string): Promise<boolean> {
  try {
    await connection.workflowService.describeNamespace({ namespace });
    return true;
  } catch (error) {
    if (grpcCode(error) === NOT_FOUND) return false;
    throw error;
  }
}

/** Compares the namespace with what the workflows need; changes nothing. */
export async function checkNamespace(
  connection: Connection,
  namespace: string,
  required: readonly SearchAttributeSpec[],
): Promise<NamespaceReport> {
  const report: NamespaceReport = { namespace, exists: false, missing: [], wrongType: [] };
  report.exists = await namespaceExists(connection, namespace);
  if (!report.exists) return { ...report, missing: [...required] };
  let registered: Record<string, temporal.api.enums.v1.IndexedValueType>;
  try {
    const response = await connection.operatorService.listSearchAttributes({ namespace });
    registered = response.customAttributes ?? {};
  } catch (error) {
    if (isRefusal(error)) return { ...report, unverifiable: refusalText(error) };
    // A namespace registered moments ago is known to some services before others.
    if (grpcCode(error) === NOT_FOUND) return { ...report, exists: false, missing: [...required] };
    throw error;
  }
  for (const spec of required) {
    const actual = registered[spec.name];
    if (actual === undefined) report.missing.push(spec);
    else if (actual !== indexedValueType(spec.type)) {
      report.wrongType.push({ name: spec.name, expected: typeName(spec.type), actual: typeNameOf(actual) });
    }
  }
  return report;
}

/** The preflight's one message: what is missing, and the command that adds it. */
export function describeProblems(report: NamespaceReport): string {
  const lines = [`Namespace "${report.namespace}" is not ready for the customer-journey workflows:`];
  if (!report.exists) lines.push(`  - the namespace does not exist`);
  const missing = report.exists ? report.missing : [];
  if (missing.length > 0) {
    lines.push(
      `  - ${missing.length} custom search attribute(s) missing: ${missing.map((spec) => `${spec.name} (${typeName(spec.type)})`).join(', ')}`,
    );
  }
  for (const wrong of report.wrongType) {
    lines.push(
      `  - search attribute ${wrong.name} is a ${wrong.actual}, the workflows write a ${wrong.expected}; ` +
        'a type cannot be changed in place: use another namespace, or remove the attribute and add it again',
    );
  }
  lines.push(
    `Run \`${SETUP_COMMAND}\` with the same TEMPORAL_* settings as this worker; on Temporal Cloud it prints what to add in the Cloud UI or with tcld.`,
  );
  return lines.join('\n');
}

function grpcCode(error: unknown): number | undefined {
  return isGrpcServiceError(error) ? Number(error.code) : undefined;
}

function isRefusal(error: unknown): boolean {
  const code = grpcCode(error);
  return code !== undefined && [PERMISSION_DENIED, UNIMPLEMENTED, UNAUTHENTICATED].includes(code);
}

function refusalText(error: unknown): string {
  return isGrpcServiceError(error) ? error.details || error.message : String(error);
}

export interface SetupOutcome {
  namespace: string;
  registeredNamespace: boolean;
  added: string[];
  alreadyPresent: string[];
  /** Set when the server refused; the instructions say what to add by other means. */
  refused?: { reason: string; instructions: string };
  report: NamespaceReport;
}

/** What to add by hand where the server will not (Temporal Cloud, a locked-down cluster). */
export function manualInstructions(namespace: string, specs: readonly SearchAttributeSpec[]): string {
  const list = specs.map((spec) => `  ${spec.name.padEnd(20)} ${typeName(spec.type)}`).join('\n');
  const flags = specs.map((spec) => `--search-attribute ${spec.name}=${typeName(spec.type)}`).join(' ');
  return [
    `Add these custom search attributes to namespace "${namespace}" (name, type):`,
    list,
    'On Temporal Cloud: Namespaces → the namespace → Custom Search Attributes in the Cloud UI, or',
    `  tcld namespace search-attributes add --namespace ${namespace} ${specs.map((spec) => `--search-attribute "${spec.name}=${typeName(spec.type)}"`).join(' ')}`,
    'On a self-hosted cluster, with operator rights:',
    `  temporal operator search-attribute create --namespace ${namespace} ${flags}`,
  ].join('\n');
}

async function waitUntil(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * Registers the namespace when it is missing and adds every search attribute it lacks; safe to
 * run any number of times. Waits until the server reports the result (a cluster's namespace
 * cache takes a few seconds to see a new namespace).
 */
export async function setupNamespace(options: {
  connection: Connection;
  namespace: string;
  required: readonly SearchAttributeSpec[];
  retentionDays?: number;
  log?: (line: string) => void;
  /** How long to wait for the cluster to show what was added (default 60 s). */
  settleTimeoutMs?: number;
}): Promise<SetupOutcome> {
  const { connection, namespace, required } = options;
  const log = options.log ?? (() => undefined);
  const settle = options.settleTimeoutMs ?? 60_000;
  const outcome: SetupOutcome = {
    namespace,
    registeredNamespace: false,
    added: [],
    alreadyPresent: [],
    report: { namespace, exists: false, missing: [], wrongType: [] },
  };
  const refuse = (error: unknown, specs: readonly SearchAttributeSpec[]) => {
    outcome.refused = { reason: refusalText(error), instructions: manualInstructions(namespace, specs) };
    return outcome;
  };

  if (!(await namespaceExists(connection, namespace))) {
    const days = options.retentionDays ?? DEFAULT_RETENTION_DAYS;
    log(`registering namespace "${namespace}" (closed workflows kept ${days} days)`);
    try {
      await connection.workflowService.registerNamespace({
        namespace,
        workflowExecutionRetentionPeriod: { seconds: Long.fromNumber(days * 86_400) },
      });
    } catch (error) {
      if (grpcCode(error) === ALREADY_EXISTS) {
        log(`namespace "${namespace}" was registered meanwhile`);
      } else if (isRefusal(error)) {
        outcome.report = await checkNamespace(connection, namespace, required);
        return refuse(error, required);
      } else throw error;
    }
    outcome.registeredNamespace = true;
    await waitUntil(`namespace "${namespace}" becoming visible`, settle, async () =>
      checkNamespace(connection, namespace, required).then((report) => report.exists),
    );
  }

  let report = await checkNamespace(connection, namespace, required);
  if (report.unverifiable) {
    outcome.report = report;
    return refuse(new Error(report.unverifiable), required);
  }
  outcome.alreadyPresent = required
    .filter((spec) => !report.missing.includes(spec) && !report.wrongType.some((w) => w.name === spec.name))
    .map((spec) => spec.name);
  if (report.missing.length > 0) {
    log(`adding ${report.missing.map((spec) => `${spec.name} (${typeName(spec.type)})`).join(', ')}`);
    try {
      await connection.operatorService.addSearchAttributes({
        namespace,
        searchAttributes: Object.fromEntries(
          report.missing.map((spec) => [spec.name, indexedValueType(spec.type)]),
        ),
      });
    } catch (error) {
      // Refused (Temporal Cloud, no operator rights) or said no (a per-namespace limit, a name
      // taken by another type): nothing was added, and what to add is the same list.
      if (!isGrpcServiceError(error)) throw error;
      outcome.report = report;
      return refuse(error, report.missing);
    }
    outcome.added = report.missing.map((spec) => spec.name);
    await waitUntil('the new search attributes becoming visible', settle, async () => {
      report = await checkNamespace(connection, namespace, required);
      return report.missing.length === 0;
    });
  }
  outcome.report = report;
  return outcome;
}
