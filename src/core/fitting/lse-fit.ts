// biome-ignore-all lint/style/noNonNullAssertion: numeric kernels index typed arrays within their bounds.
import { dimensionOf, evaluateObjective, type LseProblem } from "./objective.ts";
import { minimizeNewton, type NewtonResult } from "./optimize.ts";
import { basins, screen } from "./screen.ts";
import { evaluationWork, SOLVE_WORK, screenWork, WorkBudget } from "./work.ts";

/**
 * Fitting the log-sum-exp Huber objective ({@link evaluateObjective}) from a grid:
 *
 * 1. Screen: for every exponent vector κ on a grid, the law is linear in its positive
 *    coefficients (E, A, B or c, a), so solve that non-negative least-squares problem on the
 *    relative residuals exactly and score it with the Huber objective.
 * 2. Start the damped Newton method ({@link minimizeNewton}, exact gradient and Hessian) from the
 *    best grid points that beat their grid neighbours, and keep the best optimum.
 *
 * This replaces L-BFGS from Hoffmann et al.'s 4500 starting points: the screen visits the same
 * exponent range, and the starts that matter are the basins it finds.
 */

/** Exponents κ (α, β or −b) are kept in [min, max]; the grid screens inside it. */
export const EXPONENT_BOUNDS = { min: 1e-3, max: 3 } as const;

/** Most Newton steps per start. */
export const MAX_NEWTON_ITERATIONS = 200;
/** Most grid basins refined with Newton. */
export const MAX_STARTS = 6;
/** log-coefficients θ stay within [min log L − 40, max log L + 10]. */
const LOG_COEFFICIENT_MARGIN = { below: 40, above: 10 } as const;

/** `count` values from `min` to `max`, evenly spaced in log. */
export function geometricGrid(min: number, max: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => min * (max / min) ** (i / (count - 1)));
}

export interface LseFit {
  /** p = [θ₀, θ₁…θₘ, κ₁…κₘ] at the optimum. */
  point: Float64Array;
  /** The summed Huber objective at the optimum. */
  objective: number;
  /** Newton steps of the start that won. */
  iterations: number;
  /** Newton steps over every start. */
  totalIterations: number;
  /** Starts refined (some may have been stopped by the work budget). */
  starts: number;
  /** Starts given (the best grid basins). */
  candidates: number;
  /** Starts the work budget stopped before they converged, or skipped. */
  startsCut: number;
  /** Whether the work budget stopped the winning start before it converged. */
  stoppedByBudget: boolean;
  converged: boolean;
  gradientNorm: number;
  lower: Float64Array;
  upper: Float64Array;
}

export function boundsOf(problem: LseProblem): { lower: Float64Array; upper: Float64Array } {
  const dim = dimensionOf(problem);
  let lowest = Number.POSITIVE_INFINITY;
  let highest = Number.NEGATIVE_INFINITY;
  for (const value of problem.logLoss) {
    lowest = Math.min(lowest, value);
    highest = Math.max(highest, value);
  }
  const lower = new Float64Array(dim);
  const upper = new Float64Array(dim);
  for (let k = 0; k <= problem.terms; k++) {
    lower[k] = lowest - LOG_COEFFICIENT_MARGIN.below;
    upper[k] = highest + LOG_COEFFICIENT_MARGIN.above;
  }
  for (let j = 0; j < problem.terms; j++) {
    lower[1 + problem.terms + j] = EXPONENT_BOUNDS.min;
    upper[1 + problem.terms + j] = EXPONENT_BOUNDS.max;
  }
  return { lower, upper };
}

/** A convergence threshold on the gradient that scales with the data (Σwᵢ·δ). */
export function gradientToleranceOf(problem: LseProblem): number {
  let total = 0;
  for (const w of problem.weights) total += w;
  return 1e-10 * problem.delta * Math.max(total, 1);
}

/** Newton evaluations' worth of work each later start keeps when the work budget is short. */
const MIN_START_EVALUATIONS = 20;

export interface RefineOptions {
  /** Most Newton steps per start (MAX_NEWTON_ITERATIONS). */
  maxIterations?: number;
  /** Work drawn from (unlimited by default). */
  budget?: WorkBudget;
  /** The box (boundsOf(problem) by default; a bootstrap passes the full data's). */
  bounds?: { lower: Float64Array; upper: Float64Array };
}

/** Runs with weight > 0: one evaluation of F costs evaluationWork(activeRuns(problem)). */
export function activeRuns(problem: LseProblem): number {
  let count = 0;
  for (const w of problem.weights) if (w > 0) count++;
  return count;
}

/**
 * Runs Newton from each start and keeps the best optimum (first wins ties). With a budget, the
 * starts share what it affords: each start may use all but MIN_START_EVALUATIONS evaluations'
 * worth for every start after it, or an equal share when that is more; a start that cannot
 * afford one evaluation is skipped.
 */
export function refineStarts(
  problem: LseProblem,
  starts: readonly ArrayLike<number>[],
  options: RefineOptions = {},
): LseFit {
  const { maxIterations = MAX_NEWTON_ITERATIONS, budget = WorkBudget.unlimited() } = options;
  const { lower, upper } = options.bounds ?? boundsOf(problem);
  const gradientTolerance = gradientToleranceOf(problem);
  const runs = activeRuns(problem);
  const evaluate = (p: Float64Array, g: Float64Array, hess: Float64Array) =>
    evaluateObjective(problem, p, g, hess);
  let best: (NewtonResult & { cut: boolean }) | undefined;
  let totalIterations = 0;
  let refined = 0;
  let cut = 0;
  const each = evaluationWork(runs);
  for (const [k, start] of starts.entries()) {
    const affordable = budget.remaining;
    const later = starts.length - k - 1;
    const allowance = Math.max(
      affordable / (later + 1),
      affordable - MIN_START_EVALUATIONS * each * later,
    );
    if (allowance < each) {
      cut += starts.length - k;
      break;
    }
    const result = minimizeNewton(evaluate, start, {
      lower,
      upper,
      maxIterations,
      gradientTolerance,
      maxWork: allowance,
      evaluationWork: each,
      solveWork: SOLVE_WORK,
    });
    budget.charge(result.work);
    const stopped = result.stoppedByWork && !result.converged;
    if (stopped) cut++;
    refined++;
    totalIterations += result.iterations;
    if (!best || result.value < best.value) best = { ...result, cut: stopped };
  }
  if (!best) throw new RangeError("refineStarts needs at least one start it can afford");
  return {
    point: best.point,
    objective: best.value,
    iterations: best.iterations,
    totalIterations,
    starts: refined,
    candidates: starts.length,
    startsCut: cut,
    stoppedByBudget: best.cut,
    converged: best.converged,
    gradientNorm: best.gradientNorm,
    lower,
    upper,
  };
}

/** The least work {@link fitLse} needs: the screen, scoring every basin, one short start. */
export function minimumFitWork(runs: number, terms: number, gridSize: number): number {
  return (
    screenWork(runs, terms, gridSize) +
    (4 * MAX_STARTS + MIN_START_EVALUATIONS) * evaluationWork(runs)
  );
}

/**
 * Screens the exponent grid, then refines the best basins (see the module comment), drawing on
 * `budget` (give it at least {@link minimumFitWork}).
 */
export function fitLse(
  problem: LseProblem,
  grid: readonly number[],
  budget: WorkBudget = WorkBudget.unlimited(),
): LseFit {
  const bounds = boundsOf(problem);
  const runs = activeRuns(problem);
  budget.charge(screenWork(runs, problem.terms, grid.length));
  const points = screen(problem, grid, bounds.lower, bounds.upper);
  const scored = basins(points, grid.length, problem.terms).slice(0, 4 * MAX_STARTS);
  budget.charge(scored.length * evaluationWork(runs));
  const candidates = scored
    .map((point) => ({ start: point.start, value: evaluateObjective(problem, point.start) }))
    .sort((a, b) => a.value - b.value)
    .slice(0, MAX_STARTS);
  return refineStarts(
    problem,
    candidates.map((point) => point.start),
    { budget, bounds },
  );
}
