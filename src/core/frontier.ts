import type {
  ComputeLossFit,
  FitDefinition,
  KaplanFit,
  ParametricFit,
  PowerLaw,
} from "./fits/schema.ts";
import { FLOPS_PER_PF_DAY, TRAINING_FLOPS_PER_PARAM_TOKEN as SIX } from "./units.ts";

/**
 * How a user's budget maps onto Kaplan's C_min (Kaplan et al. 2020, §6.3 and eq. 5.5):
 * - `critical`: the budget is spent training at the critical batch size, so C_min = C/2.
 *   This reproduces Hoffmann et al.'s reading (App. D.4: 4.68B parameters at 1e21 FLOPs).
 * - `all`: the whole budget counts as C_min (training far below the critical batch size).
 */
export type KaplanBudget = "critical" | "all";

export interface FrontierOptions {
  kaplanBudget: KaplanBudget;
}

/**
 * The compute-optimal frontier of a fit as two power laws of the training budget C in FLOPs:
 * N_opt(C) = params.coefficient · C^params.exponent and D_opt(C) likewise. Every published
 * allocation rule is of this form, which makes forward and inverse questions closed-form.
 */
export interface Frontier {
  params: PowerLaw;
  tokens: PowerLaw;
}

/** C_min (PF-days) per FLOP of budget, under the chosen Kaplan budget convention. */
export function kaplanComputeMinPerFlop(budget: KaplanBudget): number {
  return (budget === "critical" ? 0.5 : 1) / FLOPS_PER_PF_DAY;
}

/** X = s·(u·C)^p rewritten as a power law of C. */
function rescaled(law: PowerLaw, unitsPerFlop: number): PowerLaw {
  return {
    coefficient: law.coefficient * unitsPerFlop ** law.exponent,
    exponent: law.exponent,
  };
}

/** The complement of a power law under C = 6ND: if X = k·C^a then C/(6X) = C^(1-a)/(6k). */
function complement(law: PowerLaw): PowerLaw {
  return { coefficient: 1 / (SIX * law.coefficient), exponent: 1 - law.exponent };
}

/** G = (αA/(βB))^(1/(α+β)) of Hoffmann et al. 2022 eq. (4). */
export function parametricG(fit: Pick<ParametricFit, "A" | "B" | "alpha" | "beta">): number {
  return ((fit.alpha * fit.A) / (fit.beta * fit.B)) ** (1 / (fit.alpha + fit.beta));
}

/** Fits that say how to split C into N and D (all but compute-only loss laws). */
export function hasAllocationRule(
  fit: FitDefinition,
): fit is Exclude<FitDefinition, ComputeLossFit> {
  return fit.kind !== "compute-loss";
}

/**
 * The frontier of a fit (N_opt and D_opt as power laws of C in FLOPs).
 *
 * - power-law fits: the published law, the other quantity from C = 6ND (DeepSeek: N = M/6,
 *   D = C/M);
 * - parametric fits: Hoffmann et al. 2022 eq. (4), N_opt = G·(C/6)^a, D_opt = G⁻¹·(C/6)^b,
 *   G = (αA/(βB))^(1/(α+β)), a = β/(α+β), b = α/(α+β);
 * - Kaplan: Table 6 with C_min = C/2 or C (PF-days);
 * - tokens-per-param r: N = sqrt(C/(6r)), D = r·N;
 * - compute-loss fits have none: check {@link hasAllocationRule} first (this throws).
 */
export function frontierOf(fit: FitDefinition, options: FrontierOptions): Frontier {
  switch (fit.kind) {
    case "power-law": {
      const { quantity, coefficient, exponent } = fit.law;
      if (quantity === "params") {
        const params = { coefficient, exponent };
        return { params, tokens: complement(params) };
      }
      if (quantity === "tokens") {
        const tokens = { coefficient, exponent };
        return { params: complement(tokens), tokens };
      }
      const params = { coefficient: coefficient / SIX, exponent };
      return { params, tokens: complement(params) };
    }
    case "parametric": {
      const { alpha, beta } = fit;
      const G = parametricG(fit);
      const a = beta / (alpha + beta);
      const b = alpha / (alpha + beta);
      return {
        params: { coefficient: G * SIX ** -a, exponent: a },
        tokens: { coefficient: SIX ** -b / G, exponent: b },
      };
    }
    case "kaplan": {
      const perFlop = kaplanComputeMinPerFlop(options.kaplanBudget);
      return {
        params: rescaled(fit.computeEfficient.params, perFlop),
        tokens: rescaled(fit.computeEfficient.tokens, perFlop),
      };
    }
    case "tokens-per-param": {
      const params = { coefficient: (SIX * fit.tokensPerParam) ** -0.5, exponent: 0.5 };
      return { params, tokens: complement(params) };
    }
    case "compute-loss":
      throw new RangeError(`${fit.id}: a compute-only loss law has no allocation frontier`);
  }
}

/** Evaluates y = k·x^a. */
export function evaluate(law: PowerLaw, x: number): number {
  return law.coefficient * x ** law.exponent;
}

/** Solves y = k·x^a for x. */
export function invert(law: PowerLaw, y: number): number {
  return (y / law.coefficient) ** (1 / law.exponent);
}

/** Kaplan's Table 6 batch size (tokens) and minimum steps at a budget C in FLOPs. */
export function kaplanSchedule(
  fit: KaplanFit,
  flops: number,
  budget: KaplanBudget,
): { computeMinPFDays: number; batchTokens: number; minSteps: number } {
  const computeMinPFDays = flops * kaplanComputeMinPerFlop(budget);
  return {
    computeMinPFDays,
    batchTokens: evaluate(fit.computeEfficient.batchTokens, computeMinPFDays),
    minSteps: evaluate(fit.computeEfficient.minSteps, computeMinPFDays),
  };
}
