/**
 * Helpers for driving the real Temporal Web UI (2.42.1, a SvelteKit app) of `npm start` in
 * headless Chromium: the product as a child process, the browser, and the few UI gestures ops
 * make (the Start Workflow form, the signal / update / query forms, the workflow page).
 *
 * Every wait is on a UI state (a toast, a history row, a rendered result), never on a sleep.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import type { Browser, FrameLocator, Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import { loadDataConverter } from '../../lib/data-converter';
import { freePort } from '../../local/temporal-runtime';

const root = path.resolve(__dirname, '../..');
const READY_TIMEOUT_MS = 180_000;
/** For `expect.poll` on UI state: generous, the machine is shared with heavy test runs. */
export const POLL = { timeout: 60_000, interval: 100 };

/** Where the screenshots of the Web UI flows go (git-ignored). */
export const ARTIFACTS_DIR = path.join(root, 'tests/artifacts/web-ui');

export interface RunningProduct {
  /** `http://localhost:<CJ_UI_PORT>`: the origin the codec server accepts. */
  uiUrl: string;
  codecUrl: string;
  /** gRPC frontend of the product's own dev server. */
  address: string;
  dataDir: string;
  ports: { dev: number; ui: number; codec: number };
  /** The key `npm start` generated: `<dataDir>/codec-keys.json`. */
  keyFile: string;
  /** Everything the product printed so far (stdout and stderr). */
  output(): string;
  /** Its exit code once it has exited (`null` after a signal), `undefined` while it runs. */
  exitCode(): number | null | undefined;
  /** Ctrl-C, then waits for the process to exit; resolves with its exit code. */
  stop(): Promise<number | null>;
}

/**
 * Runs `npm start`'s script (scripts/start.ts under tsx, as `npm start` does) on free ports and a
 * fresh data folder, or on those of an earlier run (`again`: a restart), and resolves once its
 * worker polls.
 */
export async function startProduct(options: {
  runDir: string;
  workflowBundlePath: string;
  again?: RunningProduct;
  /** Ports to ask for (a test of taken ports); free ones otherwise. */
  ports?: RunningProduct['ports'];
}): Promise<RunningProduct> {
  const dataDir = options.again?.dataDir ?? fs.mkdtempSync(path.join(options.runDir, 'product-'));
  const ports = options.again?.ports ??
    options.ports ?? {
      dev: await freePort(),
      ui: await freePort(),
      codec: await freePort(),
    };
  const { dev: port, ui: uiPort, codec: codecPort } = ports;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    // The embedded default: no address, no profile, no codec setting (so a key is generated).
    TEMPORAL_ADDRESS: '',
    TEMPORAL_PROFILE: '',
    TEMPORAL_NAMESPACE: '',
    CJ_TASK_QUEUE: '',
    CJ_DATA_DIR: dataDir,
    CJ_DEV_SERVER_PORT: String(port),
    CJ_UI_PORT: String(uiPort),
    CJ_CODEC_PORT: String(codecPort),
    CJ_CODEC_KEYS: '',
    CJ_CODEC_KEY_FILE: '',
    CJ_CODEC_ACTIVE_KEY: '',
    CJ_CODEC_AUTH_TOKEN: '',
    CJ_CODEC_CORS_ORIGIN: '',
    CJ_UI_CODEC_ENDPOINT: '',
    // The outbox follows CJ_DATA_DIR, so the test's requests stay out of the repo's data/.
    CJ_INTEGRATION_MODE: 'outbox',
    CJ_OUTBOX_DIR: '',
    CJ_WORKFLOW_BUNDLE: options.workflowBundlePath,
  };
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'scripts/start.ts')], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let exitCode: number | null | undefined;
  let onChange: () => void = () => undefined;
  const append = (chunk: Buffer) => {
    output += chunk.toString();
    onChange();
  };
  child.stdout.on('data', append);
  child.stderr.on('data', append);
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      exitCode = code;
      onChange();
      resolve(code);
    }),
  );
  const stop = async () => {
    if (exitCode === undefined) child.kill('SIGINT');
    return await exited;
  };
  // Ready once the worker polls (the last line npm start prints); a start that fails says why.
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`npm start did not get ready in ${READY_TIMEOUT_MS} ms:\n${output}`)),
      READY_TIMEOUT_MS,
    );
    onChange = () => {
      if (output.includes('worker polling task queue')) resolve();
      else if (exitCode !== undefined) reject(new Error(`npm start exited with ${exitCode}:\n${output}`));
      else return;
      clearTimeout(timer);
    };
  });
  try {
    await ready;
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    uiUrl: `http://localhost:${uiPort}`,
    codecUrl: `http://localhost:${codecPort}`,
    address: `127.0.0.1:${port}`,
    dataDir,
    ports,
    keyFile: path.join(dataDir, 'codec-keys.json'),
    output: () => output,
    exitCode: () => exitCode,
    stop,
  };
}

/** A client that reads and writes what the product encrypts: its data converter and its key. */
export async function productClient(product: RunningProduct): Promise<Client> {
  const { dataConverter } = loadDataConverter({ CJ_CODEC_KEY_FILE: product.keyFile });
  if (!dataConverter) throw new Error(`no key in ${product.keyFile}`);
  const connection = await Connection.connect({ address: product.address });
  return new Client({ connection, namespace: 'default', dataConverter });
}

/** The history exactly as the server stores it: a plain connection, no codec. */
export async function rawHistory(
  connection: Connection,
  workflowId: string,
): Promise<temporal.api.history.v1.IHistoryEvent[]> {
  const { history } = await connection.workflowService.getWorkflowExecutionHistory({
    namespace: 'default',
    execution: { workflowId },
  });
  return history?.events ?? [];
}

/** A payload's metadata as text, e.g. `{ encoding: 'binary/encrypted', 'encryption-key-id': … }`. */
export function metadataOf(
  payload: temporal.api.common.v1.IPayload | null | undefined,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(payload?.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value).toString('utf8')]),
  );
}

/** A page with generous timeouts: the machine is shared with heavy test runs. */
export async function newPage(browser: Browser): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  page.setDefaultTimeout(60_000);
  page.setDefaultNavigationTimeout(120_000);
  return page;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS_DIR, `${name}.png`), fullPage: true });
}

/**
 * Types JSON into one of the UI's CodeMirror editors (the Start form's Data, a signal's or an
 * update's input) the way a paste does, then leaves the editor: on blur the UI reformats the
 * JSON, which moves the buttons below it, so the next click must come after that.
 */
export async function enterJson(scope: Locator, value: unknown): Promise<void> {
  const editor = scope.locator('.cm-content[contenteditable="true"]');
  await editor.click();
  // Replaces whatever the editor held (the form may keep the last start's input).
  await scope.page().keyboard.press('ControlOrMeta+A');
  await scope.page().keyboard.insertText(JSON.stringify(value, null, 2));
  await editor.blur();
  expect(JSON.parse(await editor.innerText())).toEqual(value);
}

/** The JSON a read-only CodeMirror view shows (the Input and Result boxes, a query result). */
export async function shownJson(view: Locator): Promise<unknown> {
  return JSON.parse(await view.innerText());
}

/**
 * Fills in the Start Workflow form (reached with the list's Start Workflow button) and submits
 * it; resolves on the "Workflow started successfully" toast, which links to the workflow.
 */
export async function startWorkflowFromForm(
  page: Page,
  uiUrl: string,
  start: { workflowId: string; taskQueue: string; workflowType: string; input: unknown },
  screenshotName?: string,
): Promise<Locator> {
  await page.goto(`${uiUrl}/namespaces/default/workflows`);
  await page.getByRole('button', { name: 'Start Workflow' }).click();
  await page.getByRole('heading', { name: 'Start a Workflow' }).waitFor();
  await page.getByLabel('Workflow ID').fill(start.workflowId);
  await page.getByLabel('Task Queue').fill(start.taskQueue);
  await page.getByLabel('Workflow Type').fill(start.workflowType);
  // Leaving the task queue field looks it up: our worker polls it.
  await page.getByText('Task Queue is Active').waitFor();
  await enterJson(page.locator('main'), start.input);
  if (screenshotName) await screenshot(page, screenshotName);
  await page.getByRole('button', { name: 'Start Workflow' }).click();
  const toast = page.getByRole('link', { name: 'Workflow started successfully' });
  await toast.waitFor();
  return toast;
}

/** The workflow page's status badge, e.g. Running or Failed. */
export function statusBadge(page: Page, status: string): Locator {
  return page.locator('main header').getByText(status, { exact: true }).first();
}

/** The Input box of the workflow page (its JSON as decoded through the codec server). */
export function inputBox(page: Page): Locator {
  return page.getByTestId('input-and-result').getByRole('textbox').first();
}

/** The Result box of the workflow page (a result or the failure). */
export function resultBox(page: Page): Locator {
  return page.getByTestId('input-and-result').getByRole('textbox').nth(1);
}

/** A row of the event history table. */
export function historyRow(page: Page, eventType: string, text?: string): Locator {
  const rows = page.getByRole('row').filter({ hasText: eventType });
  return (text ? rows.filter({ hasText: text }) : rows).first();
}

export async function openTab(page: Page, name: string): Promise<void> {
  await page.getByRole('tab', { name }).click();
  await expect.poll(() => page.getByRole('tab', { name }).getAttribute('aria-selected'), POLL).toBe('true');
}

/** The Markdown the workflow set with setCurrentDetails, as the User Metadata tab renders it. */
export async function currentDetails(page: Page): Promise<FrameLocator> {
  await openTab(page, 'User Metadata');
  await page.getByRole('heading', { name: 'Current Details' }).waitFor();
  return page.frameLocator('iframe[title="output"]');
}

export type HandlerKind = 'signal' | 'update' | 'query';

/** Opens More Actions → Send a Signal / Send an Update; resolves with the dialog. */
export async function openHandlerDialog(page: Page, kind: 'signal' | 'update'): Promise<Locator> {
  const title = kind === 'signal' ? 'Send a Signal' : 'Send an Update';
  await page.getByRole('button', { name: 'More Actions' }).click();
  await page.getByRole('menuitem', { name: title }).click();
  const dialog = page.getByRole('dialog', { name: title });
  await dialog.waitFor();
  return dialog;
}

/**
 * Opens a handler picker (a signal or update dialog's, or the Queries tab's) and returns its
 * list: one option per handler the workflow registered, its name and then its description.
 */
export async function openHandlerPicker(scope: Page | Locator, kind: HandlerKind): Promise<Locator> {
  await scope.getByTestId(`${kind}-select-button`).click();
  const listbox = scope.getByRole('listbox');
  await listbox.waitFor();
  return listbox;
}

export function handlerOption(listbox: Locator, name: string): Locator {
  return listbox.getByRole('option', { name: new RegExp(`^${name}(\\s|$)`) });
}

/** Picks a handler in an open picker and waits until the picker shows it. */
export async function pickHandler(
  scope: Page | Locator,
  listbox: Locator,
  kind: HandlerKind,
  name: string,
): Promise<void> {
  await handlerOption(listbox, name).click();
  await expect.poll(() => scope.getByTestId(`${kind}-select`).inputValue(), POLL).toBe(name);
}

/** Closes a signal or update dialog without sending anything (its picker may be open). */
export async function closeHandlerDialog(dialog: Locator, kind: 'signal' | 'update'): Promise<void> {
  const listbox = dialog.getByRole('listbox');
  if (await listbox.isVisible()) {
    await dialog.getByTestId(`${kind}-select-button`).click();
    await listbox.waitFor({ state: 'hidden' });
  }
  // The form's Cancel button (the dialog's × is labelled Cancel too).
  await dialog.locator('form').getByRole('button', { name: 'Cancel', exact: true }).click();
  await dialog.waitFor({ state: 'hidden' });
}

/** Enters the JSON and submits a signal or update dialog; resolves on the UI's success toast. */
export async function submitHandlerDialog(
  page: Page,
  dialog: Locator,
  kind: 'signal' | 'update',
  input: unknown,
  screenshotName?: string,
): Promise<void> {
  await enterJson(dialog, input);
  if (screenshotName) await screenshot(page, screenshotName);
  await dialog.getByRole('button', { name: 'Submit' }).click();
  await page.getByText(kind === 'signal' ? 'Workflow signaled.' : 'Update successful').waitFor();
  await dialog.waitFor({ state: 'hidden' });
}

/** Runs the picked query from the Queries tab; resolves with the result once it shows `expected`. */
export async function runPickedQuery(page: Page, expected: string): Promise<Locator> {
  await page.getByRole('button', { name: /^(Run|Refresh) Query$/ }).click();
  const result = page.getByTestId('query-result').getByRole('textbox');
  await result.filter({ hasText: expected }).waitFor();
  return result;
}
