import { type FitDefinition, shortCitation } from "./fits/schema.ts";
import { formatFlops, formatScientific, significant } from "./format.ts";
import {
  evaluate,
  type Frontier,
  type FrontierOptions,
  frontierOf,
  hasAllocationRule,
  invert,
  type KaplanBudget,
  kaplanSchedule,
} from "./frontier.ts";
import { computeForLoss, computeLoss, frontierLoss, hasLossLaw } from "./loss.ts";
import { type Notice, notice } from "./notice.ts";
import { QUANTITY_BOUNDS, type QuantityKind } from "./parse.ts";
import { extrapolationNotice, implausibleLoss, lossWithheldNotice } from "./plausibility.ts";
import { FLOPS_PER_PF_DAY, TRAINING_FLOPS_PER_PARAM_TOKEN as SIX } from "./units.ts";

/** One of the four questions, with its value in base units (FLOPs, parameters, tokens, nats). */
export interface Question {
  kind: QuantityKind;
  value: number;
}

/** Kaplan's Table 6 schedule at the allocation. */
export interface KaplanDetails {
  budgetConvention: KaplanBudget;
  /** C_min in PF-days. */
  computeMinPFDays: number;
  /** B = B_e·C_min^0.24, tokens per batch (Table 6). */
  batchTokens: number;
  /** S_min = S_e·C_min^0.03, a lower bound on optimizer steps (Table 6). */
  minSteps: number;
  /** 6·N·D / C: Table 6's N_opt and D_opt do not satisfy C = 6ND exactly. */
  sixNDOverBudget: number;
}

/** A compute-optimal allocation under one fit. */
export interface Allocation {
  fit: string;
  label: string;
  /** A short citation, e.g. "Hoffmann et al. 2022, eq. 4 and 10". */
  citation: string;
  /** Parameters N, in the fit's parameter convention. */
  params: number;
  /** Training tokens D. */
  tokens: number;
  /** Training compute C in FLOPs. */
  flops: number;
  /** C in PF-days (1 PF-day = 8.64e19 FLOPs). */
  flopsPFDays: number;
  tokensPerParam: number;
  /** Predicted loss in nats per token on the fit's dataset, or null without a loss law. */
  loss: number | null;
  /** Factors by which N_opt and D_opt grow when compute grows 10x. */
  scaleUp10x: { params: number; tokens: number };
  /** Exponents a, b of N_opt ∝ C^a, D_opt ∝ C^b. */
  exponents: { params: number; tokens: number };
  parameterConvention: "total" | "non-embedding";
  flopsConvention: string;
  dataset: string;
  source: string;
  sourceUrl: string;
  /** Warnings with their codes and numbers. */
  warnings: Notice[];
  notes: string[];
  /** Why `loss` is null: no loss law, or withheld far outside the fit's data. */
  nullReasons: { loss?: string };
  kaplan?: KaplanDetails;
}

export type AllocationResult =
  | { ok: true; allocation: Allocation }
  | {
      ok: false;
      fit: string;
      reason: "no-loss-law" | "no-allocation-rule" | "unreachable" | "out-of-range";
      message: string;
    };

/**
 * What a compute-only loss law L(C) = a·C^b + c can say about a question it cannot allocate:
 * the loss at a budget, or the compute for a target loss.
 */
function computeLossOnly(
  fit: Extract<FitDefinition, { kind: "compute-loss" }>,
  question: Question,
): Extract<AllocationResult, { ok: false }> {
  const law = `L(C) = ${formatScientific(fit.a, 4)}·C^${formatScientific(fit.b, 4)} + ${formatScientific(fit.c, 4)}`;
  const base = `${law} is a loss law of compute alone and cannot split C into parameters and tokens`;
  let message = `${base}; it cannot relate a ${question.kind === "params" ? "model size" : "data size"} to compute.`;
  if (question.kind === "flops") {
    message = `${base}. It predicts a loss of ${significant(computeLoss(fit, question.value), 4)} at ${formatFlops(question.value)}.`;
  } else if (question.kind === "loss") {
    const result = computeForLoss(fit, question.value, { kaplanBudget: "critical" });
    message = result.ok
      ? `${base}. Reaching loss ${question.value} needs ${formatFlops(result.flops)}.`
      : `${base}. ${result.message}.`;
  }
  return { ok: false, fit: fit.id, reason: "no-allocation-rule", message };
}

/** The training compute (FLOPs) at which a fit's frontier answers the question. */
function budgetFor(
  fit: FitDefinition,
  frontier: Frontier,
  question: Question,
  options: FrontierOptions,
): { ok: true; flops: number } | Extract<AllocationResult, { ok: false }> {
  switch (question.kind) {
    case "flops":
      return { ok: true, flops: question.value };
    case "params":
      return { ok: true, flops: invert(frontier.params, question.value) };
    case "tokens":
      return { ok: true, flops: invert(frontier.tokens, question.value) };
    case "loss": {
      const result = computeForLoss(fit, question.value, options);
      return result.ok ? result : { ...result, fit: fit.id };
    }
  }
}

function rangeWarnings(fit: FitDefinition, flops: number, kaplanBudget: KaplanBudget): Notice[] {
  const warnings: Notice[] = [];
  const outside = extrapolationNotice(fit, flops);
  if (outside) warnings.push(outside);
  if (fit.kind === "kaplan") {
    const { computeMinPFDays } = kaplanSchedule(fit, flops, kaplanBudget);
    if (computeMinPFDays > 1e4) {
      warnings.push(
        notice(
          "kaplan-contradiction",
          `C_min = ${formatScientific(computeMinPFDays)} PF-days is past the ~1e4 PF-day point where Kaplan's own laws contradict each other (eq. 6.8).`,
          "past Kaplan's contradiction point",
          { computeMinPFDays },
        ),
      );
    }
  }
  return warnings;
}

/**
 * Answers one question under one fit: the compute-optimal parameters, tokens and training
 * compute, the predicted loss where the fit has a loss law, how the allocation scales with 10x
 * compute, and warnings where the budget lies outside the fit's data.
 *
 * The asked quantity is echoed exactly (e.g. `params` equals the question's value).
 */
export function allocate(
  fit: FitDefinition,
  question: Question,
  options: FrontierOptions,
): AllocationResult {
  if (!hasAllocationRule(fit)) return computeLossOnly(fit, question);
  const frontier = frontierOf(fit, options);
  const budget = budgetFor(fit, frontier, question, options);
  if (!budget.ok) return budget;
  const { flops } = budget;
  const params = question.kind === "params" ? question.value : evaluate(frontier.params, flops);
  const tokens = question.kind === "tokens" ? question.value : evaluate(frontier.tokens, flops);
  const lawLoss = question.kind === "loss" ? question.value : frontierLoss(fit, flops, options);
  const withheld =
    question.kind !== "loss" && lawLoss !== null
      ? implausibleLoss(fit, flops, lawLoss, options)
      : null;
  const loss = withheld || lawLoss === null || !Number.isFinite(lawLoss) ? null : lawLoss;
  const { max } = QUANTITY_BOUNDS.flops;
  if (![flops, params, tokens].every((x) => Number.isFinite(x) && x > 0) || flops > max) {
    return {
      ok: false,
      fit: fit.id,
      reason: "out-of-range",
      message: `the answer needs more than ${formatFlops(max)}, outside the supported range`,
    };
  }
  const allocation: Allocation = {
    fit: fit.id,
    label: fit.label,
    citation: shortCitation(fit.source),
    params,
    tokens,
    flops,
    flopsPFDays: flops / FLOPS_PER_PF_DAY,
    tokensPerParam: tokens / params,
    loss,
    scaleUp10x: { params: 10 ** frontier.params.exponent, tokens: 10 ** frontier.tokens.exponent },
    exponents: { params: frontier.params.exponent, tokens: frontier.tokens.exponent },
    parameterConvention: fit.parameterConvention,
    flopsConvention: fit.flopsConvention,
    dataset: fit.dataset,
    source: `${fit.source.paper}, ${fit.source.where}`,
    sourceUrl: fit.source.url,
    warnings: rangeWarnings(fit, flops, options.kaplanBudget),
    notes: [...fit.notes],
    nullReasons: {},
  };
  if (withheld) {
    allocation.nullReasons.loss = withheld;
    allocation.warnings.push(lossWithheldNotice());
  } else if (loss === null) {
    allocation.nullReasons.loss = "no loss law";
  }
  if (fit.kind === "kaplan") {
    const schedule = kaplanSchedule(fit, flops, options.kaplanBudget);
    allocation.kaplan = {
      budgetConvention: options.kaplanBudget,
      ...schedule,
      sixNDOverBudget: (SIX * params * tokens) / flops,
    };
    if (options.kaplanBudget === "critical") {
      allocation.notes.unshift(
        "Budget convention: the budget is spent training at the critical batch size, so C_min = C/2 (Kaplan §6.3); this reproduces the 4.68B parameters at 1e21 FLOPs that Hoffmann et al. quote (App. D.4). Use kaplanBudget=all for C_min = C.",
      );
    } else {
      allocation.notes.unshift(
        "Budget convention: the whole budget counts as C_min (kaplanBudget=all), i.e. training far below the critical batch size.",
      );
    }
  }
  if (question.kind === "loss" && hasLossLaw(fit)) {
    allocation.notes.push(
      `Losses are cross-entropy on ${fit.dataset}; a target loss means something different under each fit.`,
    );
  }
  return { ok: true, allocation };
}
