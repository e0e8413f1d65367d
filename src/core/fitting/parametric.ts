// biome-ignore-all lint/style/noNonNullAssertion: numeric code indexes arrays within their bounds.
import { TRAINING_FLOPS_PER_PARAM_TOKEN as SIX } from "../units.ts";
import { fitLse, geometricGrid, type LseFit } from "./lse-fit.ts";
import { HUBER_DELTA, type LseProblem } from "./objective.ts";
import { canonicalRuns, type ParametricRun } from "./runs.ts";
import { WorkBudget } from "./work.ts";

/** L(N, D) = E + A/N^α + B/D^β (Hoffmann et al. 2022, eq. 2). */
export interface ParametricCoefficients {
  E: number;
  A: number;
  B: number;
  alpha: number;
  beta: number;
}

/** Exponents screened for α and β (24 values, 0.02 to 2.5, log-spaced). */
export const PARAMETRIC_GRID = geometricGrid(0.02, 2.5, 24);

/** The runs in canonical order and the objective's data, log features centred. */
export interface ParametricProblem {
  runs: ParametricRun[];
  problem: LseProblem;
  /** Mean log N and mean log D (the centring). */
  centre: { logParams: number; logTokens: number };
}

export function parametricProblem(runs: readonly ParametricRun[]): ParametricProblem {
  const sorted = canonicalRuns(runs);
  const n = sorted.length;
  const logN = Float64Array.from(sorted, (r) => Math.log(r.params));
  const logD = Float64Array.from(sorted, (r) => Math.log(r.tokens));
  const mean = (x: Float64Array) => x.reduce((s, v) => s + v, 0) / n;
  const centre = { logParams: mean(logN), logTokens: mean(logD) };
  return {
    runs: sorted,
    centre,
    problem: {
      terms: 2,
      features: [logN.map((v) => v - centre.logParams), logD.map((v) => v - centre.logTokens)],
      logLoss: Float64Array.from(sorted, (r) => Math.log(r.loss)),
      weights: new Float64Array(n).fill(1),
      delta: HUBER_DELTA,
    },
  };
}

/** p = [log E, θ_A, θ_B, α, β] (centred) as E, A, B, α, β. */
export function parametricCoefficients(
  point: ArrayLike<number>,
  centre: ParametricProblem["centre"],
): ParametricCoefficients {
  const alpha = point[3]!;
  const beta = point[4]!;
  return {
    E: Math.exp(point[0]!),
    A: Math.exp(point[1]! + alpha * centre.logParams),
    B: Math.exp(point[2]! + beta * centre.logTokens),
    alpha,
    beta,
  };
}

/** E, A, B, α, β as the centred parameter vector p. */
export function parametricPoint(
  c: ParametricCoefficients,
  centre: ParametricProblem["centre"],
): Float64Array {
  return Float64Array.of(
    Math.log(c.E),
    Math.log(c.A) - c.alpha * centre.logParams,
    Math.log(c.B) - c.beta * centre.logTokens,
    c.alpha,
    c.beta,
  );
}

/** L(N, D) under the coefficients, nats per token. */
export function parametricLossOf(c: ParametricCoefficients, params: number, tokens: number) {
  return c.E + c.A / params ** c.alpha + c.B / tokens ** c.beta;
}

/**
 * Fits L = E + A/N^α + B/D^β to runs the way Hoffmann et al. (2022, App. D.2) and Besiroglu et
 * al. (2024) did: minimise Σ Huber_δ(LSE(a − α log N, b − β log D, e) − log L), δ = 1e-3, summed
 * over runs, from a grid (see `fitLse`), drawing on `budget` (unlimited by default).
 */
export function fitParametric(
  runs: readonly ParametricRun[],
  budget: WorkBudget = WorkBudget.unlimited(),
): {
  prepared: ParametricProblem;
  fit: LseFit;
  coefficients: ParametricCoefficients;
} {
  const prepared = parametricProblem(runs);
  const fit = fitLse(prepared.problem, PARAMETRIC_GRID, budget);
  return { prepared, fit, coefficients: parametricCoefficients(fit.point, prepared.centre) };
}

/** C = 6ND for a run. */
export function flopsOfRun(run: ParametricRun): number {
  return SIX * run.params * run.tokens;
}

/**
 * Hoffmann et al.'s 4500 starting points (App. D.2): α, β ∈ {0, 0.5, …, 2}, e ∈ {−1, −0.5, …, 1},
 * a, b ∈ {0, 5, …, 25}, as centred parameter vectors (α = 0 and β = 0 move to the bound). The
 * reference method the fast fit is checked against.
 */
export function hoffmannGridStarts(centre: ParametricProblem["centre"]): Float64Array[] {
  const steps = (from: number, to: number, step: number) =>
    Array.from({ length: Math.round((to - from) / step) + 1 }, (_, i) => from + i * step);
  const starts: Float64Array[] = [];
  for (const alpha of steps(0, 2, 0.5)) {
    for (const beta of steps(0, 2, 0.5)) {
      for (const e of steps(-1, 1, 0.5)) {
        for (const a of steps(0, 25, 5)) {
          for (const b of steps(0, 25, 5)) {
            starts.push(
              Float64Array.of(
                e,
                a - alpha * centre.logParams,
                b - beta * centre.logTokens,
                alpha,
                beta,
              ),
            );
          }
        }
      }
    }
  }
  return starts;
}
