import type { AllocateAnswerJson } from "../../api/lean.ts";
import type { ErrorBody } from "../../contract/errors.ts";
import { formatCount, formatGrouped, formatScientific, significant } from "../../core/format.ts";
import { CONVENTIONS } from "../../service/conventions.ts";
import type { PredictAnswer } from "../../service/predict.ts";
import { type Column, Footnotes, renderTable } from "./table.ts";

type Prediction = PredictAnswer["predictions"][number];
type AllocationAnswer = AllocateAnswerJson["allocations"][number];

const times = (factor: number) => `${significant(factor, 3)}x`;
const lossText = (loss: number | null) => (loss === null ? "-" : loss.toFixed(3));

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
      header: "days",
      align: "right",
      cell: (a) => optional(a.training?.days, (x) => formatGrouped(x, 3)),
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
    { header: "params", align: "right", cell: (a) => formatCount(a.params) },
    { header: "tokens", align: "right", cell: (a) => formatCount(a.tokens) },
    { header: "tokens/param", align: "right", cell: (a) => significant(a.tokensPerParam, 3) },
    { header: "FLOPs", align: "right", cell: (a) => formatScientific(a.flops) },
    { header: "loss", align: "right", cell: (a) => lossText(a.loss) },
    { header: "10x C: params", align: "right", cell: (a) => times(a.scaleUp10x.params) },
    { header: "tokens", align: "right", cell: (a) => times(a.scaleUp10x.tokens) },
    { header: "params count", align: "left", cell: (a) => a.parameterConvention },
    ...trainingColumns(answer.allocations),
    { header: "notes", align: "left", cell: (a) => notes.marks(warningsOf(a)) },
  ];
  const table = renderTable(columns, answer.allocations);
  return [
    answer.query.interpretation,
    ...(answer.headline ? [`Headline (${answer.headline.fit}): ${answer.headline.text}`] : []),
    "",
    ...table,
    "",
    ...skippedLine(answer.skipped),
    ...notes.lines(),
    `Compute: ${CONVENTIONS.flops}`,
    `Loss: ${CONVENTIONS.loss}`,
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
    { header: "optimal loss", align: "right", cell: (p) => lossText(p.optimalLoss) },
    {
      header: "excess",
      align: "right",
      cell: (p) => (p.excessLoss === null ? "-" : significant(p.excessLoss, 3)),
    },
    { header: "optimal params", align: "right", cell: (p) => formatCount(p.optimalParams) },
    { header: "optimal tokens", align: "right", cell: (p) => formatCount(p.optimalTokens) },
    {
      header: "tokens/param",
      align: "right",
      cell: (p) => significant(p.optimalTokens / p.optimalParams, 3),
    },
    { header: "params count", align: "left", cell: (p) => p.parameterConvention },
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
  const table = renderTable(columns, answer.predictions);
  return [
    `${params.interpretation}; ${tokens.interpretation}; ${significant(tokens.value / params.value, 3)} tokens/param; C = 6ND = ${formatScientific(answer.flops)} FLOPs`,
    "Optimal: the compute-optimal split of the same C under the same fit; excess = loss - optimal loss.",
    "",
    ...table,
    "",
    ...skippedLine(answer.skipped),
    ...notes.lines(),
    `Loss: ${answer.conventions.loss}`,
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
