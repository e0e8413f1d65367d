// biome-ignore-all lint/style/noNonNullAssertion: numeric code indexes arrays within their bounds.
import { boundsOf, MAX_NEWTON_ITERATIONS, refineStarts } from "./lse-fit.ts";
import type { LseProblem } from "./objective.ts";
import type { Random } from "./random.ts";
import { evaluationWork, WorkBudget } from "./work.ts";

/** Most bootstrap resamples per fit. */
export const MAX_BOOTSTRAP = 500;
/** Most resamples × runs per fit (bounds the work of one request). */
export const MAX_BOOTSTRAP_WORK = 250_000;

export interface Uncertainty<K extends string> {
  /** Resamples asked for. */
  requested: number;
  /**
   * Refits the statistics use: those refitted before the work budget ran out (`requested` when
   * it did not) whose quantities were all finite.
   */
  resamples: number;
  /** Of `resamples`, the refits that converged (the statistics keep the others too). */
  converged: number;
  /** Refits left out because a quantity overflowed (was not a finite number). */
  dropped: number;
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
  const value = low + (sorted[above]! - low) * (position - below);
  // Far apart values of opposite sign overflow the difference; weigh them instead.
  const t = position - below;
  return Number.isFinite(value) ? value : low * (1 - t) + sorted[above]! * t;
}

/** Sample standard deviation; rescaled by the largest deviation when the squares overflow. */
function standardDeviation(values: readonly number[]): number {
  const n = values.length;
  if (n < 2) return 0;
  const mean = values.reduce((s, v) => s + v, 0) / n;
  const sd = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1));
  if (Number.isFinite(sd)) return sd;
  const centre = values.reduce((s, v) => s + v / n, 0);
  const scale = Math.max(...values.map((v) => Math.abs(v - centre)));
  return scale * Math.sqrt(values.reduce((s, v) => s + ((v - centre) / scale) ** 2, 0) / (n - 1));
}

/** The runs a resample drew (weight > 0), so each refit's evaluations cost what it uses. */
function drawnRuns(problem: LseProblem, weights: Float64Array): LseProblem {
  let count = 0;
  for (let i = 0; i < weights.length; i++) if (weights[i]! > 0) count++;
  const pick = (values: Float64Array) => {
    const kept = new Float64Array(count);
    let next = 0;
    for (let i = 0; i < weights.length; i++) if (weights[i]! > 0) kept[next++] = values[i]!;
    return kept;
  };
  return {
    ...problem,
    features: problem.features.map(pick),
    logLoss: pick(problem.logLoss),
    weights: pick(weights),
  };
}

/**
 * Non-parametric bootstrap: up to `resamples` times, draw n runs with replacement (as
 * multiplicity weights), refit from the full-data optimum, and summarise each named quantity.
 * Refits draw on `budget`: it stops at the first refit the budget cannot finish, keeping those
 * done. Refits with a quantity that is not finite are left out (`dropped`). `quantities` is
 * called once per finished refit, in order, then once at the optimum. Repeats exactly for the
 * same problem, optimum, seeded `random` and budget.
 */
export function bootstrapFit<K extends string>(
  problem: LseProblem,
  optimum: Float64Array,
  resamples: number,
  random: Random,
  quantities: (point: Float64Array) => Record<K, number>,
  budget: WorkBudget = WorkBudget.unlimited(),
): Uncertainty<K> {
  const n = problem.logLoss.length;
  const bounds = boundsOf(problem);
  const draws: Record<string, number[]> = {};
  let used = 0;
  let converged = 0;
  let dropped = 0;
  for (let r = 0; r < resamples; r++) {
    const weights = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const pick = Math.min(n - 1, Math.floor(random() * n));
      weights[pick] = weights[pick]! + 1;
    }
    const resample = drawnRuns(problem, weights);
    if (budget.remaining < evaluationWork(resample.logLoss.length)) break;
    const fit = refineStarts(resample, [optimum], {
      maxIterations: MAX_NEWTON_ITERATIONS,
      budget,
      bounds,
    });
    if (fit.stoppedByBudget) break;
    const values = Object.entries(quantities(fit.point)) as [string, number][];
    if (!values.every(([, value]) => Number.isFinite(value))) {
      dropped++;
      continue;
    }
    used++;
    if (fit.converged) converged++;
    for (const [key, value] of values) {
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
  return {
    requested: resamples,
    resamples: used,
    converged,
    dropped,
    standardErrors,
    intervals95,
    intervals80,
  };
}
