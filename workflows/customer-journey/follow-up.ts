/**
 * The follow-up plan (rule PS-9): once a quote is sent, follow-ups come on the policy's cadence,
 * counted from the customer's last contact (each a task for the owner); without any contact for
 * the policy's period the prospect is lost ("no-response"). A response restarts the cadence.
 */
import { durationMs } from '../kernel/contract';
import { addMs, nowIso } from '../kernel/time';
import { createTask, type Journey } from './model';
import { endJourney } from './ending';

const FOLLOW_UP = 'follow-up';
const LOSE = 'lose';

export function watchFollowUps(j: Journey): void {
  j.agenda.on(FOLLOW_UP, () => (j.s.stage === 'negotiation' ? followUp(j) : undefined));
  j.agenda.on(LOSE, () => {
    if (j.s.stage !== 'negotiation') return;
    endJourney(j, 'lost', 'no-response', `no response for ${j.policy.loseAfter} after the last contact`);
  });
}

/** The cadence starts (again) from `from`, the customer's last contact. */
export function startFollowUps(j: Journey, from: string): void {
  j.s.followUp.lastContactAt = from;
  j.s.followUp.next = 0;
  j.agenda.set({
    key: FOLLOW_UP,
    kind: FOLLOW_UP,
    dueAt: addMs(from, durationMs(j.policy.followUpCadence[0]!)),
    summary: 'follow-up 1',
  });
  j.agenda.set({
    key: LOSE,
    kind: LOSE,
    dueAt: addMs(from, durationMs(j.policy.loseAfter)),
    summary: 'lost without response',
  });
}

export function stopFollowUps(j: Journey): void {
  j.agenda.clear(FOLLOW_UP);
  j.agenda.clear(LOSE);
}

export function nextFollowUpAt(j: Journey): string | undefined {
  return j.agenda.get(FOLLOW_UP)?.dueAt;
}

export function onCustomerResponded(j: Journey, note: string | undefined): void {
  j.entity.record('customer-responded', note ? `customer responded: ${note}` : 'customer responded');
  if (j.s.stage === 'negotiation') startFollowUps(j, nowIso());
  else j.s.followUp.lastContactAt = nowIso();
}

async function followUp(j: Journey): Promise<void> {
  const s = j.s;
  const cadence = j.policy.followUpCadence;
  const number = s.followUp.next + 1;
  s.followUp.tasksCreated += 1;
  j.entity.record('follow-up', `follow-up ${number}/${cadence.length} for ${s.owner ?? 'the sales desk'}`);
  s.followUp.next = number;
  const after = cadence[number];
  if (after !== undefined && s.followUp.lastContactAt) {
    j.agenda.set({
      key: FOLLOW_UP,
      kind: FOLLOW_UP,
      dueAt: addMs(s.followUp.lastContactAt, durationMs(after)),
      summary: `follow-up ${number + 1}`,
    });
  }
  await createTask(
    j,
    `follow-up/${s.followUp.lastContactAt}/${number}`,
    'follow-up',
    nowIso(),
    `follow up the quote (${number}/${cadence.length})`,
  );
}
