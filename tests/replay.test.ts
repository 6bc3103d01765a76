/**
 * The replay suite: every history in tests/histories/ (recorded by `npm run record-histories`
 * from the scenarios in tests/replay/scenarios.ts, plus any archived in subfolders) must replay
 * with the current workflow code. A failure means a change to a workflow would break the
 * executions already running in production: guard the change with `patched()` instead of
 * re-recording.
 */
import path from 'node:path';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { historyFromJson, type History } from '../lib/replay/history-json';
import {
  closingEventOf,
  listHistoryFiles,
  readHistoryFile,
  workflowIdOf,
  type HistoryFile,
} from './replay/history-files';
import { expectedHistoryFiles, SCENARIOS } from './replay/scenarios';
import { warningsOnlyLogger } from '../lib/bundle';
import { PATCHES_SETTLED, SETTLED_PATCHES } from '../workflows/kernel/versions';

const files = listHistoryFiles();

interface Loaded {
  file: string;
  workflowId: string;
  json: HistoryFile;
  history: History;
}

function load(file: string): Loaded {
  const json = readHistoryFile(file);
  return { file, workflowId: workflowIdOf(file, json), json, history: historyFromJson(json) };
}

describe('recorded histories', () => {
  it('hold every history the recorder’s scenarios produce', () => {
    const stems = new Set(files.map((file) => file.replace(/\.json$/, '')));
    const missing = SCENARIOS.flatMap(expectedHistoryFiles).filter((stem) => !stems.has(stem));
    expect(
      missing.map((stem) => `${stem}.json`),
      'missing from tests/histories/ (npm run record-histories -- <scenario> records one scenario)',
    ).toEqual([]);
  });
});

describe('replay with the current workflow code', () => {
  /** Per file: undefined when it replayed, else why not. */
  const failures = new Map<string, Error | undefined>();

  beforeAll(async () => {
    // One replay worker for all files (a worker per file would cost a second each).
    const loaded: Loaded[] = [];
    for (const file of files) {
      try {
        loaded.push(load(file));
      } catch (error) {
        failures.set(file, error instanceof Error ? error : new Error(String(error)));
      }
    }
    const replays = Worker.runReplayHistories(
      { workflowBundle: { codePath: inject('temporal').workflowBundlePath }, replayName: 'replay-suite' },
      loaded.map(({ workflowId, history }) => ({ workflowId, history })),
    );
    let index = 0;
    for await (const result of replays) failures.set(loaded[index++]!.file, result.error);
  });

  it.each(files)('%s', (file) => {
    expect(failures.has(file), `${file} was not replayed`).toBe(true);
    const error = failures.get(file);
    if (error) {
      throw new Error(
        `${file} no longer replays with the current workflow code: ${error.name}: ${error.message}\n` +
          'Executions already running would fail the same way. Keep the old behaviour for them with ' +
          'patched() (then deprecatePatch() once they are gone); re-recording the history hides the break.',
      );
    }
    const json = readHistoryFile(file);
    expect(closingEventOf(json), `${file} is incomplete: its workflow had not closed`).toBeDefined();
  });
});

describe('the replay check itself', () => {
  let nonDeterministicBundle: { code: string };
  beforeAll(async () => {
    nonDeterministicBundle = await bundleWorkflowCode({
      workflowsPath: path.resolve(__dirname, 'fixtures/non-deterministic-case.ts'),
      logger: warningsOnlyLogger,
    });
  });

  it('fails with a DeterminismViolationError when a workflow’s commands change', async () => {
    const { workflowId, history } = load('case-satisfied.json');
    const replay = Worker.runReplayHistory({ workflowBundle: nonDeterministicBundle }, history, workflowId);
    await expect(replay).rejects.toBeInstanceOf(DeterminismViolationError);
    await expect(replay).rejects.toThrow(/Nondeterminism/i);
  });

  it('passes the histories of workflows the change does not touch', async () => {
    const { workflowId, history } = load('journey-lost.json');
    await expect(
      Worker.runReplayHistory({ workflowBundle: nonDeterministicBundle }, history, workflowId),
    ).resolves.toBeUndefined();
  });
});

/** The patch ids a history's markers record, in order. */
function patchMarkers(json: HistoryFile): string[] {
  return json.events.flatMap((event) => {
    const marker = event.markerRecordedEventAttributes as
      { details?: Record<string, { payloads?: { data?: string }[] }> } | undefined;
    const data = marker?.details?.['patch-data']?.payloads?.[0]?.data;
    return data ? [(JSON.parse(Buffer.from(data, 'base64').toString('utf8')) as { id: string }).id] : [];
  });
}

function workflowTypeOf(json: HistoryFile): string | undefined {
  const started = json.events[0]?.workflowExecutionStartedEventAttributes as
    { workflowType?: { name?: string } } | undefined;
  return started?.workflowType?.name;
}

describe('settled patches', () => {
  it('cost a journey or case run recorded on today’s code one marker, not one per patch', () => {
    const runs = files
      .filter((file) => !file.includes('/'))
      .map((file) => ({ file, json: readHistoryFile(file) }))
      .filter(({ json }) => ['customerJourney', 'afterSalesCase'].includes(workflowTypeOf(json) ?? ''))
      .filter(({ json }) => closingEventOf(json) !== 'workflowExecutionFailedEventAttributes');
    expect(runs.length).toBeGreaterThan(40);
    for (const { file, json } of runs) {
      const markers = patchMarkers(json);
      expect(
        markers.filter((id) => id === PATCHES_SETTLED),
        file,
      ).toHaveLength(1);
      expect(
        markers.filter((id) => SETTLED_PATCHES.includes(id)),
        `${file} asks a settled patch itself`,
      ).toEqual([]);
    }
  });

  it('leave the runs recorded before them asking each patch', () => {
    const markers = patchMarkers(readHistoryFile('before-patches-settled/journey-sla-health.json'));
    expect(markers).not.toContain(PATCHES_SETTLED);
    expect(markers.filter((id) => SETTLED_PATCHES.includes(id)).length).toBeGreaterThan(3);
  });
});
