// biome-ignore-all lint/style/noNonNullAssertion: numeric kernels index typed arrays within their bounds.
import { dimensionOf, evaluateObjective, type LseProblem } from "./objective.ts";
import { minimizeNewton, type NewtonResult } from "./optimize.ts";

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
  starts: number;
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

/**
 * Non-negative least squares min Σ (Φβ − 1)² over β ≥ 0 for ≤ 4 columns, from the Gram matrix
 * G = ΦᵀWΦ and h = ΦᵀW1, by trying every support (the KKT point is one of them).
 */
function nonNegativeLeastSquares(
  gram: Float64Array,
  h: Float64Array,
  size: number,
): { beta: Float64Array; gain: number } {
  let best = new Float64Array(size);
  let bestGain = 0;
  for (let mask = 1; mask < 1 << size; mask++) {
    const support: number[] = [];
    for (let k = 0; k < size; k++) if (mask & (1 << k)) support.push(k);
    const s = support.length;
    const matrix = new Float64Array(s * s + s);
    for (let a = 0; a < s; a++) {
      for (let b = 0; b <= s; b++) {
        matrix[a * (s + 1) + b] = b < s ? gram[support[a]! * size + support[b]!]! : h[support[a]!]!;
      }
    }
    const solution = gaussSolve(matrix, s);
    if (!solution || solution.some((x) => !(x > 0))) continue;
    let gain = 0;
    for (let a = 0; a < s; a++) gain += h[support[a]!]! * solution[a]!;
    if (gain > bestGain) {
      bestGain = gain;
      best = new Float64Array(size);
      for (let a = 0; a < s; a++) best[support[a]!] = solution[a]!;
    }
  }
  return { beta: best, gain: bestGain };
}

/** Gaussian elimination with partial pivoting on an s × (s+1) augmented matrix. */
function gaussSolve(augmented: Float64Array, s: number): number[] | null {
  const width = s + 1;
  for (let col = 0; col < s; col++) {
    let pivot = col;
    for (let row = col + 1; row < s; row++) {
      if (Math.abs(augmented[row * width + col]!) > Math.abs(augmented[pivot * width + col]!)) {
        pivot = row;
      }
    }
    const pivotValue = augmented[pivot * width + col]!;
    if (!(Math.abs(pivotValue) > 1e-300)) return null;
    if (pivot !== col) {
      for (let k = 0; k < width; k++) {
        const t = augmented[col * width + k]!;
        augmented[col * width + k] = augmented[pivot * width + k]!;
        augmented[pivot * width + k] = t;
      }
    }
    for (let row = col + 1; row < s; row++) {
      const factor = augmented[row * width + col]! / pivotValue;
      for (let k = col; k < width; k++) {
        augmented[row * width + k] =
          augmented[row * width + k]! - factor * augmented[col * width + k]!;
      }
    }
  }
  const x = new Array<number>(s).fill(0);
  for (let row = s - 1; row >= 0; row--) {
    let value = augmented[row * width + s]!;
    for (let k = row + 1; k < s; k++) value -= augmented[row * width + k]! * x[k]!;
    x[row] = value / augmented[row * width + row]!;
  }
  return x.every(Number.isFinite) ? x : null;
}

interface ScreenPoint {
  /** Index of each term's exponent in the grid. */
  cell: number[];
  start: Float64Array;
  value: number;
}

/**
 * Step 1: the exact non-negative least-squares fit of the relative residuals for every exponent
 * vector on the grid; `value` is its sum of squares.
 */
function screen(
  problem: LseProblem,
  grid: readonly number[],
  lower: Float64Array,
  upper: Float64Array,
): ScreenPoint[] {
  const { terms, features, logLoss, weights } = problem;
  const n = logLoss.length;
  const size = terms + 1;
  const dim = dimensionOf(problem);
  const inverseLoss = Float64Array.from(logLoss, (l) => Math.exp(-l));
  // columns[j][g·n + i] = exp(−κ_g·x_ji) / L_i
  const columns = features.map((x) => {
    const column = new Float64Array(grid.length * n);
    grid.forEach((kappa, g) => {
      for (let i = 0; i < n; i++) column[g * n + i] = Math.exp(-kappa * x[i]!) * inverseLoss[i]!;
    });
    return column;
  });
  const weightedSum = (f: (i: number) => number) => {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += weights[i]! * f(i);
    return sum;
  };
  const constantSums = {
    h: weightedSum((i) => inverseLoss[i]!),
    gram: weightedSum((i) => inverseLoss[i]! ** 2),
  };
  const columnSums = columns.map((column) => ({
    h: grid.map((_, g) => weightedSum((i) => column[g * n + i]!)),
    withConstant: grid.map((_, g) => weightedSum((i) => column[g * n + i]! * inverseLoss[i]!)),
    square: grid.map((_, g) => weightedSum((i) => column[g * n + i]! ** 2)),
  }));
  const totalWeight = weightedSum(() => 1);
  const cells = grid.length ** terms;
  const points: ScreenPoint[] = [];
  const gram = new Float64Array(size * size);
  const h = new Float64Array(size);
  // design[k·n + i] = Φₖᵢ: 1/Lᵢ for the constant, then each power term's column.
  const design = new Float64Array(size * n);
  design.set(inverseLoss, 0);
  const fallback = Math.log(1e-3) + logLoss[0]!;
  for (let index = 0; index < cells; index++) {
    const cell: number[] = [];
    let rest = index;
    for (let j = 0; j < terms; j++) {
      const g = rest % grid.length;
      cell.push(g);
      rest = Math.floor(rest / grid.length);
      design.set(columns[j]!.subarray(g * n, (g + 1) * n), (1 + j) * n);
    }
    // Gram entries of one column (and with the constant) were summed once per grid value;
    // only products of two power terms need a pass per cell.
    for (let a = 0; a < size; a++) {
      const ga = a === 0 ? 0 : cell[a - 1]!;
      h[a] = a === 0 ? constantSums.h : columnSums[a - 1]!.h[ga]!;
      for (let b = a; b < size; b++) {
        let cross: number;
        if (a === 0) {
          cross = b === 0 ? constantSums.gram : columnSums[b - 1]!.withConstant[cell[b - 1]!]!;
        } else if (a === b) {
          cross = columnSums[a - 1]!.square[ga]!;
        } else {
          cross = 0;
          for (let i = 0; i < n; i++)
            cross += weights[i]! * design[a * n + i]! * design[b * n + i]!;
        }
        gram[a * size + b] = cross;
        gram[b * size + a] = cross;
      }
    }
    const { beta, gain } = nonNegativeLeastSquares(gram, h, size);
    const start = new Float64Array(dim);
    for (let k = 0; k < size; k++) {
      // A coefficient the linear fit drops starts small, so Newton can still revive it.
      const logCoefficient = beta[k]! > 0 ? Math.log(beta[k]!) : fallback;
      start[k] = Math.min(upper[k]!, Math.max(lower[k]!, logCoefficient));
    }
    for (let j = 0; j < terms; j++) start[1 + terms + j] = grid[cell[j]!]!;
    // Σ wᵢ(Σₖ βₖΦₖᵢ − 1)² at the least-squares β is Σwᵢ − hᵀβ.
    points.push({ cell, start, value: Math.max(totalWeight - gain, 0) });
  }
  return points;
}

/** Grid points that no neighbouring grid point beats, best first. */
function basins(points: readonly ScreenPoint[], gridSize: number, terms: number): ScreenPoint[] {
  const indexOf = (cell: readonly number[]) =>
    cell.reduce((index, c, j) => index + c * gridSize ** j, 0);
  const minima = points.filter((point) => {
    const offsets = 3 ** terms;
    for (let o = 0; o < offsets; o++) {
      let rest = o;
      const neighbour: number[] = [];
      for (let j = 0; j < terms; j++) {
        neighbour.push(point.cell[j]! + (rest % 3) - 1);
        rest = Math.floor(rest / 3);
      }
      if (neighbour.some((c) => c < 0 || c >= gridSize)) continue;
      const other = points[indexOf(neighbour)];
      if (other && other !== point && other.value < point.value) return false;
    }
    return true;
  });
  return minima.sort((a, b) => a.value - b.value);
}

/** Runs Newton from each start and keeps the best optimum (first wins ties). */
export function refineStarts(
  problem: LseProblem,
  starts: readonly ArrayLike<number>[],
  maxIterations: number = MAX_NEWTON_ITERATIONS,
): LseFit {
  const { lower, upper } = boundsOf(problem);
  const gradientTolerance = gradientToleranceOf(problem);
  const evaluate = (p: Float64Array, g: Float64Array, hess: Float64Array) =>
    evaluateObjective(problem, p, g, hess);
  let best: NewtonResult | undefined;
  let totalIterations = 0;
  for (const start of starts) {
    const result = minimizeNewton(evaluate, start, {
      lower,
      upper,
      maxIterations,
      gradientTolerance,
    });
    totalIterations += result.iterations;
    if (!best || result.value < best.value) best = result;
  }
  if (!best) throw new RangeError("refineStarts needs at least one start");
  return {
    point: best.point,
    objective: best.value,
    iterations: best.iterations,
    totalIterations,
    starts: starts.length,
    converged: best.converged,
    gradientNorm: best.gradientNorm,
    lower,
    upper,
  };
}

/** Screens the exponent grid, then refines the best basins (see the module comment). */
export function fitLse(problem: LseProblem, grid: readonly number[]): LseFit {
  const { lower, upper } = boundsOf(problem);
  const points = screen(problem, grid, lower, upper);
  const candidates = basins(points, grid.length, problem.terms)
    .slice(0, 4 * MAX_STARTS)
    .map((point) => ({ start: point.start, value: evaluateObjective(problem, point.start) }))
    .sort((a, b) => a.value - b.value)
    .slice(0, MAX_STARTS);
  return refineStarts(
    problem,
    candidates.map((point) => point.start),
  );
}
