import {
  formatCount,
  formatDays,
  formatLoss,
  formatScientific,
  significant,
} from "../../../core/format.ts";
import type { DataPlanAnswer, InferencePlanAnswer } from "../../../service/plans.ts";
import { renderTable } from "../../text/table.ts";

interface PlanRow {
  plan: string;
  params: number;
  tokens: number;
  cells: string[];
}

function planTable(extraHeaders: readonly string[], rows: readonly PlanRow[]): string[] {
  return renderTable(
    [
      { header: "plan", align: "left", cell: (r: PlanRow) => r.plan },
      { header: "params", align: "right", cell: (r: PlanRow) => formatCount(r.params) },
      { header: "tokens", align: "right", cell: (r: PlanRow) => formatCount(r.tokens) },
      {
        header: "tokens/param",
        align: "right",
        cell: (r: PlanRow) => significant(r.tokens / r.params, 3),
      },
      ...extraHeaders.map((header, i) => ({
        header,
        align: "right" as const,
        cell: (r: PlanRow) => r.cells[i] ?? "",
      })),
    ],
    rows,
  );
}

/** "Training time: 28.6 days on 1,024 GPUs (702k GPU-hours), cost 1.4M", when hardware was named. */
function trainingLine(training: InferencePlanAnswer["training"] | DataPlanAnswer["training"]) {
  if (!training) return [];
  const { days, gpus, gpuHours, cost } = training.plan;
  const price = cost === undefined ? "" : `, cost ${formatCount(cost)}`;
  return [
    `Training time: ${formatDays(days)} on ${gpus.toLocaleString("en-US")} × ${training.hardware.gpuLabel} (${formatCount(gpuHours)} GPU-hours)${price}.`,
  ];
}

/** The inference-aware plan as text: the plan and the compute-optimal model for the same loss. */
export function renderInferencePlanText(answer: InferencePlanAnswer): string {
  const flops = (row: { trainingFlops: number; inferenceFlops: number; totalFlops: number }) => [
    formatScientific(row.trainingFlops),
    formatScientific(row.inferenceFlops),
    formatScientific(row.totalFlops),
  ];
  const { query, computeOptimal } = answer;
  return [
    `${query.interpretation}; serving ${query.inferenceTokensInterpretation}; loss ${formatLoss(answer.loss)} nats/token under ${answer.fit}`,
    "",
    ...planTable(
      ["training FLOPs", "inference FLOPs", "total FLOPs"],
      [
        { plan: "inference-aware", ...answer, cells: flops(answer) },
        { plan: "compute-optimal", ...computeOptimal, cells: flops(computeOptimal) },
      ],
    ),
    "",
    `Saving: ${formatScientific(answer.savingFlops)} FLOPs (${significant(100 * answer.savingFraction, 3)}% of the compute-optimal total).`,
    ...trainingLine(answer.training),
    ...answer.notes,
    `Source: ${answer.source}`,
    "",
  ].join("\n");
}

/** The data-constrained plan as text: the plan and the plan with unlimited unique data. */
export function renderDataPlanText(answer: DataPlanAnswer): string {
  const { query, unlimited } = answer;
  const cells = (row: { epochs: number; loss: number }) => [
    significant(row.epochs, 3),
    formatLoss(row.loss),
  ];
  return [
    `${query.interpretation}; ${formatCount(query.uniqueTokens)} unique tokens (${query.uniqueTokensInterpretation}) under ${answer.fit}`,
    "",
    ...planTable(
      ["epochs", "loss"],
      [
        { plan: "data-constrained", ...answer, cells: cells(answer) },
        { plan: "unlimited data", ...unlimited, cells: cells(unlimited) },
      ],
    ),
    "",
    `Loss penalty of the limited data: ${significant(answer.lossPenalty, 3)} nats/token.`,
    ...trainingLine(answer.training),
    ...answer.warnings,
    ...answer.notes,
    `Source: ${answer.source}`,
    "",
  ].join("\n");
}
