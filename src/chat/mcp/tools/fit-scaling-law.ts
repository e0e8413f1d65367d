import { z } from "zod";
import {
  FitRequestSchema,
  fitInputOfJson,
  fitWriteAllowed,
  rateLimitedError,
  requireSameSiteWrite,
  storeFit,
  type UserFitAnswer,
  UserFitAnswerSchema,
} from "../../../api/user-fits.ts";
import { MAX_BOOTSTRAP, MAX_BOOTSTRAP_WORK } from "../../../core/fitting/bootstrap.ts";
import { MAX_RUNS, MIN_RUNS } from "../../../core/fitting/runs.ts";
import { significant } from "../../../core/format.ts";
import { defineTool } from "../tool.ts";

function renderFitText(answer: UserFitAnswer): string {
  const coefficients = Object.entries(answer.coefficients)
    .map(([name, value]) => `${name} = ${significant(value, 5)}`)
    .join(", ");
  const exponents = answer.allocationExponents;
  return [
    `${answer.id}: ${answer.law} fitted to ${answer.runs} runs (${answer.kind}): ${coefficients}`,
    `Objective ${significant(answer.objective, 5)} (summed Huber, δ = 1e-3), ${answer.iterations} iterations, ${answer.converged ? "converged" : "NOT converged"}.`,
    ...(exponents
      ? [
          `Compute-optimal allocation: N_opt ∝ C^${significant(exponents.params, 4)}, D_opt ∝ C^${significant(exponents.tokens, 4)}.`,
        ]
      : []),
    ...answer.warnings.map((warning) => `Warning: ${warning}`),
    answer.kind === "parametric"
      ? `Use "${answer.id}" as a fit id in compute_optimal_allocation, predict_loss and plan_inference; it is kept 30 days; posting the same runs again renews it.`
      : `Use "${answer.id}" as a fit id in predict_loss (the loss at C = 6ND). It cannot split compute into parameters and tokens, so compute_optimal_allocation lists it as skipped (or refuses with 422 when it is the only fit) with its loss at the budget or the compute for a target loss; plan_inference and plan_data refuse it. It is kept 30 days; posting the same runs again renews it.`,
    "",
  ].join("\n");
}

export const fitScalingLaw = defineTool({
  name: "fit_scaling_law",
  title: "Fit a scaling law to your own training runs",
  description: [
    "Fits a scaling law to the final losses of your own training runs and stores it under an id (user-…) that the other tools take as a fit: plan a large run from small ones.",
    `Runs {params, tokens, loss} fit L = E + A/N^α + B/D^β (at least ${MIN_RUNS.parametric}; Huber δ = 1e-3 on log losses, summed, as Hoffmann et al. App. D.2); runs {flops, loss} fit L(C) = a·C^b + c (at least ${MIN_RUNS.compute}); at most ${MAX_RUNS} runs of one kind.`,
    `bootstrap (0 to ${MAX_BOOTSTRAP}, resamples × runs ≤ ${MAX_BOOTSTRAP_WORK}) adds standard errors and intervals, seeded, so answers repeat. The id depends on the runs and options, not the name.`,
    "Per client: 10 fits a minute, 100 new a day. Bounded work: converged: false when cut short.",
    "A parametric fit works in compute_optimal_allocation, predict_loss and plan_inference; a compute-law fit only in predict_loss (compute_optimal_allocation lists it as skipped with its loss). plan_data takes neither.",
    "The result is the JSON of POST /api/v1/fits.",
  ].join(" "),
  inputSchema: z.strictObject({
    runs: FitRequestSchema.shape.runs.describe(
      "Your runs: [{params, tokens, loss}, …] (parameters, training tokens, final loss in nats/token) or [{flops, loss}, …] (training FLOPs, final loss).",
    ),
    name: FitRequestSchema.shape.name.describe("A label for the fit (also part of its id)."),
    bootstrap: FitRequestSchema.shape.bootstrap.describe(
      `Bootstrap resamples for uncertainty, 0 to ${MAX_BOOTSTRAP} (default 0; 200 is typical).`,
    ),
  }),
  outputSchema: UserFitAnswerSchema,
  writes: true,
  async run(c, request, deps) {
    requireSameSiteWrite(c);
    const input = fitInputOfJson(request);
    if (!(await fitWriteAllowed(c))) throw rateLimitedError();
    const { answer } = await storeFit(c, deps, input);
    return { structured: answer, text: renderFitText(answer) };
  },
});
