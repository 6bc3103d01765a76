/**
 * `rootCauseAnalysis`: the tracked work "satisfaction below 80 % in an area triggers root-cause
 * analysis" asks for (rule LE-4). The owner has until the due date on business time; at 75 % of
 * it they are reminded, at the due date the owner's lead is told and the analysis is overdue
 * (searchable: `SlaBreached`, sorted by `NextDeadlineAt`). It closes with findings and actions.
 */
import { workflowInfo } from '@temporalio/workflow';
import { durationMs } from '../kernel/contract';
import { assertWorkableCalendar, parseWorkflowInput } from '../kernel/input';
import { registerMessages } from '../kernel/messages';
import { formatInstant, nowIso } from '../kernel/time';
import { TrackedWork } from '../kernel/tracked-work';
import {
  RCA_MESSAGES,
  ROOT_CAUSE_ANALYSIS_WORKFLOW,
  RootCauseAnalysisInput,
  type RcaView,
  type RecordFindings,
} from './contract';

type Parsed = ReturnType<typeof RootCauseAnalysisInput.parse>;

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
  const { area, trigger } = parsed;
  await rca.work.run(
    `${area.dimension} ${area.value}: satisfaction ${percent(trigger.satisfactionRate)} of ${trigger.answers} answers (target ${percent(trigger.target)})` +
      (trigger.nps !== undefined ? `, NPS ${trigger.nps} (target ${trigger.npsTarget ?? 0})` : ''),
  );
  return rca.view();
}

class Analysis {
  readonly work: TrackedWork;
  private findings?: RecordFindings & { by: string };

  constructor(private readonly input: Parsed) {
    this.work = new TrackedWork({
      owner: input.owner,
      lead: input.lead,
      dueWithin: input.dueWithin,
      calendar: input.calendar,
      what: `root-cause analysis of ${input.area.dimension} ${input.area.value}`,
      window: 'root-cause-analysis',
      details: () => this.details(),
    });
    registerMessages(
      RCA_MESSAGES,
      {
        recordFindings: {
          run: (request) => {
            this.findings = request;
            this.work.close(request.by);
            return this.view();
          },
        },
        getRca: () => this.view(),
      },
      {
        stage: () => this.work.entity.stage,
        rejectSignal: (name, problems) => this.work.entity.rejectSignal(name, problems),
      },
    );
  }

  private details(): string {
    const { area, trigger, owner } = this.input;
    const stage = this.work.entity.stage;
    return [
      `**Root-cause analysis** · ${area.dimension} ${area.value} · owner ${owner}`,
      `Satisfaction ${percent(trigger.satisfactionRate)} of ${trigger.answers} answers (target ${percent(trigger.target)}), ${trigger.from.slice(0, 10)} – ${trigger.to.slice(0, 10)}`,
      stage === 'closed'
        ? `**Closed** by ${this.findings!.by}: ${this.findings!.actions.length} action(s)`
        : `**${stage === 'overdue' ? 'Overdue' : 'Due'}:** ${formatInstant(this.work.dueAt)}`,
    ].join('\n\n');
  }

  view(): RcaView {
    return {
      workflowId: workflowInfo().workflowId,
      area: this.input.area,
      trigger: this.input.trigger,
      owner: this.input.owner,
      stage: this.work.entity.stage,
      openedAt: this.work.openedAt,
      dueAt: this.work.dueAt,
      overdue: this.work.overdue,
      closedAt: this.work.closedAt,
      closedBy: this.findings?.by,
      findings: this.findings?.findings,
      actions: this.findings?.actions,
    };
  }
}

function percent(ratio: number): string {
  return `${(ratio * 100).toFixed(1)} %`;
}
