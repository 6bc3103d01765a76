/**
 * Versions of the workflow code that histories may have been written by.
 *
 * Executions started before the redesign have no marker for this patch: they keep running (and
 * replaying) the archived code they started with (archive/workflows-v1). New executions, and a
 * journey's next run after it continues as new, run the current code. Retire the archive with
 * `deprecatePatch` once no execution started before the redesign is left.
 */
export const REDESIGN = 'redesign-v2';

/**
 * Search attributes synced once per workflow task, and a journey's `NextDeadlineAt` indexing its
 * next SLA due time only (not every follow-up or revisit re-plan): fewer upserts, each a billed
 * action. Executions started before keep syncing after each stretch of code.
 */
export const VISIBILITY_PER_TASK = 'visibility-per-task';
