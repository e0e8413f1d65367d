/**
 * The work budget of one fit request, so that a fit with its bootstrap takes bounded CPU time
 * whatever the runs (issue 12). Work is counted in **run-evaluations**: one run's term of the
 * objective F with its gradient and Hessian (see `evaluateObjective`). Every stage draws from the
 * budget: the grid screen (converted to run-evaluations by {@link screenWork}), scoring the grid
 * basins, every Newton step of the fit, and every step of every bootstrap refit. The count is a
 * pure function of the runs and options (no clock), so the same request always does the same
 * work and gets the same answer, on any machine.
 */

/**
 * Default work budget of one fit request, bootstrap included, in run-evaluations. One costs 60 to
 * 130 ns in Node 24 (the most on runs the law fits to about δ, where the Huber branch is
 * unpredictable), so the worst case is about 130 ms in Node, and under 300 ms in workerd. The 240
 * Chinchilla runs with a 200-resample bootstrap need about 400,000 (bench/fit.ts measures both).
 */
export const MAX_FIT_WORK = 1_000_000;

/**
 * Share of the budget the main fit may use, whether or not a bootstrap is asked for (so its
 * answer never depends on the bootstrap); the bootstrap gets the rest, with whatever the main fit
 * left unused.
 */
export const FIT_WORK_SHARE = 0.5;

/**
 * Fixed cost of one evaluation beyond its runs (the Newton step's bounds, trial point and
 * bookkeeping; its Cholesky solves are SOLVE_WORK each), in run-evaluations: what keeps many
 * steps on few runs inside the budget.
 */
export const EVALUATION_OVERHEAD = 8;

/** Work of one damped Cholesky solve of a Newton step (≤ 5 × 5), in run-evaluations. */
export const SOLVE_WORK = 2;

/** Work of one evaluation of F on `runs` runs (with weight > 0), in run-evaluations. */
export function evaluationWork(runs: number): number {
  return runs + EVALUATION_OVERHEAD;
}

/**
 * Work of the grid screen, in run-evaluations: per run, an exp and three weighted sums for each
 * term and grid value (about 1/5 of a run-evaluation) and a multiply-add for each grid cell and
 * pair of power terms (about 1/32); per grid cell, a non-negative least-squares solve on each of
 * the 2^(terms+1) − 1 supports (about 5 each). Calibrated in Node against {@link evaluationWork}.
 */
export function screenWork(runs: number, terms: number, gridSize: number): number {
  const cells = gridSize ** terms;
  const pairs = (terms * (terms - 1)) / 2;
  const perRun = (terms * gridSize) / 5 + (cells * pairs) / 32;
  return Math.ceil(runs * perRun + cells * (2 ** (terms + 1) - 1) * 5);
}

/** A budget of run-evaluations that the stages of a fit draw from. */
export class WorkBudget {
  /** Run-evaluations allowed (Infinity for none). */
  readonly limit: number;
  /** Run-evaluations charged so far. */
  spent = 0;

  constructor(limit: number) {
    this.limit = limit;
  }

  /** A budget that never runs out (tools that refit offline, like the epoch-2024 bootstrap). */
  static unlimited(): WorkBudget {
    return new WorkBudget(Number.POSITIVE_INFINITY);
  }

  /** Run-evaluations still allowed. */
  get remaining(): number {
    return Math.max(0, this.limit - this.spent);
  }

  /** Records `units` run-evaluations; callers check first, so `spent` never passes `limit`. */
  charge(units: number): void {
    this.spent += units;
  }
}

/** The work a fit did, in run-evaluations (reported with every fit). */
export interface WorkReport {
  /** The request's budget. */
  budget: number;
  /** Spent by the grid screen and the Newton starts of the fit to all runs. */
  fit: number;
  /** Spent by the bootstrap refits. */
  bootstrap: number;
}
