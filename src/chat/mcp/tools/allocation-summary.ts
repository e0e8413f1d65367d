import { z } from "zod";
import { type AllocateAnswerJson, rounded } from "../../../api/lean.ts";
import {
  formatCount,
  formatDays,
  formatFlops,
  formatLoss,
  significant,
} from "../../../core/format.ts";

/** Significant digits a model reads: more would cost tokens and say nothing the fits know. */
const DIGITS = 4;

const range = z.tuple([z.number(), z.number()]);

/**
 * The allocation as a chat model receives it: each fit's numbers at 4 significant digits, its
 * 80% intervals, conventions only where they differ from "all parameters", and every warning
 * once. The long form is GET /api/v1/allocate (same question) with include=notes,sources.
 */
export const AllocationSummarySchema = z.object({
  question: z.enum(["flops", "params", "tokens", "loss"]),
  input: z.string(),
  asked: z.number().describe("The asked quantity in base units (FLOPs, parameters, tokens, nats)."),
  read: z.string().describe("How the input was read."),
  headline: z.string().nullable(),
  headlineFit: z.string().nullable().describe("The fit of the one-line headline."),
  fits: z.array(
    z.object({
      fit: z.string(),
      params: z.number().describe("N, in the fit's parameter convention."),
      tokens: z.number().describe("D, training tokens."),
      flops: z.number().optional().describe("C = 6ND, FLOPs (the budget itself when asked)."),
      tokensPerParam: z.number(),
      loss: z.number().nullable().describe("Nats/token on the fit's own dataset; null: none."),
      scaleUp10x: z.tuple([z.number(), z.number()]).describe("N and D factors for 10x C."),
      nonEmbedding: z.literal(true).optional().describe("N counts non-embedding parameters."),
      interval80: z
        .object({ params: range, tokens: range, loss: range.optional(), flops: range.optional() })
        .optional(),
      trainingDays: z.number().optional(),
      gpuHours: z.number().optional(),
      cost: z.number().optional(),
    }),
  ),
  warnings: z.array(
    z.object({
      fits: z.array(z.string()),
      code: z.string(),
      factor: z.number().optional().describe("extrapolation: times outside the fit's data."),
      message: z.string().optional().describe("Every warning but a plain extrapolation."),
    }),
  ),
  skipped: z.array(z.object({ fit: z.string(), reason: z.string() })),
});

export type AllocationSummary = z.output<typeof AllocationSummarySchema>;

/** The lean allocate answer summed up for a chat model. */
export function allocationSummary(answer: AllocateAnswerJson): AllocationSummary {
  return rounded(
    {
      question: answer.query.question,
      input: answer.query.input,
      asked: answer.query[answer.query.question] ?? Number.NaN,
      read: answer.query.interpretation,
      headline: answer.headline?.text ?? null,
      headlineFit: answer.headline?.fit ?? null,
      fits: answer.allocations.map((a) => ({
        fit: a.fit,
        params: a.params,
        tokens: a.tokens,
        ...(answer.query.question === "flops" ? {} : { flops: a.flops }),
        tokensPerParam: a.tokensPerParam,
        loss: a.loss,
        scaleUp10x: [a.scaleUp10x.params, a.scaleUp10x.tokens] as [number, number],
        ...(a.parameterConvention === "non-embedding" ? { nonEmbedding: true as const } : {}),
        ...(a.intervals
          ? {
              interval80: {
                params: a.intervals.params,
                tokens: a.intervals.tokens,
                ...(a.intervals.loss ? { loss: a.intervals.loss } : {}),
                ...(a.intervals.flops ? { flops: a.intervals.flops } : {}),
              },
            }
          : {}),
        ...(a.training
          ? {
              trainingDays: a.training.days,
              gpuHours: a.training.gpuHours,
              ...(a.training.cost === undefined ? {} : { cost: a.training.cost }),
            }
          : {}),
      })),
      warnings: answer.warnings.map(({ fits, code, message, factor }) =>
        code === "extrapolation" && typeof factor === "number"
          ? { fits, code, factor }
          : { fits, code, message },
      ),
      skipped: answer.skipped.map(({ fit, message }) => ({ fit, reason: message })),
    },
    DIGITS,
  );
}

const pair = ([low, high]: readonly [number, number], format: (x: number) => string) =>
  ` (${format(low)}-${format(high)})`;

/**
 * The same facts as the summary, 80% intervals in parentheses, as one short line per fit:
 * N, D, D/N, loss and the 10x growth of N and D; then the warnings, extrapolations on one line.
 */
export function renderAllocationSummary(summary: AllocationSummary): string {
  const lines = [
    `${summary.read}${summary.headlineFit ? `; headline fit ${summary.headlineFit}` : ""}`,
  ];
  for (const f of summary.fits) {
    const i = f.interval80;
    const parts = [
      `N ${formatCount(f.params)}${i ? pair(i.params, formatCount) : ""}${f.nonEmbedding ? " non-embedding" : ""}`,
      `D ${formatCount(f.tokens)}${i ? pair(i.tokens, formatCount) : ""}`,
      `D/N ${significant(f.tokensPerParam)}`,
      ...(f.loss === null
        ? []
        : [`L ${formatLoss(f.loss)}${i?.loss ? pair(i.loss, formatLoss) : ""}`]),
      ...(f.flops === undefined
        ? []
        : [`C ${formatFlops(f.flops)}${i?.flops ? pair(i.flops, formatFlops) : ""}`]),
      `10x C: N x${significant(f.scaleUp10x[0])} D x${significant(f.scaleUp10x[1])}`,
      ...(f.trainingDays === undefined ? [] : [formatDays(f.trainingDays)]),
    ];
    lines.push(`${f.fit}: ${parts.join(", ")}`);
  }
  const outside = summary.warnings.filter((w) => w.factor !== undefined);
  if (outside.length > 0) {
    const each = outside.map((w) => `${w.fits.join(", ")} ${significant(w.factor ?? 0, 2)}x`);
    lines.push(`Extrapolated beyond each fit's data: ${each.join("; ")}.`);
  }
  for (const w of summary.warnings) if (w.message) lines.push(`${w.fits.join(", ")}: ${w.message}`);
  for (const s of summary.skipped) lines.push(`Skipped ${s.fit}: ${s.reason}`);
  return lines.join("\n");
}
