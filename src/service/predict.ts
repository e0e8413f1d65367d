import { ApiError } from "../contract/errors.ts";
import type { FitOrigin, RegistrySnapshot } from "../core/fits/registry.ts";
import type { KaplanBudget } from "../core/frontier.ts";
import { type Prediction, predict } from "../core/predict.ts";
import { TRAINING_FLOPS_PER_PARAM_TOKEN as SIX } from "../core/units.ts";
import { CONVENTIONS, type Conventions } from "./conventions.ts";
import { overflowSkip } from "./finite.ts";
import { type RawQuantity, readQuantity, selectFits } from "./question.ts";

export interface PredictRequest {
  params?: RawQuantity;
  tokens?: RawQuantity;
  /** Unique tokens available: D beyond it is repeated data (fits with a repetition law). */
  uniqueTokens?: RawQuantity;
  fit?: string | readonly string[];
  kaplanBudget?: KaplanBudget;
}

interface QuantityEcho {
  input: string;
  value: number;
  interpretation: string;
}

export interface PredictAnswer {
  query: {
    params: QuantityEcho;
    tokens: QuantityEcho;
    uniqueTokens?: QuantityEcho;
    fits: string[];
    kaplanBudget: KaplanBudget;
  };
  /** C = 6·N·D, FLOPs. */
  flops: number;
  predictions: (Prediction & { origin: FitOrigin })[];
  skipped: { fit: string; reason: "no-loss-law" | "out-of-range"; message: string }[];
  conventions: Conventions;
}

function required(raw: RawQuantity, field: "params" | "tokens"): string | number {
  if (raw === undefined || raw === "") {
    throw new ApiError(400, "invalid_input", `${field}: required`, field);
  }
  return raw;
}

/** Predicts the loss of N parameters on D tokens under every selected fit with a loss law. */
export function answerPredict(registry: RegistrySnapshot, request: PredictRequest): PredictAnswer {
  const params = readQuantity(required(request.params, "params"), "params");
  const tokens = readQuantity(required(request.tokens, "tokens"), "tokens");
  const unique =
    request.uniqueTokens === undefined || request.uniqueTokens === ""
      ? undefined
      : readQuantity(request.uniqueTokens, "tokens", "uniqueTokens");
  const entries = selectFits(registry, request.fit);
  const kaplanBudget = request.kaplanBudget ?? "critical";
  const predictions: PredictAnswer["predictions"] = [];
  const skipped: PredictAnswer["skipped"] = [];
  for (const { fit, origin } of entries) {
    const prediction = predict(fit, params.value, tokens.value, {
      kaplanBudget,
      ...(unique ? { uniqueTokens: unique.value } : {}),
    });
    if (!prediction) {
      skipped.push({ fit: fit.id, reason: "no-loss-law", message: "this fit has no loss law" });
      continue;
    }
    const overflow = overflowSkip(fit.id, prediction, "prediction");
    if (overflow) skipped.push(overflow);
    else predictions.push({ ...prediction, origin });
  }
  if (predictions.length === 0) {
    throw new ApiError(
      422,
      "unreachable",
      `fit: none of the selected fits has a loss law (${skipped.map((s) => s.fit).join(", ")})`,
      "fit",
    );
  }
  const echo = ({ input, value, interpretation }: QuantityEcho) => ({
    input,
    value,
    interpretation,
  });
  return {
    query: {
      params: echo(params),
      tokens: echo(tokens),
      ...(unique ? { uniqueTokens: echo(unique) } : {}),
      fits: entries.map((e) => e.fit.id),
      kaplanBudget,
    },
    flops: SIX * params.value * tokens.value,
    predictions,
    skipped,
    conventions: CONVENTIONS,
  };
}
