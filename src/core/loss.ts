import type { ComputeLossFit, FitDefinition, KaplanFit, ParametricFit } from "./fits/schema.ts";
import {
  type FrontierOptions,
  frontierOf,
  kaplanComputeMinPerFlop,
  parametricG,
} from "./frontier.ts";
import { TRAINING_FLOPS_PER_PARAM_TOKEN as SIX } from "./units.ts";

/** Fits that carry a loss law (cross-entropy in nats per token, on the fit's own dataset). */
export type LossFit = ParametricFit | KaplanFit;

/** Fits with a loss law of N and D (compute-loss fits have L(C) only, see {@link computeLoss}). */
export function hasLossLaw(fit: FitDefinition): fit is LossFit {
  return fit.kind === "parametric" || fit.kind === "kaplan";
}

/** L(C) = a·C^b + c in the fit's loss units, C in FLOPs (GPT-4 Technical Report §3.1). */
export function computeLoss(fit: ComputeLossFit, flops: number): number {
  return fit.a * flops ** fit.b + fit.c;
}

/**
 * L(N, D) = E + A/N^α + B/D^β in nats per token (Hoffmann et al. 2022, eq. 2).
 * @param params N, parameters (total)
 * @param tokens D, training tokens
 */
export function parametricLoss(fit: ParametricFit, params: number, tokens: number): number {
  return fit.E + fit.A / params ** fit.alpha + fit.B / tokens ** fit.beta;
}

/**
 * The loss on the compute-optimal frontier of eq. (4) written as L*(C) = E + K·(C/6)^(-γ),
 * with γ = αβ/(α+β) and K = A·G^-α + B·G^β (derived from Hoffmann et al. 2022, eqs. 2 and 4).
 */
export function parametricFrontierLoss(fit: ParametricFit): { K: number; gamma: number } {
  const { A, B, alpha, beta } = fit;
  const G = parametricG(fit);
  return { K: A * G ** -alpha + B * G ** beta, gamma: (alpha * beta) / (alpha + beta) };
}

/**
 * Kaplan et al. 2020 eq. (1.5) with Table 2 constants:
 * L(N, D) = [(N_c/N)^(α_N/α_D) + D_c/D]^α_D, N non-embedding parameters, D tokens.
 */
export function kaplanLoss(fit: KaplanFit, params: number, tokens: number): number {
  const { alphaN, alphaD, Nc, Dc } = fit.lossVsParamsAndTokens;
  return ((Nc / params) ** (alphaN / alphaD) + Dc / tokens) ** alphaD;
}

/** Kaplan et al. 2020 eq. (1.3): L(C_min) = (C_c/C_min)^α with C_min in PF-days. */
export function kaplanLossAtComputeMin(fit: KaplanFit, computeMinPFDays: number): number {
  const { alpha, scalePFDays } = fit.lossVsComputeMin;
  return (scalePFDays / computeMinPFDays) ** alpha;
}

/**
 * The predicted loss of a compute-optimal run at budget C (FLOPs), or null for fits without a
 * loss law. Parametric: L*(C) of eq. (4). Kaplan: L(C_min), eq. (1.3). Compute-loss: L(C).
 */
export function frontierLoss(
  fit: FitDefinition,
  flops: number,
  options: FrontierOptions,
): number | null {
  if (fit.kind === "parametric") {
    const { K, gamma } = parametricFrontierLoss(fit);
    return fit.E + K * (flops / SIX) ** -gamma;
  }
  if (fit.kind === "kaplan") {
    return kaplanLossAtComputeMin(fit, flops * kaplanComputeMinPerFlop(options.kaplanBudget));
  }
  if (fit.kind === "compute-loss") return computeLoss(fit, flops);
  return null;
}

export type ComputeForLoss =
  | { ok: true; flops: number }
  | { ok: false; reason: "no-loss-law" | "unreachable"; message: string };

/** The answer for a target loss at or below a law's irreducible loss. */
function belowFloor(loss: number, name: "E" | "c", floor: number): ComputeForLoss {
  return {
    ok: false,
    reason: "unreachable",
    message: `loss ${loss} is at or below this fit's irreducible loss ${name} = ${floor}; no amount of compute reaches it`,
  };
}

/**
 * The least training compute C (FLOPs) whose compute-optimal run reaches `loss`: the inverse
 * of {@link frontierLoss}. Parametric: C = 6·(K/(L−E))^(1/γ), defined only above E.
 * Kaplan: C_min = C_c·L^(−1/α) PF-days, converted with the budget convention.
 * Compute-loss: C = ((L − c)/a)^(1/b), defined only above c.
 */
export function computeForLoss(
  fit: FitDefinition,
  loss: number,
  options: FrontierOptions,
): ComputeForLoss {
  if (fit.kind === "parametric") {
    if (loss <= fit.E) {
      return belowFloor(loss, "E", fit.E);
    }
    const { K, gamma } = parametricFrontierLoss(fit);
    return { ok: true, flops: SIX * (K / (loss - fit.E)) ** (1 / gamma) };
  }
  if (fit.kind === "kaplan") {
    const { alpha, scalePFDays } = fit.lossVsComputeMin;
    const computeMinPFDays = scalePFDays * loss ** (-1 / alpha);
    return { ok: true, flops: computeMinPFDays / kaplanComputeMinPerFlop(options.kaplanBudget) };
  }
  if (fit.kind === "compute-loss") {
    if (loss <= fit.c) {
      return belowFloor(loss, "c", fit.c);
    }
    return { ok: true, flops: ((loss - fit.c) / fit.a) ** (1 / fit.b) };
  }
  return {
    ok: false,
    reason: "no-loss-law",
    message: "this fit publishes an allocation rule but no loss law",
  };
}

/** A loss prediction for a given (N, D) under one fit's loss law. */
export interface LossPrediction {
  /** Predicted loss at (N, D), nats per token. */
  loss: number;
  /** Lowest loss reachable with the same compute C = 6ND under the same law. */
  optimalLoss: number;
  /** The (N, D) split of C = 6ND that reaches `optimalLoss`. */
  optimalParams: number;
  optimalTokens: number;
}

/**
 * Predicts the loss of training N parameters on D tokens, and the loss of the best split of the
 * same compute C = 6ND under the same law. Parametric: eq. (2) and eq. (4). Kaplan: eq. (1.5),
 * minimised in closed form at fixed C (N* = (r·N_c^r·C/(6·D_c))^(1/(r+1)), r = α_N/α_D); this
 * converged-training optimum differs from Table 6, which assumes early stopping.
 */
export function predictLoss(fit: LossFit, params: number, tokens: number): LossPrediction {
  const flops = SIX * params * tokens;
  if (fit.kind === "parametric") {
    const frontier = frontierOf(fit, { kaplanBudget: "critical" });
    const optimalParams = frontier.params.coefficient * flops ** frontier.params.exponent;
    const optimalTokens = flops / (SIX * optimalParams);
    return {
      loss: parametricLoss(fit, params, tokens),
      optimalLoss: parametricLoss(fit, optimalParams, optimalTokens),
      optimalParams,
      optimalTokens,
    };
  }
  const { alphaN, alphaD, Nc, Dc } = fit.lossVsParamsAndTokens;
  const r = alphaN / alphaD;
  const optimalParams = ((r * Nc ** r * flops) / (SIX * Dc)) ** (1 / (r + 1));
  const optimalTokens = flops / (SIX * optimalParams);
  return {
    loss: kaplanLoss(fit, params, tokens),
    optimalLoss: kaplanLoss(fit, optimalParams, optimalTokens),
    optimalParams,
    optimalTokens,
  };
}
