import { z } from "zod";
import {
  FitRequestSchema,
  fitJsonRequest,
  fitWriteAllowed,
  rateLimitedError,
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
    `Use "${answer.id}" as a fit id in compute_optimal_allocation, predict_loss and plan_inference; it is kept 30 days after its last use.`,
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
    "The answer has the coefficients, the objective, convergence, residual statistics, the range of N, D and C covered, the allocation exponents and warnings. At most 10 fits a minute per client.",
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
    if (!(await fitWriteAllowed(c))) throw rateLimitedError();
    const result = await fitJsonRequest(c, deps, request);
    if (result.status === 503) throw result.error;
    // The report's interfaces lack index signatures; the SDK checks the output schema anyway.
    const structured = result.answer as unknown as z.output<typeof UserFitAnswerSchema>;
    return { structured, text: renderFitText(result.answer) };
  },
});
