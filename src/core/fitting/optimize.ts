// biome-ignore-all lint/style/noNonNullAssertion: numeric kernels index typed arrays within their bounds.
/**
 * A box-constrained Newton method with Levenberg–Marquardt damping (Moré 1978; Nocedal & Wright
 * 2006 §4) for small problems with an exact Hessian. Variables at a bound whose gradient points
 * outward are held fixed for the step; every loop is bounded.
 */

export type Evaluate = (p: Float64Array, gradient: Float64Array, hessian: Float64Array) => number;

export interface NewtonOptions {
  lower: ArrayLike<number>;
  upper: ArrayLike<number>;
  maxIterations: number;
  /** Converged when the projected gradient's largest entry is at most this. */
  gradientTolerance: number;
  /** Most work to spend (no limit by default), in the units of the two costs below. */
  maxWork?: number;
  /** Work of one call of `evaluate` (1 by default); the start's call is always made. */
  evaluationWork?: number;
  /** Work of one damped Cholesky solve (0 by default). */
  solveWork?: number;
}

export interface NewtonResult {
  point: Float64Array;
  value: number;
  /** Newton steps taken (accepted or not). */
  iterations: number;
  /** Calls of `evaluate`: the start and one per step that was solved (at most iterations + 1). */
  evaluations: number;
  /** Work spent: evaluations and solves at their costs (never above maxWork past the start). */
  work: number;
  /** Whether it stopped because the next solve and evaluation would pass maxWork. */
  stoppedByWork: boolean;
  converged: boolean;
  /** Largest entry of the projected gradient at `point`. */
  gradientNorm: number;
}

const MAX_DAMPING_TRIES = 60;
const MAX_DAMPING = 1e30;

/** Solves (M) x = b in place for a small symmetric positive definite M; false if not SPD. */
function choleskySolve(matrix: Float64Array, size: number, rhs: Float64Array): boolean {
  for (let j = 0; j < size; j++) {
    let diagonal = matrix[j * size + j]!;
    for (let k = 0; k < j; k++) diagonal -= matrix[j * size + k]! ** 2;
    if (!(diagonal > 0)) return false;
    const root = Math.sqrt(diagonal);
    matrix[j * size + j] = root;
    for (let i = j + 1; i < size; i++) {
      let value = matrix[i * size + j]!;
      for (let k = 0; k < j; k++) value -= matrix[i * size + k]! * matrix[j * size + k]!;
      matrix[i * size + j] = value / root;
    }
  }
  for (let i = 0; i < size; i++) {
    let value = rhs[i]!;
    for (let k = 0; k < i; k++) value -= matrix[i * size + k]! * rhs[k]!;
    rhs[i] = value / matrix[i * size + i]!;
  }
  for (let i = size - 1; i >= 0; i--) {
    let value = rhs[i]!;
    for (let k = i + 1; k < size; k++) value -= matrix[k * size + i]! * rhs[k]!;
    rhs[i] = value / matrix[i * size + i]!;
  }
  return true;
}

function clampInto(p: Float64Array, lower: ArrayLike<number>, upper: ArrayLike<number>) {
  for (let i = 0; i < p.length; i++) p[i] = Math.min(upper[i]!, Math.max(lower[i]!, p[i]!));
}

/** Which variables may move: not pinned at a bound by a gradient pointing outward. */
function freeVariables(
  p: Float64Array,
  gradient: Float64Array,
  lower: ArrayLike<number>,
  upper: ArrayLike<number>,
): number[] {
  const free: number[] = [];
  for (let i = 0; i < p.length; i++) {
    const atLower = p[i]! <= lower[i]! && gradient[i]! > 0;
    const atUpper = p[i]! >= upper[i]! && gradient[i]! < 0;
    if (!atLower && !atUpper) free.push(i);
  }
  return free;
}

function projectedGradientNorm(free: readonly number[], gradient: Float64Array): number {
  let largest = 0;
  for (const i of free) largest = Math.max(largest, Math.abs(gradient[i]!));
  return largest;
}

/** Minimises `evaluate` from `start` inside the box [lower, upper]. */
export function minimizeNewton(
  evaluate: Evaluate,
  start: ArrayLike<number>,
  options: NewtonOptions,
): NewtonResult {
  const { lower, upper, maxIterations, gradientTolerance } = options;
  const { maxWork = Number.POSITIVE_INFINITY, evaluationWork = 1, solveWork = 0 } = options;
  const dim = start.length;
  const p = Float64Array.from(start);
  clampInto(p, lower, upper);
  const gradient = new Float64Array(dim);
  const hessian = new Float64Array(dim * dim);
  const trialGradient = new Float64Array(dim);
  const trialHessian = new Float64Array(dim * dim);
  const trial = new Float64Array(dim);
  const step = new Float64Array(dim);
  const reduced = new Float64Array(dim * dim);
  const rhs = new Float64Array(dim);
  let value = evaluate(p, gradient, hessian);
  let evaluations = 1;
  let work = evaluationWork;
  let stoppedByWork = false;
  // Room for one more solve and the evaluation of its step.
  const affords = () => work + solveWork + evaluationWork <= maxWork;
  let damping = 1e-3;
  let iterations = 0;
  let free = freeVariables(p, gradient, lower, upper);
  let norm = projectedGradientNorm(free, gradient);
  while (iterations < maxIterations && norm > gradientTolerance && damping < MAX_DAMPING) {
    if (!affords()) {
      stoppedByWork = true;
      break;
    }
    iterations++;
    const size = free.length;
    let solved = false;
    for (let tries = 0; tries < MAX_DAMPING_TRIES && !solved && damping < MAX_DAMPING; tries++) {
      if (!affords()) {
        stoppedByWork = true;
        break;
      }
      work += solveWork;
      let largestDiagonal = 0;
      for (const i of free)
        largestDiagonal = Math.max(largestDiagonal, Math.abs(hessian[i * dim + i]!));
      for (let a = 0; a < size; a++) {
        const i = free[a]!;
        rhs[a] = -gradient[i]!;
        for (let b = 0; b < size; b++) reduced[a * size + b] = hessian[i * dim + free[b]!]!;
        const scale = Math.max(Math.abs(hessian[i * dim + i]!), 1e-9 * largestDiagonal, 1e-300);
        reduced[a * size + a] = reduced[a * size + a]! + damping * scale;
      }
      solved = choleskySolve(reduced, size, rhs);
      if (!solved) damping = Math.max(damping * 10, 1e-8);
    }
    if (!solved) break;
    trial.set(p);
    for (let a = 0; a < size; a++) trial[free[a]!] = trial[free[a]!]! + rhs[a]!;
    clampInto(trial, lower, upper);
    let predicted = 0;
    for (let a = 0; a < dim; a++) {
      step[a] = trial[a]! - p[a]!;
      predicted -= gradient[a]! * step[a]!;
    }
    for (let a = 0; a < dim; a++) {
      for (let b = 0; b < dim; b++) predicted -= 0.5 * step[a]! * hessian[a * dim + b]! * step[b]!;
    }
    const trialValue = evaluate(trial, trialGradient, trialHessian);
    evaluations++;
    work += evaluationWork;
    const actual = value - trialValue;
    if (Number.isFinite(trialValue) && actual > 0) {
      const ratio = predicted > 0 ? actual / predicted : 1;
      p.set(trial);
      gradient.set(trialGradient);
      hessian.set(trialHessian);
      value = trialValue;
      if (ratio > 0.75) damping = Math.max(damping / 4, 1e-12);
      else if (ratio < 0.25) damping *= 2;
      free = freeVariables(p, gradient, lower, upper);
      norm = projectedGradientNorm(free, gradient);
    } else {
      damping = Math.max(damping * 4, 1e-8);
    }
  }
  return {
    point: p,
    value,
    iterations,
    evaluations,
    work,
    stoppedByWork,
    converged: norm <= gradientTolerance,
    gradientNorm: norm,
  };
}
