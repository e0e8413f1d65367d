import type { AllocateAnswerJson } from "../../api/lean.ts";
import type { ErrorBody } from "../../contract/errors.ts";
import {
  formatCount,
  formatDays,
  formatLoss,
  formatScientific,
  significant,
} from "../../core/format.ts";
import { CONVENTIONS } from "../../service/conventions.ts";
import type { PredictAnswer } from "../../service/predict.ts";
import { type Column, Footnotes, renderTableOrBlocks, wrap } from "./table.ts";

type Prediction = PredictAnswer["predictions"][number];
type AllocationAnswer = AllocateAnswerJson["allocations"][number];

const times = (factor: number) => `${significant(factor, 3)}x`;
const lossText = (loss: number | null) => (loss === null ? "-" : formatLoss(loss));

function skippedLine(skipped: readonly { fit: string; message: string }[]): string[] {
  return skipped.length === 0
    ? []
    : [`Skipped: ${skipped.map((s) => `${s.fit} (${s.message})`).join("; ")}.`];
}

/** GPU-hours, days and cost columns when the question named hardware. */
function trainingColumns(allocations: readonly AllocationAnswer[]): Column<AllocationAnswer>[] {
  if (!allocations.some((a) => a.training)) return [];
  const withCost = allocations.some((a) => a.training?.cost !== undefined);
  const optional = (value: number | undefined, format: (x: number) => string) =>
    value === undefined ? "-" : format(value);
  return [
    {
      header: "GPU-hours",
      align: "right",
      cell: (a) => optional(a.training?.gpuHours, (x) => formatCount(x)),
    },
    {
      header: "time",
      align: "right",
      cell: (a) => optional(a.training?.days, formatDays),
    },
    ...(withCost
      ? [
          {
            header: "cost",
            align: "right" as const,
            cell: (a: AllocationAnswer) => optional(a.training?.cost, (x) => `$${formatCount(x)}`),
          },
        ]
      : []),
  ];
}

/**
 * The allocate answer as an aligned plain-text table, one row per fit: headed by how the
 * question was read, with warnings and conventions as numbered footnotes.
 */
export function renderAllocateText(answer: AllocateAnswerJson): string {
  const warningsOf = (a: AllocationAnswer) =>
    answer.warnings.filter((w) => w.fits.includes(a.fit)).map((w) => w.message);
  const notes = new Footnotes();
  const columns: Column<AllocationAnswer>[] = [
    { header: "fit", align: "left", cell: (a) => a.fit },
    {
      header: "params",
      align: "right",
      cell: (a) => `${formatCount(a.params)}${a.parameterConvention === "total" ? "" : "*"}`,
    },
    { header: "tokens", align: "right", cell: (a) => formatCount(a.tokens) },
    { header: "D/N", align: "right", cell: (a) => significant(a.tokensPerParam, 3) },
    // A budget question's compute is the budget itself, in the first line.
    ...(answer.query.question === "flops"
      ? []
      : [
          {
            header: "FLOPs",
            align: "right" as const,
            cell: (a: AllocationAnswer) => formatScientific(a.flops),
          },
        ]),
    { header: "loss", align: "right", cell: (a) => lossText(a.loss) },
    { header: "10x N", align: "right", cell: (a) => times(a.scaleUp10x.params) },
    { header: "10x D", align: "right", cell: (a) => times(a.scaleUp10x.tokens) },
    ...trainingColumns(answer.allocations),
    { header: "notes", align: "left", cell: (a) => notes.marks(warningsOf(a)) },
  ];
  const table = renderTableOrBlocks(columns, answer.allocations);
  const legend = "D/N: tokens per parameter; 10x N, 10x D: how N and D grow with 10x compute.";
  return [
    ...wrap(answer.query.interpretation),
    ...(answer.headline ? wrap(`Headline (${answer.headline.fit}): ${answer.headline.text}`) : []),
    "",
    ...table,
    "",
    ...skippedLine(answer.skipped).flatMap((line) => wrap(line)),
    ...notes.lines().flatMap((line) => wrap(line)),
    ...wrap(legend),
    ...(answer.allocations.some((a) => a.parameterConvention !== "total")
      ? wrap("* non-embedding parameters (the fit's convention); the others count all parameters.")
      : []),
    ...wrap(`Compute: ${CONVENTIONS.flops}`),
    ...wrap(`Loss: ${CONVENTIONS.loss}`),
    "",
  ].join("\n");
}

/** The predict answer as an aligned plain-text table, one row per fit with a loss law. */
export function renderPredictText(answer: PredictAnswer): string {
  const notes = new Footnotes();
  const { params, tokens } = answer.query;
  const columns: Column<Prediction>[] = [
    { header: "fit", align: "left", cell: (p) => p.fit },
    { header: "loss", align: "right", cell: (p) => lossText(p.loss) },
    { header: "optimal", align: "right", cell: (p) => lossText(p.optimalLoss) },
    {
      header: "excess",
      align: "right",
      cell: (p) =>
        p.excessLoss === null
          ? "-"
          : Math.abs(p.excessLoss) < 1e-3
            ? p.excessLoss.toExponential(1)
            : significant(p.excessLoss, 2),
    },
    {
      header: "opt. N",
      align: "right",
      cell: (p) => `${formatCount(p.optimalParams)}${p.parameterConvention === "total" ? "" : "*"}`,
    },
    { header: "opt. D", align: "right", cell: (p) => formatCount(p.optimalTokens) },
    {
      header: "D/N",
      align: "right",
      cell: (p) => significant(p.optimalTokens / p.optimalParams, 3),
    },
    {
      header: "notes",
      align: "left",
      cell: (p) =>
        notes.marks([
          ...p.warnings.map((w) => w.message),
          ...p.notes,
          ...Object.values(p.nullReasons),
        ]),
    },
  ];
  const table = renderTableOrBlocks(columns, answer.predictions);
  return [
    ...wrap(
      `${params.interpretation}; ${tokens.interpretation}; ${significant(tokens.value / params.value, 3)} tokens/param; C = 6ND = ${formatScientific(answer.flops)} FLOPs`,
    ),
    ...wrap(
      "Optimal: the compute-optimal run of the same C on the fit's frontier; excess = loss - optimal.",
    ),
    "",
    ...table,
    "",
    ...skippedLine(answer.skipped).flatMap((line) => wrap(line)),
    ...notes.lines().flatMap((line) => wrap(line)),
    ...(answer.predictions.some((p) => p.parameterConvention !== "total")
      ? wrap("* non-embedding parameters (the fit's convention); the others count all parameters.")
      : []),
    ...wrap(`Loss: ${answer.conventions.loss}`),
    "",
  ].join("\n");
}

/** The error envelope as plain text (same status as the JSON answer). */
export function renderErrorText(status: number, body: ErrorBody): string {
  const { code, message, expected } = body.error;
  return [
    `error ${status} ${code}: ${message}`,
    ...(expected ? [`expected: ${expected}`] : []),
    "",
  ].join("\n");
}
