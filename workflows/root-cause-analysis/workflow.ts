/**
 * `rootCauseAnalysis`: the tracked work "satisfaction below 80 % in an area triggers root-cause
 * analysis" asks for (rule LE-4). The owner has until the due date on business time; at 75 % of
 * it they are reminded, at the due date the owner's lead is told and the analysis is overdue
 * (searchable: `SlaBreached`, sorted by `NextDeadlineAt`). It closes with findings and actions.
 */
import { condition, setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { addWorkingTime } from '../kernel/business-hours';
import { durationMs } from '../kernel/contract';
import { Entity } from '../kernel/entity';
import { assertWorkableCalendar, parseWorkflowInput } from '../kernel/input';
import { registerMessages } from '../kernel/messages';
import { EscalatedKey, NextDeadlineAtKey, SlaBreachedKey } from '../kernel/search-attributes';
import { formatInstant, msUntil, nowIso } from '../kernel/time';
import {
  RCA_MESSAGES,
  ROOT_CAUSE_ANALYSIS_WORKFLOW,
  RootCauseAnalysisInput,
  type RcaStage,
  type RcaView,
  type RecordFindings,
} from './contract';
import { RCA_TRANSITIONS } from './stages';

type Parsed = ReturnType<typeof RootCauseAnalysisInput.parse>;

/** The owner's reminder, as a share of the time to the due date (ours). */
const REMINDER_SHARE = 0.75;

export async function rootCauseAnalysis(input: RootCauseAnalysisInput): Promise<RcaView> {
  const parsed = parseWorkflowInput(RootCauseAnalysisInput, input, ROOT_CAUSE_ANALYSIS_WORKFLOW);
  assertWorkableCalendar(
    ROOT_CAUSE_ANALYSIS_WORKFLOW,
    parsed.calendar,
    'calendar',
    [{ field: 'dueWithin', ms: durationMs(parsed.dueWithin) }],
    nowIso(),
  );
  const rca = new Analysis(parsed);
  await rca.run();
  return rca.view();
}

class Analysis {
  readonly entity: Entity<RcaStage>;
  readonly openedAt = nowIso();
  readonly dueAt: string;
  private readonly remindAt: string;
  private closing?: { at: string; request: RecordFindings & { by: string } };

  constructor(private readonly input: Parsed) {
    const budget = durationMs(input.dueWithin);
    this.dueAt = addWorkingTime(this.openedAt, budget, input.calendar);
    this.remindAt = addWorkingTime(this.openedAt, Math.round(budget * REMINDER_SHARE), input.calendar);
    this.entity = new Entity<RcaStage>(
      { stage: 'open', timeline: [], rejectedSignals: 0 },
      {
        transitions: RCA_TRANSITIONS,
        subjectId: workflowInfo().workflowId,
        // Nothing here is said to a customer; the analysis is internal work.
        customer: () => ({ customerId: 'none', channel: 'email' }),
        changed: () => undefined,
      },
    );
    registerMessages(
      RCA_MESSAGES,
      {
        recordFindings: {
          run: (request) => {
            this.closing = { at: nowIso(), request };
            this.entity.moveTo('closed', `findings recorded by ${request.by}`);
            this.sync();
            return this.view();
          },
        },
        getRca: () => this.view(),
      },
      {
        stage: () => this.entity.stage,
        rejectSignal: (name, problems) => this.entity.rejectSignal(name, problems),
      },
    );
  }

  async run(): Promise<void> {
    const { area, trigger, owner } = this.input;
    this.entity.record(
      'opened',
      `${area.dimension} ${area.value}: satisfaction ${percent(trigger.satisfactionRate)} of ${trigger.answers} answers, below ${percent(trigger.target)}`,
    );
    this.sync();
    await this.notify(
      'owner',
      owner,
      `root-cause analysis of ${area.dimension} ${area.value} due ${formatInstant(this.dueAt)}`,
    );
    if (await this.closedBy(this.remindAt, 'reminder')) return;
    await this.notify(
      'owner',
      owner,
      `root-cause analysis of ${area.dimension} ${area.value} due ${formatInstant(this.dueAt)}: 75 % of the time used`,
      'reminder',
    );
    if (await this.closedBy(this.dueAt, 'due date')) return;
    this.entity.moveTo('overdue', 'no findings by the due date');
    this.sync();
    await this.notify(
      'owner-lead',
      this.input.lead,
      `root-cause analysis of ${area.dimension} ${area.value} (owner ${owner}) is overdue since ${formatInstant(this.dueAt)}`,
      'overdue',
    );
    await condition(() => this.closing !== undefined);
  }

  private closedBy(at: string, what: string): Promise<boolean> {
    return condition(() => this.closing !== undefined, Math.max(1, msUntil(at)), {
      summary: `findings before the ${what} (${formatInstant(at)})`,
    });
  }

  private async notify(
    audience: 'owner' | 'owner-lead',
    staffId: string,
    reason: string,
    step = 'opened',
  ): Promise<void> {
    await this.entity.notifyStaff(`rca/${step}/${audience}`, {
      audience,
      staffId,
      window: 'root-cause-analysis',
      reason,
    });
  }

  /** The index (overdue, the due date) and the Web UI's details. */
  private sync(): void {
    const stage = this.entity.stage;
    upsertSearchAttributes([
      { key: SlaBreachedKey, value: stage === 'overdue' || (stage === 'closed' && this.view().overdue) },
      { key: EscalatedKey, value: stage === 'overdue' },
      { key: NextDeadlineAtKey, value: stage === 'closed' ? null : new Date(this.dueAt) },
    ]);
    const { area, trigger, owner } = this.input;
    const lines = [
      `**Root-cause analysis** · ${area.dimension} ${area.value} · owner ${owner}`,
      `Satisfaction ${percent(trigger.satisfactionRate)} of ${trigger.answers} answers (target ${percent(trigger.target)}), ${trigger.from.slice(0, 10)} – ${trigger.to.slice(0, 10)}`,
      stage === 'closed'
        ? `**Closed** by ${this.closing!.request.by}: ${this.closing!.request.actions.length} action(s)`
        : `**${stage === 'overdue' ? 'Overdue' : 'Due'}:** ${formatInstant(this.dueAt)}`,
    ];
    setCurrentDetails(lines.join('\n\n'));
  }

  view(): RcaView {
    const closing = this.closing;
    return {
      workflowId: workflowInfo().workflowId,
      area: this.input.area,
      trigger: this.input.trigger,
      owner: this.input.owner,
      stage: this.entity.stage,
      openedAt: this.openedAt,
      dueAt: this.dueAt,
      overdue: closing ? closing.at > this.dueAt : this.entity.stage === 'overdue',
      closedAt: closing?.at,
      closedBy: closing?.request.by,
      findings: closing?.request.findings,
      actions: closing?.request.actions,
    };
  }
}

function percent(ratio: number): string {
  return `${(ratio * 100).toFixed(1)} %`;
}
