/**
 * One customer journey as its rule files see it: the state (plain JSON, carried across
 * continue-as-new) and the kernel's services bound to it — the entity (timeline, stage table,
 * notifications), its inquiry windows on its deadline agenda, and its visibility. Each rule file
 * takes a `Journey` and works on it.
 */
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import type { TaskRequest } from '../kernel/activities';
import { idempotencyKey } from '../kernel/activity-calls';
import { journeyActivities as activities } from './activities';
import { Agenda } from '../kernel/agenda';
import { Entity } from '../kernel/entity';
import { SlaWindows } from '../kernel/sla-windows';
import type { DueStep } from '../kernel/sla-clock';
import { Visibility } from '../kernel/visibility';
import type { CodeVersion } from '../kernel/versions';
import type { JourneyPolicy } from './policy';
import type { Channel } from '../kernel/contract';
import { JOURNEY_TRANSITIONS, type JourneyStage } from './stages';
import type { JourneyState } from './state';

/** Who an inquiry window's ladder notifies. */
export type InquiryAudience = 'owner' | 'owner-lead';

export interface Journey {
  readonly s: JourneyState;
  readonly policy: JourneyPolicy;
  /** The patches this run follows (asked where it started). */
  readonly code: CodeVersion;
  readonly entity: Entity<JourneyStage>;
  readonly windows: SlaWindows<InquiryAudience>;
  readonly agenda: Agenda;
  readonly visibility: Visibility;
  /** Children this run started that have not completed yet (they outlive a continue-as-new). */
  readonly runningChildren: Set<string>;
  /** Cases this run awaits the result of, each with the handling of its close. */
  readonly caseResults: Map<string, Promise<void>>;
  /** Closes heard through a case's result whose handling (activities) is still running. */
  reportsInFlight: number;
  /** Bumped whenever a message or a deadline has been dealt with (the main loop looks again then). */
  progress: number;
  /**
   * Set in the same step as the continue-as-new: the state for the next run is taken, so from
   * here on updates are refused (messages.ts) and a signal could only be lost (counted).
   */
  closing: boolean;
  /** `NextDeadlineAt` holds the next SLA due time only (executions before VISIBILITY_PER_TASK: any deadline). */
  indexSlaDeadlinesOnly: boolean;
  /** Every inquiry timed on the policy's basis and ladder (runs since RECEPTION_V3). */
  receptionV3: boolean;
  /**
   * A lost journey waits for the pre-sales survey's answer and an ended one indexes `EndedAt`
   * (journeys ending since PRESALES_SURVEY_LOST; decided when the journey ends).
   */
  surveyWhenLost: boolean;
}

export function hasEnded(j: Journey): boolean {
  return j.s.stage === 'lost' || j.s.stage === 'closed';
}

/** The journey's own rules the kernel's services call back into (view.ts, reception.ts). */
export interface JourneyRules {
  attributes: (j: Journey) => SearchAttributeUpdatePair[];
  details: (j: Journey) => string;
  /** A ladder step of any of the journey's windows (an inquiry's first response, delivery, a milestone). */
  onWindowStep: (j: Journey, step: DueStep<InquiryAudience>) => Promise<void>;
}

export function bindJourney(
  s: JourneyState,
  policy: JourneyPolicy,
  code: CodeVersion,
  rules: JourneyRules,
): Journey {
  const agenda = new Agenda(s.agenda, code);
  const visibility = new Visibility(
    () => rules.attributes(j),
    () => rules.details(j),
  );
  const entity = new Entity<JourneyStage>(s, {
    transitions: JOURNEY_TRANSITIONS,
    subjectId: s.journeyId,
    customer: () => ({
      customerId: s.customerId,
      channel: j.receptionV3 ? customerChannel(j) : s.channel,
    }),
    changed: () => visibility.changed(),
  });
  const windows = new SlaWindows<InquiryAudience>(s.clocks, agenda, {
    calendar: () => policy.calendar,
    ladder: (window) =>
      window === 'delivery' || window === 'milestone'
        ? policy.deliveryLadder
        : j.receptionV3
          ? policy.inquiryLadder
          : [{ percent: 100, notify: ['owner-lead'] }],
    label: (window) =>
      window === 'delivery' || window === 'milestone'
        ? window
        : window === 'proposal-review'
          ? 'proposal review'
          : 'first response',
    timerLabel: (c) =>
      c.window === 'milestone'
        ? `milestone ${c.subject ?? ''}`
        : c.window === 'delivery'
          ? 'delivery'
          : c.window === 'proposal-review'
            ? `proposal ${c.subject ?? ''} review`
            : 'first response',
    record: (type, summary, extra) => entity.record(type, summary, extra),
    onStep: (step) => rules.onWindowStep(j, step),
  });
  agenda.afterRun = () => {
    j.progress += 1;
  };
  const j: Journey = {
    s,
    policy,
    code,
    entity,
    windows,
    agenda,
    visibility,
    runningChildren: new Set(),
    caseResults: new Map(),
    reportsInFlight: 0,
    progress: 0,
    closing: false,
    indexSlaDeadlinesOnly: false,
    receptionV3: false,
    surveyWhenLost: false,
  };
  return j;
}

/** A task for the journey's owner in the CRM (follow-up, revisit, renewal, handoff). */
export function createTask(
  j: Journey,
  step: string,
  kind: TaskRequest['kind'],
  dueAt: string,
  summary: string,
  owner = j.s.owner,
): Promise<{ taskId: string } | undefined> {
  return j.entity.attempt(step, `creating the ${kind} task`, () =>
    activities.createTask.executeWithOptions({ summary: `${kind} task: ${summary}` }, [
      {
        idempotencyKey: idempotencyKey(step),
        subjectId: j.s.journeyId,
        owner,
        kind,
        dueAt,
        summary,
      },
    ]),
  );
}

/** How the customer wants to be contacted: what they said, the policy's choice, or how they came. */
export function customerChannel(j: Journey): Channel {
  return j.s.preferredChannel ?? j.policy.preferredChannel ?? j.s.channel;
}
