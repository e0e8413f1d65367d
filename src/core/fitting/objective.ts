// biome-ignore-all lint/style/noNonNullAssertion: numeric kernels index typed arrays within their bounds.
import { evaluateOneTerm, evaluateTwoTerms } from "./kernels.ts";

/**
 * The robust log-space objective of Hoffmann et al. 2022 (App. D.2, eq. 3) for a loss law that
 * is a sum of positive terms: a constant exp(θ₀) plus m power terms exp(θⱼ − κⱼ·xⱼ), with xⱼ a
 * centred log feature (log N − mean log N, log D − …, log C − …):
 *
 *   F(p) = Σᵢ wᵢ · Huber_δ( LSE(θ₀, θ₁ − κ₁x₁ᵢ, …) − log Lᵢ ),
 *
 * summed over runs (Besiroglu et al. 2024), with the parameters p = [θ₀, θ₁…θₘ, κ₁…κₘ].
 * Parametric law (m = 2): E = e^θ₀, A = e^(θ₁+α·x̄_N), B = e^(θ₂+β·x̄_D), α = κ₁, β = κ₂.
 * Compute law (m = 1): c = e^θ₀, a = e^(θ₁+γ·x̄_C), b = −γ.
 */

/** Huber threshold on log-loss residuals, Hoffmann et al. 2022 App. D.2. */
export const HUBER_DELTA = 1e-3;

export interface LseProblem {
  /** m, the number of power terms. */
  terms: number;
  /** features[j][i]: the centred log feature of power term j at run i. */
  features: readonly Float64Array[];
  /** log Lᵢ. */
  logLoss: Float64Array;
  /** How many times each run counts: 1, or bootstrap multiplicities. */
  weights: Float64Array;
  delta: number;
}

/** Number of parameters, 2m + 1. */
export function dimensionOf(problem: LseProblem): number {
  return 2 * problem.terms + 1;
}

/** Huber_δ(r): r²/2 for |r| ≤ δ, else δ·(|r| − δ/2). */
export function huber(r: number, delta: number): number {
  const size = Math.abs(r);
  return size <= delta ? 0.5 * r * r : delta * (size - 0.5 * delta);
}

/** Per-run log residuals rᵢ = LSE(…) − log Lᵢ at p. */
export function residualsOf(problem: LseProblem, p: ArrayLike<number>): Float64Array {
  const { terms, features, logLoss } = problem;
  const z = new Float64Array(terms + 1);
  return logLoss.map((logL, i) => {
    z[0] = p[0]!;
    for (let j = 0; j < terms; j++) z[1 + j] = p[1 + j]! - p[1 + terms + j]! * features[j]![i]!;
    const zMax = Math.max(...z);
    let sum = 0;
    for (const value of z) sum += Math.exp(value - zMax);
    return zMax + Math.log(sum) - logL;
  });
}

/**
 * F(p), and its gradient and Hessian when buffers are given (Hessian row-major, dim × dim).
 * The Hessian is exact wherever no residual sits exactly at ±δ.
 */
export function evaluateObjective(
  problem: LseProblem,
  p: ArrayLike<number>,
  gradient?: Float64Array,
  hessian?: Float64Array,
): number {
  const { terms, features, logLoss, weights, delta } = problem;
  if (gradient && hessian) {
    if (terms === 2) return evaluateTwoTerms(problem, p, gradient, hessian);
    if (terms === 1) return evaluateOneTerm(problem, p, gradient, hessian);
  }
  const dim = 2 * terms + 1;
  const n = logLoss.length;
  const z = new Float64Array(terms + 1);
  const w = new Float64Array(terms + 1);
  const dr = new Float64Array(dim);
  if (gradient) gradient.fill(0);
  if (hessian) hessian.fill(0);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const count = weights[i]!;
    if (count === 0) continue;
    z[0] = p[0]!;
    let zMax = z[0];
    for (let j = 0; j < terms; j++) {
      const value = p[1 + j]! - p[1 + terms + j]! * features[j]![i]!;
      z[1 + j] = value;
      if (value > zMax) zMax = value;
    }
    let sum = 0;
    for (let k = 0; k <= terms; k++) {
      const e = Math.exp(z[k]! - zMax);
      w[k] = e;
      sum += e;
    }
    const r = zMax + Math.log(sum) - logLoss[i]!;
    const inside = Math.abs(r) <= delta;
    total += count * (inside ? 0.5 * r * r : delta * (Math.abs(r) - 0.5 * delta));
    if (!gradient && !hessian) continue;
    for (let k = 0; k <= terms; k++) w[k] = w[k]! / sum;
    dr[0] = w[0]!;
    for (let j = 0; j < terms; j++) {
      dr[1 + j] = w[1 + j]!;
      dr[1 + terms + j] = -w[1 + j]! * features[j]![i]!;
    }
    const psi = inside ? r : r > 0 ? delta : -delta;
    if (gradient) {
      for (let a = 0; a < dim; a++) gradient[a] = gradient[a]! + count * psi * dr[a]!;
    }
    if (hessian) {
      // ψ'·∇r∇rᵀ + ψ·∇²r with ∇²r = Σₖ wₖJₖJₖᵀ − ∇r∇rᵀ (z is linear in p).
      const outer = count * ((inside ? 1 : 0) - psi);
      for (let a = 0; a < dim; a++) {
        const scaled = outer * dr[a]!;
        for (let b = a; b < dim; b++)
          hessian[a * dim + b] = hessian[a * dim + b]! + scaled * dr[b]!;
      }
      const cp = count * psi;
      hessian[0] = hessian[0]! + cp * w[0]!;
      for (let j = 0; j < terms; j++) {
        const x = features[j]![i]!;
        const wk = cp * w[1 + j]!;
        const t = 1 + j;
        const k = 1 + terms + j;
        hessian[t * dim + t] = hessian[t * dim + t]! + wk;
        hessian[t * dim + k] = hessian[t * dim + k]! - wk * x;
        hessian[k * dim + k] = hessian[k * dim + k]! + wk * x * x;
      }
    }
  }
  if (hessian) {
    for (let a = 0; a < dim; a++) {
      for (let b = 0; b < a; b++) hessian[a * dim + b] = hessian[b * dim + a]!;
    }
  }
  return total;
}
