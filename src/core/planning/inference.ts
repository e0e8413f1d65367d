import type { ParametricFit } from "../fits/schema.ts";
import { evaluate, frontierOf } from "../frontier.ts";
import { parametricFrontierLoss, parametricLoss } from "../loss.ts";
import { TRAINING_FLOPS_PER_PARAM_TOKEN as SIX } from "../units.ts";
import { minimizeGolden } from "./minimize.ts";

/** Inference FLOPs per parameter per token: the forward pass, 2N (Kaplan et al. 2020 eq. 2.2). */
export const INFERENCE_FLOPS_PER_PARAM_TOKEN = 2;

/**
 * The training tokens that bring N parameters to loss ℓ under L = E + A/N^α + B/D^β:
 * D(N) = (B / (ℓ − E − A·N^−α))^(1/β), or +Infinity when N alone cannot reach ℓ.
 */
export function tokensForLoss(fit: ParametricFit, params: number, loss: number): number {
  const gap = loss - fit.E - fit.A / params ** fit.alpha;
  return gap > 0 ? (fit.B / gap) ** (1 / fit.beta) : Number.POSITIVE_INFINITY;
}

/** The smallest model that can reach ℓ with unlimited data: N_min = (A/(ℓ − E))^(1/α). */
export function minimumParamsForLoss(fit: ParametricFit, loss: number): number {
  return (fit.A / (loss - fit.E)) ** (1 / fit.alpha);
}

/** A training plan and its lifetime compute. */
export interface LifetimePlan {
  params: number;
  tokens: number;
  /** 6·N·D. */
  trainingFlops: number;
  /** 2·N·D_inf. */
  inferenceFlops: number;
  totalFlops: number;
}

export interface InferencePlan {
  loss: number;
  inferenceTokens: number;
  /** The plan with the least training + inference compute that reaches the loss. */
  optimal: LifetimePlan;
  /** The compute-optimal (training-only) plan for the same loss, with its lifetime compute. */
  computeOptimal: LifetimePlan;
  /** computeOptimal.totalFlops − optimal.totalFlops (≥ 0). */
  savingFlops: number;
  /** savingFlops / computeOptimal.totalFlops. */
  savingFraction: number;
  iterations: number;
  converged: boolean;
}

function lifetime(params: number, tokens: number, inferenceTokens: number): LifetimePlan {
  const trainingFlops = SIX * params * tokens;
  const inferenceFlops = INFERENCE_FLOPS_PER_PARAM_TOKEN * params * inferenceTokens;
  return {
    params,
    tokens,
    trainingFlops,
    inferenceFlops,
    totalFlops: trainingFlops + inferenceFlops,
  };
}

/**
 * Inference-aware optimum (Sardana et al. 2024, "Beyond Chinchilla-Optimal", arXiv:2401.00448):
 * among (N, D) with L(N, D) = ℓ, minimise 6·N·D + 2·N·D_inf. No closed form: a golden-section
 * search in log N between N_min (where D → ∞) and the compute-optimal N (eq. 4), where the
 * objective is increasing whenever D_inf > 0.
 *
 * @param loss target loss ℓ in nats per token; must exceed E
 * @param inferenceTokens lifetime inference tokens D_inf (≥ 0)
 */
export function inferenceOptimal(
  fit: ParametricFit,
  loss: number,
  inferenceTokens: number,
): InferencePlan {
  const { K, gamma } = parametricFrontierLoss(fit);
  const computeOptimalFlops = SIX * (K / (loss - fit.E)) ** (1 / gamma);
  const frontier = frontierOf(fit, { kaplanBudget: "critical" });
  const computeOptimalParams = evaluate(frontier.params, computeOptimalFlops);
  const computeOptimal = lifetime(
    computeOptimalParams,
    computeOptimalFlops / (SIX * computeOptimalParams),
    inferenceTokens,
  );
  const objective = (logParams: number) => {
    const params = Math.exp(logParams);
    const tokens = tokensForLoss(fit, params, loss);
    return params * (SIX * tokens + INFERENCE_FLOPS_PER_PARAM_TOKEN * inferenceTokens);
  };
  const low = Math.log(minimumParamsForLoss(fit, loss));
  const high = Math.log(computeOptimalParams);
  const search = minimizeGolden(objective, low, high, { tolerance: 1e-13, maxIterations: 300 });
  const params = Math.exp(search.x);
  let optimal = lifetime(params, tokensForLoss(fit, params, loss), inferenceTokens);
  if (!(optimal.totalFlops <= computeOptimal.totalFlops)) optimal = computeOptimal;
  const savingFlops = computeOptimal.totalFlops - optimal.totalFlops;
  return {
    loss,
    inferenceTokens,
    optimal,
    computeOptimal,
    savingFlops,
    savingFraction: savingFlops / computeOptimal.totalFlops,
    iterations: search.iterations,
    converged: search.converged,
  };
}

/** Checks a plan: the loss it reaches (for tests and answers). */
export function planLoss(fit: ParametricFit, plan: LifetimePlan): number {
  return parametricLoss(fit, plan.params, plan.tokens);
}
