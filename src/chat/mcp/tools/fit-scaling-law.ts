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
    `Fits a scaling law to the final losses of your own training runs and stores it under an id (user-…) that the other tools accept as a fit, so you can plan a large run from small ones (the GPT-4 report's predictable scaling).`,
    `Runs with params N, tokens D and loss fit L = E + A/N^α + B/D^β (at least ${MIN_RUNS.parametric} runs) as Hoffmann et al. 2022 App. D.2 did: Huber loss (δ = 1e-3) on log-loss residuals, summed; runs with flops C and loss fit L(C) = a·C^b + c (at least ${MIN_RUNS.compute}); at most ${MAX_RUNS} runs, all of one kind, every value finite and positive.`,
    `bootstrap (0 to ${MAX_BOOTSTRAP}, resamples × runs ≤ ${MAX_BOOTSTRAP_WORK}) adds standard errors and 80% and 95% intervals, seeded from the runs so answers repeat; the same runs and options always give the same id.`,
    "The answer has the coefficients, the objective, convergence, residual statistics, the range of N, D and C covered, the allocation exponents and warnings. At most 10 fits a minute and 100 new fits a day per client; the fit works within a bounded budget and reports converged: false when it stops early. The id depends on the runs and options, not the name.",
    "A parametric fit (params, tokens, loss) works as a fit id in compute_optimal_allocation, predict_loss and plan_inference. A compute-law fit (flops, loss) has no rule for splitting compute into N and D: predict_loss gives its loss at C = 6ND, compute_optimal_allocation lists it as skipped with its loss at the budget (or the compute for a target loss), plan_inference and plan_data refuse it. Neither kind has a repeated-data law for plan_data.",
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
