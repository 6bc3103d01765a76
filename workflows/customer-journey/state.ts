/**
 * What a journey knows, as one schema: the state its queries read and the state a run carries to
 * the next when it continues as new (checked against this schema on arrival, so a journey never
 * runs on a state it does not understand). A run of the earlier code carries its own shape; it
 * is translated here, once, when such a journey continues as new on this code.
 */
import { z } from 'zod';
import { AgendaItem } from '../kernel/agenda';
import { Channel, PromisedTerms, TimelineEntry } from '../kernel/contract';
import { AnsweredUpdate } from '../kernel/messages';
import { SlaClock } from '../kernel/sla-clock';
import type { ParsedJourneyInput } from './contract';
import {
  Alternative,
  CaseRecord,
  Consent,
  Contact,
  DeliveryPlan,
  GradeRecord,
  NeedsContext,
  PresalesFeedback,
  ProposalReviewRecord,
  LostReason,
  ObjectionReason,
  PainPoint,
  QuoteRecord,
  Requirement,
  WinReason,
} from './records';
import { JourneyStage } from './stages';

export const JourneyState = z.object({
  /** The shape of this state; a run of the earlier code carries none. */
  version: z.literal(2),
  journeyId: z.string(),
  customerId: z.string(),
  channel: Channel,
  owner: z.string().optional(),
  /** The customer's sales region, when the journey was started with one. */
  region: z.string().optional(),
  stage: JourneyStage,
  startedAt: z.string(),
  inquiries: z.array(
    z.object({
      inquiryId: z.string(),
      channel: Channel,
      at: z.string(),
      /** Outside business hours it was answered at once by an automatic reply. */
      autoReplied: z.boolean().optional(),
      /** When its first-response window started running (at once, or at the next opening). */
      windowStartsAt: z.string().optional(),
      /** What the customer asked (only in encrypted payloads: state, queries, the archive). */
      summary: z.string().optional(),
      specialRequests: z.array(z.string()).optional(),
      /** The desk was busy: an automatic reply promised when the answer would come. */
      busyReplied: z.boolean().optional(),
      answeredAt: z.string().optional(),
      answeredBy: z.string().optional(),
    }),
  ),
  /** Telephony reports the desk busy (until it reports otherwise). */
  deskBusy: z.boolean().optional(),
  /** How the customer wants to be contacted (rule PS-11); the channel they first used otherwise. */
  preferredChannel: Channel.optional(),
  /** The contact details as last checked (personal data: only in encrypted payloads). */
  contact: Contact.optional(),
  /** Consent to use the customer's data, and when it was recorded (rule PS-12). */
  consent: Consent.extend({ recordedAt: z.string(), by: z.string().optional() }).optional(),
  /** The pre-sales survey after the journey was won or lost (rule PS-13). */
  presalesSurvey: z
    .object({
      sentAt: z.string().optional(),
      answer: PresalesFeedback.extend({ at: z.string() }).optional(),
      /** A lost journey stays open for the answer until then. */
      answerBy: z.string().optional(),
      /** The answer window of a lost journey passed without an answer. */
      unanswered: z.boolean().optional(),
    })
    .optional(),
  specialRequests: z.array(z.string()),
  requirements: z.array(Requirement),
  /** The usage scenario and budget range of the needs analysis (latest given). */
  needsContext: NeedsContext.optional(),
  painPoints: z.array(PainPoint),
  proposalVersion: z.number(),
  /** The latest proposal version's review and the customer's answer (since proposal-review). */
  proposalReview: ProposalReviewRecord.optional(),
  alternatives: z.array(Alternative),
  quotes: z.array(QuoteRecord),
  objections: z.array(
    z.object({ reason: ObjectionReason, detail: z.string(), loopBackTo: z.string(), at: z.string() }),
  ),
  followUp: z.object({
    lastContactAt: z.string().optional(),
    tasksCreated: z.number(),
    /** Which follow-up of the cadence comes next (0 = the first). */
    next: z.number(),
    /** The stage the current cadence belongs to, and when it started (reception-v3). */
    plannedFor: JourneyStage.optional(),
    plannedAt: z.string().optional(),
  }),
  contract: z
    .object({
      contractId: z.string(),
      terms: PromisedTerms,
      signedAt: z.string(),
      archiveVersion: z.string().optional(),
      winReason: WinReason.optional(),
    })
    .optional(),
  deliveredAt: z.string().optional(),
  /** The customer's grade from the contract (rule HO-6; contracts signed since customer-grade). */
  grade: GradeRecord.optional(),
  /** Delivery against the contract's promised date and milestones (rule HO-5). */
  delivery: DeliveryPlan.optional(),
  cases: z.array(CaseRecord),
  caseCount: z.number(),
  lastReferralAt: z.string().optional(),
  referralsRequested: z.number(),
  revisits: z.number(),
  lostReason: LostReason.optional(),
  escalated: z.boolean(),
  clocks: z.array(SlaClock),
  agenda: z.array(AgendaItem),
  timeline: z.array(TimelineEntry),
  rejectedSignals: z.number(),
  continuedAsNew: z.number(),
  endedAt: z.string().optional(),
  /** Updates answered lately, so one retried after a continue-as-new gets its answer again. */
  answeredUpdates: z.array(AnsweredUpdate),
  /** Breached cases in the rolling window and whether the customer is at risk (rule OU-2). */
  slaHealth: z
    .object({
      breaches: z.array(z.object({ caseId: z.string(), at: z.string() })),
      atRiskSince: z.string().optional(),
      /** How many times the customer was flagged. */
      flagged: z.number(),
    })
    .optional(),
});
export type JourneyState = z.infer<typeof JourneyState>;

export function newJourneyState(input: ParsedJourneyInput, journeyId: string, now: string): JourneyState {
  return {
    version: 2,
    journeyId,
    customerId: input.customerId,
    channel: input.channel,
    owner: input.owner,
    ...(input.region ? { region: input.region } : {}),
    stage: 'inquiry',
    startedAt: now,
    inquiries: [],
    specialRequests: [...input.specialRequests],
    contact: input.contact,
    requirements: [],
    painPoints: [],
    proposalVersion: 0,
    alternatives: [],
    quotes: [],
    objections: [],
    followUp: { tasksCreated: 0, next: 0 },
    cases: [],
    caseCount: 0,
    referralsRequested: 0,
    revisits: 0,
    escalated: false,
    clocks: [],
    agenda: [],
    timeline: [],
    rejectedSignals: 0,
    continuedAsNew: 0,
    answeredUpdates: [],
  };
}

/** The state the earlier code carried: the same records, a dated agenda and a deadline of its own. */
const CarriedByEarlierCode = JourneyState.omit({
  version: true,
  clocks: true,
  agenda: true,
  answeredUpdates: true,
  followUp: true,
  inquiries: true,
}).extend({
  inquiries: z.array(z.object({ inquiryId: z.string(), channel: Channel, at: z.string() })),
  followUp: z.object({ lastContactAt: z.string().optional(), tasksCreated: z.number() }),
  firstResponse: z
    .object({
      windowStartsAt: z.string(),
      dueAt: z.string(),
      autoReplied: z.boolean(),
      respondedAt: z.string().optional(),
      breached: z.boolean(),
    })
    .optional(),
  agenda: z.array(z.object({ kind: z.string(), dueAt: z.string(), sequence: z.number() })),
});

/** The window name of an inquiry's first response. */
export const FIRST_RESPONSE = 'first-response';

/** The state a continued run starts from, whichever code carried it. */
export function carriedState(carried: unknown): JourneyState {
  const current = JourneyState.safeParse(carried);
  if (current.success) return current.data;
  const earlier = CarriedByEarlierCode.parse(carried);
  const { firstResponse, agenda, followUp, inquiries, ...records } = earlier;
  const first = inquiries[0];
  const clocks: SlaClock[] = [];
  if (firstResponse && first) {
    const budgetMs = Date.parse(firstResponse.dueAt) - Date.parse(firstResponse.windowStartsAt);
    clocks.push({
      window: FIRST_RESPONSE,
      cycle: 1,
      subject: first.inquiryId,
      basis: 'calendar',
      budgetMs,
      startedAt: first.at,
      consumedMs: firstResponse.respondedAt ? budgetMs : 0,
      runningSince: firstResponse.respondedAt ? undefined : firstResponse.windowStartsAt,
      pausedMs: 0,
      state: firstResponse.respondedAt ? 'fulfilled' : 'running',
      fired: firstResponse.breached ? [100] : [],
      breachedAt: firstResponse.breached ? firstResponse.dueAt : undefined,
      fulfilledAt: firstResponse.respondedAt,
    });
  }
  const followUpItem = agenda.find((item) => item.kind === 'follow-up');
  return {
    ...records,
    version: 2,
    inquiries: inquiries.map((inquiry, index) =>
      index === 0 && firstResponse
        ? { ...inquiry, autoReplied: firstResponse.autoReplied, windowStartsAt: firstResponse.windowStartsAt }
        : inquiry,
    ),
    followUp: { ...followUp, next: followUpItem?.sequence ?? 0 },
    clocks,
    // The first-response deadline is the clock's own now; every other item keeps its date.
    agenda: agenda
      .filter((item) => item.kind !== FIRST_RESPONSE)
      .map((item) => ({ key: item.kind, kind: item.kind, dueAt: item.dueAt, summary: item.kind })),
    answeredUpdates: [],
  };
}
