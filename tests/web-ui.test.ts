/**
 * Ops' flows in the real Temporal Web UI (2.42.1) of `npm start`, end to end in headless
 * Chromium: start a case and a journey from the Start Workflow form, read their current details
 * and decrypted input, send a signal and an update from the UI's forms, query the case, see a
 * wrong input fail readably, and save one of lib/saved-views.ts as a view.
 *
 * The product runs exactly as `npm start` runs it (scripts/start.ts under tsx), on free ports and
 * a fresh data folder, encrypted with the key it generates; the UI decrypts through its codec
 * server. Screenshots of every step go to tests/artifacts/web-ui/.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { Connection, type Client } from '@temporalio/client';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { savedViews } from '../lib/saved-views';
import {
  CASE_MESSAGES,
  closeCaseUpdate,
  type AfterSalesCaseInput,
} from '../workflows/after-sales-case/contract';
import { descriptionsOf, schemasOf } from '../workflows/kernel/messages';
import {
  closeJourneyUpdate,
  JOURNEY_MESSAGES,
  journeyWorkflowId,
} from '../workflows/customer-journey/contract';
import {
  ARTIFACTS_DIR,
  closeHandlerDialog,
  currentDetails,
  enterJson,
  handlerOption,
  historyRow,
  inputBox,
  metadataOf,
  newPage,
  openHandlerDialog,
  openHandlerPicker,
  openTab,
  pickHandler,
  POLL,
  productClient,
  rawHistory,
  resultBox,
  runPickedQuery,
  screenshot,
  shownJson,
  startProduct,
  startWorkflowFromForm,
  statusBadge,
  submitHandlerDialog,
  type RunningProduct,
} from './helpers/web-ui';
import { launchBrowser } from './helpers/browser';

const TASK_QUEUE = 'customer-journey';
const ENCRYPTED = 'binary/encrypted';
const tag = randomUUID().slice(0, 8);

/** The README's case input, under a workflow id of this test's own. */
const caseId = `case-C-1001-router-${tag}`;
const CASE_INPUT = {
  customerId: 'C-1001',
  description: 'Router drops the connection every hour',
  category: 'technical',
  severity: 'service-outage',
  scope: 'many-customers',
} satisfies AfterSalesCaseInput;

/** The README's journey input, for a customer of this test's own. */
const customerId = `C-WUI-${tag}`;
const journeyId = journeyWorkflowId(customerId);
const JOURNEY_INPUT = {
  customerId,
  channel: 'email',
  inquiry: 'Booking system for 40 clinics',
  owner: 'sales-7',
  contact: { name: 'Li Lei', email: 'li.lei@example.com' },
};

/** A wrong case input: an e-mail address as customer id and a severity that does not exist. */
const badCaseId = `case-C-1001-bad-${tag}`;
const BAD_CASE_INPUT = {
  customerId: 'li.lei@example.com',
  description: 'Router drops the connection every hour',
  severity: 'apocalyptic',
};

let product: RunningProduct;
let browser: Browser;
let page: Page;
let client: Client;
let raw: Connection;
const startedCases: string[] = [];
const startedJourneys: string[] = [];

const workflowUrl = (workflowId: string) =>
  `${product.uiUrl}/namespaces/default/workflows/${encodeURIComponent(workflowId)}`;

/**
 * The codec server's answer to the UI's next /encode (the UI encrypts what it sends through it);
 * awaited once the step has sent something.
 */
function codecEncode(): Promise<number> {
  const status = page
    .waitForResponse(
      (response) => response.url() === `${product.codecUrl}/encode` && response.request().method() === 'POST',
    )
    .then((response) => response.status());
  status.catch(() => undefined); // a step that fails before awaiting it reports its own error
  return status;
}

/** A test step; when it fails, the page as it was is saved next to the step screenshots. */
function step(name: string, run: () => Promise<void>): void {
  it(
    name,
    async () => {
      try {
        await run();
      } catch (error) {
        const slug = name
          .toLowerCase()
          .replace(/[^a-z0-9]+/g, '-')
          .slice(0, 60);
        await screenshot(page, `failed-${slug}`).catch(() => undefined);
        const exit = product?.exitCode();
        const state = exit === undefined ? 'still running' : `exited with ${exit} during the test`;
        console.error(`npm start (${state}) printed:\n${product?.output().slice(-4000)}`);
        throw error;
      }
    },
    240_000,
  );
}

/** Every handler of the case is listed with the description the workflow registered. */
async function expectCaseHandlers(listbox: Locator, kind: 'signal' | 'update'): Promise<void> {
  const descriptions: Record<string, string> = descriptionsOf(CASE_MESSAGES);
  for (const name of Object.keys(schemasOf(CASE_MESSAGES, kind))) {
    expect(await handlerOption(listbox, name).innerText()).toContain(descriptions[name]);
  }
}

describe('ops in the Web UI', () => {
  beforeAll(async () => {
    fs.rmSync(ARTIFACTS_DIR, { recursive: true, force: true });
    fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
    const { runDir, workflowBundlePath } = inject('temporal');
    product = await startProduct({ runDir, workflowBundlePath });
    raw = await Connection.connect({ address: product.address });
    client = await productClient(product);
    browser = await launchBrowser();
    page = await newPage(browser);
  }, 300_000);

  afterAll(async () => {
    try {
      // Close everything the test started, through a client with the product's key.
      const closing = await Promise.allSettled([
        ...startedCases.map(async (workflowId) => {
          const handle = client.workflow.getHandle(workflowId);
          if ((await handle.describe()).status.name !== 'RUNNING') return;
          await handle.executeUpdate(closeCaseUpdate, { args: [{ reason: 'other', note: 'web UI test' }] });
          expect((await handle.result()).outcome).toBe('closed-by-ops');
        }),
        ...startedJourneys.map(async (workflowId) => {
          const handle = client.workflow.getHandle(workflowId);
          if ((await handle.describe()).status.name !== 'RUNNING') return;
          await handle.executeUpdate(closeJourneyUpdate, { args: [{ reason: 'web UI test', force: true }] });
          expect((await handle.result()).outcome).toBe('closed');
        }),
      ]);
      for (const outcome of closing) if (outcome.status === 'rejected') throw outcome.reason;
    } finally {
      await browser?.close();
      await client?.connection.close();
      await raw?.close();
      if (product) {
        const code = await product.stop();
        expect(product.output()).toContain('stopping the Temporal dev server');
        expect(code).toBe(0);
      }
    }
  }, 180_000);

  step(
    '1. an afterSalesCase started from the Start Workflow form shows its details and decrypted input',
    async () => {
      const encoded = codecEncode();
      const toast = await startWorkflowFromForm(
        page,
        product.uiUrl,
        { workflowId: caseId, taskQueue: TASK_QUEUE, workflowType: 'afterSalesCase', input: CASE_INPUT },
        '1-case-start-form',
      );
      startedCases.push(caseId);
      // The form encrypted the input through the codec server before sending it.
      expect(await encoded).toBe(200);

      await toast.click();
      await page.getByRole('heading', { level: 1, name: caseId }).waitFor();
      await statusBadge(page, 'Running').waitFor();
      // Triage is done once the first-reply SLA timer runs.
      await historyRow(page, 'Timer Started', 'P1 first reply').waitFor();
      const input = inputBox(page);
      await input.filter({ hasText: '"customerId"' }).waitFor();
      expect(await shownJson(input)).toEqual(CASE_INPUT);
      await screenshot(page, '1-case-page');

      const details = await currentDetails(page);
      await details
        .getByText('After-sales case · P1 · technical / service-outage (many-customers)')
        .waitFor();
      await details.getByText(/Stage:\s*awaiting-reply/).waitFor();
      await details.getByText(/Team:\s*senior-engineers/).waitFor();
      const sla = details.getByRole('table');
      await sla.getByRole('columnheader', { name: 'SLA window' }).waitFor();
      await sla.getByRole('cell', { name: 'first reply (calendar)' }).waitFor();
      await sla.getByRole('cell', { name: 'resolution (calendar)' }).waitFor();
      await screenshot(page, '1-case-current-details');

      // What the server holds is ciphertext: read without the codec, the input is binary/encrypted.
      const events = await rawHistory(raw, caseId);
      const stored = events[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
      expect(metadataOf(stored).encoding).toBe(ENCRYPTED);
      expect(Buffer.from(stored!.data!).toString('latin1')).not.toContain('Router drops');
    },
  );

  step(
    '2. a customerJourney started from the form shows its details, decrypted input and handlers',
    async () => {
      const encoded = codecEncode();
      const toast = await startWorkflowFromForm(
        page,
        product.uiUrl,
        {
          workflowId: journeyId,
          taskQueue: TASK_QUEUE,
          workflowType: 'customerJourney',
          input: JOURNEY_INPUT,
        },
        '2-journey-start-form',
      );
      startedJourneys.push(journeyId);
      expect(await encoded).toBe(200);

      await toast.click();
      await page.getByRole('heading', { level: 1, name: journeyId }).waitFor();
      await statusBadge(page, 'Running').waitFor();
      // The first workflow task is done once the search attributes are upserted (with the details).
      await historyRow(page, 'Upsert Workflow Search Attributes').waitFor();
      const input = inputBox(page);
      await input.filter({ hasText: '"customerId"' }).waitFor();
      // Personal data (the contact) is readable here only because the UI decrypts it.
      expect(await shownJson(input)).toEqual(JOURNEY_INPUT);
      await screenshot(page, '2-journey-page');

      const details = await currentDetails(page);
      await details.getByText(`Customer journey · ${customerId} · email · owner sales-7`).waitFor();
      await details.getByText(/Stage:\s*inquiry/).waitFor();
      await screenshot(page, '2-journey-current-details');

      // Its signals and updates, each with the description ops read before sending it.
      for (const kind of ['signal', 'update'] as const) {
        const dialog = await openHandlerDialog(page, kind);
        const listbox = await openHandlerPicker(dialog, kind);
        const descriptions: Record<string, string> = descriptionsOf(JOURNEY_MESSAGES);
        for (const name of Object.keys(schemasOf(JOURNEY_MESSAGES, kind))) {
          const option = handlerOption(listbox, name);
          expect(await option.innerText()).toContain(descriptions[name]);
        }
        await screenshot(page, `2-journey-${kind}-handlers`);
        await closeHandlerDialog(dialog, kind);
      }

      const events = await rawHistory(raw, journeyId);
      const stored = events[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
      expect(metadataOf(stored).encoding).toBe(ENCRYPTED);
      expect(Buffer.from(stored!.data!).toString('latin1')).not.toContain('li.lei@example.com');
    },
  );

  step('3. agentResponded sent from the signal form moves the case to in-progress', async () => {
    await page.goto(workflowUrl(caseId));
    await statusBadge(page, 'Running').waitFor();

    const dialog = await openHandlerDialog(page, 'signal');
    const listbox = await openHandlerPicker(dialog, 'signal');
    await expectCaseHandlers(listbox, 'signal');
    await screenshot(page, '3-signal-handlers');
    await pickHandler(dialog, listbox, 'signal', 'agentResponded');
    const encoded = codecEncode();
    await submitHandlerDialog(page, dialog, 'signal', { agentId: 'agent-7' }, '3-signal-form');
    expect(await encoded).toBe(200);
    const signaled = historyRow(page, 'Workflow Execution Signaled', 'agentResponded');
    await signaled.waitFor();
    await signaled.scrollIntoViewIfNeeded();
    await screenshot(page, '3-signal-sent');

    // The Queries tab: every query with its description, and getCase's answer.
    await openTab(page, 'Queries');
    const queries = await openHandlerPicker(page, 'query');
    for (const name of ['getCase', 'getTimeline'] as const) {
      const option = handlerOption(queries, name);
      expect(await option.innerText()).toContain(CASE_MESSAGES[name].description);
    }
    await pickHandler(page, queries, 'query', 'getCase');
    const result = await runPickedQuery(page, '"stage": "in-progress"');
    expect(await result.innerText()).toContain('"caseId": "' + caseId + '"');
    await screenshot(page, '3-query-in-progress');

    const details = await currentDetails(page);
    await details.getByText(/Stage:\s*in-progress/).waitFor();
    await screenshot(page, '3-current-details-in-progress');

    // The UI sent the signal's input encrypted.
    const signal = (await rawHistory(raw, caseId)).find(
      (event) => event.workflowExecutionSignaledEventAttributes,
    );
    const stored = signal?.workflowExecutionSignaledEventAttributes?.input?.payloads?.[0];
    expect(metadataOf(stored).encoding).toBe(ENCRYPTED);
  });

  step(
    '4. the update form refuses a wrong resolve; a right one answers and moves the case to revisit',
    async () => {
      await page.goto(workflowUrl(caseId));
      await statusBadge(page, 'Running').waitFor();

      // A wrong request first: the validator refuses it, the form stays open with the reason and
      // nothing reaches the history. Validation messages name fields and rules, never values, so
      // the failure converter leaves them readable (UI 2.42.1 does not decrypt this one).
      const refused = await openHandlerDialog(page, 'update');
      await pickHandler(refused, await openHandlerPicker(refused, 'update'), 'update', 'resolve');
      await enterJson(refused, { type: 'teleport' });
      await refused.getByRole('button', { name: 'Submit' }).click();
      await refused
        .getByRole('alert')
        .filter({ hasText: 'Invalid resolve: type: must be one of repair, replace, refund, advice' })
        .waitFor();
      await screenshot(page, '4-update-refused');
      await closeHandlerDialog(refused, 'update');
      const before = await rawHistory(raw, caseId);
      expect(before.some((event) => event.workflowExecutionUpdateAcceptedEventAttributes)).toBe(false);

      const dialog = await openHandlerDialog(page, 'update');
      const listbox = await openHandlerPicker(dialog, 'update');
      await expectCaseHandlers(listbox, 'update');
      await screenshot(page, '4-update-handlers');
      await pickHandler(dialog, listbox, 'update', 'resolve');
      const encoded = codecEncode();
      await submitHandlerDialog(
        page,
        dialog,
        'update',
        { type: 'advice', note: 'cache cleared' },
        '4-update-form',
      );
      expect(await encoded).toBe(200);
      // The update's result, decrypted, in the history.
      const completed = historyRow(page, 'Workflow Execution Update Completed', '"stage":"revisit"');
      await completed.waitFor();
      await historyRow(page, 'Workflow Execution Update Completed', '"status":"resolved"').waitFor();
      await completed.scrollIntoViewIfNeeded();
      await screenshot(page, '4-update-result');

      await openTab(page, 'Queries');
      await pickHandler(page, await openHandlerPicker(page, 'query'), 'query', 'getCase');
      const result = await runPickedQuery(page, '"stage": "revisit"');
      expect(await result.innerText()).toContain('"resolution": {');
      await screenshot(page, '4-query-revisit');

      const details = await currentDetails(page);
      await details.getByText(/Stage:\s*revisit/).waitFor();
      await details.getByText(/Resolution:\s*advice \(advice given\)/).waitFor();
      await details.getByRole('cell', { name: '48-hour revisit (calendar)' }).waitFor();
      await screenshot(page, '4-current-details-revisit');

      // The update's request and its answer are stored encrypted.
      const events = await rawHistory(raw, caseId);
      const accepted = events.find(
        (event) => event.workflowExecutionUpdateAcceptedEventAttributes,
      )?.workflowExecutionUpdateAcceptedEventAttributes;
      expect(accepted?.acceptedRequest?.input?.name).toBe('resolve');
      expect(metadataOf(accepted?.acceptedRequest?.input?.args?.payloads?.[0]).encoding).toBe(ENCRYPTED);
      const outcome = events.find((event) => event.workflowExecutionUpdateCompletedEventAttributes)
        ?.workflowExecutionUpdateCompletedEventAttributes?.outcome;
      expect(metadataOf(outcome?.success?.payloads?.[0]).encoding).toBe(ENCRYPTED);
    },
  );

  step('5. a wrong input in the Start form fails the case with a readable, decrypted message', async () => {
    const toast = await startWorkflowFromForm(
      page,
      product.uiUrl,
      { workflowId: badCaseId, taskQueue: TASK_QUEUE, workflowType: 'afterSalesCase', input: BAD_CASE_INPUT },
      '5-start-form-wrong-input',
    );
    startedCases.push(badCaseId);
    await toast.click();
    await page.getByRole('heading', { level: 1, name: badCaseId }).waitFor();
    await statusBadge(page, 'Failed').waitFor();
    const result = resultBox(page);
    await result.filter({ hasText: 'Invalid afterSalesCase input: ' }).waitFor();
    const shown = await result.innerText();
    expect(shown).toContain('customerId: must be an opaque CRM id (letters, digits, . _ : -)');
    expect(shown).toContain(
      'severity: must be one of cosmetic, function-failure, service-outage, safety-hazard',
    );
    await screenshot(page, '5-failed-wrong-input');

    // A validation failure is stored readable (it names fields, never values): the wrong
    // customer id the ops person typed does not appear in it.
    const failed = (await rawHistory(raw, badCaseId)).find(
      (event) => event.workflowExecutionFailedEventAttributes,
    )?.workflowExecutionFailedEventAttributes?.failure;
    expect(failed?.message).toContain('Invalid afterSalesCase input: customerId: must be an opaque CRM id');
    expect(failed?.message).not.toContain(BAD_CASE_INPUT.customerId);
    expect(failed?.encodedAttributes).toBeFalsy();
  });

  step(
    'a saved view of lib/saved-views.ts, pasted into the filter box and saved, lists the case',
    async () => {
      const view = savedViews(new Date()).find((candidate) => candidate.name === 'Open P1 cases')!;
      await page.goto(`${product.uiUrl}/namespaces/default/workflows`);
      await page.getByRole('button', { name: 'Start Workflow' }).waitFor();
      await page.getByTestId('toggle-manual-query').click();
      await page.getByPlaceholder('Enter a query').fill(view.query);
      await page.getByRole('button', { name: 'Search', exact: true }).click();
      await page.waitForURL(/[?&]query=/);
      // Filtered: the failed case (not running) leaves the list, the open P1 case stays.
      await page.getByRole('link', { name: badCaseId, exact: true }).waitFor({ state: 'detached' });
      await page.getByRole('link', { name: caseId, exact: true }).waitFor();
      await page.getByRole('button', { name: 'Save as New' }).click();
      const dialog = page.getByRole('dialog', { name: 'Save as New View' });
      await dialog.getByLabel('Name').fill(view.name);
      await dialog.getByRole('button', { name: 'Save', exact: true }).click();
      await dialog.waitFor({ state: 'hidden' });
      await page.getByRole('button', { name: view.name }).waitFor();
      await expect
        // The UI keeps saved views in the browser's localStorage, per namespace.
        .poll(() => page.evaluate<string | null>("localStorage.getItem('saved-workflow-queries')"), POLL)
        .toContain(view.name);
      await screenshot(page, '6-saved-view-open-p1-cases');
    },
  );
});
