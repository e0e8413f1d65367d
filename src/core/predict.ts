import type { FitDefinition, KaplanFit, ParametricFit } from "./fits/schema.ts";
import { formatCount } from "./format.ts";
import { evaluate, type FrontierOptions, frontierOf } from "./frontier.ts";
import { computeLoss, frontierLoss, kaplanLoss, parametricLoss } from "./loss.ts";
import { type Notice, notice } from "./notice.ts";
import { dataConstrainedLoss, dataConstrainedOptimal } from "./planning/data-constrained.ts";
import { extrapolationNotice, implausibleLoss, lossWithheldNotice } from "./plausibility.ts";
import { TRAINING_FLOPS_PER_PARAM_TOKEN as SIX } from "./units.ts";

/** Options of a prediction: Kaplan's budget convention and the unique tokens available. */
export interface PredictOptions extends FrontierOptions {
  /** U_D, unique tokens available; absent means every training token is seen once. */
  uniqueTokens?: number;
}

/** Fields of a prediction that may be null, each with why. */
export type PredictionNullReasons = Partial<Record<"loss" | "optimalLoss" | "excessLoss", string>>;

/** A loss prediction for (N, D) under one fit. */
export interface Prediction {
  fit: string;
  label: string;
  /** Predicted loss at (N, D), nats per token on the fit's dataset; null when withheld. */
  loss: number | null;
  /**
   * The loss of the fit's compute-optimal run at the same C = 6ND: the same frontier that
   * allocate reports (Kaplan: L(C_min), eq. 1.3), or the best split with repeated data.
   */
  optimalLoss: number | null;
  /** loss − optimalLoss, when both come from one law. */
  excessLoss: number | null;
  optimalParams: number;
  optimalTokens: number;
  tokensPerParam: number;
  lossLaw: string;
  parameterConvention: "total" | "non-embedding";
  dataset: string;
  source: string;
  sourceUrl: string;
  /** Warnings with their codes and numbers. */
  warnings: Notice[];
  notes: string[];
  /** Why a null field is null. */
  nullReasons: PredictionNullReasons;
}

interface LawReading {
  loss: number;
  optimalLoss: number;
  optimalParams: number;
  optimalTokens: number;
  lossLaw: string;
  notes: string[];
  warnings: Notice[];
  /** The two losses come from different laws (Kaplan), so their difference means nothing. */
  excessReason?: string;
}

/** The fit's compute-optimal run at C = 6ND: the frontier allocate reports, and its loss. */
function frontierAt(fit: ParametricFit | KaplanFit, flops: number, options: PredictOptions) {
  const frontier = frontierOf(fit, options);
  return {
    optimalLoss: frontierLoss(fit, flops, options) ?? Number.NaN,
    optimalParams: evaluate(frontier.params, flops),
    optimalTokens: evaluate(frontier.tokens, flops),
  };
}

function parametricReading(
  fit: ParametricFit,
  params: number,
  tokens: number,
  options: PredictOptions,
): LawReading {
  const flops = SIX * params * tokens;
  const optimum = frontierAt(fit, flops, options);
  const lossLaw = `L = E + A/N^α + B/D^β with E=${fit.E}, A=${fit.A}, B=${fit.B}, α=${fit.alpha}, β=${fit.beta}`;
  const reading: LawReading = {
    loss: parametricLoss(fit, params, tokens),
    ...optimum,
    lossLaw,
    notes: [],
    warnings: [],
  };
  const decay = fit.dataConstrained;
  if (!decay) {
    if (options.uniqueTokens !== undefined) {
      reading.warnings.push(
        notice(
          "unique-tokens-ignored",
          "uniqueTokens is ignored: this fit has no law for repeated data (see muennighoff-2023).",
          "uniqueTokens ignored: no repeated-data law",
        ),
      );
    }
    return reading;
  }
  // Muennighoff et al. 2023 size the excess-parameter term from the unique tokens trained on,
  // U ≤ D (the datablations README's scaling_law asserts it): U = min(uniqueTokens, D).
  const unique = Math.min(options.uniqueTokens ?? tokens, tokens);
  reading.loss = dataConstrainedLoss(fit, decay, params, tokens, unique);
  const epochs = tokens / unique;
  reading.lossLaw += ` with effective data and parameters (Muennighoff et al. 2023, eq. 5-7): ${formatCount(unique)} unique tokens trained on, ${epochs.toFixed(2)} epochs`;
  if (options.uniqueTokens !== undefined && options.uniqueTokens > tokens) {
    reading.notes.push(
      `Only the ${formatCount(tokens)} tokens trained on count as unique data (U ≤ D); the other ${formatCount(options.uniqueTokens - tokens)} available tokens do not change this run's loss.`,
    );
  }
  const available = options.uniqueTokens ?? Number.POSITIVE_INFINITY;
  if (available < optimum.optimalTokens) {
    const best = dataConstrainedOptimal(fit, decay, flops, available);
    const chosenIsBetter = reading.loss < best.loss;
    reading.optimalLoss = chosenIsBetter ? reading.loss : best.loss;
    reading.optimalParams = chosenIsBetter ? params : best.params;
    reading.optimalTokens = chosenIsBetter ? tokens : best.tokens;
    reading.notes.push(
      `With ${formatCount(available)} unique tokens available, the optimum repeats data (${best.epochs.toFixed(2)} epochs), so it differs from the unconstrained frontier allocate reports.`,
    );
  }
  return reading;
}

function kaplanReading(
  fit: KaplanFit,
  params: number,
  tokens: number,
  options: PredictOptions,
): LawReading {
  const { alphaN, alphaD, Nc, Dc } = fit.lossVsParamsAndTokens;
  return {
    loss: kaplanLoss(fit, params, tokens),
    ...frontierAt(fit, SIX * params * tokens, options),
    lossLaw: `L = [(N_c/N)^(α_N/α_D) + D_c/D]^α_D with N_c=${Nc}, D_c=${Dc}, α_N=${alphaN}, α_D=${alphaD} (eq. 1.5, Table 2)`,
    notes: [
      "loss is Kaplan's L(N, D) (eq. 1.5): the loss of N non-embedding parameters trained on D tokens of data, stopped early when the test loss stops improving.",
      `optimalLoss, optimalParams and optimalTokens are the compute-efficient frontier allocate reports: Table 6 at C_min = ${options.kaplanBudget === "critical" ? "C/2" : "C"} (kaplanBudget=${options.kaplanBudget}) and L(C_min) (eq. 1.3).`,
    ],
    warnings: [],
    excessReason:
      "excessLoss is null: Kaplan's L(N, D) (eq. 1.5, early-stopped on D tokens) and the frontier L(C_min) (eq. 1.3, compute-efficient training stops about 10% above convergence, App. B.5) are different laws, so their difference is not a cost of the split.",
  };
}

function computeLossReading(
  fit: Extract<FitDefinition, { kind: "compute-loss" }>,
  params: number,
  tokens: number,
): LawReading {
  const loss = computeLoss(fit, SIX * params * tokens);
  return {
    loss,
    optimalLoss: loss,
    optimalParams: params,
    optimalTokens: tokens,
    lossLaw: `L(C) = a·C^b + c with C = 6ND, a=${fit.a}, b=${fit.b}, c=${fit.c}`,
    notes: [],
    warnings: [
      notice(
        "compute-only-law",
        "A compute-only law predicts L(C) with C = 6ND whatever the split of C into N and D; it assumes the split is as good as in the runs it was fitted to.",
        "L(C) only: assumes a good split",
      ),
    ],
  };
}

function readingOf(
  fit: FitDefinition,
  params: number,
  tokens: number,
  options: PredictOptions,
): LawReading | null {
  switch (fit.kind) {
    case "parametric":
      return parametricReading(fit, params, tokens, options);
    case "kaplan":
      return kaplanReading(fit, params, tokens, options);
    case "compute-loss":
      return computeLossReading(fit, params, tokens);
    default:
      return null;
  }
}

/**
 * Predicts the loss of N parameters trained on D tokens under a fit with a loss law, and the
 * fit's compute-optimal run at the same C = 6ND: the frontier allocate reports. Fits with a
 * repeated-data law (Muennighoff et al. 2023) always use it, with U = min(uniqueTokens, D).
 * Losses far outside the fit's data are withheld (null, with the reason). Returns null for fits
 * without a loss law.
 * @param params N, parameters in the fit's convention
 * @param tokens D, training tokens
 */
export function predict(
  fit: FitDefinition,
  params: number,
  tokens: number,
  options: PredictOptions,
): Prediction | null {
  const reading = readingOf(fit, params, tokens, options);
  if (!reading) return null;
  const flops = SIX * params * tokens;
  const warnings = [...reading.warnings];
  const outside = extrapolationNotice(fit, flops);
  if (outside) warnings.push(outside);
  if (fit.kind === "kaplan") {
    warnings.push(
      notice(
        "non-embedding-parameters",
        "Kaplan's N counts non-embedding parameters only.",
        "N is non-embedding",
      ),
    );
  }
  const nullReasons: PredictionNullReasons = {};
  const lossProblem = implausibleLoss(fit, flops, reading.loss, options);
  const optimalProblem = implausibleLoss(fit, flops, reading.optimalLoss, options);
  if (lossProblem) {
    nullReasons.loss = lossProblem;
    warnings.push(lossWithheldNotice());
  }
  if (optimalProblem) nullReasons.optimalLoss = optimalProblem;
  const loss = lossProblem ? null : reading.loss;
  const optimalLoss = optimalProblem ? null : reading.optimalLoss;
  let excessLoss: number | null = null;
  if (reading.excessReason) nullReasons.excessLoss = reading.excessReason;
  else if (loss === null || optimalLoss === null)
    nullReasons.excessLoss = "excessLoss is null because a loss it compares is withheld.";
  else excessLoss = loss - optimalLoss;
  return {
    fit: fit.id,
    label: fit.label,
    loss,
    optimalLoss,
    excessLoss,
    optimalParams: reading.optimalParams,
    optimalTokens: reading.optimalTokens,
    tokensPerParam: tokens / params,
    lossLaw: reading.lossLaw,
    parameterConvention: fit.parameterConvention,
    dataset: fit.dataset,
    source: `${fit.source.paper}, ${fit.source.where}`,
    sourceUrl: fit.source.url,
    warnings,
    notes: reading.notes,
    nullReasons,
  };
}
