/**
 * Delivery to the letter (rule HO-5): the contract's promised delivery date and its milestones are
 * promises with windows on the journey's SLA clock, from the signature to the end of the promised
 * day in the calendar's time zone. Each climbs the delivery ladder (the milestone's owner warned,
 * the owner's lead told when it is late; a late one escalates the journey) and is fulfilled by
 * `milestoneReached` or, for the date, by `deliveryConfirmed`. Contracts signed before the
 * delivery-milestones patch keep their promised date untracked. The customer hears of every
 * milestone reached. A late delivery or milestone is searchable (`BreachedWindows`).
 */
import type { DueStep } from '../kernel/sla-clock';
import { resolveWallTime } from '../kernel/time-zones';
import { formatInstant, msBetween, nowIso } from '../kernel/time';
import { RuleViolation } from '../kernel/validation';
import { DELIVERY_MILESTONES } from '../kernel/versions';
import type { DeliveryView, MilestoneReached, ParsedSignContract } from './contract';
import type { InquiryAudience, Journey } from './model';

/** The window of the promised delivery date. */
export const DELIVERY = 'delivery';
/** The window of one milestone (its name is the clock's subject). */
export const MILESTONE = 'milestone';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** The instant a local date ends in the journey's calendar: midnight after it, local time. */
function endOfDay(j: Journey, date: string): string {
  return new Date(
    resolveWallTime(j.policy.calendar.timeZone, Date.parse(`${date}T00:00:00Z`) + DAY_MS),
  ).toISOString();
}

/** Ours: a promise further ahead than this is not a delivery plan (and no timer runs that long). */
const FURTHEST_PROMISE_MS = 10 * 366 * DAY_MS;

/**
 * A promise is a day from today on and at most ten years ahead; milestones fall on or before the
 * delivery date and are named once.
 */
export function validateDeliveryPlan(j: Journey, contract: ParsedSignContract): void {
  const today = nowIso();
  const problems: string[] = [];
  const when = (field: string, date: string) => {
    const due = endOfDay(j, date);
    if (due <= today) problems.push(`${field}: ${date} has passed; promise a date from today on`);
    else if (Date.parse(due) - Date.parse(today) > FURTHEST_PROMISE_MS)
      problems.push(`${field}: ${date} is more than 10 years ahead`);
  };
  const delivery = contract.terms.deliveryDate;
  if (delivery) when('terms.deliveryDate', delivery);
  const seen = new Set<string>();
  for (const [index, milestone] of (contract.milestones ?? []).entries()) {
    const field = `milestones.${index}`;
    if (seen.has(milestone.name)) problems.push(`${field}.name: "${milestone.name}" is named twice`);
    seen.add(milestone.name);
    when(`${field}.dueDate`, milestone.dueDate);
    if (delivery && milestone.dueDate > delivery)
      problems.push(`${field}.dueDate: ${milestone.dueDate} is after the promised delivery date ${delivery}`);
  }
  if (problems.length > 0) throw new RuleViolation(problems.join('; '));
}

/** At the signature: the promised date and each milestone get their windows (contracts since the patch). */
export function planDelivery(j: Journey, contract: ParsedSignContract): void {
  if (!j.code.has(DELIVERY_MILESTONES)) return;
  const promisedDate = contract.terms.deliveryDate;
  const milestones = (contract.milestones ?? []).map((milestone) => ({
    ...milestone,
    dueAt: endOfDay(j, milestone.dueDate),
  }));
  const dueAt = promisedDate ? endOfDay(j, promisedDate) : undefined;
  j.s.delivery = { promisedDate, dueAt, milestones };
  for (const milestone of milestones) {
    startDateWindow(
      j,
      MILESTONE,
      milestone.dueAt,
      milestone.name,
      `milestone ${milestone.name} due ${milestone.dueDate}`,
    );
  }
  if (dueAt && promisedDate)
    startDateWindow(j, DELIVERY, dueAt, undefined, `delivery promised for ${promisedDate}`);
}

function startDateWindow(
  j: Journey,
  window: string,
  dueAt: string,
  subject: string | undefined,
  because: string,
): void {
  // Calendar time: the promise is a day on the customer's calendar, weekends included.
  const hours = Math.max(msBetween(nowIso(), dueAt) ?? 0, 60_000) / HOUR_MS;
  j.windows.start(window, { hours, basis: 'calendar' }, { subject, because });
}

export function validateMilestone(j: Journey, request: MilestoneReached): void {
  const milestones = j.s.delivery?.milestones ?? [];
  const milestone = milestones.find((candidate) => candidate.name === request.name);
  if (!milestone) {
    throw new RuleViolation(
      `name: no milestone "${request.name}" in the contract` +
        (milestones.length
          ? ` (its milestones: ${milestones.map((m) => m.name).join(', ')})`
          : ' (it has none)'),
    );
  }
  if (milestone.reachedAt)
    throw new RuleViolation(
      `name: milestone "${request.name}" was reached on ${formatInstant(milestone.reachedAt)}`,
    );
}

export async function onMilestoneReached(j: Journey, request: MilestoneReached): Promise<DeliveryView> {
  const plan = j.s.delivery!;
  const milestone = plan.milestones.find((candidate) => candidate.name === request.name)!;
  milestone.reachedAt = nowIso();
  milestone.note = request.note;
  j.windows.fulfil(MILESTONE, `milestone ${milestone.name} reached`, milestone.name);
  const reached = plan.milestones.filter((candidate) => candidate.reachedAt).length;
  j.entity.record(
    'milestone-reached',
    `milestone ${milestone.name} reached (${reached} of ${plan.milestones.length})`,
    {
      data: { milestone: milestone.name, reached, of: plan.milestones.length },
    },
  );
  j.entity.touch();
  await j.entity.notifyCustomer(`customer/milestone/${milestone.name}`, 'delivery-progress', {
    milestone: milestone.name,
    reached,
    of: plan.milestones.length,
    ...(plan.promisedDate ? { promisedDate: plan.promisedDate } : {}),
  });
  return deliveryView(j)!;
}

/** Delivery confirmed: the date's window is met (or late); milestones still open are closed with it. */
export function onDelivered(j: Journey): void {
  const plan = j.s.delivery;
  if (!plan) return;
  if (plan.dueAt) j.windows.fulfil(DELIVERY, 'delivered');
  for (const milestone of plan.milestones.filter((candidate) => !candidate.reachedAt)) {
    j.windows.cancel(MILESTONE, 'delivered before it was reported', milestone.name);
  }
}

/** A ladder step of the delivery date or of a milestone. */
export async function onDeliveryStep(
  j: Journey,
  { clock, step, breach }: DueStep<InquiryAudience>,
): Promise<void> {
  const plan = j.s.delivery;
  const milestone = plan?.milestones.find((candidate) => candidate.name === clock.subject);
  const what = clock.window === MILESTONE ? `milestone ${clock.subject}` : 'delivery';
  const due = clock.window === MILESTONE ? milestone?.dueDate : plan?.promisedDate;
  if (breach) {
    j.s.escalated = true;
    j.entity.touch();
  }
  const staffId = milestone?.owner ?? j.s.owner ?? j.policy.defaultOwner;
  await Promise.all(
    step.notify.map((audience) =>
      j.entity.notifyStaff(
        `${clock.window}/${breach ? 'late' : step.percent}${clock.subject ? `/${clock.subject}` : ''}/${audience}`,
        {
          audience,
          staffId,
          window: clock.window,
          percent: step.percent,
          reason: breach
            ? `${what} is late: promised for ${due}`
            : `${what} due ${due} (${step.percent} % of the time to it used)`,
        },
      ),
    ),
  );
}

export function deliveryView(j: Journey): DeliveryView | undefined {
  const plan = j.s.delivery;
  if (!plan) return undefined;
  const late = (window: string, subject?: string) =>
    j.windows.latest(window, subject)?.breachedAt !== undefined;
  return {
    promisedDate: plan.promisedDate,
    dueAt: plan.dueAt,
    late: plan.dueAt !== undefined && late(DELIVERY),
    milestones: plan.milestones.map(({ name, dueDate, owner, dueAt, reachedAt }) => ({
      name,
      dueDate,
      owner,
      dueAt,
      reachedAt,
      late: late(MILESTONE, name),
    })),
  };
}
