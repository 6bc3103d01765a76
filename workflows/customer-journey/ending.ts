/**
 * How a journey ends: lost before the contract (a reason from the list; the journey stays open
 * for the pre-sales survey's answer), or closed by ops — not while cases are open, unless forced
 * (they carry on alone).
 */
import * as metrics from '../kernel/metrics';
import { nowIso } from '../kernel/time';
import { RuleViolation } from '../kernel/validation';
import { PRESALES_SURVEY_LOST } from '../kernel/versions';
import type { LostReason, ParsedCloseJourney } from './contract';
import { surveyLostProspect } from './customer';
import type { Journey } from './model';

export function validateClose(j: Journey, request: ParsedCloseJourney): void {
  const open = j.s.cases.filter((record) => record.status === 'open');
  if (open.length > 0 && !request.force) {
    throw new RuleViolation(
      `${open.length} case(s) still open (${open.map((record) => record.caseWorkflowId).join(', ')}); close them first or set force`,
    );
  }
}

export function endJourney(
  j: Journey,
  stage: 'lost' | 'closed',
  reason: LostReason | undefined,
  why: string,
): void {
  const s = j.s;
  // Asked here, where the journey ends, not at every run's start: a marker is two events of history.
  j.surveyWhenLost = j.code.has(PRESALES_SURVEY_LOST);
  s.lostReason = reason;
  s.endedAt = nowIso();
  j.windows.cancelAll(`the journey is ${stage}`);
  const surveyFollows = stage === 'lost' && j.surveyWhenLost;
  // Nothing else is due for a lost prospect; the survey's deadlines are the last ones.
  if (surveyFollows) j.agenda.clearWhere(() => true);
  else j.agenda.stop();
  j.entity.moveTo(stage, why);
  if (stage === 'lost')
    metrics.journeyEnded({ outcome: 'lost', reason: reason ?? 'other', channel: s.channel });
  j.entity.record(stage === 'lost' ? 'lost' : 'closed', `${stage}${reason ? ` (${reason})` : ''}: ${why}`);
  if (surveyFollows) surveyLostProspect(j);
}
