/**
 * What `npm run bench` runs: the sizes of each mode, the worker tuning with the reason for each
 * value, and the policy overrides the driven journeys carry in their input.
 */
import type { BusinessCalendar } from '../workflows/kernel/business-hours';
import type { JourneyPolicyOverrides } from '../workflows/customer-journey/policy';

export type Mode = 'quick' | 'full' | 'long';

export interface Sizes {
  /** Happy-path journeys measured (and as many baseline runs). */
  journeys: number;
  /** Journeys (or baseline runs) in flight at once. */
  concurrency: number;
  /** Alternating rounds the journeys and baseline runs are split into. */
  throughputRounds: number;
  /** Journeys and baseline runs before the measurement (JIT, caches, connections). */
  warmup: number;
  /** Journey families whose histories are fetched and counted. */
  historySample: number;
  /** Open journeys parked on timers for the load section. */
  parked: number;
  /** Open cases parked on their first-reply window for the load section. */
  parkedCases: number;
  /** Closed cases the analyst report is timed over. */
  reportCases: number;
  /** Parked journeys started at once. */
  parkConcurrency: number;
  /** Update round trips timed against random parked journeys. */
  updateSamples: number;
  /** describeNamespace / count samples per measurement. */
  latencySamples: number;
  /** Worker start-ups per bundling mode (median reported). */
  startupRuns: number;
  /** Revisits the long-tail probe waits for (events per revisit). */
  probeRevisits: number;
  /** Pause before reading the worker's RSS, so in-flight work settles. */
  settleMs: number;
}

export const SIZES: Record<Mode, Sizes> = {
  quick: {
    journeys: 6,
    concurrency: 3,
    throughputRounds: 2,
    warmup: 1,
    historySample: 6,
    parked: 100,
    parkedCases: 100,
    reportCases: 50,
    parkConcurrency: 20,
    updateSamples: 20,
    latencySamples: 3,
    startupRuns: 1,
    probeRevisits: 1,
    settleMs: 500,
  },
  full: {
    journeys: 150,
    concurrency: 20,
    throughputRounds: 4,
    warmup: 5,
    historySample: 20,
    parked: 1_000,
    parkedCases: 500,
    reportCases: 1_000,
    parkConcurrency: 50,
    updateSamples: 200,
    latencySamples: 10,
    startupRuns: 3,
    probeRevisits: 3,
    settleMs: 2_000,
  },
  long: {
    journeys: 150,
    concurrency: 20,
    throughputRounds: 4,
    warmup: 5,
    historySample: 20,
    parked: 10_000,
    parkedCases: 1_000,
    reportCases: 10_000,
    parkConcurrency: 50,
    updateSamples: 200,
    latencySamples: 10,
    startupRuns: 3,
    probeRevisits: 3,
    settleMs: 2_000,
  },
};

/** The worker's tuning knobs, as the bench sets them. */
export interface WorkerTuning {
  maxCachedWorkflows: number;
  maxConcurrentWorkflowTaskExecutions: number;
  maxConcurrentActivityTaskExecutions: number;
  workflowTaskPollers: number;
  activityTaskPollers: number;
}

export const WORKER_TUNING: WorkerTuning = {
  maxCachedWorkflows: 2_000,
  maxConcurrentWorkflowTaskExecutions: 20,
  maxConcurrentActivityTaskExecutions: 100,
  workflowTaskPollers: 4,
  activityTaskPollers: 4,
};

export const WORKER_TUNING_REASONS: Record<keyof WorkerTuning, string> = {
  maxCachedWorkflows:
    'product default (CJ_MAX_CACHED_WORKFLOWS), kept so the parked section measures what the product ' +
    'ships: a cached journey answers its timer or a message without replaying its history, but costs ' +
    'worker memory (section 4 measures how much). 2,000 holds the default parked set (1,000) plus ' +
    'everything in flight; --long (10,000) shows eviction and replays.',
  maxConcurrentWorkflowTaskExecutions:
    'SDK default 40, set to 20 (not exposed by createWorker; see notes): workflow code runs on one ' +
    'thread and this machine has 2 cores shared with the server, so slots only need to cover tasks ' +
    'waiting on the network. 20 = one per journey in flight; more only queue inside the worker.',
  maxConcurrentActivityTaskExecutions:
    'product default (CJ_MAX_CONCURRENT_ACTIVITIES). Activities are short outbox appends (I/O, ' +
    'serialised per file), so the slot count is a ceiling, never the limit: at most ~3 per journey run at once.',
  workflowTaskPollers:
    'SDK default min(10, slots), set to 4 (not exposed by createWorker): the server is local, so a ' +
    'poll answers in well under a millisecond and 4 long-polls (1 normal, 3 sticky) keep 20 slots fed; ' +
    'idle pollers are held connections on the server.',
  activityTaskPollers:
    'SDK default min(10, slots), set to 4 (not exposed by createWorker): activity tasks are few and ' +
    'fast compared with workflow tasks.',
};

/** Open every minute of every day, so the first-response window never waits for an opening. */
const ALWAYS_OPEN: BusinessCalendar = {
  timeZone: 'UTC',
  workingDays: [1, 2, 3, 4, 5, 6, 7],
  opensAt: '00:00',
  closesAt: '23:59',
  holidays: [],
};

/**
 * The happy-path journeys' policy. Windows are minutes instead of hours, so nothing a driven
 * journey leaves behind outlives the run, yet each is far longer than the seconds a journey
 * takes: a window that fired mid-journey (a breach or a ladder warning) would add notifications
 * and make the action count depend on the machine's load. The calendar is always open, so the
 * count does not depend on the time of day either (no automatic reply outside business hours).
 */
export const HAPPY_PATH_POLICY: JourneyPolicyOverrides = {
  calendar: ALWAYS_OPEN,
  firstResponse: { email: '5m' },
  case: {
    calendar: ALWAYS_OPEN,
    firstReply: { P2: { hours: 0.1, basis: 'calendar' } },
    resolution: { P2: { hours: 0.2, basis: 'calendar' } },
    revisit: { hours: 0.1, basis: 'calendar' },
    noFeedbackCloseHours: 0.2,
  },
};

/** Parked journeys: an inquiry whose first-response window is a month away. */
export const PARKED_POLICY: JourneyPolicyOverrides = {
  calendar: ALWAYS_OPEN,
  // Every channel: the round-trip probe's inquiries (by phone) must not arm timers that wake the
  // journeys later, in the middle of another measurement.
  firstResponse: { email: '30d', phone: '30d', 'online-chat': '30d', social: '30d', 'walk-in': '30d' },
};

/** The long-tail probe's revisits come every few seconds instead of every quarter. */
export const REVISIT_PROBE_POLICY: JourneyPolicyOverrides = { ...HAPPY_PATH_POLICY, revisitEvery: '2s' };

/** Temporal's defaults for one workflow history (server dynamic config `limit.history*`). */
export const HISTORY_LIMITS = {
  suggestContinueAsNewEvents: 4_096,
  warnEvents: 10_240,
  errorEvents: 51_200,
  suggestContinueAsNewBytes: 4 * 1024 * 1024,
  warnBytes: 10 * 1024 * 1024,
  errorBytes: 50 * 1024 * 1024,
};

/** The after-sales relationship the longevity estimate assumes. */
export const AFTER_SALES_PROFILE = {
  casesPerMonth: 1,
  revisitsPerMonth: 1 / 3,
  /** Referral requests are capped at one per 180 days (journey policy), so at most ~1 per 6 months. */
  referralsPerMonth: 1 / 6,
};
