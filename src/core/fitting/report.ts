// biome-ignore-all lint/style/noNonNullAssertion: numeric code indexes arrays within their bounds.
import type { Uncertainty } from "./bootstrap.ts";
import type { ComputeCoefficients } from "./compute.ts";
import { HUBER_DELTA, type LseProblem, residualsOf } from "./objective.ts";
import type { ParametricCoefficients } from "./parametric.ts";
import type { ComputeRun, ParametricRun } from "./runs.ts";
import type { WorkReport } from "./work.ts";

/** What `fitRuns` answers: the fitted law, how the fit went, its residuals and uncertainty. */

/** Log-space residuals rᵢ = log L̂ᵢ − log Lᵢ (≈ relative error) at the optimum. */
export interface ResidualStatistics {
  count: number;
  rms: number;
  mean: number;
  medianAbs: number;
  maxAbs: number;
  /** Runs with |r| ≤ δ (the quadratic part of the Huber loss). */
  withinDelta: number;
  /** The run with the largest |r|, with its fitted loss (at most the largest double). */
  worst: (ParametricRun | ComputeRun) & { predicted: number };
}

export interface ReportCommon {
  runs: number;
  /** The law with its fitted constants, for people. */
  law: string;
  /** Σ Huber_δ(rᵢ) at the optimum (δ = 1e-3, summed, Hoffmann et al. App. D.2). */
  objective: number;
  /** Newton steps of the winning start. */
  iterations: number;
  /** The winning start converged within the work budget, and its constants are finite. */
  converged: boolean;
  /** Grid basins refined. */
  starts: number;
  method: string;
  residuals: ResidualStatistics;
  /** [smallest, largest] N, D and C = 6ND (C as given for compute runs; clamped to doubles). */
  range: {
    params: [number, number] | null;
    tokens: [number, number] | null;
    flops: [number, number];
  };
  /** Run-evaluations spent, and the budget they came from. */
  work: WorkReport;
  warnings: string[];
}

export type ParametricQuantity = keyof ParametricCoefficients | "allocationParams";
export type ComputeQuantity = keyof ComputeCoefficients;

export type FitReport =
  | (ReportCommon & {
      kind: "parametric";
      /** Not finite (or A, B at 0) only when `converged` is false and a warning says why. */
      coefficients: ParametricCoefficients;
      /** N_opt ∝ C^a, D_opt ∝ C^b with a = β/(α+β), b = α/(α+β) (Hoffmann et al. eq. 4). */
      allocationExponents: { params: number; tokens: number };
      uncertainty: Uncertainty<ParametricQuantity> | null;
    })
  | (ReportCommon & {
      kind: "compute";
      /** Not finite (or a at 0) only when `converged` is false and a warning says why. */
      coefficients: ComputeCoefficients;
      allocationExponents: null;
      uncertainty: Uncertainty<ComputeQuantity> | null;
    });

export const METHOD =
  "Minimises Σ Huber_δ(log L̂ − log L), δ = 1e-3, summed over runs, in log space with a log-sum-exp (Hoffmann et al. 2022 App. D.2; Besiroglu et al. 2024): an exact non-negative least-squares screen over a grid of exponents, then a damped Newton method with the exact gradient and Hessian from the best grid basins, within a fixed work budget per request.";

export function residualStatistics(
  residuals: Float64Array,
  runs: readonly (ParametricRun | ComputeRun)[],
): ResidualStatistics {
  const n = residuals.length;
  const abs = Array.from(residuals, Math.abs).sort((a, b) => a - b);
  let worstIndex = 0;
  for (let i = 1; i < n; i++) {
    if (Math.abs(residuals[i]!) > Math.abs(residuals[worstIndex]!)) worstIndex = i;
  }
  const worstRun = runs[worstIndex]!;
  const predicted = worstRun.loss * Math.exp(residuals[worstIndex]!);
  return {
    count: n,
    rms: Math.sqrt(residuals.reduce((s, r) => s + r * r, 0) / n),
    mean: residuals.reduce((s, r) => s + r, 0) / n,
    medianAbs: n % 2 ? abs[(n - 1) / 2]! : (abs[n / 2 - 1]! + abs[n / 2]!) / 2,
    maxAbs: abs[n - 1]!,
    withinDelta: abs.filter((r) => r <= HUBER_DELTA).length,
    worst: { ...worstRun, predicted: Math.min(predicted, Number.MAX_VALUE) },
  };
}

/** For each power term, its largest share of the fitted loss over the runs (log space, exact). */
export function largestTermShares(problem: LseProblem, point: Float64Array): number[] {
  const { terms, features } = problem;
  const residuals = residualsOf(problem, point);
  return Array.from({ length: terms }, (_, j) => {
    let largest = 0;
    residuals.forEach((r, i) => {
      const z = point[1 + j]! - point[1 + terms + j]! * features[j]![i]!;
      largest = Math.max(largest, Math.exp(z - (r + problem.logLoss[i]!)));
    });
    return largest;
  });
}
