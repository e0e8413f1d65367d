// biome-ignore-all lint/style/noNonNullAssertion: numeric code indexes arrays within their bounds.
import { fitLse, geometricGrid, type LseFit } from "./lse-fit.ts";
import { HUBER_DELTA, type LseProblem } from "./objective.ts";
import { type ComputeRun, canonicalRuns } from "./runs.ts";
import { WorkBudget } from "./work.ts";

/** L(C) = a·C^b + c with b < 0 (OpenAI 2023, GPT-4 Technical Report §3.1). */
export interface ComputeCoefficients {
  a: number;
  b: number;
  c: number;
}

/** Exponents −b screened (64 values, 0.003 to 2.5, log-spaced). */
export const COMPUTE_GRID = geometricGrid(0.003, 2.5, 64);

export interface ComputeProblem {
  runs: ComputeRun[];
  problem: LseProblem;
  /** Mean log C (the centring). */
  centre: { logFlops: number };
}

export function computeProblem(runs: readonly ComputeRun[]): ComputeProblem {
  const sorted = canonicalRuns(runs);
  const n = sorted.length;
  const logC = Float64Array.from(sorted, (r) => Math.log(r.flops));
  const logFlops = logC.reduce((s, v) => s + v, 0) / n;
  return {
    runs: sorted,
    centre: { logFlops },
    problem: {
      terms: 1,
      features: [logC.map((v) => v - logFlops)],
      logLoss: Float64Array.from(sorted, (r) => Math.log(r.loss)),
      weights: new Float64Array(n).fill(1),
      delta: HUBER_DELTA,
    },
  };
}

/** p = [log c, θ_a, −b] (centred) as a, b, c. */
export function computeCoefficients(
  point: ArrayLike<number>,
  centre: ComputeProblem["centre"],
): ComputeCoefficients {
  const gamma = point[2]!;
  return { a: Math.exp(point[1]! + gamma * centre.logFlops), b: -gamma, c: Math.exp(point[0]!) };
}

export function computePoint(c: ComputeCoefficients, centre: ComputeProblem["centre"]) {
  return Float64Array.of(Math.log(c.c), Math.log(c.a) + c.b * centre.logFlops, -c.b);
}

/** L(C) = a·C^b + c, nats per token. */
export function computeLossOf(c: ComputeCoefficients, flops: number): number {
  return c.a * flops ** c.b + c.c;
}

/**
 * Fits L(C) = a·C^b + c to compute-only runs with the same robust objective as the parametric
 * law: Σ Huber_δ(LSE(log a + b·log C, log c) − log L), δ = 1e-3, from a grid of exponents,
 * drawing on `budget` (unlimited by default).
 */
export function fitCompute(
  runs: readonly ComputeRun[],
  budget: WorkBudget = WorkBudget.unlimited(),
): {
  prepared: ComputeProblem;
  fit: LseFit;
  coefficients: ComputeCoefficients;
} {
  const prepared = computeProblem(runs);
  const fit = fitLse(prepared.problem, COMPUTE_GRID, budget);
  return { prepared, fit, coefficients: computeCoefficients(fit.point, prepared.centre) };
}
