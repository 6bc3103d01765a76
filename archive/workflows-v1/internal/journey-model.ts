/**
 * The state and behaviour of one customer journey. `customer-journey.ts` wires it to Temporal;
 * everything the journey knows and decides lives here.
 *
 * Time-driven work (the first-response deadline, follow-ups, periodic revisits, the renewal
 * reminder) is kept as an agenda of dated items in the state: one timer sleeps until the
 * earliest, and the agenda travels with the state across continue-as-new.
 */
import { ParentClosePolicy, setCurrentDetails, startChild, workflowInfo } from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import type { TaskRequest } from '../../../activities/types';
import { isWorkingTime, nextOpening } from '../definitions/business-hours';
import { AFTER_SALES_CASE_WORKFLOW, type CaseResult, type TimelineEntry } from '../definitions/case';
import { priorityOf, resolveCasePolicy } from '../definitions/case-policy';
import { durationMs, type Channel, type PromisedTerms } from '../definitions/common';
import {
  type Alternative,
  type CaseRecord,
  type HandoffResult,
  type InquiryResult,
  type IssueReported,
  type JourneyResult,
  type JourneyStage,
  type JourneyView,
  type LostReason,
  type ObjectionReason,
  type PainPoint,
  type ParsedCloseJourney,
  type ParsedJourneyInput,
  type ParsedMarkLost,
  type ParsedNewInquiry,
  type ParsedRecordNeeds,
  type ParsedReportIssue,
  type ParsedSignContract,
  type ParsedSubmitProposal,
  type QuoteRecord,
  type QuoteStarted,
  type RankedNeeds,
  type RecordObjection,
  type Requirement,
  type SubmitQuote,
} from '../definitions/journey';
import { resolveJourneyPolicy, type JourneyPolicy } from '../definitions/journey-policy';
import { marginOf, QUOTE_APPROVAL_WORKFLOW, type QuoteDecision } from '../definitions/quote';
import {
  ChannelKey,
  CustomerIdKey,
  EscalatedKey,
  JourneyStageKey,
  NextDeadlineAtKey,
  SlaBreachedKey,
} from '../definitions/search-attributes';
import type { AfterSalesCaseInput } from '../definitions/case';
import type { QuoteApprovalInput } from '../definitions/quote';
import { attemptActivity } from './attempt';
import { appendEvent, appendRejectedSignal, SearchAttributeSync } from './visibility';
import { activities, formatInstant, idempotencyKey, nowIso } from './workflow-support';
import { RuleViolation } from '../definitions/validation';

type AgendaKind = 'first-response' | 'follow-up' | 'lose' | 'revisit' | 'renewal';

interface AgendaItem {
  kind: AgendaKind;
  dueAt: string;
  /** Follow-up number, revisit number… keeps idempotency keys distinct. */
  sequence: number;
}

const PRE_CONTRACT: readonly JourneyStage[] = Object.freeze([
  'inquiry',
  'needs-analysis',
  'proposal',
  'quote-approval',
  'negotiation',
]);
const TIMELINE_CARRIED = 200;

/** Everything the journey carries from one run to the next (plain JSON). */
export interface JourneyState {
  journeyId: string;
  customerId: string;
  channel: Channel;
  owner?: string;
  stage: JourneyStage;
  startedAt: string;
  inquiries: { inquiryId: string; channel: Channel; at: string }[];
  specialRequests: string[];
  firstResponse?: {
    windowStartsAt: string;
    dueAt: string;
    autoReplied: boolean;
    respondedAt?: string;
    breached: boolean;
  };
  requirements: Requirement[];
  painPoints: PainPoint[];
  proposalVersion: number;
  alternatives: Alternative[];
  quotes: QuoteRecord[];
  objections: { reason: ObjectionReason; detail: string; loopBackTo: string; at: string }[];
  followUp: { lastContactAt?: string; tasksCreated: number };
  contract?: { contractId: string; terms: PromisedTerms; signedAt: string; archiveVersion?: string };
  deliveredAt?: string;
  cases: CaseRecord[];
  caseCount: number;
  lastReferralAt?: string;
  referralsRequested: number;
  revisits: number;
  lostReason?: LostReason;
  escalated: boolean;
  agenda: AgendaItem[];
  timeline: TimelineEntry[];
  rejectedSignals: number;
  continuedAsNew: number;
  endedAt?: string;
}

export class JourneyModel {
  readonly state: JourneyState;
  readonly policy: JourneyPolicy;
  /** Bumped whenever the agenda changes, so the main loop re-plans its timer. */
  agendaVersion = 0;
  /** Signal and update handlers that have finished in this run. */
  handlersFinished = 0;
  private readonly searchAttributes = new SearchAttributeSync();

  constructor(
    private readonly input: ParsedJourneyInput,
    journeyId: string,
    now: string,
  ) {
    this.policy = resolveJourneyPolicy(input.policy);
    const carried = input.carried as JourneyState | undefined;
    this.state = carried
      ? { ...carried, continuedAsNew: carried.continuedAsNew + 1 }
      : {
          journeyId,
          customerId: input.customerId,
          channel: input.channel,
          owner: input.owner,
          stage: 'inquiry',
          startedAt: now,
          inquiries: [],
          specialRequests: [...input.specialRequests],
          requirements: [],
          painPoints: [],
          proposalVersion: 0,
          alternatives: [],
          quotes: [],
          objections: [],
          followUp: { tasksCreated: 0 },
          cases: [],
          caseCount: 0,
          referralsRequested: 0,
          revisits: 0,
          escalated: false,
          agenda: [],
          timeline: [],
          rejectedSignals: 0,
          continuedAsNew: 0,
        };
  }

  get ended(): boolean {
    return this.state.stage === 'lost' || this.state.stage === 'closed';
  }

  // -------------------------------------------------------------------------------------------
  // Timeline, visibility, agenda

  record(type: string, summary: string, data?: Record<string, unknown>): void {
    appendEvent(this.state, type, summary, data ? { data } : {});
  }

  rejectSignal(signal: string, problems: string[]): void {
    appendRejectedSignal(this.state, signal, problems);
  }

  private setStage(stage: JourneyStage, why: string): void {
    if (this.state.stage === stage) return;
    const from = this.state.stage;
    this.state.stage = stage;
    this.record('stage-changed', `${from} → ${stage}: ${why}`, { from, to: stage });
  }

  private schedule(kind: AgendaKind, dueAt: string, sequence = 0): void {
    this.unschedule(kind);
    this.state.agenda.push({ kind, dueAt, sequence });
    this.agendaVersion += 1;
  }

  private unschedule(...kinds: AgendaKind[]): void {
    const before = this.state.agenda.length;
    this.state.agenda = this.state.agenda.filter((item) => !kinds.includes(item.kind));
    if (this.state.agenda.length !== before) this.agendaVersion += 1;
  }

  nextAgendaItem(): AgendaItem | undefined {
    return [...this.state.agenda].sort((a, b) => (a.dueAt < b.dueAt ? -1 : a.dueAt > b.dueAt ? 1 : 0))[0];
  }

  syncVisibility(): void {
    const s = this.state;
    const next = this.nextAgendaItem();
    const pairs = [
      { key: CustomerIdKey, value: s.customerId },
      { key: JourneyStageKey, value: s.stage },
      { key: ChannelKey, value: s.channel },
      { key: SlaBreachedKey, value: s.firstResponse?.breached ?? false },
      { key: EscalatedKey, value: s.escalated },
      { key: NextDeadlineAtKey, value: next && !this.ended ? new Date(next.dueAt) : null },
    ] as SearchAttributeUpdatePair[];
    this.searchAttributes.sync(pairs);
    setCurrentDetails(this.renderDetails());
  }

  /** Markdown for the Web UI's current details: one paragraph per fact (the UI joins single lines). */
  private renderDetails(): string {
    const s = this.state;
    const paragraphs = [
      `**Customer journey** · ${s.customerId} · ${s.channel}${s.owner ? ` · owner ${s.owner}` : ''}`,
      `**Stage:** ${s.stage}`,
    ];
    const last = s.timeline[s.timeline.length - 1];
    if (last) paragraphs.push(`_Last event:_ ${last.summary}`);
    const response = s.firstResponse;
    if (response && !response.respondedAt) {
      paragraphs.push(
        `**First response due:** ${formatInstant(response.dueAt)}` +
          (response.autoReplied ? ' (auto-reply sent: outside business hours)' : '') +
          (response.breached ? ' · **breached**' : ''),
      );
    }
    if (s.requirements.length) {
      const must = s.requirements.filter((requirement) => requirement.priority === 'must').length;
      paragraphs.push(`**Needs:** ${must} must, ${s.requirements.length} in all`);
    }
    const quote = s.quotes[s.quotes.length - 1];
    if (quote) {
      paragraphs.push(
        `**Latest quote:** ${quote.price} ${quote.currency}, margin ${(quote.margin * 100).toFixed(1)} %, ${quote.status}`,
      );
    }
    if (s.contract)
      paragraphs.push(`**Contract:** ${s.contract.contractId} signed ${formatInstant(s.contract.signedAt)}`);
    const open = s.cases.filter((record) => record.status === 'open');
    if (s.cases.length) paragraphs.push(`**Cases:** ${open.length} open, ${s.cases.length} in all`);
    const next = this.nextAgendaItem();
    if (next && !this.ended) paragraphs.push(`**Next:** ${next.kind} at ${formatInstant(next.dueAt)}`);
    return paragraphs.join('\n\n');
  }

  private attempt<T>(step: string, what: string, run: () => Promise<T>): Promise<T | undefined> {
    return attemptActivity(this.state, this.state.journeyId, step, what, run);
  }

  private notifyStaff(
    step: string,
    audience: 'owner' | 'owner-lead' | 'ops',
    reason: string,
    window?: 'first-response' | 'follow-up',
  ) {
    return this.attempt(step, `notifying ${audience}`, () =>
      activities.notifyStaff.executeWithOptions({ summary: `notify ${audience}: ${reason}` }, [
        {
          idempotencyKey: idempotencyKey(step),
          subjectId: this.state.journeyId,
          audience,
          staffId: this.state.owner,
          reason,
          window,
        },
      ]),
    );
  }

  private notifyCustomer(
    step: string,
    template: Parameters<typeof activities.notifyCustomer>[0]['template'],
    data?: Record<string, string | number | boolean>,
  ) {
    return this.attempt(step, `sending "${template}"`, () =>
      activities.notifyCustomer.executeWithOptions({ summary: `customer message: ${template}` }, [
        {
          idempotencyKey: idempotencyKey(step),
          customerId: this.state.customerId,
          channel: this.state.channel,
          template,
          subjectId: this.state.journeyId,
          data,
        },
      ]),
    );
  }

  private createTask(step: string, kind: TaskRequest['kind'], dueAt: string, summary: string) {
    return this.attempt(step, `creating the ${kind} task`, () =>
      activities.createTask.executeWithOptions({ summary: `${kind} task: ${summary}` }, [
        {
          idempotencyKey: idempotencyKey(step),
          subjectId: this.state.journeyId,
          owner: this.state.owner,
          kind,
          dueAt,
          summary,
        },
      ]),
    );
  }

  // -------------------------------------------------------------------------------------------
  // Reception

  /**
   * The first inquiry, synchronously (before any handler exists): the response window starts
   * now, or at the next business opening when the desk is closed.
   */
  open(): void {
    const s = this.state;
    const now = nowIso();
    const inquiryId = this.input.inquiryId ?? `${s.journeyId}/inquiry-1`;
    s.inquiries.push({ inquiryId, channel: this.input.channel, at: now });
    this.record(
      'inquiry-received',
      `inquiry via ${this.input.channel}${s.specialRequests.length ? `; ${s.specialRequests.length} special request(s) flagged` : ''}`,
      { inquiryId },
    );
    const open = isWorkingTime(now, this.policy.calendar);
    const windowStartsAt = open ? now : nextOpening(now, this.policy.calendar);
    const window = this.policy.firstResponse[this.input.channel];
    const dueAt = new Date(Date.parse(windowStartsAt) + durationMs(window)).toISOString();
    s.firstResponse = { windowStartsAt, dueAt, autoReplied: !open, breached: false };
    this.schedule('first-response', dueAt);
    this.record(
      'first-response-window',
      `first response due ${formatInstant(dueAt)} (${window} on ${this.input.channel})`,
      {
        dueAt,
      },
    );
    this.syncVisibility();
  }

  /** Outside business hours, an automatic reply tells the customer when to expect us (rule PS-2). */
  async greet(): Promise<void> {
    const response = this.state.firstResponse;
    if (!response?.autoReplied) return;
    await this.notifyCustomer('customer/auto-reply', 'auto-reply', { expectAnswerBy: response.dueAt });
    this.record(
      'auto-reply-sent',
      `outside business hours: automatic reply promises an answer by ${formatInstant(response.dueAt)}`,
    );
    this.syncVisibility();
  }

  /** A run that continued-as-new: only the visibility is restated. */
  resumed(): void {
    this.record(
      'continued-as-new',
      `run ${this.state.continuedAsNew + 1} of the journey (state carried over)`,
    );
    this.agendaVersion += 1;
    this.syncVisibility();
  }

  validateInquiry(): void {
    if (this.ended) throw new RuleViolation(`the journey is ${this.state.stage}`);
  }

  /** Another inquiry reaching this journey (CRM, telephony, update-with-start). */
  async registerInquiry(inquiry: ParsedNewInquiry): Promise<InquiryResult> {
    const s = this.state;
    const inquiryId = inquiry.inquiryId ?? `${s.journeyId}/inquiry-${s.inquiries.length + 1}`;
    const known = s.inquiries.some((existing) => existing.inquiryId === inquiryId);
    // Update-with-start delivers the starting inquiry twice: as the input and as this update.
    const created = s.continuedAsNew === 0 && s.inquiries[0]?.inquiryId === inquiryId;
    if (!known) {
      s.inquiries.push({ inquiryId, channel: inquiry.channel, at: nowIso() });
      for (const request of inquiry.specialRequests)
        if (!s.specialRequests.includes(request)) s.specialRequests.push(request);
      const opportunity = s.stage === 'onboarding' || s.stage === 'after-sales';
      this.record(
        opportunity ? 'upsell-inquiry' : 'inquiry-received',
        `${opportunity ? 'new inquiry from a customer (cross-sell / up-sell opportunity)' : 'another inquiry'} via ${inquiry.channel}`,
        { inquiryId },
      );
      s.followUp.lastContactAt = nowIso();
      this.syncVisibility();
      if (opportunity)
        await this.notifyStaff(
          `upsell/${inquiryId}`,
          'owner',
          'a customer asked about something new: cross-sell / up-sell opportunity',
        );
    }
    return {
      journeyId: s.journeyId,
      stage: s.stage,
      recorded: !known,
      created,
      inquiries: s.inquiries.length,
    };
  }

  onInquiryAnswered(agentId?: string): void {
    const s = this.state;
    if (s.stage !== 'inquiry' || !s.firstResponse || s.firstResponse.respondedAt) {
      this.record('inquiry-answered', `answered by ${agentId ?? 'an agent'}`);
      return this.syncVisibility();
    }
    this.answerInquiry(agentId ?? 'an agent');
  }

  private answerInquiry(by: string): void {
    const s = this.state;
    if (!s.firstResponse || s.firstResponse.respondedAt) return;
    const now = nowIso();
    s.firstResponse.respondedAt = now;
    this.unschedule('first-response');
    const late = now > s.firstResponse.dueAt;
    this.record('first-response', `first response by ${by}${late ? ' (late)' : ' within the window'}`, {
      late,
    });
    if (s.stage === 'inquiry') this.setStage('needs-analysis', 'inquiry answered');
    this.syncVisibility();
  }

  // -------------------------------------------------------------------------------------------
  // Needs, proposal, quote, objections

  validateNeeds(): void {
    if (!['inquiry', 'needs-analysis', 'proposal'].includes(this.state.stage)) {
      throw new RuleViolation(`needs are analysed before the quote (stage ${this.state.stage})`);
    }
  }

  recordNeeds(needs: ParsedRecordNeeds): RankedNeeds {
    const s = this.state;
    // A needs interview is itself the answer to the inquiry.
    this.answerInquiry(s.owner ?? 'the needs interview');
    const merge = <T extends { title: string }>(existing: T[], incoming: T[]) => [
      ...existing.filter((item) => !incoming.some((update) => update.title === item.title)),
      ...incoming,
    ];
    s.requirements = merge(s.requirements, needs.requirements);
    s.painPoints = merge(s.painPoints, needs.painPoints);
    if (s.stage === 'inquiry') this.setStage('needs-analysis', 'needs interview');
    this.record(
      'needs-recorded',
      `${needs.requirements.length} requirement(s), ${needs.painPoints.length} pain point(s) recorded`,
    );
    this.syncVisibility();
    return this.rankedNeeds();
  }

  /** Requirements by must/should/could, then urgency × business value; pain points by impact × urgency × ease. */
  private rankedNeeds(): RankedNeeds {
    const order = { must: 0, should: 1, could: 2 } as const;
    const requirements = [...this.state.requirements]
      .sort(
        (a, b) =>
          order[a.priority] - order[b.priority] || b.urgency * b.businessValue - a.urgency * a.businessValue,
      )
      .map((requirement, index) => ({ ...requirement, rank: index + 1 }));
    // Ease is 6 − difficulty, so a high-impact, urgent, easy pain point comes first.
    const painPoints = this.state.painPoints
      .map((point) => ({ ...point, score: point.impact * point.urgency * (6 - point.difficulty) }))
      .sort((a, b) => b.score - a.score)
      .map((point, index) => ({ ...point, rank: index + 1 }));
    return { requirements, painPoints };
  }

  validateProposal(): void {
    const s = this.state;
    if (s.stage !== 'needs-analysis' && s.stage !== 'proposal')
      throw new RuleViolation(`a proposal follows the needs analysis (stage ${s.stage})`);
    if (s.requirements.length === 0)
      throw new RuleViolation('record the customer’s requirements (recordNeeds) before proposing');
  }

  submitProposal(proposal: ParsedSubmitProposal): { version: number; stage: JourneyStage } {
    const s = this.state;
    s.alternatives = proposal.alternatives;
    s.proposalVersion += 1;
    const blocked = proposal.alternatives.filter((alternative) =>
      Object.values(alternative.feasibility ?? {}).includes('blocker'),
    );
    this.record(
      'proposal-submitted',
      `proposal v${s.proposalVersion}: ${proposal.alternatives.length} alternative(s)${blocked.length ? `, ${blocked.length} with a feasibility blocker` : ''}`,
    );
    this.setStage('proposal', `proposal v${s.proposalVersion}`);
    this.syncVisibility();
    return { version: s.proposalVersion, stage: s.stage };
  }

  validateQuote(quote: SubmitQuote): void {
    const s = this.state;
    if (s.stage !== 'proposal') throw new RuleViolation(`a quote follows a proposal (stage ${s.stage})`);
    if (!s.alternatives.some((alternative) => alternative.id === quote.alternativeId)) {
      throw new RuleViolation(
        `alternativeId: no alternative "${quote.alternativeId}" in proposal v${s.proposalVersion}`,
      );
    }
  }

  async submitQuote(quote: SubmitQuote): Promise<QuoteStarted> {
    const s = this.state;
    const quoteId = `Q${s.quotes.length + 1}`;
    const approvalWorkflowId = `${s.journeyId}/quote-${s.quotes.length + 1}`;
    const margin = marginOf(quote.price, quote.cost);
    const autoApproved = margin >= this.policy.quote.autoApproveMargin;
    s.quotes.push({
      quoteId,
      alternativeId: quote.alternativeId,
      price: quote.price,
      currency: quote.currency,
      margin,
      approvalWorkflowId,
      status: 'pending',
    });
    this.setStage('quote-approval', `quote ${quoteId} in approval`);
    this.record(
      'quote-submitted',
      `quote ${quoteId}: ${quote.price} ${quote.currency}, margin ${(margin * 100).toFixed(1)} %${autoApproved ? ' (meets the policy)' : ' (manager approval needed)'}`,
    );
    this.syncVisibility();
    const args: QuoteApprovalInput = {
      quoteId,
      journeyId: s.journeyId,
      customerId: s.customerId,
      alternativeId: quote.alternativeId,
      price: quote.price,
      cost: quote.cost,
      currency: quote.currency,
      owner: s.owner,
      policy: this.policy.quote,
      calendar: this.policy.calendar,
    };
    // The approval reports back by signal, so the journey may continue-as-new meanwhile:
    // ABANDON keeps it running across that.
    const approval = await startChild(QUOTE_APPROVAL_WORKFLOW, {
      workflowId: approvalWorkflowId,
      args: [args],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      staticSummary: `Quote ${quoteId} for ${s.customerId}: margin ${(margin * 100).toFixed(1)} %`,
    });
    this.trackChild(approval);
    return { quoteId, approvalWorkflowId, margin, autoApproved };
  }

  async onQuoteDecided(decision: QuoteDecision): Promise<void> {
    const s = this.state;
    const quote = s.quotes.find((candidate) => candidate.quoteId === decision.quoteId);
    if (!quote || quote.status !== 'pending')
      return this.rejectSignal('quoteDecided', [`no pending quote ${decision.quoteId}`]);
    quote.status = decision.decision;
    quote.decidedBy = decision.decidedBy;
    quote.suggestedPrice = decision.suggestedPrice;
    this.record(
      'quote-decided',
      `quote ${quote.quoteId} ${decision.decision} by ${decision.decidedBy}${decision.escalatedToDeputy ? ' (after escalation to the deputy)' : ''}`,
    );
    if (decision.decision !== 'approved') {
      // "Adjusted and re-approved when needed": back to the proposal for a new quote.
      this.setStage(
        'proposal',
        `quote ${decision.decision}${decision.suggestedPrice ? `; suggested price ${decision.suggestedPrice}` : ''}`,
      );
      if (decision.escalatedToDeputy) s.escalated = true;
      this.syncVisibility();
      await this.notifyStaff(
        `quote/${quote.quoteId}/${decision.decision}`,
        'owner',
        `quote ${quote.quoteId} ${decision.decision}: prepare a new quote`,
      );
      return;
    }
    if (decision.escalatedToDeputy) s.escalated = true;
    quote.sentAt = nowIso();
    this.setStage('negotiation', `quote ${quote.quoteId} sent to the customer`);
    this.record('quote-sent', `quote ${quote.quoteId} sent to the customer with its explanation`);
    this.startFollowUps(quote.sentAt);
    this.syncVisibility();
    await this.notifyCustomer(`customer/quote/${quote.quoteId}`, 'quote-sent', {
      quoteId: quote.quoteId,
      price: quote.price,
      currency: quote.currency,
    });
  }

  validateObjection(): void {
    const stage = this.state.stage;
    if (!['needs-analysis', 'proposal', 'quote-approval', 'negotiation'].includes(stage)) {
      throw new RuleViolation(`objections are handled before the contract (stage ${stage})`);
    }
  }

  recordObjection(objection: RecordObjection): { stage: JourneyStage } {
    const s = this.state;
    const loopBackTo =
      objection.loopBackTo ??
      (objection.reason === 'price'
        ? 'quote'
        : objection.reason === 'unclear-need'
          ? 'needs-analysis'
          : 'proposal');
    s.objections.push({ reason: objection.reason, detail: objection.detail, loopBackTo, at: nowIso() });
    this.unschedule('follow-up', 'lose');
    s.followUp.lastContactAt = nowIso();
    const pending = s.quotes.find((quote) => quote.status === 'pending');
    // A quote still in approval keeps its stage; otherwise the journey loops back.
    if (!pending)
      this.setStage(
        loopBackTo === 'needs-analysis' ? 'needs-analysis' : 'proposal',
        `objection (${objection.reason}) → back to ${loopBackTo}`,
      );
    this.record(
      'objection',
      `${objection.reason}: ${objection.detail}${objection.response ? ` — answered: ${objection.response}` : ''}`,
      {
        reason: objection.reason,
        loopBackTo,
      },
    );
    this.syncVisibility();
    return { stage: s.stage };
  }

  // -------------------------------------------------------------------------------------------
  // Follow-up plan

  private startFollowUps(from: string): void {
    const s = this.state;
    s.followUp.lastContactAt = from;
    this.schedule(
      'follow-up',
      new Date(Date.parse(from) + durationMs(this.policy.followUpCadence[0]!)).toISOString(),
      0,
    );
    this.schedule('lose', new Date(Date.parse(from) + durationMs(this.policy.loseAfter)).toISOString());
  }

  onCustomerResponded(note?: string): void {
    const s = this.state;
    this.record('customer-responded', note ? `customer responded: ${note}` : 'customer responded');
    if (s.stage === 'negotiation') this.startFollowUps(nowIso());
    else s.followUp.lastContactAt = nowIso();
    this.syncVisibility();
  }

  private async followUp(item: AgendaItem): Promise<void> {
    const s = this.state;
    const cadence = this.policy.followUpCadence;
    s.followUp.tasksCreated += 1;
    this.record(
      'follow-up',
      `follow-up ${item.sequence + 1}/${cadence.length} for ${s.owner ?? 'the sales desk'}`,
    );
    const next = item.sequence + 1;
    if (next < cadence.length && s.followUp.lastContactAt) {
      this.schedule(
        'follow-up',
        new Date(Date.parse(s.followUp.lastContactAt) + durationMs(cadence[next]!)).toISOString(),
        next,
      );
    } else {
      this.unschedule('follow-up');
    }
    this.syncVisibility();
    await this.createTask(
      `follow-up/${s.followUp.lastContactAt}/${item.sequence + 1}`,
      'follow-up',
      nowIso(),
      `follow up the quote (${item.sequence + 1}/${cadence.length})`,
    );
  }

  // -------------------------------------------------------------------------------------------
  // Contract, handoff, delivery

  validateContract(): void {
    const s = this.state;
    if (s.stage !== 'negotiation')
      throw new RuleViolation(`a contract follows an approved quote (stage ${s.stage})`);
  }

  /** The handoff: archive sync, handoff package, and the promised terms for every later case. */
  async signContract(contract: ParsedSignContract): Promise<HandoffResult> {
    const s = this.state;
    s.contract = { contractId: contract.contractId, terms: contract.terms, signedAt: nowIso() };
    this.unschedule('follow-up', 'lose');
    this.setStage('onboarding', `contract ${contract.contractId} signed`);
    this.record('contract-signed', `contract ${contract.contractId} signed; handing off to after-sales`, {
      terms: contract.terms,
    });
    this.syncVisibility();
    const handoff = {
      requirements: s.requirements,
      painPoints: s.painPoints,
      acceptedQuote: s.quotes.find((quote) => quote.status === 'approved'),
      terms: contract.terms,
      specialRequests: s.specialRequests,
      contact: this.input.contact,
    };
    const [archive] = await Promise.all([
      this.attempt('archive', 'synchronising the customer archive', () =>
        activities.syncCustomerArchive.executeWithOptions(
          { summary: 'sync customer archive (handoff package)' },
          [
            {
              idempotencyKey: idempotencyKey(`archive/${contract.contractId}`),
              customerId: s.customerId,
              journeyId: s.journeyId,
              record: handoff,
            },
          ],
        ),
      ),
      this.createTask(
        `handoff/${contract.contractId}`,
        'handoff',
        nowIso(),
        `after-sales handoff for contract ${contract.contractId}`,
      ),
      this.notifyCustomer(`customer/contract/${contract.contractId}`, 'contract-confirmation', {
        contractId: contract.contractId,
      }),
    ]);
    if (archive) {
      s.contract.archiveVersion = archive.archiveVersion;
      this.record(
        'handoff',
        `customer archive synchronised (${archive.archiveVersion}); requirements, terms and special requests handed to after-sales`,
      );
    }
    this.scheduleRenewal();
    this.syncVisibility();
    return {
      contractId: contract.contractId,
      archiveVersion: s.contract.archiveVersion,
      stage: s.stage,
      handoff: {
        requirements: s.requirements.length,
        specialRequests: s.specialRequests.length,
        terms: contract.terms,
      },
    };
  }

  private scheduleRenewal(): void {
    const end = this.state.contract?.terms.contractEnd;
    if (!end) return;
    const remindAt = Date.parse(`${end}T00:00:00Z`) - durationMs(this.policy.renewalReminderBefore);
    this.schedule('renewal', new Date(Math.max(remindAt, Date.now())).toISOString());
  }

  async onDeliveryConfirmed(): Promise<void> {
    const s = this.state;
    if (s.stage !== 'onboarding')
      return this.rejectSignal('deliveryConfirmed', [`no delivery expected in stage ${s.stage}`]);
    s.deliveredAt = nowIso();
    this.setStage('after-sales', 'delivered');
    this.record('delivered', 'delivery confirmed; training schedule pushed');
    this.schedule('revisit', new Date(Date.now() + durationMs(this.policy.revisitEvery)).toISOString(), 1);
    this.syncVisibility();
    await this.attempt('training', 'pushing the training schedule', () =>
      activities.pushTrainingSchedule.executeWithOptions({ summary: 'push training schedule' }, [
        {
          idempotencyKey: idempotencyKey('training'),
          customerId: s.customerId,
          journeyId: s.journeyId,
          deliveredAt: s.deliveredAt!,
        },
      ]),
    );
  }

  // -------------------------------------------------------------------------------------------
  // After-sales relationship

  validateIssue(): void {
    const stage = this.state.stage;
    if (stage !== 'onboarding' && stage !== 'after-sales') {
      throw new RuleViolation(
        `issues are reported after the contract (stage ${stage}); start an afterSalesCase directly otherwise`,
      );
    }
  }

  /** Starts a case that inherits the contract's promised terms (commitment consistency). */
  async reportIssue(issue: ParsedReportIssue): Promise<IssueReported> {
    const s = this.state;
    s.caseCount += 1;
    const caseWorkflowId = `${s.journeyId}/case-${s.caseCount}`;
    const caseInput: AfterSalesCaseInput = {
      ...issue,
      customerId: s.customerId,
      journeyId: s.journeyId,
      promisedTerms: s.contract?.terms,
      policy: this.policy.case,
    };
    const priority = priorityOf(
      resolveCasePolicy(this.policy.case, s.contract?.terms),
      issue.severity,
      issue.scope,
    );
    s.cases.push({ caseWorkflowId, priority, openedAt: nowIso(), status: 'open' });
    this.record('issue-reported', `${priority} ${issue.category} issue → case ${caseWorkflowId}`, {
      caseWorkflowId,
    });
    this.syncVisibility();
    // Cases report back by signal and outlive a continue-as-new of the journey (ABANDON).
    const child = await startChild(AFTER_SALES_CASE_WORKFLOW, {
      workflowId: caseWorkflowId,
      args: [caseInput],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      staticSummary: `${priority} ${issue.category} / ${issue.severity} case of ${s.customerId}`,
    });
    this.trackChild(child);
    return { caseWorkflowId, priority };
  }

  /** Children started by this run that have not completed yet, by workflow id. */
  private readonly runningChildren = new Set<string>();

  private trackChild(child: { workflowId: string; result(): Promise<unknown> }): void {
    this.runningChildren.add(child.workflowId);
    const done = () => void this.runningChildren.delete(child.workflowId);
    child.result().then(done, done);
  }

  /**
   * True while a child of this run has reported back (case closed, quote decided) but its
   * completion has not reached the journey yet. That event arrives moments after the report; if
   * it arrived while the journey completes, the server would refuse the completion and with it
   * the update that ended the journey (ops would see their close fail).
   */
  childrenFinishing(): boolean {
    const { cases, quotes } = this.state;
    return [...this.runningChildren].some(
      (id) =>
        cases.some((record) => record.caseWorkflowId === id && record.status !== 'open') ||
        quotes.some((quote) => quote.approvalWorkflowId === id && quote.status !== 'pending'),
    );
  }

  async onCaseClosed(result: CaseResult): Promise<void> {
    const s = this.state;
    const record = s.cases.find((candidate) => candidate.caseWorkflowId === result.caseId);
    if (!record) return this.rejectSignal('caseClosed', [`unknown case ${result.caseId}`]);
    record.status = 'closed';
    record.outcome = result.outcome;
    record.csat = result.csat;
    record.nps = result.nps;
    this.record(
      'case-closed',
      `case ${result.caseId} ${result.outcome}${result.csat ? `, CSAT ${result.csat}` : ''}${result.nps !== undefined ? `, NPS ${result.nps}` : ''}`,
    );
    this.syncVisibility();
    // "Satisfied customers (promoters) are asked for referrals" (rule RT-1), at most once per interval.
    if (!result.promoter) return;
    const last = s.lastReferralAt ? Date.parse(s.lastReferralAt) : undefined;
    if (last !== undefined && Date.now() - last < durationMs(this.policy.referralMinInterval)) {
      this.record(
        'referral-skipped',
        `promoter, but a referral was already requested on ${formatInstant(s.lastReferralAt!)}`,
      );
      return;
    }
    s.lastReferralAt = nowIso();
    s.referralsRequested += 1;
    this.record('referral-requested', `promoter after case ${result.caseId}: referral requested`);
    await this.attempt(`referral/${result.caseId}`, 'requesting a referral', () =>
      activities.requestReferral.executeWithOptions({ summary: 'referral request (promoter)' }, [
        {
          idempotencyKey: idempotencyKey(`referral/${result.caseId}`),
          customerId: s.customerId,
          channel: s.channel,
          subjectId: result.caseId,
        },
      ]),
    );
  }

  // -------------------------------------------------------------------------------------------
  // Agenda

  /** Runs every agenda item that is due. */
  async runDueAgenda(): Promise<void> {
    const now = nowIso();
    const due = this.state.agenda.filter((item) => item.dueAt <= now);
    for (const item of due) {
      this.state.agenda = this.state.agenda.filter((candidate) => candidate !== item);
      this.agendaVersion += 1;
      await this.runAgendaItem(item);
      if (this.ended) return;
    }
  }

  private async runAgendaItem(item: AgendaItem): Promise<void> {
    const s = this.state;
    switch (item.kind) {
      case 'first-response':
        if (!s.firstResponse || s.firstResponse.respondedAt) return;
        s.firstResponse.breached = true;
        s.escalated = true;
        this.record(
          'first-response-breached',
          `no first response by ${formatInstant(s.firstResponse.dueAt)}; escalated to the owner’s lead`,
        );
        this.syncVisibility();
        await this.notifyStaff(
          'first-response/breach',
          'owner-lead',
          `inquiry not answered within ${this.policy.firstResponse[s.channel]}`,
          'first-response',
        );
        return;
      case 'follow-up':
        if (s.stage !== 'negotiation') return;
        return this.followUp(item);
      case 'lose':
        if (s.stage !== 'negotiation') return;
        this.end('lost', 'no-response', `no response for ${this.policy.loseAfter} after the last contact`);
        return;
      case 'revisit':
        s.revisits += 1;
        this.record('periodic-revisit', `periodic revisit ${s.revisits} due`);
        this.schedule(
          'revisit',
          new Date(Date.now() + durationMs(this.policy.revisitEvery)).toISOString(),
          s.revisits + 1,
        );
        this.syncVisibility();
        await this.createTask(`revisit/${s.revisits}`, 'revisit', nowIso(), `periodic revisit ${s.revisits}`);
        return;
      case 'renewal':
        this.record(
          'renewal-reminder',
          `contract ${s.contract?.contractId} ends ${s.contract?.terms.contractEnd}: prepare the renewal conversation`,
        );
        this.syncVisibility();
        await Promise.all([
          this.createTask('renewal', 'renewal', nowIso(), `prepare the renewal of ${s.contract?.contractId}`),
          this.notifyStaff(
            'renewal',
            'owner',
            `contract ${s.contract?.contractId} ends ${s.contract?.terms.contractEnd}: prepare the renewal conversation`,
          ),
        ]);
        return;
    }
  }

  // -------------------------------------------------------------------------------------------
  // Ending

  validateMarkLost(): void {
    if (!PRE_CONTRACT.includes(this.state.stage))
      throw new RuleViolation(`a journey is lost before the contract (stage ${this.state.stage})`);
  }

  markLost(request: ParsedMarkLost): JourneyView {
    this.end('lost', request.reason, request.note ?? `marked lost: ${request.reason}`);
    return this.view();
  }

  validateClose(request: ParsedCloseJourney): void {
    if (this.ended) throw new RuleViolation(`the journey is already ${this.state.stage}`);
    const open = this.state.cases.filter((record) => record.status === 'open');
    if (open.length > 0 && !request.force) {
      throw new RuleViolation(
        `${open.length} case(s) still open (${open.map((record) => record.caseWorkflowId).join(', ')}); close them first or set force`,
      );
    }
  }

  close(request: ParsedCloseJourney): JourneyView {
    this.end('closed', undefined, request.reason);
    return this.view();
  }

  private end(stage: 'lost' | 'closed', reason: LostReason | undefined, why: string): void {
    const s = this.state;
    s.lostReason = reason;
    s.endedAt = nowIso();
    s.agenda = [];
    this.agendaVersion += 1;
    this.setStage(stage, why);
    this.record(stage === 'lost' ? 'lost' : 'closed', `${stage}${reason ? ` (${reason})` : ''}: ${why}`);
    this.syncVisibility();
  }

  // -------------------------------------------------------------------------------------------
  // Continue-as-new and views

  /** The state for the next run; the oldest timeline entries stay in this run's history. */
  carryOver(): Record<string, unknown> {
    const s = this.state;
    return { ...s, timeline: s.timeline.slice(-TIMELINE_CARRIED) };
  }

  shouldContinueAsNew(): boolean {
    const info = workflowInfo();
    const limit = this.policy.continueAsNewAfterEvents;
    return limit !== undefined ? info.historyLength >= limit : info.continueAsNewSuggested;
  }

  view(): JourneyView {
    const s = this.state;
    const ranked = this.rankedNeeds();
    const nextFollowUp = s.agenda.find((item) => item.kind === 'follow-up');
    return {
      journeyId: s.journeyId,
      customerId: s.customerId,
      channel: s.channel,
      stage: s.stage,
      owner: s.owner,
      inquiries: s.inquiries,
      firstResponse: s.firstResponse,
      requirements: ranked.requirements,
      painPoints: ranked.painPoints,
      proposalVersion: s.proposalVersion,
      alternatives: s.alternatives,
      quotes: s.quotes,
      objections: s.objections,
      followUp: {
        lastContactAt: s.followUp.lastContactAt,
        tasksCreated: s.followUp.tasksCreated,
        nextAt: nextFollowUp?.dueAt,
      },
      contract: s.contract,
      specialRequests: s.specialRequests,
      deliveredAt: s.deliveredAt,
      cases: s.cases,
      referralsRequested: s.referralsRequested,
      nextRevisitAt: s.agenda.find((item) => item.kind === 'revisit')?.dueAt,
      renewalReminderAt: s.agenda.find((item) => item.kind === 'renewal')?.dueAt,
      lostReason: s.lostReason,
      escalated: s.escalated,
      continuedAsNew: s.continuedAsNew,
      asOf: nowIso(),
    };
  }

  result(): JourneyResult {
    const s = this.state;
    return {
      journeyId: s.journeyId,
      customerId: s.customerId,
      outcome: s.stage === 'lost' ? 'lost' : 'closed',
      stage: s.stage,
      channel: s.channel,
      lostReason: s.lostReason,
      contractId: s.contract?.contractId,
      casesOpened: s.caseCount,
      firstResponseBreached: s.firstResponse?.breached ?? false,
      quotes: s.quotes.length,
      objections: s.objections.length,
      startedAt: s.startedAt,
      endedAt: s.endedAt ?? nowIso(),
    };
  }
}
