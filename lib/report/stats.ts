/**
 * Distributions of durations, shared by the case and the pre-sales figures: count, mean, and
 * nearest-rank median and 90th percentile (always observed values).
 */

export interface Distribution {
  /** How many cases have the value. */
  count: number;
  /** Arithmetic mean, in ms. */
  mean: number | null;
  /** Nearest-rank median (p50), in ms. */
  median: number | null;
  /** Nearest-rank 90th percentile, in ms. */
  p90: number | null;
}

/**
 * Nearest-rank percentile: the value at 1-based rank `ceil(p / 100 × n)` of the values sorted
 * ascending; null for no values. `p` is in (0, 100].
 */
export function percentile(values: readonly number[], p: number): number | null {
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile must be in (0, 100], got ${p}`);
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function distribution(values: readonly number[]): Distribution {
  const mean = values.length === 0 ? null : values.reduce((sum, value) => sum + value, 0) / values.length;
  return { count: values.length, mean, median: percentile(values, 50), p90: percentile(values, 90) };
}
