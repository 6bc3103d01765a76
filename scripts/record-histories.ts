/**
 * `npm run record-histories [-- <scenario> ...]`: records the histories the replay suite
 * (`tests/replay.test.ts`) replays against every later version of the workflow code.
 *
 * Starts its own time-skipping test server (with our search attributes), bundles `workflows/`,
 * runs each scenario of `tests/replay/scenarios.ts` with a worker of its own (fake activities
 * that answer like the real systems), then fetches the history of the scenario's workflow, of
 * every later run of it (continue-as-new) and of every child it started, and writes each to
 * `tests/histories/<scenario>[.run-N|.<child>].json`. Only complete (closed) histories are
 * written. Without arguments every scenario is recorded; a scenario's earlier files are replaced,
 * files of other scenarios and subfolders (archived histories) are left alone.
 *
 * Re-record only when a scenario itself changes or a new one is added: a workflow change that
 * breaks the replay of an existing history needs `patched()`, not new histories.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { WorkflowClient } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { historyToJson } from '../lib/replay/history-json';
import { startTimeSkippingEnvironment } from '../local/temporal-runtime';
import { allSearchAttributeKeys } from '../workflows/kernel/search-attributes';
import { ActivityRecorder } from '../tests/helpers/fake-activities';
import { HISTORIES_DIR } from '../tests/replay/history-files';
import {
  expectedHistoryFiles,
  SCENARIOS,
  type Scenario,
  type ScenarioContext,
  type ScenarioRoot,
} from '../tests/replay/scenarios';
import { bundleWorkflows } from '../lib/bundle';

type History = temporal.api.history.v1.IHistory;

interface RecordedHistory {
  /** File stem in tests/histories/. */
  file: string;
  workflowId: string;
  runId: string;
  history: History;
}

/** Runs one scenario with a worker of its own; returns its root workflow. */
async function runScenario(
  recording: TestWorkflowEnvironment,
  code: string,
  scenario: Scenario,
): Promise<ScenarioRoot> {
  const taskQueue = `replay-${scenario.name}`;
  const fakes = new ActivityRecorder(scenario.activities);
  const worker = await Worker.create({
    connection: recording.nativeConnection,
    taskQueue,
    workflowBundle: { code },
    activities: fakes.activities,
  });
  const ctx: ScenarioContext = {
    client: recording.client.workflow,
    taskQueue,
    sleep: (ms) => recording.sleep(ms),
    now: () => recording.currentTimeMs(),
  };
  return await worker.runUntil(scenario.run(ctx));
}

/** Whether an event closes its run (completed, failed or continued as new). */
function isClosing(event: temporal.api.history.v1.IHistoryEvent | undefined): boolean {
  return Boolean(
    event?.workflowExecutionCompletedEventAttributes ??
    event?.workflowExecutionFailedEventAttributes ??
    event?.workflowExecutionContinuedAsNewEventAttributes,
  );
}

function lastSegment(workflowId: string): string {
  return workflowId.slice(workflowId.lastIndexOf('/') + 1);
}

/**
 * The histories of a scenario: its root workflow, every run after a continue-as-new, and every
 * child any of them started (recursively). Each must be closed: a running workflow would give
 * an incomplete history, so the scenario must close what it starts.
 */
async function collectHistories(
  client: WorkflowClient,
  scenario: Scenario,
  start: ScenarioRoot,
): Promise<RecordedHistory[]> {
  const recorded: RecordedHistory[] = [];
  const queue = [{ file: scenario.name, workflowId: start.workflowId, runId: start.firstExecutionRunId }];
  for (let next = queue.shift(); next; next = queue.shift()) {
    let runId: string | undefined = next.runId;
    for (let run = 1; runId; run++) {
      const history: History = await client.getHandle(next.workflowId, runId).fetchHistory();
      const events: temporal.api.history.v1.IHistoryEvent[] = history.events ?? [];
      const last = events.at(-1);
      if (!isClosing(last)) {
        throw new Error(
          `${scenario.name}: ${next.workflowId} (run ${runId}) is not closed; the scenario must close what it starts`,
        );
      }
      const file = run === 1 ? next.file : `${next.file}.run-${run}`;
      recorded.push({ file, workflowId: next.workflowId, runId, history });
      for (const event of events) {
        const child = event.childWorkflowExecutionStartedEventAttributes?.workflowExecution;
        if (child?.workflowId && child.runId) {
          queue.push({
            file: `${scenario.name}.${lastSegment(child.workflowId)}`,
            workflowId: child.workflowId,
            runId: child.runId,
          });
        }
      }
      runId = last?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
    }
  }
  const files = recorded.map((entry) => entry.file);
  const duplicate = files.find((file, index) => files.indexOf(file) !== index);
  if (duplicate) throw new Error(`${scenario.name}: two histories would be written to ${duplicate}.json`);
  const missing = expectedHistoryFiles(scenario).filter((file) => !files.includes(file));
  if (missing.length > 0) {
    throw new Error(
      `${scenario.name}: expected histories ${missing.join(', ')} were not produced (got ${files.join(', ')})`,
    );
  }
  return recorded;
}

/** Removes a scenario's earlier files (top level only: subfolders hold archived histories). */
function removeEarlierFiles(scenario: Scenario): void {
  for (const file of fs.readdirSync(HISTORIES_DIR)) {
    if (
      file === `${scenario.name}.json` ||
      (file.startsWith(`${scenario.name}.`) && file.endsWith('.json'))
    ) {
      fs.rmSync(path.join(HISTORIES_DIR, file));
    }
  }
}

function writeHistory(entry: RecordedHistory): { events: number; bytes: number } {
  const { events } = historyToJson(entry.history);
  const text = `${JSON.stringify({ workflowId: entry.workflowId, events }, null, 2)}\n`;
  fs.writeFileSync(path.join(HISTORIES_DIR, `${entry.file}.json`), text);
  return { events: events.length, bytes: Buffer.byteLength(text) };
}

function selectScenarios(names: string[]): readonly Scenario[] {
  if (names.length === 0) return SCENARIOS;
  const unknown = names.filter((name) => !SCENARIOS.some((scenario) => scenario.name === name));
  if (unknown.length > 0) {
    throw new Error(
      `unknown scenario(s) ${unknown.join(', ')}; known: ${SCENARIOS.map((scenario) => scenario.name).join(', ')}`,
    );
  }
  return SCENARIOS.filter((scenario) => names.includes(scenario.name));
}

/**
 * Records one scenario on a time-skipping server of its own. The server's clock is global and
 * it keeps firing the timers of closed workflows, so on a shared server one scenario's
 * far-future timers (a renewal reminder in 2099) would drag the next scenario's clock along; and
 * a scenario that leaves its clock held would stall every later one.
 */
async function recordScenario(code: string, scenario: Scenario): Promise<RecordedHistory[]> {
  const recording = await startTimeSkippingEnvironment({ searchAttributes: allSearchAttributeKeys });
  try {
    const root = await withTimeout(
      runScenario(recording, code, scenario),
      SCENARIO_TIMEOUT_MS,
      `${scenario.name} did not finish within ${SCENARIO_TIMEOUT_MS / 1000} s (a wait that never ends, or the server's clock held)`,
    );
    return await collectHistories(recording.client.workflow, scenario, root);
  } finally {
    // After a timeout the worker may still hold the connections: closing is best effort then.
    await recording.teardown().catch(() => undefined);
  }
}

/** Real time a scenario may take; each needs a few seconds (the server skips the hours and days). */
const SCENARIO_TIMEOUT_MS = 120_000;

async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function main(): Promise<void> {
  const scenarios = selectScenarios(process.argv.slice(2));
  const started = Date.now();
  Runtime.install({ logger: new DefaultLogger('WARN') });
  fs.mkdirSync(HISTORIES_DIR, { recursive: true });
  // The production bundle (its failure converter keeps validation failures plain, without a
  // stack trace), so the histories read like the ones running workers write.
  const { code } = await bundleWorkflows(path.resolve(__dirname, '../workflows'));
  console.log(`workflow bundle ready in ${Date.now() - started} ms`);

  let totalBytes = 0;
  let totalFiles = 0;
  for (const scenario of scenarios) {
    const scenarioStarted = Date.now();
    const histories = await recordScenario(code, scenario);
    removeEarlierFiles(scenario);
    const lines = histories.map((entry) => {
      const { events, bytes } = writeHistory(entry);
      totalBytes += bytes;
      totalFiles += 1;
      return `    ${`${entry.file}.json`.padEnd(44)} ${String(events).padStart(4)} events ${String(bytes).padStart(8)} bytes`;
    });
    console.log(
      `${scenario.name}: ${scenario.summary} (${Date.now() - scenarioStarted} ms)\n${lines.join('\n')}`,
    );
  }
  console.log(
    `recorded ${totalFiles} histories (${Math.round(totalBytes / 1024)} KiB) of ${scenarios.length} scenarios ` +
      `into ${path.relative(process.cwd(), HISTORIES_DIR)} in ${Math.round((Date.now() - started) / 1000)} s`,
  );
}

main().then(
  // Worker and connection handles can keep the event loop alive after the last scenario.
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
