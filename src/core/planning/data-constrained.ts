import type { ParametricFit } from "../fits/schema.ts";
import { frontierOf } from "../frontier.ts";
import { parametricLoss } from "../loss.ts";
import { TRAINING_FLOPS_PER_PARAM_TOKEN as SIX } from "../units.ts";
import { minimizeGolden } from "./minimize.ts";

/**
 * Decay constants of the value of repeated data and excess parameters
 * (Muennighoff et al. 2023, "Scaling Data-Constrained Language Models", eq. 5-6).
 */
export interface RepetitionDecay {
  /** R_D*: repetitions of data after which repeated tokens are worth 1/e of fresh ones. */
  RDStar: number;
  /** R_N*: the same for parameters beyond the compute-optimal size for the unique data. */
  RNStar: number;
}

/** U + U·R*·(1 − e^(−R/R*)) with R = total/U − 1 repetitions; `total` itself when total ≤ U. */
function decayed(unique: number, total: number, star: number): number {
  if (total <= unique) return total;
  const repetitions = total / unique - 1;
  return unique + unique * star * (1 - Math.exp(-repetitions / star));
}

/**
 * Effective data D' = U_D + U_D·R_D*·(1 − e^(−R_D/R_D*)), with R_D = D/U_D − 1 repetitions
 * (Muennighoff et al. 2023, eq. 5). Equals D when D ≤ U_D.
 */
export function effectiveTokens(tokens: number, uniqueTokens: number, RDStar: number): number {
  return decayed(uniqueTokens, tokens, RDStar);
}

/**
 * N_opt(D): the compute-optimal model size for D tokens on the fit's frontier (the datablations
 * README's D_to_N). On the frontier N = k_N·C^a and D = k_D·C^b, so N_opt(D) = k_N·(D/k_D)^(a/b).
 */
export function computeOptimalParamsFor(fit: ParametricFit, tokens: number): number {
  const frontier = frontierOf(fit, { kaplanBudget: "critical" });
  return (
    frontier.params.coefficient *
    (tokens / frontier.tokens.coefficient) ** (frontier.params.exponent / frontier.tokens.exponent)
  );
}

/**
 * Effective parameters N' = U_N + U_N·R_N*·(1 − e^(−R_N/R_N*)), with U_N = min(N, N_opt(U_D))
 * and R_N = N/U_N − 1 (Muennighoff et al. 2023, eq. 6).
 * @param optimalForUnique N_opt(U_D), when already known
 */
export function effectiveParams(
  fit: ParametricFit,
  params: number,
  uniqueTokens: number,
  RNStar: number,
  optimalForUnique = computeOptimalParamsFor(fit, uniqueTokens),
): number {
  return decayed(Math.min(params, optimalForUnique), params, RNStar);
}

/**
 * Loss with repeated data: L = E + A/N'^α + B/D'^β (Muennighoff et al. 2023, eq. 7). The unique
 * data is the unique tokens trained on, U = min(uniqueTokens, D), as the authors' code asserts
 * U ≤ D (datablations README, `scaling_law`): unique tokens beyond D change nothing.
 * @param uniqueTokens U_D, the unique tokens available
 * @param optimalForUnique N_opt(uniqueTokens), when already known (used only when U_D ≤ D)
 */
export function dataConstrainedLoss(
  fit: ParametricFit,
  decay: RepetitionDecay,
  params: number,
  tokens: number,
  uniqueTokens: number,
  optimalForUnique?: number,
): number {
  const unique = Math.min(uniqueTokens, tokens);
  const optimal =
    unique === uniqueTokens && optimalForUnique !== undefined
      ? optimalForUnique
      : computeOptimalParamsFor(fit, unique);
  return parametricLoss(
    fit,
    effectiveParams(fit, params, unique, decay.RNStar, optimal),
    effectiveTokens(tokens, unique, decay.RDStar),
  );
}

export interface DataConstrainedPlan {
  params: number;
  tokens: number;
  /** D / U_D. */
  epochs: number;
  loss: number;
  /** The compute-optimal allocation and loss with unlimited unique data. */
  unlimited: { params: number; tokens: number; loss: number };
  iterations: number;
  converged: boolean;
}

/**
 * The best split of C = 6ND when only U_D unique tokens exist: minimises the data-constrained
 * loss over N by golden-section search in log N, from 10^-4 to 10^2 times the unconstrained
 * compute-optimal N.
 */
export function dataConstrainedOptimal(
  fit: ParametricFit,
  decay: RepetitionDecay,
  flops: number,
  uniqueTokens: number,
): DataConstrainedPlan {
  const frontier = frontierOf(fit, { kaplanBudget: "critical" });
  const freeParams = frontier.params.coefficient * flops ** frontier.params.exponent;
  const freeTokens = flops / (SIX * freeParams);
  const optimalForUnique = computeOptimalParamsFor(fit, uniqueTokens);
  const lossAt = (params: number) =>
    dataConstrainedLoss(fit, decay, params, flops / (SIX * params), uniqueTokens, optimalForUnique);
  const search = minimizeGolden(
    (logParams) => lossAt(Math.exp(logParams)),
    Math.log(freeParams) - 4 * Math.LN10,
    Math.log(freeParams) + 2 * Math.LN10,
    { tolerance: 1e-12, maxIterations: 300 },
  );
  const params = Math.exp(search.x);
  const tokens = flops / (SIX * params);
  return {
    params,
    tokens,
    epochs: tokens / uniqueTokens,
    loss: lossAt(params),
    unlimited: {
      params: freeParams,
      tokens: freeTokens,
      loss: parametricLoss(fit, freeParams, freeTokens),
    },
    iterations: search.iterations,
    converged: search.converged,
  };
}
