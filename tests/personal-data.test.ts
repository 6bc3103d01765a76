/**
 * Personal data stays inside encrypted payloads.
 *
 * A journey with a contact (name, phone, e-mail) runs through needs, quote, contract and
 * delivery, and one of its cases to closing, on the dev server: the product's worker as a child
 * process with the product's codec (AES-GCM, `CJ_CODEC_KEYS`), driven with the product's client
 * helpers. Then the name, phone and e-mail are searched everywhere an operator or the Temporal
 * server can see them: every workflow id, every search attribute value (visibility list and
 * describe), memos (the closed case's report figures: encrypted, no personal data), the current details the Web UI shows, the worker's whole log
 * output, the dev server's log, and the raw histories read with a plain connection and no codec
 * (every payload encrypted). None may contain them.
 */
import { randomInt, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { defaultPayloadConverter, type Payload, type PayloadCodec } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readJourney, reportIssue, sendFeedback, signalCase, startOrReachJourney } from '../client';
import { loadDataConverter } from '../lib/data-converter';
import { ENCRYPTED_ENCODING } from '../lib/codec/encryption-codec';
import { getCaseQuery, resolveUpdate, type CaseResult } from '../workflows/after-sales-case/contract';
import {
  closeJourneyUpdate,
  deliveryConfirmedSignal,
  getJourneyQuery,
  inquiryAnsweredSignal,
  journeyWorkflowId,
  signContractUpdate,
  submitQuoteUpdate,
  type JourneyResult,
} from '../workflows/customer-journey/contract';
import { decideQuoteUpdate } from '../workflows/quote-approval/contract';
import { historyOf } from './helpers/history';
import { ALWAYS_OPEN_CALENDAR, eventually, report, testCodecKeys } from './helpers/reliability';
import { WorkerProcess } from './helpers/worker-process';
import { throughProposal } from './helpers/journey-steps';

const unique = randomUUID().slice(0, 6);
const contact = {
  name: `Lihua Zhao ${unique}`,
  phone: `+86 139 ${randomInt(1000, 9999)} ${randomInt(1000, 9999)}`,
  email: `lihua.zhao.${unique}@example.com`,
};
/** Every form the personal data could take in text: as given, digits only, parts, base64. */
const needles = [
  contact.name,
  contact.name.replace(/ /g, ''),
  contact.phone,
  contact.phone.replace(/\D/g, ''),
  contact.phone.replace(/\D/g, '').slice(2),
  contact.email,
  contact.email.split('@')[0]!,
  ...[contact.name, contact.phone, contact.email].map((value) => Buffer.from(value).toString('base64')),
];

/** Every piece of text inside a value: strings, and byte arrays read as UTF-8 and Latin-1. */
function textsOf(value: unknown, into: string[] = [], seen = new Set<object>()): string[] {
  if (typeof value === 'string') into.push(value);
  else if (value instanceof Uint8Array) {
    const bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    into.push(bytes.toString('utf8'), bytes.toString('latin1'));
  } else if (value && typeof value === 'object' && !seen.has(value)) {
    seen.add(value);
    for (const item of Object.values(value as Record<string, unknown>)) textsOf(item, into, seen);
  }
  return into;
}

/** The personal data found in `value` (none expected). */
function personalDataIn(value: unknown): string[] {
  const text = textsOf(value).join('\n').toLowerCase();
  return needles.filter((needle) => text.includes(needle.toLowerCase()));
}

/** Payloads in a history, with where they sit, except search attributes (plain by design). */
function payloadsOf(value: unknown, where: string, into: { where: string; payload: Payload }[] = []) {
  if (!value || typeof value !== 'object') return into;
  const record = value as Record<string, unknown>;
  if (record.data instanceof Uint8Array && record.metadata && typeof record.metadata === 'object') {
    into.push({ where, payload: record });
    return into;
  }
  for (const [key, item] of Object.entries(record)) {
    if (key === 'searchAttributes' || key === 'indexedFields') continue;
    payloadsOf(item, `${where}.${key}`, into);
  }
  return into;
}

const encodingOf = (payload: Payload) =>
  payload.metadata?.encoding ? Buffer.from(payload.metadata.encoding).toString('utf8') : '(none)';

let worker: WorkerProcess;
let connection: Connection;
let client: Client;
let plainConnection: Connection;
let plainClient: Client;
let codec: PayloadCodec;
let outboxDir: string;
const taskQueue = `personal-data-${unique}`;
const codecKeys = testCodecKeys();

beforeAll(async () => {
  const { devServer, workflowBundlePath, runDir } = inject('temporal');
  outboxDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cj-personal-data-outbox-'));
  worker = await WorkerProcess.start({
    env: {
      TEMPORAL_ADDRESS: devServer.address,
      CJ_TASK_QUEUE: taskQueue,
      CJ_WORKFLOW_BUNDLE: workflowBundlePath,
      CJ_CODEC_KEYS: codecKeys,
      CJ_INTEGRATION_MODE: 'outbox',
      CJ_OUTBOX_DIR: outboxDir,
    },
    logFile: path.join(runDir, `worker-${taskQueue}.log`),
  });
  connection = await Connection.connect({ address: devServer.address });
  const converter = loadDataConverter({ CJ_CODEC_KEYS: codecKeys });
  codec = converter.codec!;
  client = new Client({ connection, dataConverter: converter.dataConverter });
  plainConnection = await Connection.connect({ address: devServer.address });
  plainClient = new Client({ connection: plainConnection });
});

afterAll(async () => {
  await worker?.stop();
  await connection?.close();
  await plainConnection?.close();
  if (outboxDir) fs.rmSync(outboxDir, { recursive: true, force: true });
});

describe('personal data', () => {
  it('never appears in ids, search attributes, memos, details, logs or raw history', async () => {
    const customerId = `C-PD-${unique}`;
    const journeyId = journeyWorkflowId(customerId);
    const journey = client.workflow.getHandle(journeyId);

    // --- A journey with the contact, through the contract and a case to closing.
    const reached = await startOrReachJourney(
      client,
      {
        customerId,
        channel: 'email',
        inquiry: 'Booking system for 40 clinics',
        owner: 'sales-7',
        contact,
        policy: { calendar: ALWAYS_OPEN_CALENDAR },
      },
      { taskQueue },
    );
    expect(reached).toMatchObject({ journeyId, created: true });
    await journey.signal(inquiryAnsweredSignal, { agentId: 'sales-7' });
    await throughProposal((_step, update, arg) => journey.executeUpdate(update, { args: [arg] }));
    // A 20 % margin: a manager decides in the quote's approval workflow, which is scanned too.
    const quote = await journey.executeUpdate(submitQuoteUpdate, {
      args: [{ alternativeId: 'A', price: 100_000, cost: 80_000, currency: 'CNY' }],
    });
    await client.workflow
      .getHandle(quote.approvalWorkflowId!)
      .executeUpdate(decideQuoteUpdate, { args: [{ decision: 'approve', approverId: 'mgr-1' }] });
    await eventually('the approved quote', () => readJourney(client, customerId), {
      accept: (view) => view.stage === 'negotiation',
    });
    await journey.executeUpdate(signContractUpdate, {
      args: [{ contractId: 'K-PD', terms: { warrantyUntil: '2030-12-31', contractEnd: '2030-12-31' } }],
    });
    await journey.signal(deliveryConfirmedSignal, {});
    await eventually('the delivery', () => readJourney(client, customerId), {
      accept: (view) => view.stage === 'after-sales',
    });
    const { caseWorkflowId } = await reportIssue(client, customerId, {
      description: 'Booking page down',
      category: 'technical',
    });
    const caseHandle = client.workflow.getHandle(caseWorkflowId);
    await signalCase(client, caseWorkflowId, 'agentResponded', { agentId: 'agent-7' });
    await eventually('the first reply', () => caseHandle.query(getCaseQuery), {
      accept: (view) => view.stage === 'in-progress',
    });
    // --- Hostile probes carrying the contact: a start input the workflow refuses (its failure
    // is logged by the worker), a malformed signal (recorded in the timeline) and an update its
    // validator rejects. Their messages name fields, never values.
    const refusedId = `${journeyId}-refused`;
    const refused = await client.workflow.start('customerJourney', {
      taskQueue,
      workflowId: refusedId,
      args: [{ customerId, channel: 'fax' as 'email', inquiry: '', contact }],
    });
    const refusal = await refused.result().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(String((refusal as Error).cause)).toMatch(
      /Invalid customerJourney input: channel: must be one of/,
    );
    expect(personalDataIn(String((refusal as Error).cause))).toEqual([]);
    await caseHandle.signal('agentResponded', { agentId: contact.email });
    const rejection = await caseHandle
      .executeUpdate('closeCase', { args: [{ reason: contact.name, note: contact.phone }] })
      .then(
        () => undefined,
        (error: unknown) => (error as Error).cause,
      );
    expect(String(rejection)).toMatch(/Invalid closeCase: reason: must be one of/);
    expect(personalDataIn(String(rejection))).toEqual([]);

    await caseHandle.executeUpdate(resolveUpdate, { args: [{ type: 'advice', note: 'cache cleared' }] });
    expect(await sendFeedback(client, caseWorkflowId, { csat: 5, nps: 9, resolved: true })).toMatchObject({
      outcome: 'closed',
    });
    expect(((await caseHandle.result()) as CaseResult).outcome).toBe('closed-satisfied');
    await eventually('the journey to hear of the closed case', () => journey.query(getJourneyQuery), {
      accept: (view) => view.cases.length === 1 && view.cases[0]!.status === 'closed',
    });
    const quoteId = quote.approvalWorkflowId!;
    await journey.executeUpdate(closeJourneyUpdate, { args: [{ reason: 'contract fulfilled' }] });
    expect(((await journey.result()) as JourneyResult).outcome).toBe('closed');
    // The contact is in the journey's history, encrypted: decrypted with the codec it reads back.
    const [startedEvent] = await historyOf(plainClient, journeyId);
    const [startInput] = await codec.decode(
      startedEvent?.workflowExecutionStartedEventAttributes?.input?.payloads ?? [],
    );
    expect(defaultPayloadConverter.fromPayload<{ contact?: unknown }>(startInput!).contact).toEqual(contact);

    const workflowIds = [journeyId, caseWorkflowId, quoteId, refusedId];
    const findings: Record<string, string[]> = {};
    const record = (where: string, value: unknown) => {
      const found = personalDataIn(value);
      if (found.length > 0) findings[where] = found;
    };

    // --- Workflow ids.
    record('workflow ids', workflowIds);

    // --- Visibility: list (eventually consistent) and describe. Listed raw: the client's own
    // listing decodes every memo, and without the codec it cannot (the case's memo is encrypted).
    const query = `CustomerId = '${customerId}' OR ${workflowIds.map((id) => `WorkflowId = '${id}'`).join(' OR ')}`;
    const listed = await eventually(
      'the four workflows in visibility, closed',
      async () =>
        (await plainClient.workflowService.listWorkflowExecutions({ namespace: 'default', query }))
          .executions ?? [],
      {
        accept: (found) =>
          found.length === 4 &&
          found.every(
            (execution) =>
              execution.status !==
              temporal.api.enums.v1.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING,
          ),
      },
    );
    let searchAttributeValues = 0;
    const memos: { workflowId: string; field: string; payload: Payload }[] = [];
    for (const execution of listed) {
      const id = execution.execution?.workflowId ?? '';
      record(`visibility list: ${id}`, execution);
      const fields = execution.searchAttributes?.indexedFields ?? {};
      for (const [name, payload] of Object.entries(fields)) {
        searchAttributeValues += 1;
        record(`search attribute ${name} of ${id}`, defaultPayloadConverter.fromPayload(payload));
      }
      for (const [field, payload] of Object.entries(execution.memo?.fields ?? {})) {
        memos.push({ workflowId: id, field, payload });
      }
    }
    for (const workflowId of workflowIds) {
      // Raw as well: the client's describe decodes the memo, which needs the codec.
      const description = await plainClient.workflowService.describeWorkflowExecution({
        namespace: 'default',
        execution: { workflowId },
      });
      record(`describe: ${workflowId}`, description);
      const attributes = description.workflowExecutionInfo?.searchAttributes?.indexedFields ?? {};
      for (const [name, payload] of Object.entries(attributes)) {
        record(
          `described search attribute ${name} of ${workflowId}`,
          defaultPayloadConverter.fromPayload(payload),
        );
      }
      // What the Web UI shows as current details and handler descriptions (decrypted).
      record(
        `workflow metadata of ${workflowId}`,
        await client.workflow.getHandle(workflowId).query('__temporal_workflow_metadata'),
      );
    }
    // The memos are report figures (the closed case's, its SLA journal for the what-if replay, the
    // journey's pre-sales figures): encrypted like every payload, and no personal data once
    // decrypted.
    expect(memos.map(({ workflowId, field }) => [workflowId, field]).sort()).toEqual(
      [
        [caseWorkflowId, 'caseReport'],
        [caseWorkflowId, 'slaJournal'],
        [journeyId, 'journeyReport'],
      ].sort(),
    );
    for (const { workflowId, field, payload } of memos) {
      expect(Buffer.from(payload.metadata?.encoding ?? []).toString()).toBe(ENCRYPTED_ENCODING);
      const [decoded] = await codec.decode([payload]);
      const figures = defaultPayloadConverter.fromPayload<Record<string, unknown>>(decoded!);
      if (field === 'caseReport') expect((figures as CaseResult).caseId).toBe(caseWorkflowId);
      else if (field === 'slaJournal') expect(figures.entries).toBeDefined();
      else expect(figures.channel).toBeDefined();
      record(`memo ${field} of ${workflowId} (decrypted)`, figures);
    }

    // --- Raw histories, read without the codec: every payload encrypted, no personal data.
    const unencrypted: string[] = [];
    let payloads = 0;
    let events = 0;
    for (const workflowId of workflowIds) {
      const history = await historyOf(plainClient, workflowId);
      events += history.length;
      record(`raw history of ${workflowId}`, history);
      for (const { where, payload } of payloadsOf(history, workflowId)) {
        payloads += 1;
        // Patch markers are written by the SDK itself and hold only the patch's name (scanned
        // for personal data with the rest of the history above).
        if (where.includes('.markerRecordedEventAttributes.details.patch-data.')) continue;
        if (encodingOf(payload) !== ENCRYPTED_ENCODING) unencrypted.push(`${where}: ${encodingOf(payload)}`);
      }
    }
    expect(unencrypted, 'payloads stored without encryption').toEqual([]);

    // --- Logs: the worker's whole output (stopped gracefully first) and the dev server's.
    await worker.stop();
    const workerLog = worker.log;
    expect(workerLog).toContain('worker polling task queue');
    expect(workerLog).toContain(refusedId); // the refused start was logged, without the contact
    record('worker log', workerLog);
    const serverLog = path.join(inject('temporal').runDir, 'dev-server.log');
    if (fs.existsSync(serverLog)) record('dev server log', fs.readFileSync(serverLog, 'utf8'));

    expect(findings).toEqual({});

    // Where the contact does go: the handoff record to the CRM archive (sync-customer-archive),
    // outside Temporal. Every other integration request is free of it.
    const outbox = Object.fromEntries(
      fs.readdirSync(outboxDir).map((file) => [file, fs.readFileSync(path.join(outboxDir, file), 'utf8')]),
    );
    const outboxFindings = Object.entries(outbox)
      .flatMap(([file, text]) =>
        text
          .split('\n')
          .filter(Boolean)
          .map((line) => ({ file, line })),
      )
      .filter(({ line }) => personalDataIn(line).length > 0)
      .map(({ file, line }) => `${file}: ${(JSON.parse(line) as { operation: string }).operation}`);
    expect(outboxFindings.every((where) => where === 'crm.jsonl: sync-customer-archive')).toBe(true);

    report('personal data', {
      workflows: workflowIds.length,
      'search attribute values scanned': searchAttributeValues,
      'memos (encrypted report figures of the closed case and the journey)': memos.length,
      'raw history events / payloads (all encrypted)': `${events} / ${payloads}`,
      'worker log bytes scanned': workerLog.length,
      'personal data found in Temporal or logs': 0,
      'integration requests carrying the contact (outside Temporal)': outboxFindings,
    });
  }, 240_000);
});
