/**
 * fast-check generators of hostile message payloads for the fuzz suite: a valid-looking sample
 * of each message, then one mutation of it (wrong type, unknown field, a string at or past a
 * length limit, nested junk, a field dropped, nothing at all) or an arbitrary JSON value.
 *
 * A payload is generated from plain draws (`PayloadDraws`) by a pure function, so a failing run
 * shrinks to a small, readable message.
 */
import fc from 'fast-check';

export const STRATEGIES = [
  'valid',
  'valid',
  'unknown-field',
  'wrong-type',
  'huge-string',
  'nested-junk',
  'drop-field',
  'random-json',
  'no-argument',
  'null',
] as const;
export type Strategy = (typeof STRATEGIES)[number];

/** Lengths at and around every limit of the schemas (ids 64/200, texts 200–2000), and far past. */
export const STRING_LENGTHS = [
  0, 1, 63, 64, 65, 199, 200, 201, 299, 300, 301, 499, 500, 501, 999, 1000, 1001, 1999, 2000, 2001, 20_000,
] as const;

export interface PayloadDraws {
  strategy: Strategy;
  /** Which sample of the message, and which of its fields a mutation touches. */
  sampleIndex: number;
  fieldIndex: number;
  json: unknown;
  extraKey: string;
  length: number;
  filler: string;
  depth: number;
}

export const payloadDraws: fc.Arbitrary<PayloadDraws> = fc.record({
  strategy: fc.constantFrom(...STRATEGIES),
  sampleIndex: fc.nat(),
  fieldIndex: fc.nat(),
  json: fc.jsonValue({ maxDepth: 3 }),
  extraKey: fc.oneof(
    fc.string({ minLength: 1, maxLength: 16 }),
    fc.constantFrom('carried', 'id', 'type', 'x'),
  ),
  length: fc.constantFrom(...STRING_LENGTHS),
  filler: fc.constantFrom('x', '界', ' ', '\n', '😀', 'a b', '\u0000'),
  depth: fc.integer({ min: 2, max: 64 }),
});

function nested(depth: number, leaf: unknown): unknown {
  let value = leaf;
  for (let level = 0; level < depth; level++)
    value = level % 2 === 0 ? [value, 'junk'] : { junk: value, n: level };
  return value;
}

/** A value of another JSON type than `value`'s. */
function otherType(value: unknown, json: unknown): unknown {
  const kind = (v: unknown) => (Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v);
  if (kind(json) !== kind(value)) return json;
  const candidates: unknown[] = [42, 'text', true, null, [1, 2], { nested: true }, -1.5];
  return candidates.find((candidate) => kind(candidate) !== kind(value));
}

/** The payload to send: `undefined` means no argument at all. */
export function buildPayload(samples: readonly Record<string, unknown>[], draws: PayloadDraws): unknown {
  const sample = structuredClone(samples[draws.sampleIndex % samples.length] ?? {});
  const keys = Object.keys(sample);
  const key = keys.length > 0 ? keys[draws.fieldIndex % keys.length]! : 'field';
  switch (draws.strategy) {
    case 'valid':
      return sample;
    case 'unknown-field':
      return { ...sample, [draws.extraKey in sample ? `${draws.extraKey}_` : draws.extraKey]: draws.json };
    case 'wrong-type':
      return { ...sample, [key]: otherType(sample[key], draws.json) };
    case 'huge-string':
      // Exactly `length` UTF-16 units (a cut emoji leaves a lone surrogate: fuzz, too).
      return {
        ...sample,
        [key]: draws.filler.repeat(Math.ceil(draws.length / draws.filler.length)).slice(0, draws.length),
      };
    case 'nested-junk':
      return { ...sample, [key]: nested(draws.depth, draws.json) };
    case 'drop-field': {
      const { [key]: _dropped, ...rest } = sample;
      return rest;
    }
    case 'random-json':
      return draws.json;
    case 'no-argument':
      return undefined;
    case 'null':
      return null;
  }
}

/** Valid-looking samples of every case message. */
export const CASE_SIGNAL_SAMPLES: Record<string, Record<string, unknown>[]> = {
  agentResponded: [{ agentId: 'agent-7' }, { agentId: 'agent-8', kind: 'assisted', note: 'drafted' }, {}],
  customerReplied: [{ note: 'photos attached' }, {}],
  awaitingCustomer: [
    { reason: 'waiting for photos' },
    { reason: 'pickup roller on order', pauseReason: 'parts' },
  ],
  carrierUpdate: [
    { status: 'in-transit', claimId: 'CL-1' },
    { status: 'solution-agreed', carrier: 'SF' },
    { status: 'carrier-answered', problem: 'damage' },
    { status: 'settled', claimId: 'CL-1' },
  ],
  productDetails: [{ batch: 'B-1' }, { orderId: 'O-1', sku: 'SKU-1' }],
  visitCompleted: [{ outcome: 'done' }, { outcome: 'not-done', note: 'nobody home' }],
  collaboratorAnswered: [{ team: 'supply-chain', note: 'Friday' }, { team: 'logistics-desk' }],
  agentAssigned: [{ agentId: 'agent-9' }, { agentId: 'agent-9', team: 'customer-care' }],
  repairCompleted: [{ outcome: 'repaired', repairOrderId: 'R-1' }, { outcome: 'unrepairable' }],
  reportBySignal: [{}],
};

export const CASE_UPDATE_SAMPLES: Record<string, Record<string, unknown>[]> = {
  resolve: [
    { type: 'advice', note: 'restart the router' },
    { type: 'refund', refund: { amount: 100, currency: 'CNY' } },
    { type: 'replace' },
    { type: 'repair', mode: 'in-store' },
  ],
  submitFeedback: [
    { csat: 5, nps: 9, resolved: true },
    { csat: 2, resolved: false, comment: 'still broken' },
  ],
  reclassify: [
    { severity: 'service-outage', reason: 'whole site' },
    { category: 'logistics', reason: 'parcel lost' },
    { scope: 'many-customers', reason: 'more reports' },
  ],
  extendPause: [{ hours: 9, approvedBy: 'lead-3' }],
  escalate: [
    { level: 'team-lead', reason: 'vip' },
    { level: 'management', reason: 'press' },
  ],
  respondToOffer: [{ accepted: true }, { accepted: false, note: 'no' }],
  completeComplaintStep: [
    { step: 'listen' },
    { step: 'apologise', managerInvolved: true },
    { step: 'follow-up' },
  ],
  closeCase: [{ reason: 'duplicate' }, { reason: 'other', note: 'test' }],
  handOver: [
    { to: 'technical-support', reason: 'routine', by: 'eng-1' },
    { to: 'customer-care', reason: 'not technical' },
  ],
  involveTeam: [
    { team: 'supply-chain', reason: 'parts?' },
    { team: 'logistics-desk', reason: 'trace it', by: 'agent-1' },
  ],
  reviewReply: [
    { reviewer: 'agent-7', verdict: 'confirmed' },
    { reviewer: 'agent-7', verdict: 'corrected', correction: 'the right answer' },
  ],
};

export const JOURNEY_SIGNAL_SAMPLES: Record<string, Record<string, unknown>[]> = {
  newInquiry: [
    { summary: 'Asks about pricing', channel: 'email' },
    { summary: 'Calls again', inquiryId: 'crm-9' },
  ],
  inquiryAnswered: [{ agentId: 'sales-3' }, {}, { agentId: 'sales-3', inquiryId: 'crm-9' }],
  deskBusy: [{ busy: true }, { busy: false }],
  customerResponded: [{ note: 'will decide next week' }, {}],
  deliveryConfirmed: [{}, { note: 'delivered' }],
  caseClosed: [{ caseId: 'unknown-case', outcome: 'closed-satisfied' }],
  quoteDecided: [{ quoteId: 'Q9', decision: 'approved' }],
};

export const JOURNEY_UPDATE_SAMPLES: Record<string, Record<string, unknown>[]> = {
  registerInquiry: [{ summary: 'Another inquiry', channel: 'phone' }],
  recordNeeds: [
    { requirements: [{ title: 'SSO', priority: 'must', urgency: 5, businessValue: 4 }] },
    { painPoints: [{ title: 'Slow booking', impact: 4, urgency: 3, difficulty: 2 }] },
    {
      requirements: [{ title: 'Online booking', priority: 'should', urgency: 3, businessValue: 3 }],
      scenario: 'clinic front desk',
      budget: { min: 10, max: 100, currency: 'CNY' },
    },
  ],
  submitProposal: [
    { alternatives: [{ id: 'A', title: 'Cloud plan' }] },
    {
      alternatives: [
        {
          id: 'A',
          title: 'Cloud plan',
          addresses: ['Online booking'],
          estimatedCost: 10,
          expectedBenefit: 30,
        },
        {
          id: 'B',
          title: 'On-premise',
          feasibility: { function: 'ok', process: 'ok', resources: 'blocker', risk: 'ok' },
        },
      ],
    },
  ],
  reviewProposal: [
    { decision: 'approve', reviewer: 'sales-lead' },
    { decision: 'revise', reviewer: 'sales-lead', comments: 'add the training plan' },
  ],
  proposalFeedback: [{ verdict: 'accept' }, { verdict: 'revise', comments: 'cheaper option please' }],
  submitQuote: [
    { alternativeId: 'A', price: 100_000, cost: 60_000, currency: 'CNY' },
    { alternativeId: 'B', price: 10, cost: 9, currency: 'EUR' },
    {
      alternativeId: 'A',
      price: 100,
      cost: 50,
      currency: 'CNY',
      explanation: { included: ['setup'], breakdown: [{ item: 'setup', amount: 100 }], validDays: 30 },
    },
  ],
  recordObjection: [
    { reason: 'price', detail: 'Too expensive' },
    { reason: 'competitor', detail: 'X is cheaper' },
  ],
  signContract: [
    { contractId: 'K-1', terms: { warrantyUntil: '2030-12-31', contractEnd: '2030-12-31' } },
    {
      contractId: 'K-3',
      terms: {},
      value: { amount: 1_500_000, currency: 'CNY' },
      grade: 'A',
      winReason: 'product-fit',
    },
    {
      contractId: 'K-2',
      terms: { deliveryDate: '2031-06-30' },
      milestones: [{ name: 'site-survey', dueDate: '2031-03-31', owner: 'delivery-2' }],
    },
  ],
  milestoneReached: [{ name: 'site-survey' }, { name: 'installation', note: 'installed' }],
  reportIssue: [{ description: 'Screen flickers', category: 'technical' }],
  updateContact: [
    { preferredChannel: 'email', by: 'sales-3' },
    { contact: { company: 'Example Co' }, by: 'sales-3' },
  ],
  recordConsent: [{ marketing: true }, { referrals: false, by: 'sales-3' }],
  submitPresalesFeedback: [{ csat: 5 }, { csat: 3, speed: 2, understanding: 4, comment: 'slow at first' }],
  markLost: [{ reason: 'competitor' }],
  closeJourney: [{ reason: 'customer left', force: true }],
};

/** Workflow inputs: valid-looking samples, mutated like messages. */
export const CASE_INPUT_SAMPLES: Record<string, unknown>[] = [
  { customerId: 'C-FZ-1', description: 'Router drops every hour' },
  {
    customerId: 'C-FZ-2',
    description: 'Parcel arrived broken',
    category: 'logistics',
    severity: 'cosmetic',
    scope: 'single-customer',
    channel: 'online-chat',
    product: { sku: 'SKU-1', orderId: 'O-1', carrier: 'SF' },
  },
  {
    customerId: 'C-FZ-3',
    description: 'Battery swells',
    category: 'quality',
    severity: 'safety-hazard',
    typical: true,
    promisedTerms: { responseWindows: { P1: { firstReplyHours: 1 } }, warrantyUntil: '2030-01-01' },
  },
];

export const JOURNEY_INPUT_SAMPLES: Record<string, unknown>[] = [
  { customerId: 'C-FZJ-1', inquiry: 'Booking system for 40 clinics' },
  {
    customerId: 'C-FZJ-2',
    channel: 'email',
    inquiry: 'Pricing for 50 seats',
    inquiryId: 'crm-1',
    owner: 'sales-7',
    specialRequests: ['on-premise'],
    contact: { name: 'Fuzz Person', email: 'fuzz@example.com' },
  },
];

const TIME_ZONES = ['Asia/Shanghai', 'UTC', 'Europe/Berlin', 'America/St_Johns', 'Pacific/Kiritimati'];

/**
 * A valid business calendar with real working time: at least five working days of at least
 * eight hours. (Calendars with little or no working time are refused at start; see fuzz.inputs.test.ts.)
 */
export const saneCalendar = fc.record({
  timeZone: fc.constantFrom(...TIME_ZONES),
  workingDays: fc.shuffledSubarray([1, 2, 3, 4, 5, 6, 7], { minLength: 5 }),
  opensAt: fc.constantFrom('00:00', '07:30', '09:00'),
  closesAt: fc.constantFrom('17:00', '18:00', '23:59'),
  holidays: fc.array(
    fc
      .date({ min: new Date('2026-01-01'), max: new Date('2030-12-31'), noInvalidDate: true })
      .map((date) => date.toISOString().slice(0, 10)),
    { maxLength: 10 },
  ),
});

const windowSpec = fc.record({
  hours: fc.oneof(fc.constantFrom(0.001, 1, 24, 8784), fc.double({ min: 0.001, max: 8784, noNaN: true })),
  basis: fc.constantFrom('calendar' as const, 'business' as const),
});

/** Valid case-policy overrides over the whole range of every setting (sane calendars only). */
export const casePolicyOverrides = fc.record(
  {
    calendar: saneCalendar,
    firstReply: fc.dictionary(fc.constantFrom('P1', 'P2', 'P3', 'P4'), windowSpec, { maxKeys: 4 }),
    resolution: fc.dictionary(fc.constantFrom('P1', 'P2', 'P3', 'P4'), windowSpec, { maxKeys: 4 }),
    revisit: windowSpec,
    noFeedbackCloseHours: fc.double({ min: 0.001, max: 8784, noNaN: true }),
    ladder: fc.array(
      fc.record({
        percent: fc.integer({ min: 1, max: 100 }),
        notify: fc.subarray(['assignee', 'team-lead', 'specialist-team', 'management'], { minLength: 1 }),
      }),
      { minLength: 1, maxLength: 6 },
    ),
    maxReopens: fc.integer({ min: 0, max: 10 }),
    qaSampleRate: fc.double({ min: 0, max: 1, noNaN: true }),
  },
  { requiredKeys: [] },
);

export const journeyPolicyOverrides = fc.record(
  {
    calendar: saneCalendar,
    firstResponse: fc.dictionary(
      fc.constantFrom('phone', 'email', 'online-chat', 'social', 'walk-in'),
      fc.constantFrom('1s', '30s', '5m', '4h', '2d', '0.5h'),
      { maxKeys: 5 },
    ),
    followUpCadence: fc.array(fc.constantFrom('1s', '2d', '5d', '10d'), { minLength: 1, maxLength: 4 }),
    loseAfter: fc.constantFrom('1d', '21d'),
    continueAsNewAfterEvents: fc.integer({ min: 20, max: 100_000 }),
    case: casePolicyOverrides,
  },
  { requiredKeys: [] },
);
