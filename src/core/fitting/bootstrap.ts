// biome-ignore-all lint/style/noNonNullAssertion: numeric code indexes arrays within their bounds.
import { MAX_NEWTON_ITERATIONS, refineStarts } from "./lse-fit.ts";
import type { LseProblem } from "./objective.ts";
import type { Random } from "./random.ts";

/** Most bootstrap resamples per fit. */
export const MAX_BOOTSTRAP = 500;
/** Most resamples × runs per fit (bounds the work of one request). */
export const MAX_BOOTSTRAP_WORK = 250_000;

export interface Uncertainty<K extends string> {
  resamples: number;
  /** Resamples whose refit converged; the statistics use every finite refit. */
  converged: number;
  /** Sample standard deviation over the resamples. */
  standardErrors: Record<K, number>;
  /** 2.5th and 97.5th percentiles. */
  intervals95: Record<K, [number, number]>;
  /** 10th and 90th percentiles (the interval Hoffmann et al. report in Table 2). */
  intervals80: Record<K, [number, number]>;
}

/** The q-quantile of sorted values, linear between order statistics (Hyndman–Fan type 7). */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  const low = sorted[below]!;
  return low + (sorted[above]! - low) * (position - below);
}

function standardDeviation(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  return Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1));
}

/**
 * Non-parametric bootstrap: `resamples` times, draw n runs with replacement (as multiplicity
 * weights), refit from the full-data optimum, and summarise each named quantity. Repeats exactly
 * for the same problem, optimum and seeded `random`.
 */
export function bootstrapFit<K extends string>(
  problem: LseProblem,
  optimum: Float64Array,
  resamples: number,
  random: Random,
  quantities: (point: Float64Array) => Record<K, number>,
): Uncertainty<K> {
  const n = problem.logLoss.length;
  const draws: Record<string, number[]> = {};
  let converged = 0;
  for (let r = 0; r < resamples; r++) {
    const weights = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const pick = Math.min(n - 1, Math.floor(random() * n));
      weights[pick] = weights[pick]! + 1;
    }
    const fit = refineStarts({ ...problem, weights }, [optimum], MAX_NEWTON_ITERATIONS);
    if (fit.converged) converged++;
    for (const [key, value] of Object.entries(quantities(fit.point)) as [string, number][]) {
      if (!Number.isFinite(value)) continue;
      draws[key] ??= [];
      draws[key].push(value);
    }
  }
  const atOptimum = quantities(optimum);
  const keys = Object.keys(atOptimum) as K[];
  const standardErrors = {} as Record<K, number>;
  const intervals95 = {} as Record<K, [number, number]>;
  const intervals80 = {} as Record<K, [number, number]>;
  for (const key of keys) {
    const values = (draws[key] ?? [atOptimum[key]]).sort((a, b) => a - b);
    standardErrors[key] = standardDeviation(values);
    intervals95[key] = [quantile(values, 0.025), quantile(values, 0.975)];
    intervals80[key] = [quantile(values, 0.1), quantile(values, 0.9)];
  }
  return { resamples, converged, standardErrors, intervals95, intervals80 };
}
