import { ApiError } from "../api/errors.ts";
import { type Allocation, allocate } from "../core/allocate.ts";
import { formatCount, formatFlops } from "../core/format.ts";
import type { KaplanBudget } from "../core/frontier.ts";
import type { HardwareBudget, ParsedQuantity, QuantityKind } from "../core/parse.ts";
import type { FitOrigin, RegistrySnapshot } from "../store/fit-registry.ts";
import { CONVENTIONS, type Conventions } from "./conventions.ts";
import { type RawQuantity, readQuestion, selectFits } from "./question.ts";

/** An allocate request as the API, page, Slack and MCP receive it. */
export interface AllocateRequest {
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
  hardware?: HardwareBudget;
}

export type AllocationAnswer = Allocation & { origin: FitOrigin };

export interface SkippedFit {
  fit: string;
  reason: "no-loss-law" | "no-allocation-rule" | "unreachable" | "out-of-range";
  message: string;
}

export interface AllocateAnswer {
  query: AllocateQuery;
  headline: { fit: string; text: string } | null;
  allocations: AllocationAnswer[];
  skipped: SkippedFit[];
  conventions: Conventions;
}

/** Fits preferred for the one-line headline, in order. */
const HEADLINE_FITS = ["epoch-2024", "chinchilla-approach3"];

function headlineOf(allocations: readonly AllocationAnswer[]): AllocateAnswer["headline"] {
  const chosen =
    HEADLINE_FITS.map((id) => allocations.find((a) => a.fit === id)).find((a) => a) ??
    allocations[0];
  if (!chosen) return null;
  return {
    fit: chosen.fit,
    text: `${formatCount(chosen.params)} parameters on ${formatCount(chosen.tokens)} tokens (${formatFlops(chosen.flops)}, ${chosen.label})`,
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
  const allocations: AllocationAnswer[] = [];
  const skipped: SkippedFit[] = [];
  for (const { fit, origin } of entries) {
    const result = allocate(fit, { kind: question.kind, value: question.value }, { kaplanBudget });
    if (result.ok) allocations.push({ ...result.allocation, origin });
    else skipped.push({ fit: result.fit, reason: result.reason, message: result.message });
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
      ...(question.hardware ? { hardware: question.hardware } : {}),
    },
    headline: headlineOf(allocations),
    allocations,
    skipped,
    conventions: CONVENTIONS,
  };
}
