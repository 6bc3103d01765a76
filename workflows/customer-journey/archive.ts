/**
 * The customer archive kept current (rule HO-1, "one shared customer archive, updated in real
 * time"): the signature synchronises the handoff package (handoff.ts); from then on every inquiry,
 * case opened and case closed is recorded in it as it happens. Before the contract a prospect has
 * no archive yet: their inquiries travel in the handoff package.
 */
import { idempotencyKey } from '../kernel/activity-calls';
import { journeyActivities as activities, type ArchiveEventRequest } from './activities';
import { nowIso } from '../kernel/time';
import { ARCHIVE_EVENTS } from '../kernel/versions';
import type { Journey } from './model';

/** Records one event in the archive of a signed customer (journeys since the patch). */
export async function recordInArchive(
  j: Journey,
  kind: ArchiveEventRequest['kind'],
  subjectId: string,
  data: Record<string, unknown>,
): Promise<void> {
  const s = j.s;
  if (!s.contract || !j.code.has(ARCHIVE_EVENTS)) return;
  const step = `archive/${kind}/${subjectId}`;
  const done = await j.entity.attempt(step, `recording the ${kind} in the customer archive`, () =>
    activities.recordArchiveEvent.executeWithOptions({ summary: `customer archive: ${kind}` }, [
      {
        idempotencyKey: idempotencyKey(step),
        customerId: s.customerId,
        journeyId: s.journeyId,
        kind,
        at: nowIso(),
        subjectId,
        data,
      },
    ]),
  );
  if (done) s.contract.archiveVersion = done.archiveVersion;
}
