import type { FitDefinition } from "./fits/schema.ts";
import { formatFlops, formatScientific } from "./format.ts";
import { computeLoss, hasLossLaw, type LossPrediction, predictLoss } from "./loss.ts";
import { TRAINING_FLOPS_PER_PARAM_TOKEN as SIX } from "./units.ts";

/** A loss prediction for (N, D) under one fit. */
export interface Prediction {
  fit: string;
  label: string;
  /** Predicted loss at (N, D), nats per token on the fit's dataset. */
  loss: number;
  /** The lowest loss reachable with the same compute C = 6ND under the same law. */
  optimalLoss: number;
  /** loss − optimalLoss: what the chosen split costs against the compute-optimal one. */
  excessLoss: number;
  optimalParams: number;
  optimalTokens: number;
  tokensPerParam: number;
  lossLaw: string;
  parameterConvention: "total" | "non-embedding";
  dataset: string;
  source: string;
  sourceUrl: string;
  warnings: string[];
}

/**
 * Predicts the loss of N parameters trained on D tokens under every fit with a loss law, and
 * the loss of the compute-optimal split of the same C = 6ND. Fits without a loss law are
 * skipped (returns null).
 */
export function predict(fit: FitDefinition, params: number, tokens: number): Prediction | null {
  const flops = SIX * params * tokens;
  let result: LossPrediction;
  if (fit.kind === "compute-loss") {
    // L(C) cannot split C: the split asked is taken as the best one.
    const loss = computeLoss(fit, flops);
    result = { loss, optimalLoss: loss, optimalParams: params, optimalTokens: tokens };
  } else if (hasLossLaw(fit)) {
    result = predictLoss(fit, params, tokens);
  } else {
    return null;
  }
  const warnings: string[] = [];
  const range = fit.measuredRange;
  if (range && (flops < range.flops[0] || flops > range.flops[1])) {
    warnings.push(
      `6ND = ${formatFlops(flops)} is outside the range this fit was measured on (${formatScientific(range.flops[0])} to ${formatFlops(range.flops[1])}); this is an extrapolation.`,
    );
  }
  if (fit.kind === "kaplan") {
    warnings.push("Kaplan's N counts non-embedding parameters only.");
  }
  if (fit.kind === "compute-loss") {
    warnings.push(
      "A compute-only law predicts L(C) with C = 6ND whatever the split of C into N and D; it assumes the split is as good as in the runs it was fitted to.",
    );
  }
  return {
    fit: fit.id,
    label: fit.label,
    ...result,
    excessLoss: result.loss - result.optimalLoss,
    tokensPerParam: tokens / params,
    lossLaw:
      fit.kind === "parametric"
        ? `L = E + A/N^α + B/D^β with E=${fit.E}, A=${fit.A}, B=${fit.B}, α=${fit.alpha}, β=${fit.beta}`
        : fit.kind === "compute-loss"
          ? `L(C) = a·C^b + c with C = 6ND, a=${fit.a}, b=${fit.b}, c=${fit.c}`
          : `L = [(N_c/N)^(α_N/α_D) + D_c/D]^α_D with N_c=${fit.lossVsParamsAndTokens.Nc}, D_c=${fit.lossVsParamsAndTokens.Dc}, α_N=${fit.lossVsParamsAndTokens.alphaN}, α_D=${fit.lossVsParamsAndTokens.alphaD} (eq. 1.5, Table 2)`,
    parameterConvention: fit.parameterConvention,
    dataset: fit.dataset,
    source: `${fit.source.paper}, ${fit.source.where}`,
    sourceUrl: fit.source.url,
    warnings,
  };
}
