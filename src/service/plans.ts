import { ApiError } from "../contract/errors.ts";
import type { FitOrigin, RegistryEntry, RegistrySnapshot } from "../core/fits/registry.ts";
import type { ParametricFit } from "../core/fits/schema.ts";
import { formatCount } from "../core/format.ts";
import { frontierLoss } from "../core/loss.ts";
import { type Notice, notice } from "../core/notice.ts";
import type { ParsedQuantity } from "../core/parse.ts";
import { dataConstrainedOptimal } from "../core/planning/data-constrained.ts";
import { type InferencePlan, inferenceOptimal } from "../core/planning/inference.ts";
import type { TrainingTime } from "../core/planning/training.ts";
import { CONVENTIONS, type Conventions } from "./conventions.ts";
import {
  DEFAULT_DATA_FIT,
  DEFAULT_DATA_FIT_REASON,
  DEFAULT_FIT,
  DEFAULT_FIT_REASON,
  type FitChoice,
  fitChoice,
} from "./default-fit.ts";
import { finiteAnswer } from "./finite.ts";
import { type HardwarePlan, type HardwareRequest, readHardware, trainingOn } from "./hardware.ts";
import {
  type RawQuantity,
  readBudget,
  readQuantity,
  readQuestion,
  selectFits,
} from "./question.ts";

/** The fit each plan uses when none is named. */
export const DEFAULT_INFERENCE_FIT = DEFAULT_FIT;
export { DEFAULT_DATA_FIT };

interface FitSummary {
  fit: string;
  label: string;
  source: string;
  sourceUrl: string;
  origin: FitOrigin;
  dataset: string;
  /** Whether the request named the fit or the default was used, and why. */
  fitChoice: FitChoice;
}

function summary({ fit, origin }: RegistryEntry, choice: FitChoice): FitSummary {
  return {
    fitChoice: choice,
    fit: fit.id,
    label: fit.label,
    source: `${fit.source.paper}, ${fit.source.where}`,
    sourceUrl: fit.source.url,
    origin,
    dataset: fit.dataset,
  };
}

function oneParametricFit(
  registry: RegistrySnapshot,
  selection: string | undefined,
  fallback: string,
  needsDataConstraint: boolean,
): { entry: RegistryEntry; fit: ParametricFit } {
  const entries = selectFits(registry, selection || fallback);
  const [entry, extra] = entries;
  if (!entry || extra) {
    throw new ApiError(400, "invalid_input", "fit: name exactly one fit", "fit", "one fit id");
  }
  const { fit } = entry;
  const qualifies = (f: RegistryEntry["fit"]): f is ParametricFit =>
    f.kind === "parametric" && (!needsDataConstraint || f.dataConstrained !== undefined);
  if (!qualifies(fit)) {
    const needed = needsDataConstraint
      ? "a repeated-data law (a parametric L(N, D) with Muennighoff et al. 2023's R_D* and R_N*; fits of your own runs have none)"
      : "a parametric loss law L(N, D) = E + A/N^α + B/D^β (fits of your own runs with params, tokens and loss have one; compute-law fits L(C) do not)";
    const usable = registry.entries.filter((e) => qualifies(e.fit)).map((e) => e.fit.id);
    throw new ApiError(
      422,
      "unreachable",
      `fit: this question needs a fit with ${needed}; ${fit.id} is a ${fit.kind} fit without one. Fits that can answer: ${usable.join(", ")}`,
      "fit",
      usable.join(", "),
    );
  }
  return { entry, fit };
}

export interface InferencePlanRequest extends HardwareRequest {
  loss?: RawQuantity;
  flops?: RawQuantity;
  inferenceTokens?: RawQuantity;
  fit?: string;
}

/** Training time of a plan on the requested hardware (gpu, gpus, mfu, pricePerGpuHour). */
export interface PlanTraining {
  hardware: HardwarePlan;
  /** The plan's own training compute on that hardware. */
  plan: TrainingTime;
  /** The compute-optimal model for the same loss, for comparison (inference plans). */
  computeOptimal?: TrainingTime;
}

export interface InferencePlanAnswer extends FitSummary {
  /** With hardware: the plan's training time, and the compute-optimal model's. */
  training?: PlanTraining;
  query: {
    question: "loss" | "flops";
    input: string;
    interpretation: string;
    loss: number;
    flops?: number;
    inferenceTokens: number;
    inferenceTokensInterpretation: string;
  };
  params: number;
  tokens: number;
  tokensPerParam: number;
  loss: number;
  trainingFlops: number;
  inferenceFlops: number;
  totalFlops: number;
  computeOptimal: InferencePlan["computeOptimal"] & { tokensPerParam: number };
  savingFlops: number;
  savingFraction: number;
  iterations: number;
  converged: boolean;
  notes: string[];
  conventions: Conventions;
}

function readInferenceTokens(raw: RawQuantity): ParsedQuantity & { value: number } {
  if (raw === undefined || raw === "") {
    throw new ApiError(
      400,
      "invalid_input",
      "inferenceTokens: required (lifetime inference tokens, e.g. 2T; 0 for none)",
      "inferenceTokens",
    );
  }
  if (raw === 0 || (typeof raw === "string" && /^\s*0+(\.0*)?\s*(tokens?)?\s*$/i.test(raw))) {
    return { kind: "tokens", value: 0, input: String(raw), interpretation: "no inference" };
  }
  return readQuantity(raw, "tokens", "inferenceTokens");
}

/**
 * The model size and training tokens that reach a loss at the least training + inference
 * compute (Sardana et al. 2024). The loss is given, or is the compute-optimal loss of a budget.
 */
export function answerInferencePlan(
  registry: RegistrySnapshot,
  request: InferencePlanRequest,
): InferencePlanAnswer {
  const asked = { loss: request.loss, flops: request.flops, mfu: request.mfu };
  const question = readQuestion(asked, ["flops", "loss"]);
  if (question.kind !== "loss" && question.kind !== "flops") {
    throw new ApiError(400, "invalid_input", "give loss or flops", "loss");
  }
  const inference = readInferenceTokens(request.inferenceTokens);
  const { entry, fit } = oneParametricFit(registry, request.fit, DEFAULT_INFERENCE_FIT, false);
  const choice = fitChoice(request.fit, fit.id, DEFAULT_FIT_REASON);
  const loss =
    question.kind === "loss"
      ? question.value
      : (frontierLoss(fit, question.value, { kaplanBudget: "critical" }) ?? Number.NaN);
  if (!(loss > fit.E)) {
    throw new ApiError(
      422,
      "unreachable",
      `loss: ${loss} is at or below ${fit.id}'s irreducible loss E = ${fit.E}`,
      "loss",
    );
  }
  const plan = inferenceOptimal(fit, loss, inference.value);
  const { optimal, computeOptimal } = plan;
  const hardware = readHardware(request, question.hardware);
  return finiteAnswer<InferencePlanAnswer>(
    {
      ...summary(entry, choice),
      ...(hardware
        ? {
            training: {
              hardware,
              plan: trainingOn(hardware, optimal.trainingFlops),
              computeOptimal: trainingOn(hardware, computeOptimal.trainingFlops),
            },
          }
        : {}),
      query: {
        question: question.kind,
        input: question.input,
        interpretation: question.interpretation,
        loss,
        ...(question.kind === "flops" ? { flops: question.value } : {}),
        inferenceTokens: inference.value,
        inferenceTokensInterpretation: inference.interpretation,
      },
      params: optimal.params,
      tokens: optimal.tokens,
      tokensPerParam: optimal.tokens / optimal.params,
      loss,
      trainingFlops: optimal.trainingFlops,
      inferenceFlops: optimal.inferenceFlops,
      totalFlops: optimal.totalFlops,
      computeOptimal: {
        ...computeOptimal,
        tokensPerParam: computeOptimal.tokens / computeOptimal.params,
      },
      savingFlops: plan.savingFlops,
      savingFraction: plan.savingFraction,
      iterations: plan.iterations,
      converged: plan.converged,
      notes: [
        "Minimises 6·N·D (training) + 2·N·D_inf (inference) over (N, D) with L(N, D) equal to the target loss (Sardana et al. 2024, arXiv:2401.00448), by golden-section search in log N.",
        `Serving ${formatCount(inference.value)} tokens: train ${formatCount(optimal.params)} parameters on ${formatCount(optimal.tokens)} tokens instead of the compute-optimal ${formatCount(computeOptimal.params)} on ${formatCount(computeOptimal.tokens)}.`,
      ],
      conventions: CONVENTIONS,
    },
    fit.id,
  );
}

export interface DataPlanRequest extends HardwareRequest {
  flops?: RawQuantity;
  uniqueTokens?: RawQuantity;
  fit?: string;
}

export interface DataPlanAnswer extends FitSummary {
  /** With hardware: the plan's training time. */
  training?: PlanTraining;
  query: {
    input: string;
    interpretation: string;
    flops: number;
    uniqueTokens: number;
    uniqueTokensInterpretation: string;
  };
  params: number;
  tokens: number;
  epochs: number;
  tokensPerParam: number;
  loss: number;
  unlimited: { params: number; tokens: number; loss: number; epochs: number };
  /** loss − unlimited.loss. */
  lossPenalty: number;
  iterations: number;
  converged: boolean;
  warnings: Notice[];
  notes: string[];
  conventions: Conventions;
}

/** Epoch thresholds (Muennighoff et al. 2023): ~4 negligible, ~16 halved value, ~40 worthless. */
function epochWarnings(epochs: number): Notice[] {
  const shown = epochs.toFixed(1);
  const at = (threshold: number, message: string, summary: string) => [
    notice("repeated-data", `${shown} epochs: ${message}`, `${shown} epochs: ${summary}`, {
      epochs,
      threshold,
    }),
  ];
  if (epochs > 40) {
    return at(
      40,
      "past about 40 epochs further repeats add almost nothing (Muennighoff et al. 2023); more unique data or a smaller budget would serve better.",
      "repeats add almost nothing",
    );
  }
  if (epochs > 16) {
    return at(
      16,
      "past about 16 epochs the value of repeated data has roughly halved (R_D* ≈ 15.4, Muennighoff et al. 2023).",
      "repeats worth about half",
    );
  }
  if (epochs > 4) {
    return at(
      4,
      "beyond about 4 epochs repeated data starts to cost loss (up to 4 epochs the change is negligible, Muennighoff et al. 2023).",
      "repeats start to cost loss",
    );
  }
  return [];
}

/** The best allocation of a budget when only `uniqueTokens` unique tokens exist (Muennighoff et al. 2023). */
export function answerDataPlan(
  registry: RegistrySnapshot,
  request: DataPlanRequest,
): DataPlanAnswer {
  if (request.flops === undefined || request.flops === "") {
    throw new ApiError(400, "invalid_input", "flops: required (a training budget)", "flops");
  }
  if (request.uniqueTokens === undefined || request.uniqueTokens === "") {
    throw new ApiError(
      400,
      "invalid_input",
      "uniqueTokens: required (unique tokens available, e.g. 500B)",
      "uniqueTokens",
    );
  }
  const flops = readBudget(request.flops, request.mfu, { accepts: ["flops"] });
  const unique = readQuantity(request.uniqueTokens, "tokens", "uniqueTokens");
  const { entry, fit } = oneParametricFit(registry, request.fit, DEFAULT_DATA_FIT, true);
  const choice = fitChoice(request.fit, fit.id, DEFAULT_DATA_FIT_REASON);
  const decay = fit.dataConstrained;
  if (!decay) throw new ApiError(422, "unreachable", "fit: no data-constrained law", "fit");
  const plan = dataConstrainedOptimal(fit, decay, flops.value, unique.value);
  const unlimitedEpochs = plan.unlimited.tokens / unique.value;
  const hardware = readHardware(request, flops.hardware);
  return finiteAnswer<DataPlanAnswer>(
    {
      ...summary(entry, choice),
      ...(hardware ? { training: { hardware, plan: trainingOn(hardware, flops.value) } } : {}),
      query: {
        input: flops.input,
        interpretation: flops.interpretation,
        flops: flops.value,
        uniqueTokens: unique.value,
        uniqueTokensInterpretation: unique.interpretation,
      },
      params: plan.params,
      tokens: plan.tokens,
      epochs: plan.epochs,
      tokensPerParam: plan.tokens / plan.params,
      loss: plan.loss,
      unlimited: { ...plan.unlimited, epochs: unlimitedEpochs },
      lossPenalty: plan.loss - plan.unlimited.loss,
      iterations: plan.iterations,
      converged: plan.converged,
      warnings: epochWarnings(plan.epochs),
      notes: [
        "Effective data D' = U + U·R_D*·(1 − e^(−R_D/R_D*)) and parameters N' likewise with R_N* (Muennighoff et al. 2023, eq. 5-7); the split of C = 6ND minimises L(N', D') by golden-section search in log N.",
      ],
      conventions: CONVENTIONS,
    },
    fit.id,
  );
}
