/**
 * The `rootCauseAnalysis` contract (rule LE-4): an area whose satisfaction fell below the target
 * gets an analysis with an owner and a due date on business time; it is closed with findings and
 * actions. The weekly QA report opens them; one analysis per area is open at a time.
 */
import { z } from 'zod';
import { BusinessCalendar, DEFAULT_BUSINESS_CALENDAR } from '../kernel/business-hours';
import { DurationText, IsoTimestamp, StaffId, Text } from '../kernel/contract';
import { query, update } from '../kernel/messages';

export const ROOT_CAUSE_ANALYSIS_WORKFLOW = 'rootCauseAnalysis';

export const RcaStage = z.enum(['open', 'overdue', 'closed']);
export type RcaStage = z.infer<typeof RcaStage>;

export const RcaArea = z.strictObject({
  dimension: z.enum(['team', 'category', 'priority', 'channel']),
  value: z.string().min(1).max(64),
});
export type RcaArea = z.infer<typeof RcaArea>;

/** The workflow id of an area's analysis: one open per area (a new one once it is closed). */
export function rcaWorkflowId(area: RcaArea): string {
  return `rca-${area.dimension}-${area.value}`;
}

export const RootCauseAnalysisInput = z.strictObject({
  area: RcaArea,
  /** What opened it: the area's figures in the report's range. */
  trigger: z.strictObject({
    satisfactionRate: z.number().min(0).max(1),
    answers: z.number().int().min(0),
    target: z.number().min(0).max(1),
    /** The area's NPS and its target, when the NPS put it below (−100…100). */
    nps: z.number().min(-100).max(100).optional(),
    npsTarget: z.number().min(-100).max(100).optional(),
    from: IsoTimestamp,
    to: IsoTimestamp,
  }),
  owner: StaffId,
  /** The owner's lead, told when the analysis is overdue. */
  lead: StaffId.default('quality-lead'),
  /** Business time until the findings are due (45 h: five working days of the default calendar). */
  dueWithin: DurationText.default('45h'),
  calendar: BusinessCalendar.default(DEFAULT_BUSINESS_CALENDAR),
});
export type RootCauseAnalysisInput = z.input<typeof RootCauseAnalysisInput>;

export const RecordFindings = z.strictObject({
  findings: Text(2000).min(1, 'must say what was found'),
  actions: z
    .array(
      z.strictObject({
        action: Text(300).min(1, 'must say what is done'),
        owner: StaffId,
        dueDate: z.iso.date({ error: 'must be a date (YYYY-MM-DD)' }).optional(),
      }),
    )
    .min(1, 'must name at least one action')
    .max(20),
  by: StaffId,
});
export type RecordFindings = z.input<typeof RecordFindings>;

export const RcaView = z.object({
  workflowId: z.string(),
  area: RcaArea,
  trigger: RootCauseAnalysisInput.shape.trigger,
  owner: z.string(),
  stage: RcaStage,
  openedAt: IsoTimestamp,
  dueAt: IsoTimestamp,
  overdue: z.boolean(),
  closedAt: IsoTimestamp.optional(),
  closedBy: z.string().optional(),
  findings: z.string().optional(),
  actions: RecordFindings.shape.actions.optional(),
});
export type RcaView = z.infer<typeof RcaView>;

const closed = (stage: RcaStage) => (stage === 'closed' ? 'the analysis is closed' : `not in stage ${stage}`);

export const RCA_MESSAGES = {
  recordFindings: update(
    'recordFindings',
    RecordFindings,
    RcaView,
    'The owner closes the analysis with what was found and the actions taken (each with an owner). JSON: {"findings":"Night shift lacks the repair guide","actions":[{"action":"Train the night shift","owner":"lead-2"}],"by":"lead-2"}',
    { stages: ['open', 'overdue'], refusal: closed },
  ),
  getRca: query('getRca', RcaView, 'The analysis: its area, owner, due date, findings and actions.'),
} as const;

export const recordFindingsUpdate = RCA_MESSAGES.recordFindings.definition;
export const getRcaQuery = RCA_MESSAGES.getRca.definition;
