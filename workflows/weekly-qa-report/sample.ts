/**
 * The weekly QA draw (rule LE-2, "20 % of tickets sampled"): exactly the share, rounded up, of the
 * week's closed cases (and a policy share of its answered inquiries), at random but reproducibly:
 * the same population and seed always give the same sample, so anyone can check a week's draw.
 */

/** A small seeded generator (mulberry32): the same seed, the same sequence, on any machine. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `ceil(share × n)` of `population` (sorted first, so the listing's order does not matter). */
export function drawSample(population: readonly string[], share: number, seed: number): string[] {
  if (!(share >= 0 && share <= 1)) throw new RangeError(`share must be within 0–1, got ${share}`);
  const ids = [...new Set(population)].sort();
  const size = Math.ceil(share * ids.length);
  const next = generator(seed);
  // A partial Fisher–Yates shuffle: the first `size` places are the sample.
  for (let i = 0; i < size; i++) {
    const j = i + Math.floor(next() * (ids.length - i));
    [ids[i], ids[j]] = [ids[j]!, ids[i]!];
  }
  return ids.slice(0, size).sort();
}

/** A seed from a workflow's uuid4 (deterministic in the sandbox), recorded with the draw. */
export function seedFrom(uuid: string): number {
  return Number.parseInt(uuid.replace(/-/g, '').slice(0, 8), 16);
}
