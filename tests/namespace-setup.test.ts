/**
 * A namespace without our search attributes, as on a cluster nobody set up: the worker refuses it
 * at start with one message saying what is missing and what to run; `npm run setup-namespace`
 * registers what is missing (namespace included), again and again without harm, and says what
 * to add by hand where the server will not.
 *
 * Runs on a dev server of its own, started without any custom search attribute.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import Long from 'long';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkNamespace, isReady } from '../lib/namespace-setup';
import { startDevServer, type RunningServer } from '../local/temporal-runtime';
import { preflight, PreflightError } from '../worker';
import { allSearchAttributeKeys } from '../workflows/kernel/search-attributes';

const root = path.resolve(__dirname, '..');
const { IndexedValueType } = temporal.api.enums.v1;

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a product command the way npm does (tsx), against the bare server. */
function runCommand(script: string, env: Record<string, string>): Promise<Finished> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, script)], {
    cwd: root,
    env: { ...process.env, TEMPORAL_PROFILE: '', TEMPORAL_NAMESPACE: '', CJ_CODEC_KEYS: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

describe('a namespace nobody set up', () => {
  let server: RunningServer;
  let connection: Connection;
  let env: Record<string, string>;

  beforeAll(async () => {
    server = await startDevServer({ searchAttributes: [], headless: true });
    connection = await Connection.connect({ address: server.address });
    env = { TEMPORAL_ADDRESS: server.address };
  });
  afterAll(async () => {
    await connection?.close();
    await server?.stop();
  });

  it('stops the worker at start with one message listing every missing attribute and the command to run', async () => {
    const worker = await runCommand('worker.ts', env);
    expect(worker.code).toBe(1);
    expect(worker.stderr).toContain('Namespace "default" is not ready for the customer-journey workflows');
    expect(worker.stderr).toContain(`${allSearchAttributeKeys.length} custom search attribute(s) missing`);
    expect(worker.stderr).toContain('CustomerId (Keyword)');
    expect(worker.stderr).toContain('BreachedWindows (KeywordList)');
    expect(worker.stderr).toContain('Run `npm run setup-namespace`');
    expect(worker.stdout).not.toContain('worker polling');
  });

  it('npm run setup-namespace adds every attribute with its type; a second run changes nothing', async () => {
    const first = await runCommand('scripts/setup-namespace.ts', env);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(
      `ready: ${allSearchAttributeKeys.length} search attribute(s) added, 0 already present`,
    );
    const { customAttributes } = await connection.operatorService.listSearchAttributes({
      namespace: 'default',
    });
    expect(customAttributes?.CustomerId).toBe(IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
    expect(customAttributes?.NextDeadlineAt).toBe(IndexedValueType.INDEXED_VALUE_TYPE_DATETIME);

    const second = await runCommand('scripts/setup-namespace.ts', env);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain(
      `ready: 0 search attribute(s) added, ${allSearchAttributeKeys.length} already present`,
    );
    await expect(preflight(connection, 'default')).resolves.toBeUndefined();
  });

  it('registers a missing namespace with its attributes; the preflight then passes', async () => {
    const namespace = 'cj-setup-fresh';
    await expect(preflight(connection, namespace)).rejects.toThrow('the namespace does not exist');
    const setup = await runCommand('scripts/setup-namespace.ts', { ...env, TEMPORAL_NAMESPACE: namespace });
    expect(setup.code).toBe(0);
    expect(setup.stdout).toContain(`registering namespace "${namespace}" (closed workflows kept 30 days)`);
    expect(setup.stdout).toContain('ready: namespace registered;');
    expect(isReady(await checkNamespace(connection, namespace, allSearchAttributeKeys))).toBe(true);
  });

  it('names an attribute registered with another type: it cannot be changed in place', async () => {
    const namespace = 'cj-setup-conflict';
    await connection.workflowService.registerNamespace({
      namespace,
      workflowExecutionRetentionPeriod: { seconds: Long.fromNumber(86_400) },
    });
    await waitFor(() => checkNamespace(connection, namespace, []).then((report) => report.exists));
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: { CustomerId: IndexedValueType.INDEXED_VALUE_TYPE_TEXT },
    });
    const error = await preflight(connection, namespace).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PreflightError);
    expect((error as Error).message).toContain(
      'search attribute CustomerId is a Text, the workflows write a Keyword; a type cannot be changed in place',
    );
    const setup = await runCommand('scripts/setup-namespace.ts', { ...env, TEMPORAL_NAMESPACE: namespace });
    expect(setup.code).toBe(1);
    expect(setup.stderr).toContain('search attribute CustomerId is a Text');
  });

  it('where the server refuses, prints exactly which attributes and types to add, and exits 2', async () => {
    // A namespace whose Keyword columns are used up: the server says no, as Temporal Cloud does.
    const namespace = 'cj-setup-full';
    await connection.workflowService.registerNamespace({
      namespace,
      workflowExecutionRetentionPeriod: { seconds: Long.fromNumber(86_400) },
    });
    await waitFor(() => checkNamespace(connection, namespace, []).then((report) => report.exists));
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(
        Array.from({ length: 10 }, (_, i) => [
          `OtherKeyword${i}`,
          IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
        ]),
      ),
    });
    const setup = await runCommand('scripts/setup-namespace.ts', { ...env, TEMPORAL_NAMESPACE: namespace });
    expect(setup.code).toBe(2);
    expect(setup.stderr).toContain('The server did not make the changes:');
    expect(setup.stderr).toContain(
      `Add these custom search attributes to namespace "${namespace}" (name, type):`,
    );
    for (const key of allSearchAttributeKeys)
      expect(setup.stderr).toMatch(new RegExp(`\\b${key.name}\\s+\\w+`));
    expect(setup.stderr).toContain('--search-attribute "CustomerId=Keyword"');
    expect(setup.stderr).toContain('temporal operator search-attribute create');
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
