import type { z } from "@hono/zod-openapi";
import { ApiError } from "../contract/errors.ts";
import type { AllocateAnswer, AllocationAnswer } from "../service/allocate.ts";
import { type AllocateAnswerSchema, INCLUDE_OPTIONS } from "./schemas.ts";

/** What an answer's `include=` asks to add back. */
export type Include = (typeof INCLUDE_OPTIONS)[number];

/** The answer as the JSON API, MCP and GPT Actions receive it. */
export type AllocateAnswerJson = z.output<typeof AllocateAnswerSchema>;
type AllocationJson = AllocateAnswerJson["allocations"][number];

/** Reads `include=notes,sources` (text or an array); a 400 naming what is not known. */
export function readInclude(raw: string | readonly string[] | undefined): ReadonlySet<Include> {
  const asked = (typeof raw === "string" ? raw.split(",") : (raw ?? []))
    .map((item) => item.trim())
    .filter((item) => item !== "");
  const known = new Set<string>(INCLUDE_OPTIONS);
  const unknown = asked.find((item) => !known.has(item));
  if (unknown !== undefined) {
    throw new ApiError(
      400,
      "invalid_input",
      `include: "${unknown.slice(0, 20)}" is not something an answer can include`,
      "include",
      INCLUDE_OPTIONS.join(", "),
    );
  }
  return new Set(asked as Include[]);
}

/** Every warning once, with the fits it applies to, in the order first met. */
function groupedWarnings(allocations: readonly AllocationAnswer[]) {
  const byMessage = new Map<string, AllocateAnswerJson["warnings"][number]>();
  for (const allocation of allocations) {
    for (const { summary: _short, ...warning } of allocation.warnings) {
      const seen = byMessage.get(warning.message);
      if (seen) seen.fits.push(allocation.fit);
      else byMessage.set(warning.message, { ...warning, fits: [allocation.fit] });
    }
  }
  return [...byMessage.values()];
}

/** Where the fits came from: once for the answer, per fit only where it differs. */
function originOf(allocations: readonly AllocationAnswer[]) {
  const stores = new Set(allocations.map((a) => a.origin.store));
  return stores.size === 1 && allocations[0] && !allocations[0].origin.reason
    ? allocations[0].origin
    : undefined;
}

function leanAllocation(
  a: AllocationAnswer,
  include: ReadonlySet<Include>,
  sharedOrigin: boolean,
): AllocationJson {
  const notes = include.has("notes");
  const sources = include.has("sources");
  // Every interval is 80% (the answer says so once); the method comes with include=sources.
  const intervals = a.intervals && {
    ...a.intervals,
    level: undefined,
    method: sources ? a.intervals.method : undefined,
  };
  return {
    fit: a.fit,
    citation: a.citation,
    ...(sources ? { label: a.label, source: a.source, sourceUrl: a.sourceUrl } : {}),
    params: a.params,
    tokens: a.tokens,
    flops: a.flops,
    ...(notes ? { flopsPFDays: a.flopsPFDays, exponents: a.exponents } : {}),
    tokensPerParam: a.tokensPerParam,
    loss: a.loss,
    scaleUp10x: rounded(a.scaleUp10x, 4),
    parameterConvention: a.parameterConvention,
    ...(notes ? { flopsConvention: a.flopsConvention, dataset: a.dataset, notes: a.notes } : {}),
    ...(a.nullReasons.loss ? { nullReasons: a.nullReasons } : {}),
    ...(a.kaplan ? { kaplan: a.kaplan } : {}),
    ...(sharedOrigin ? {} : { origin: a.origin }),
    ...(intervals ? { intervals } : {}),
    ...(a.training ? { training: a.training } : {}),
  };
}

/** Significant digits of the numbers of a lean answer (`include=exact` keeps them all). */
export const LEAN_DIGITS = 6;

/** Every number rounded to `digits` significant digits (a pure copy; strings untouched). */
export function rounded<T>(value: T, digits: number): T {
  if (typeof value === "number") {
    return (Number.isFinite(value) ? Number(value.toPrecision(digits)) : value) as T;
  }
  if (Array.isArray(value)) return value.map((item) => rounded(item, digits)) as T;
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, rounded(item, digits)]),
    ) as T;
  }
  return value;
}

/**
 * The allocate answer without what never changes between calls: each fit's label, long source,
 * dataset and notes are served by the registry (`GET /api/v1/fits`) and come back with
 * `include=notes,sources`; warnings are listed once with the fits they concern.
 */
export function leanAllocateAnswer(
  answer: AllocateAnswer,
  include: ReadonlySet<Include>,
): AllocateAnswerJson {
  const { fits, fitsAsked, ...query } = answer.query;
  const origin = originOf(answer.allocations);
  const lean: AllocateAnswerJson = {
    // The fits asked, when asked: otherwise every allocation and skip names its fit.
    query: fitsAsked ? { ...query, fits } : query,
    // How the headline's fit was chosen; the long reason comes with include=notes.
    headline: answer.headline && {
      ...answer.headline,
      fitChoice: include.has("notes")
        ? answer.headline.fitChoice
        : { by: answer.headline.fitChoice.by },
    },
    intervalLevel: 0.8,
    ...(origin ? { origin } : {}),
    allocations: answer.allocations.map((a) => leanAllocation(a, include, origin !== undefined)),
    warnings: groupedWarnings(answer.allocations),
    skipped: answer.skipped,
    ...(include.has("notes") ? { conventions: answer.conventions } : {}),
  };
  return include.has("exact") ? lean : rounded(lean, LEAN_DIGITS);
}
