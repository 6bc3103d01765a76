/**
 * The journey's pre-sales figures for the analyst report (rule LE-5 for pre-sales): kept in the
 * memo, where a visibility listing returns them with each journey, so the report reads pages, not
 * histories. No personal data: channels, times, outcomes, reasons, the survey's scores.
 */
import type { JourneyReport } from './contract';
import type { Journey } from './model';
import { responseOf } from './reception';

/** The memo keeps the latest inquiries only: bounded, whatever a customer's history. */
const INQUIRIES_KEPT = 50;

export function journeyReport(j: Journey): JourneyReport {
  const s = j.s;
  const won = s.contract !== undefined;
  const lost = !won && s.stage === 'lost';
  const answer = s.presalesSurvey?.answer;
  return {
    customerId: s.customerId,
    channel: s.channel,
    owner: s.owner,
    startedAt: s.startedAt,
    inquiries: s.inquiries.slice(-INQUIRIES_KEPT).map((inquiry) => {
      const response = responseOf(j, inquiry);
      return {
        inquiryId: inquiry.inquiryId,
        channel: inquiry.channel,
        at: inquiry.at,
        dueAt: response?.dueAt,
        respondedAt: inquiry.answeredAt ?? response?.respondedAt,
        breached: response?.breached ?? false,
      };
    }),
    outcome: won ? 'won' : lost ? 'lost' : undefined,
    decidedAt: won ? s.contract!.signedAt : lost ? s.endedAt : undefined,
    lostReason: won ? undefined : s.lostReason,
    winReason: s.contract?.winReason,
    contractValue: s.grade?.value,
    grade: s.grade?.grade,
    survey: answer && {
      csat: answer.csat,
      speed: answer.speed,
      understanding: answer.understanding,
      attitude: answer.attitude,
      effectiveness: answer.effectiveness,
      at: answer.at,
    },
  };
}
