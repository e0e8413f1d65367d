import type { ComputeLossFit, ParametricFit } from "../fits/schema.ts";
import type { FitReport } from "./fit.ts";

export interface UserFitIdentity {
  /** The fit id ("user-" + hash). */
  id: string;
  label: string;
  /** Day the fit was made, YYYY-MM-DD (from the caller's clock). */
  date: string;
  /** Where the fit can be read back (GET /api/v1/fits/<id>). */
  url: string;
}

/**
 * The registry definition of a user fit: a valid `parametric` or `compute-loss` FitDefinition
 * (schemaVersion 1) that allocate and predict use like any published fit.
 */
export function userFitDefinition(
  report: FitReport,
  identity: UserFitIdentity,
): ParametricFit | ComputeLossFit {
  const common = {
    schemaVersion: 1 as const,
    id: identity.id,
    label: identity.label,
    source: {
      paper: `fitted to ${report.runs} user runs on ${identity.date}`,
      url: identity.url,
      where:
        "POST /api/v1/fits: summed Huber (δ = 1e-3) on log loss (Hoffmann et al. 2022 App. D.2)",
    },
    parameterConvention: "total" as const,
    dataset: "the user's own runs (losses in the units they were posted in)",
    measuredRange: {
      flops: report.range.flops,
      note: `the ${report.runs} runs this law was fitted to`,
    },
  };
  const notes = [
    `Fitted to ${report.runs} of your runs: objective ${report.objective.toPrecision(6)}, log-residual RMS ${report.residuals.rms.toPrecision(3)}.`,
    "Parameters are counted the way your runs counted them; losses are in your runs' units and dataset.",
    ...report.warnings,
  ];
  if (report.kind === "parametric") {
    const intervals = report.uncertainty?.intervals80;
    const [aLow, aHigh] = intervals?.allocationParams ?? [0, 0];
    return {
      ...common,
      kind: "parametric",
      flopsConvention: "C = 6ND",
      notes,
      ...report.coefficients,
      // The bootstrap's 80% interval of a = β/(α+β) gives allocations their intervals.
      ...(intervals && aLow > 0 && aHigh < 1 && aLow <= aHigh
        ? {
            uncertainty: {
              paramsExponent: [aLow, aHigh] as [number, number],
              irreducibleLoss: intervals.E,
              source: `bootstrap of your ${report.runs} runs (${report.uncertainty?.resamples} resamples, 10th-90th percentiles)`,
            },
          }
        : {}),
    };
  }
  return {
    ...common,
    kind: "compute-loss",
    flopsConvention: "C as given in your runs",
    notes,
    ...report.coefficients,
  };
}
