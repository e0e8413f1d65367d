// biome-ignore-all lint/style/noNonNullAssertion: numeric kernels index typed arrays within their bounds.
import { dimensionOf, type LseProblem } from "./objective.ts";

/**
 * Step 1 of {@link fitLse}: for every exponent vector κ on a grid the law is linear in its
 * positive coefficients (E, A, B or c, a), so the non-negative least-squares fit of the relative
 * residuals is solved exactly; the grid points no neighbour beats are the basins Newton refines.
 */

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

/**
 * sums[g·G + h] = Σᵢ wᵢ·u[g·n + i]·v[h·n + i] for every pair of grid values (G of them), four h
 * at a time; each sum still adds its runs in order, so the bits do not depend on the blocking.
 */
function crossSums(u: Float64Array, v: Float64Array, weights: Float64Array, size: number) {
  const n = weights.length;
  const sums = new Float64Array(size * size);
  for (let g = 0; g < size; g++) {
    const uAt = g * n;
    for (let h = 0; h < size; h += 4) {
      const [v0, v1, v2, v3] = [h * n, (h + 1) * n, (h + 2) * n, (h + 3) * n];
      let [s0, s1, s2, s3] = [0, 0, 0, 0];
      const last = Math.min(size - h, 4);
      for (let i = 0; i < n; i++) {
        const wu = weights[i]! * u[uAt + i]!;
        s0 += wu * v[v0 + i]!;
        if (last > 1) s1 += wu * v[v1 + i]!;
        if (last > 2) s2 += wu * v[v2 + i]!;
        if (last > 3) s3 += wu * v[v3 + i]!;
      }
      const block = [s0, s1, s2, s3];
      for (let k = 0; k < last; k++) sums[g * size + h + k] = block[k]!;
    }
  }
  return sums;
}

export interface ScreenPoint {
  /** Index of each term's exponent in the grid. */
  cell: number[];
  start: Float64Array;
  value: number;
}

/**
 * Step 1: the exact non-negative least-squares fit of the relative residuals for every exponent
 * vector on the grid; `value` is its sum of squares.
 */
export function screen(
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
  // Σᵢ wᵢ·uᵢ·vᵢ over the runs (v = null for Σ wᵢ·uᵢ), from offsets into flat arrays.
  const weightedSum = (
    u: Float64Array,
    uAt: number,
    v: Float64Array | null,
    vAt: number,
  ): number => {
    let sum = 0;
    if (v) for (let i = 0; i < n; i++) sum += weights[i]! * (u[uAt + i]! * v[vAt + i]!);
    else for (let i = 0; i < n; i++) sum += weights[i]! * u[uAt + i]!;
    return sum;
  };
  const constantSums = {
    h: weightedSum(inverseLoss, 0, null, 0),
    gram: weightedSum(inverseLoss, 0, inverseLoss, 0),
  };
  const columnSums = columns.map((column) => ({
    h: grid.map((_, g) => weightedSum(column, g * n, null, 0)),
    withConstant: grid.map((_, g) => weightedSum(column, g * n, inverseLoss, 0)),
    square: grid.map((_, g) => weightedSum(column, g * n, column, g * n)),
  }));
  // Gram entries of two power terms, for every pair of their grid exponents.
  const pairSums = columns.map((u, j) =>
    columns.map((v, k) => (k > j ? crossSums(u, v, weights, grid.length) : new Float64Array(0))),
  );
  let totalWeight = 0;
  for (let i = 0; i < n; i++) totalWeight += weights[i]! * 1;
  const cells = grid.length ** terms;
  const points: ScreenPoint[] = [];
  const gram = new Float64Array(size * size);
  const h = new Float64Array(size);
  const fallback = Math.log(1e-3) + logLoss[0]!;
  for (let index = 0; index < cells; index++) {
    const cell: number[] = [];
    let rest = index;
    for (let j = 0; j < terms; j++) {
      const g = rest % grid.length;
      cell.push(g);
      rest = Math.floor(rest / grid.length);
    }
    // Every Gram entry was summed before the cells: one column (or with the constant) once per
    // grid value, two power terms once per pair of grid values.
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
          cross = pairSums[a - 1]![b - 1]![ga * grid.length + cell[b - 1]!]!;
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
export function basins(
  points: readonly ScreenPoint[],
  gridSize: number,
  terms: number,
): ScreenPoint[] {
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
