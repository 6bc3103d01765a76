/**
 * The follow-up plan (rule PS-9): every undecided prospect is followed up on a cadence until won
 * or lost. From first contact, each undecided stage (an inquiry, the needs, the proposal, the quote
 * in approval, the quote sent) has its own cadence and its own content to cover, as tasks for the
 * owner (the policy's default owner when the journey has none). The cadence and the loss timer
 * start again when the journey reaches a new stage (we gave the customer something new to answer)
 * and whenever the customer gets in touch (an inquiry, a response, an objection); without any
 * response for the policy's period the prospect is lost ("no-response"), from any stage.
 *
 * Journeys started before reception-v3 follow up only once a quote is sent, with one cadence.
 */
import { durationMs } from '../kernel/contract';
import { addMs, nowIso } from '../kernel/time';
import { endJourney } from './ending';
import { createTask, type Journey } from './model';
import type { UndecidedStage } from './policy';
import { PRE_CONTRACT } from './stages';

const FOLLOW_UP = 'follow-up';
const LOSE = 'lose';

function undecided(j: Journey): UndecidedStage | undefined {
  const stage = j.s.stage;
  return (PRE_CONTRACT as readonly string[]).includes(stage) ? (stage as UndecidedStage) : undefined;
}

/** The cadence of the stage the journey is in (executions before reception-v3: the quote's). */
function cadenceOf(j: Journey): readonly string[] {
  const stage = undecided(j);
  if (!j.receptionV3 || !stage) return j.policy.followUpCadence;
  return stage === 'negotiation' ? j.policy.followUpCadence : j.policy.followUpByStage[stage].cadence;
}

export function watchFollowUps(j: Journey): void {
  j.agenda.on(FOLLOW_UP, () => {
    if (j.receptionV3 ? undecided(j) : j.s.stage === 'negotiation') return followUp(j);
  });
  j.agenda.on(LOSE, () => {
    if (j.receptionV3 ? !undecided(j) : j.s.stage !== 'negotiation') return;
    endJourney(j, 'lost', 'no-response', `no response for ${j.policy.loseAfter} after the last contact`);
  });
}

/** The cadence starts (again) from `from`, the customer's last contact. */
export function startFollowUps(j: Journey, from: string): void {
  j.s.followUp.lastContactAt = from;
  planFrom(j, from);
}

/** Schedules the first follow-up of the current cadence and the loss, counted from `from`. */
function planFrom(j: Journey, from: string): void {
  j.s.followUp.next = 0;
  j.s.followUp.plannedAt = from;
  j.agenda.set({
    key: FOLLOW_UP,
    kind: FOLLOW_UP,
    dueAt: addMs(from, durationMs(cadenceOf(j)[0]!)),
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

/**
 * The plan follows the stage (reception-v3): a new undecided stage starts its cadence and the loss
 * timer afresh; a decided one (contract signed, ended) stops them. Called by the main loop after
 * every message or deadline, so a stage change anywhere replans once.
 */
export function planFollowUps(j: Journey): void {
  const s = j.s;
  if (s.followUp.plannedFor === s.stage) return;
  s.followUp.plannedFor = s.stage;
  if (undecided(j)) planFrom(j, nowIso());
  else stopFollowUps(j);
}

/** The customer got in touch (reception-v3): the cadence and the loss timer count from now. */
export function onCustomerContact(j: Journey, what: string): void {
  const now = nowIso();
  j.s.followUp.lastContactAt = now;
  if (!undecided(j)) return;
  j.s.followUp.plannedFor = j.s.stage;
  planFrom(j, now);
  j.entity.record('follow-up-replanned', `${what}: follow-ups and the loss timer count from now`);
}

export function onCustomerResponded(j: Journey, note: string | undefined): void {
  j.entity.record('customer-responded', note ? `customer responded: ${note}` : 'customer responded');
  if (j.receptionV3) onCustomerContact(j, 'the customer responded');
  else if (j.s.stage === 'negotiation') startFollowUps(j, nowIso());
  else j.s.followUp.lastContactAt = nowIso();
}

async function followUp(j: Journey): Promise<void> {
  const s = j.s;
  const cadence = cadenceOf(j);
  const stage = undecided(j);
  const number = s.followUp.next + 1;
  s.followUp.tasksCreated += 1;
  const owner = j.receptionV3 ? (s.owner ?? j.policy.defaultOwner) : (s.owner ?? 'the sales desk');
  const content =
    j.receptionV3 && stage && stage !== 'negotiation'
      ? `${j.policy.followUpByStage[stage].content} (${number}/${cadence.length})`
      : `follow up the quote (${number}/${cadence.length})`;
  j.entity.record('follow-up', `follow-up ${number}/${cadence.length} for ${owner}: ${content}`, {
    data: j.receptionV3 ? { stage, owner } : undefined,
  });
  s.followUp.next = number;
  const after = cadence[number];
  // The next one counts from the same start as this one: the last contact or the stage's start.
  const from = j.receptionV3 ? s.followUp.plannedAt : s.followUp.lastContactAt;
  if (after !== undefined && from) {
    j.agenda.set({
      key: FOLLOW_UP,
      kind: FOLLOW_UP,
      dueAt: addMs(from, durationMs(after)),
      summary: `follow-up ${number + 1}`,
    });
  }
  await createTask(
    j,
    j.receptionV3
      ? `follow-up/${s.followUp.plannedAt}/${number}`
      : `follow-up/${s.followUp.lastContactAt}/${number}`,
    'follow-up',
    nowIso(),
    content,
    j.receptionV3 ? owner : undefined,
  );
}
