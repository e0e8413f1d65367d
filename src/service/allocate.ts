import { ApiError } from "../contract/errors.ts";
import { type Allocation, allocate } from "../core/allocate.ts";
import type { FitOrigin, RegistrySnapshot } from "../core/fits/registry.ts";
import { formatCount, formatFlops } from "../core/format.ts";
import type { KaplanBudget } from "../core/frontier.ts";
import type { HardwareBudget, ParsedQuantity, QuantityKind } from "../core/parse.ts";
import { type AllocationIntervals, allocationIntervals } from "../core/planning/intervals.ts";
import type { TrainingTime } from "../core/planning/training.ts";
import { CONVENTIONS, type Conventions } from "./conventions.ts";
import { DEFAULT_FIT, DEFAULT_FIT_SHORT_REASON, type FitChoice } from "./default-fit.ts";
import { firstNonFinite, overflowSkip } from "./finite.ts";
import { fitIdsOf } from "./fit-ids.ts";
import { type HardwarePlan, type HardwareRequest, readHardware, trainingOn } from "./hardware.ts";
import { type RawQuantity, readQuestion, selectFits } from "./question.ts";

/** An allocate request as the API, page, Slack and MCP receive it. */
export interface AllocateRequest extends HardwareRequest {
  flops?: RawQuantity;
  params?: RawQuantity;
  tokens?: RawQuantity;
  loss?: RawQuantity;
  fit?: string | readonly string[];
  kaplanBudget?: KaplanBudget;
}

export interface AllocateQuery {
  question: QuantityKind;
  input: string;
  interpretation: string;
  flops?: number;
  params?: number;
  tokens?: number;
  loss?: number;
  kaplanBudget: KaplanBudget;
  fits: string[];
  /** Whether the request named its fits (else every published fit answers). */
  fitsAsked: boolean;
  hardware?: HardwareBudget;
  /** The hardware training time is computed for (gpu, gpus, mfu, price). */
  training?: HardwarePlan;
}

export type AllocationAnswer = Allocation & {
  origin: FitOrigin;
  /** 80% intervals for fits that publish uncertainty. */
  intervals?: AllocationIntervals;
  /** GPU-hours, days and cost of this allocation's compute on the requested hardware. */
  training?: TrainingTime;
};

export interface SkippedFit {
  fit: string;
  reason: "no-loss-law" | "no-allocation-rule" | "unreachable" | "out-of-range";
  message: string;
}

export interface AllocateAnswer {
  query: AllocateQuery;
  headline: { fit: string; text: string; fitChoice: FitChoice } | null;
  allocations: AllocationAnswer[];
  skipped: SkippedFit[];
  conventions: Conventions;
}

/** The one-line headline: the default fit, or the first fit asked when it is not among them. */
function headlineOf(allocations: readonly AllocationAnswer[]): AllocateAnswer["headline"] {
  const preferred = allocations.find((a) => a.fit === DEFAULT_FIT);
  const chosen = preferred ?? allocations[0];
  if (!chosen) return null;
  return {
    fit: chosen.fit,
    text: `${formatCount(chosen.params)} parameters on ${formatCount(chosen.tokens)} tokens (${formatFlops(chosen.flops)}, ${chosen.citation})`,
    fitChoice: preferred
      ? { by: "default", message: DEFAULT_FIT_SHORT_REASON }
      : {
          by: "request",
          message: `${chosen.fit}, the first fit asked for (the default ${DEFAULT_FIT} was not among them)`,
        },
  };
}

/**
 * Answers an allocate request against a registry snapshot: every selected fit's compute-optimal
 * allocation for the one question asked. Throws ApiError for bad input, an unknown fit, or a
 * question no selected fit can answer (422).
 */
export function answerAllocate(
  registry: RegistrySnapshot,
  request: AllocateRequest,
): AllocateAnswer {
  const question: ParsedQuantity = readQuestion(request);
  const entries = selectFits(registry, request.fit);
  const kaplanBudget = request.kaplanBudget ?? "critical";
  const hardware = readHardware(request, question.hardware);
  const allocations: AllocationAnswer[] = [];
  const skipped: SkippedFit[] = [];
  for (const { fit, origin } of entries) {
    const result = allocate(fit, { kind: question.kind, value: question.value }, { kaplanBudget });
    if (!result.ok) {
      skipped.push({ fit: result.fit, reason: result.reason, message: result.message });
      continue;
    }
    const a = result.allocation;
    const intervals = allocationIntervals(
      fit,
      a.flops,
      a.params,
      a.tokens,
      a.loss,
      { kaplanBudget },
      question.kind,
    );
    const answer: AllocationAnswer = {
      ...a,
      origin,
      // Intervals that overflow (extreme user fits) are left out rather than shown as null.
      ...(intervals && firstNonFinite(intervals) === null ? { intervals } : {}),
      ...(hardware ? { training: trainingOn(hardware, a.flops) } : {}),
    };
    const overflow = overflowSkip(fit.id, answer, "allocation");
    if (overflow) skipped.push(overflow);
    else allocations.push(answer);
  }
  if (allocations.length === 0) {
    throw new ApiError(
      422,
      "unreachable",
      `${question.kind}: no selected fit can answer this: ${skipped.map((s) => `${s.fit}: ${s.message}`).join("; ")}`,
      question.kind,
    );
  }
  return {
    query: {
      question: question.kind,
      input: question.input,
      interpretation: question.interpretation,
      [question.kind]: question.value,
      kaplanBudget,
      fits: entries.map((e) => e.fit.id),
      fitsAsked: fitIdsOf(request.fit).length > 0,
      ...(question.hardware ? { hardware: question.hardware } : {}),
      ...(hardware ? { training: hardware } : {}),
    },
    headline: headlineOf(allocations),
    allocations,
    skipped,
    conventions: CONVENTIONS,
  };
}
