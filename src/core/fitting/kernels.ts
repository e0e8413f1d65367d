// biome-ignore-all lint/style/noNonNullAssertion: numeric kernels index typed arrays within their bounds.
import type { LseProblem } from "./objective.ts";

/**
 * The objective F(p) of {@link evaluateObjective} with its gradient and Hessian, written out for
 * one power term (the compute law, dim 3) and two (the parametric law, dim 5): the same
 * floating-point operations in the same order as the general loop, so the same bits, about
 * twice as fast (no inner loops over the dimension). Runs with weight 0 are skipped.
 *
 * @returns F(p), the summed Huber loss of the log-loss residuals (dimensionless, ≥ 0); fills
 *   `gradient` (dim) and `hessian` (dim × dim, row-major).
 */
export function evaluateTwoTerms(
  problem: LseProblem,
  p: ArrayLike<number>,
  gradient: Float64Array,
  hessian: Float64Array,
): number {
  const { features, logLoss, weights, delta } = problem;
  const x1s = features[0]!;
  const x2s = features[1]!;
  const [p0, p1, p2, p3, p4] = [p[0]!, p[1]!, p[2]!, p[3]!, p[4]!];
  let g0 = 0;
  let g1 = 0;
  let g2 = 0;
  let g3 = 0;
  let g4 = 0;
  let h00 = 0;
  let h01 = 0;
  let h02 = 0;
  let h03 = 0;
  let h04 = 0;
  let h11 = 0;
  let h12 = 0;
  let h13 = 0;
  let h14 = 0;
  let h22 = 0;
  let h23 = 0;
  let h24 = 0;
  let h33 = 0;
  let h34 = 0;
  let h44 = 0;
  let total = 0;
  const n = logLoss.length;
  for (let i = 0; i < n; i++) {
    const count = weights[i]!;
    if (count === 0) continue;
    const x1 = x1s[i]!;
    const x2 = x2s[i]!;
    let zMax = p0;
    const z1 = p1 - p3 * x1;
    if (z1 > zMax) zMax = z1;
    const z2 = p2 - p4 * x2;
    if (z2 > zMax) zMax = z2;
    let w0 = Math.exp(p0 - zMax);
    let sum = w0;
    let w1 = Math.exp(z1 - zMax);
    sum += w1;
    let w2 = Math.exp(z2 - zMax);
    sum += w2;
    const r = zMax + Math.log(sum) - logLoss[i]!;
    const inside = Math.abs(r) <= delta;
    total += count * (inside ? 0.5 * r * r : delta * (Math.abs(r) - 0.5 * delta));
    w0 = w0 / sum;
    w1 = w1 / sum;
    w2 = w2 / sum;
    const d3 = -w1 * x1;
    const d4 = -w2 * x2;
    const psi = inside ? r : r > 0 ? delta : -delta;
    const cp = count * psi;
    g0 = g0 + cp * w0;
    g1 = g1 + cp * w1;
    g2 = g2 + cp * w2;
    g3 = g3 + cp * d3;
    g4 = g4 + cp * d4;
    const outer = count * ((inside ? 1 : 0) - psi);
    let s = outer * w0;
    h00 = h00 + s * w0;
    h01 = h01 + s * w1;
    h02 = h02 + s * w2;
    h03 = h03 + s * d3;
    h04 = h04 + s * d4;
    s = outer * w1;
    h11 = h11 + s * w1;
    h12 = h12 + s * w2;
    h13 = h13 + s * d3;
    h14 = h14 + s * d4;
    s = outer * w2;
    h22 = h22 + s * w2;
    h23 = h23 + s * d3;
    h24 = h24 + s * d4;
    s = outer * d3;
    h33 = h33 + s * d3;
    h34 = h34 + s * d4;
    h44 = h44 + outer * d4 * d4;
    h00 = h00 + cp * w0;
    let wk = cp * w1;
    h11 = h11 + wk;
    h13 = h13 - wk * x1;
    h33 = h33 + wk * x1 * x1;
    wk = cp * w2;
    h22 = h22 + wk;
    h24 = h24 - wk * x2;
    h44 = h44 + wk * x2 * x2;
  }
  gradient[0] = g0;
  gradient[1] = g1;
  gradient[2] = g2;
  gradient[3] = g3;
  gradient[4] = g4;
  hessian[0] = h00;
  hessian[1] = h01;
  hessian[2] = h02;
  hessian[3] = h03;
  hessian[4] = h04;
  hessian[5] = h01;
  hessian[6] = h11;
  hessian[7] = h12;
  hessian[8] = h13;
  hessian[9] = h14;
  hessian[10] = h02;
  hessian[11] = h12;
  hessian[12] = h22;
  hessian[13] = h23;
  hessian[14] = h24;
  hessian[15] = h03;
  hessian[16] = h13;
  hessian[17] = h23;
  hessian[18] = h33;
  hessian[19] = h34;
  hessian[20] = h04;
  hessian[21] = h14;
  hessian[22] = h24;
  hessian[23] = h34;
  hessian[24] = h44;
  return total;
}

/** {@link evaluateTwoTerms} for one power term (p = [θ₀, θ₁, κ₁], dim 3). */
export function evaluateOneTerm(
  problem: LseProblem,
  p: ArrayLike<number>,
  gradient: Float64Array,
  hessian: Float64Array,
): number {
  const { features, logLoss, weights, delta } = problem;
  const xs = features[0]!;
  const [p0, p1, p2] = [p[0]!, p[1]!, p[2]!];
  let g0 = 0;
  let g1 = 0;
  let g2 = 0;
  let h00 = 0;
  let h01 = 0;
  let h02 = 0;
  let h11 = 0;
  let h12 = 0;
  let h22 = 0;
  let total = 0;
  const n = logLoss.length;
  for (let i = 0; i < n; i++) {
    const count = weights[i]!;
    if (count === 0) continue;
    const x = xs[i]!;
    let zMax = p0;
    const z1 = p1 - p2 * x;
    if (z1 > zMax) zMax = z1;
    let w0 = Math.exp(p0 - zMax);
    let sum = w0;
    let w1 = Math.exp(z1 - zMax);
    sum += w1;
    const r = zMax + Math.log(sum) - logLoss[i]!;
    const inside = Math.abs(r) <= delta;
    total += count * (inside ? 0.5 * r * r : delta * (Math.abs(r) - 0.5 * delta));
    w0 = w0 / sum;
    w1 = w1 / sum;
    const d2 = -w1 * x;
    const psi = inside ? r : r > 0 ? delta : -delta;
    const cp = count * psi;
    g0 = g0 + cp * w0;
    g1 = g1 + cp * w1;
    g2 = g2 + cp * d2;
    const outer = count * ((inside ? 1 : 0) - psi);
    let s = outer * w0;
    h00 = h00 + s * w0;
    h01 = h01 + s * w1;
    h02 = h02 + s * d2;
    s = outer * w1;
    h11 = h11 + s * w1;
    h12 = h12 + s * d2;
    h22 = h22 + outer * d2 * d2;
    h00 = h00 + cp * w0;
    const wk = cp * w1;
    h11 = h11 + wk;
    h12 = h12 - wk * x;
    h22 = h22 + wk * x * x;
  }
  gradient[0] = g0;
  gradient[1] = g1;
  gradient[2] = g2;
  hessian[0] = h00;
  hessian[1] = hessian[3] = h01;
  hessian[2] = hessian[6] = h02;
  hessian[4] = h11;
  hessian[5] = hessian[7] = h12;
  hessian[8] = h22;
  return total;
}
