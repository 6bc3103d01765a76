/**
 * Tracked internal work (a root-cause analysis, a QA review) walked through its clock on the
 * time-skipping server: the exact due date, the reminder not a moment before 75 % of the business
 * time and then sent, still open just before the due date, overdue just after it, the owner's lead
 * told once and the work searchable as late.
 */
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { expect } from 'vitest';
import { SlaBreachedKey } from '../../workflows/kernel/search-attributes';
import { HOUR } from './journey-harness';

export interface TrackedTimeline {
  /** When the work opened (the test's clock at start). */
  at: Date;
  /** Hours after `at` the due date falls, computed by hand from the business calendar. */
  dueAfterHours: number;
  /** Hours after `at` the 75 % reminder falls. */
  remindAfterHours: number;
  dueAt: string;
  /** How many times the owner has been told so far (the opening notice counts one). */
  ownerNotices: () => number;
  /** How many times the owner's lead has been told (once, when the work goes overdue). */
  leadNotices: () => number;
  /** The work's workflow, searchable as late once overdue. */
  handle: WorkflowHandle;
  stage: () => Promise<string>;
}

export async function walkTrackedTimeline(
  env: TestWorkflowEnvironment,
  timeline: TrackedTimeline,
): Promise<void> {
  const { at, dueAfterHours, remindAfterHours } = timeline;
  expect(timeline.dueAt).toBe(new Date(at.getTime() + dueAfterHours * HOUR).toISOString());
  await expect.poll(timeline.ownerNotices).toBe(1);
  const sleepUntil = async (hours: number) =>
    env.sleep(at.getTime() + hours * HOUR - (await env.currentTimeMs()));

  await sleepUntil(remindAfterHours - 10 / 60);
  // A query is answered after the workflow task any fired timer created: an early reminder shows.
  expect(await timeline.stage()).toBe('open');
  expect(timeline.ownerNotices()).toBe(1);
  await sleepUntil(remindAfterHours + 10 / 60);
  await expect.poll(timeline.ownerNotices).toBe(2);

  await sleepUntil(dueAfterHours - 10 / 60);
  expect(await timeline.stage()).toBe('open');
  await sleepUntil(dueAfterHours + 10 / 60);
  await expect.poll(timeline.stage).toBe('overdue');
  await expect.poll(timeline.leadNotices).toBe(1);
  expect((await timeline.handle.describe()).typedSearchAttributes.get(SlaBreachedKey)).toBe(true);
}
