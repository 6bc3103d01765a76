/**
 * The customer as the journey knows them (rules PS-11 … PS-13): the channel they want to be
 * reached on, their contact details as last checked with them (who corrected which field, and
 * when, in the timeline; the values only in encrypted payloads), what they agreed their data may
 * be used for, and their answer to the pre-sales survey sent once the contract is signed or the
 * prospect is lost (a lost journey stays open for the answer, then ends).
 */
import { idempotencyKey } from '../kernel/activity-calls';
import { journeyActivities as activities } from './activities';
import { durationMs } from '../kernel/contract';
import { addMs, formatInstant, nowIso } from '../kernel/time';
import { RuleViolation } from '../kernel/validation';
import type {
  ConsentRecorded,
  ContactUpdated,
  ParsedRecordConsent,
  ParsedUpdateContact,
  PresalesFeedback,
  StageResult,
} from './contract';
import { customerChannel, type Journey } from './model';
import type { Consent } from './records';

const PRESALES_SURVEY = 'presales-survey';
const PRESALES_SURVEY_CLOSES = 'presales-survey-closes';

/** What the customer has agreed to: recorded, or the policy's default. */
export function consentOf(j: Journey): Consent {
  const { surveys, marketing, referrals } = j.s.consent ?? j.policy.consent;
  return { surveys, marketing, referrals };
}

export function updateContact(j: Journey, request: ParsedUpdateContact): ContactUpdated {
  const s = j.s;
  const corrected = Object.keys(request.contact ?? {});
  if (request.contact) s.contact = { ...s.contact, ...request.contact };
  if (request.preferredChannel) s.preferredChannel = request.preferredChannel;
  const parts = [
    corrected.length ? `corrected ${corrected.join(', ')}` : undefined,
    request.preferredChannel ? `preferred channel ${request.preferredChannel}` : undefined,
  ].filter(Boolean);
  j.entity.record('contact-updated', `contact details checked by ${request.by}: ${parts.join('; ')}`, {
    data: { by: request.by, corrected, preferredChannel: request.preferredChannel },
  });
  return { corrected, preferredChannel: customerChannel(j), stage: s.stage };
}

export function recordConsent(j: Journey, request: ParsedRecordConsent): ConsentRecorded {
  const { by, ...given } = request;
  const consent = {
    ...consentOf(j),
    ...Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)),
  };
  const recordedAt = nowIso();
  j.s.consent = { ...consent, recordedAt, by };
  const yes = (Object.keys(consent) as (keyof Consent)[]).filter((key) => consent[key]);
  j.entity.record(
    'consent-recorded',
    `consent recorded${by ? ` by ${by}` : ''}: ${yes.length ? yes.join(', ') : 'nothing'} agreed`,
    { data: { ...consent } },
  );
  return { consent, recordedAt };
}

/** Rule PS-13: the pre-sales survey, the policy's time after the contract, if the customer agreed to surveys. */
export function schedulePresalesSurvey(j: Journey): void {
  const survey = j.policy.presalesSurvey;
  if (!survey.enabled) return;
  const dueAt = addMs(nowIso(), durationMs(survey.after));
  j.agenda.set({ key: PRESALES_SURVEY, kind: PRESALES_SURVEY, dueAt, summary: 'pre-sales survey' });
}

/**
 * Rule PS-13 for a prospect who was lost: what they thought of the reception matters most here.
 * The survey goes out the policy's time after the loss, and the journey stays open for the answer
 * until `answerWithin` after that (then it ends without one). Without consent to surveys it ends at
 * once, saying why.
 */
export function surveyLostProspect(j: Journey): void {
  const survey = j.policy.presalesSurvey;
  if (!survey.enabled) return;
  if (!consentOf(j).surveys) {
    j.entity.record('presales-survey-skipped', 'no consent to surveys: the pre-sales survey is not sent');
    return;
  }
  const sendAt = addMs(nowIso(), durationMs(survey.after));
  const answerBy = addMs(sendAt, durationMs(survey.answerWithin));
  j.s.presalesSurvey = { ...j.s.presalesSurvey, answerBy };
  j.agenda.set({ key: PRESALES_SURVEY, kind: PRESALES_SURVEY, dueAt: sendAt, summary: 'pre-sales survey' });
  j.agenda.set({
    key: PRESALES_SURVEY_CLOSES,
    kind: PRESALES_SURVEY_CLOSES,
    dueAt: answerBy,
    summary: 'pre-sales survey answer window ends',
  });
  j.entity.record(
    'presales-survey-planned',
    `pre-sales survey planned; the journey ends when it is answered or on ${formatInstant(answerBy)}`,
  );
}

/** A lost journey still waiting for the survey's answer (it ends when this turns false). */
export function awaitingPresalesSurvey(j: Journey): boolean {
  const survey = j.s.presalesSurvey;
  return j.s.stage === 'lost' && survey?.answerBy !== undefined && !survey.answer && !survey.unanswered;
}

export function watchPresalesSurvey(j: Journey): void {
  j.agenda.on(PRESALES_SURVEY_CLOSES, () => {
    j.s.presalesSurvey = { ...j.s.presalesSurvey, unanswered: true };
    j.entity.record('presales-survey-unanswered', 'the pre-sales survey was not answered in time');
  });
  j.agenda.on(PRESALES_SURVEY, async () => {
    const s = j.s;
    if (!consentOf(j).surveys) {
      j.entity.record('presales-survey-skipped', 'no consent to surveys: the pre-sales survey is not sent');
      return;
    }
    const sent = await j.entity.attempt('presales-survey', 'sending the pre-sales survey', () =>
      activities.sendSurvey.executeWithOptions({ summary: 'pre-sales survey' }, [
        {
          idempotencyKey: idempotencyKey('presales-survey'),
          caseId: s.journeyId,
          customerId: s.customerId,
          channel: customerChannel(j),
          replyTo: { workflowId: s.journeyId, update: 'submitPresalesFeedback' },
        },
      ]),
    );
    if (!sent) return;
    s.presalesSurvey = { ...s.presalesSurvey, sentAt: nowIso() };
    j.entity.record('presales-survey-sent', `pre-sales survey sent via ${customerChannel(j)}`);
  });
}

export function validatePresalesFeedback(j: Journey): void {
  if (j.s.presalesSurvey?.answer) {
    throw new RuleViolation(
      `the pre-sales survey was already answered on ${formatInstant(j.s.presalesSurvey.answer.at)}`,
    );
  }
}

export function submitPresalesFeedback(j: Journey, answer: PresalesFeedback): StageResult {
  const s = j.s;
  s.presalesSurvey = { ...s.presalesSurvey, answer: { ...answer, at: nowIso() } };
  j.agenda.clear(PRESALES_SURVEY);
  j.agenda.clear(PRESALES_SURVEY_CLOSES);
  j.entity.record(
    'presales-feedback',
    `pre-sales survey answered: CSAT ${answer.csat}` +
      `${answer.speed ? `, speed ${answer.speed}` : ''}${answer.understanding ? `, understanding ${answer.understanding}` : ''}`,
    { data: { csat: answer.csat, speed: answer.speed, understanding: answer.understanding } },
  );
  return { stage: s.stage };
}
