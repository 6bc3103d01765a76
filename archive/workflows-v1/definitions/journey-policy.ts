/**
 * The customer-journey policy: response windows per channel, quote approval rules, the
 * follow-up cadence, the long-tail cadences (revisits, renewal, referrals). Data, with each
 * default next to the rule it comes from (rule ids of docs/rules.md).
 */
import { z } from 'zod';
import { BusinessCalendar, DEFAULT_BUSINESS_CALENDAR } from './business-hours';
import { CasePolicyOverrides } from './case-policy';
import { DurationText } from './common';

export const QuotePolicy = z.strictObject({
  /** Quotes at or above this margin ((price − cost) / price) are approved without a manager. */
  autoApproveMargin: z.number().min(0).max(1),
  /** Business time the manager has to decide before the deputy is asked. */
  approverWindow: DurationText,
  /** Business time the deputy has before the quote expires back to sales. */
  deputyWindow: DurationText,
});
export type QuotePolicy = z.infer<typeof QuotePolicy>;

export const JourneyPolicy = z.strictObject({
  calendar: BusinessCalendar,
  /** First response to an inquiry, per channel, counted from the inquiry (or the next opening). */
  firstResponse: z.strictObject({
    phone: DurationText,
    email: DurationText,
    'online-chat': DurationText,
    social: DurationText,
    'walk-in': DurationText,
  }),
  quote: QuotePolicy,
  /** Follow-up tasks after a quote is sent, counted from the customer's last contact. */
  followUpCadence: z.array(DurationText).min(1),
  /** Without any contact for this long after the quote, the prospect is lost ("no-response"). */
  loseAfter: DurationText,
  /** Periodic revisits after delivery (rule RT-2: "periodic revisits at a cadence per customer"). */
  revisitEvery: DurationText,
  /** How long before the contract ends after-sales is reminded to prepare the renewal. */
  renewalReminderBefore: DurationText,
  /** At most one referral request per customer in this period. */
  referralMinInterval: DurationText,
  /** Continue-as-new once history reaches this many events (the SDK's suggestion otherwise). */
  continueAsNewAfterEvents: z.number().int().min(20).optional(),
  /** Policy overrides for the journey's cases (the contract's promised terms still win). */
  case: CasePolicyOverrides.optional(),
});
export type JourneyPolicy = z.infer<typeof JourneyPolicy>;

export const DEFAULT_JOURNEY_POLICY: JourneyPolicy = {
  calendar: DEFAULT_BUSINESS_CALENDAR,
  // "Phone answered within N seconds, online inquiries replied within N minutes" (rule PS-1; N is
  // ours): phone 20 s, online chat 2 min, walk-in 5 min, social 30 min, e-mail 4 h.
  firstResponse: { phone: '20s', 'online-chat': '2m', 'walk-in': '5m', social: '30m', email: '4h' },
  // "Draft quote → internal approval (margin rules)" (rule PS-6): 25 % margin passes on its own; a
  // manager has 4 business hours, then the deputy 4 more.
  quote: { autoApproveMargin: 0.25, approverWindow: '4h', deputyWindow: '4h' },
  // "Undecided prospects are followed up on a cadence until won or lost" (rule PS-9).
  followUpCadence: ['2d', '5d', '10d'],
  loseAfter: '21d',
  revisitEvery: '90d',
  // "Before the contract expires, after-sales is reminded to prepare the renewal" (rule HO-4).
  renewalReminderBefore: '60d',
  referralMinInterval: '180d',
};

export const JourneyPolicyOverrides = z.strictObject({
  calendar: BusinessCalendar.optional(),
  firstResponse: z
    .partialRecord(z.enum(['phone', 'email', 'online-chat', 'social', 'walk-in']), DurationText)
    .optional(),
  quote: QuotePolicy.partial().optional(),
  followUpCadence: z.array(DurationText).min(1).optional(),
  loseAfter: DurationText.optional(),
  revisitEvery: DurationText.optional(),
  renewalReminderBefore: DurationText.optional(),
  referralMinInterval: DurationText.optional(),
  continueAsNewAfterEvents: z.number().int().min(20).optional(),
  case: CasePolicyOverrides.optional(),
});
export type JourneyPolicyOverrides = z.infer<typeof JourneyPolicyOverrides>;

/** The journey's effective policy: defaults with the input's overrides on top. */
export function resolveJourneyPolicy(overrides?: JourneyPolicyOverrides): JourneyPolicy {
  const o = overrides ?? {};
  const defined = Object.fromEntries(Object.entries(o).filter(([, value]) => value !== undefined));
  return {
    ...DEFAULT_JOURNEY_POLICY,
    ...defined,
    firstResponse: { ...DEFAULT_JOURNEY_POLICY.firstResponse, ...(o.firstResponse ?? {}) },
    quote: {
      ...DEFAULT_JOURNEY_POLICY.quote,
      ...Object.fromEntries(Object.entries(o.quote ?? {}).filter(([, v]) => v !== undefined)),
    },
  };
}
