import { z } from "@hono/zod-openapi";
import { MAX_BOOTSTRAP, MAX_BOOTSTRAP_WORK } from "../core/fitting/bootstrap.ts";
import { MAX_RUNS, MIN_RUNS } from "../core/fitting/runs.ts";

/** Longest fit name (label) accepted, characters. */
export const MAX_FIT_NAME_LENGTH = 120;

const POSITIVE = "must be a finite number greater than 0";
const positive = (description: string, example: number) =>
  z
    .number({ error: POSITIVE })
    .positive({ error: POSITIVE })
    .optional()
    .openapi({ description, example });

const RunSchema = z
  .strictObject({
    params: positive("N, parameters (counted your way; total is the Chinchilla convention).", 7e10),
    tokens: positive("D, training tokens.", 1.4e12),
    flops: positive(
      "C, training FLOPs, for compute-only runs (instead of params and tokens).",
      5.9e23,
    ),
    loss: z.number({ error: POSITIVE }).positive({ error: POSITIVE }).openapi({
      description: "Final loss (nats per token, or any consistent loss).",
      example: 1.94,
    }),
  })
  .openapi("Run", {
    description:
      "One training run: {params, tokens, loss} or {flops, loss}; all runs the same kind.",
  });

const NAME_DESCRIPTION =
  "A label for the fit. Not part of its id: the same runs and options give the same fit, whatever its name.";
const BOOTSTRAP_DESCRIPTION = `Bootstrap resamples for standard errors and intervals, 0 to ${MAX_BOOTSTRAP} (and resamples × runs ≤ ${MAX_BOOTSTRAP_WORK}); seeded from the runs, so answers repeat.`;

export const FitRequestSchema = z
  .strictObject({
    runs: z
      .array(RunSchema)
      .max(MAX_RUNS, { error: `at most ${MAX_RUNS} runs` })
      .openapi({
        description: `${MIN_RUNS.parametric} to ${MAX_RUNS} runs with params, tokens and loss (fits L = E + A/N^α + B/D^β), or ${MIN_RUNS.compute} to ${MAX_RUNS} with flops and loss (fits L(C) = a·C^b + c).`,
        example: [
          { params: 4e8, tokens: 8e9, loss: 2.95 },
          { params: 1e9, tokens: 2e10, loss: 2.6 },
        ],
      }),
    name: z.string().trim().min(1).max(MAX_FIT_NAME_LENGTH).optional().openapi({
      description: NAME_DESCRIPTION,
      example: "my 2025 sweep",
    }),
    bootstrap: z
      .number()
      .int()
      .min(0)
      .max(MAX_BOOTSTRAP, { error: `at most ${MAX_BOOTSTRAP} resamples` })
      .optional()
      .openapi({ description: BOOTSTRAP_DESCRIPTION, example: 200 }),
  })
  .openapi("FitRequest");

export const FitQuerySchema = z.object({
  name: z
    .string()
    .max(MAX_FIT_NAME_LENGTH)
    .optional()
    .openapi({
      param: { name: "name", in: "query" },
      description: `${NAME_DESCRIPTION} For text/csv bodies (JSON bodies carry it in the body).`,
      example: "my 2025 sweep",
    }),
  bootstrap: z
    .string()
    .max(10)
    .optional()
    .openapi({
      param: { name: "bootstrap", in: "query" },
      description: `${BOOTSTRAP_DESCRIPTION} For text/csv bodies.`,
      example: "200",
    }),
});

const finite = z.number().finite();
const range = z.tuple([finite, finite]);
const statistics = z.record(z.string(), finite);
const intervals = z.record(z.string(), range);

export const UserFitAnswerSchema = z
  .object({
    id: z.string().openapi({ example: "user-3f2a9c0d1e4b5a6c7d8e" }),
    kind: z.enum(["parametric", "compute"]),
    label: z.string(),
    createdAt: z.string(),
    runs: z.number().int(),
    coefficients: z.union([
      z.object({
        E: finite,
        A: finite,
        B: finite,
        alpha: finite,
        beta: finite,
      }),
      z.object({ a: finite, b: finite, c: finite }),
    ]),
    law: z.string(),
    objective: z
      .number()
      .openapi({ description: "Σ Huber_δ(log L̂ − log L), δ = 1e-3, summed over runs." }),
    iterations: z.number().int(),
    converged: z.boolean(),
    starts: z.number().int(),
    method: z.string(),
    residuals: z.object({
      count: finite,
      rms: finite,
      mean: finite,
      medianAbs: finite,
      maxAbs: finite,
      withinDelta: finite,
      worst: z.object({
        params: finite.optional(),
        tokens: finite.optional(),
        flops: finite.optional(),
        loss: finite,
        predicted: finite,
      }),
    }),
    range: z.object({ params: range.nullable(), tokens: range.nullable(), flops: range }),
    allocationExponents: z
      .object({ params: finite, tokens: finite })
      .nullable()
      .openapi({ description: "N_opt ∝ C^a, D_opt ∝ C^b: a = β/(α+β), b = α/(α+β)." }),
    warnings: z.array(z.string()),
    work: z.object({ budget: finite, fit: finite, bootstrap: finite }).openapi({
      description:
        "Work spent, in run-evaluations, against the request's fixed budget: the fit gets at most half, the bootstrap the rest.",
    }),
    uncertainty: z
      .object({
        requested: z.number().int(),
        resamples: z.number().int().openapi({ description: "Refits the statistics come from." }),
        converged: z.number().int(),
        dropped: z.number().int(),
        standardErrors: statistics,
        intervals95: intervals,
        intervals80: intervals,
      })
      .nullable(),
    fit: z.object({ id: z.string(), kind: z.string() }).passthrough(),
    links: z.object({ self: z.string(), allocate: z.string().nullable(), predict: z.string() }),
  })
  .openapi("UserFit");

/** One run as answers show it: N, D and loss, or C and loss. */
export const StoredRunSchema = z.union([
  z.strictObject({ params: finite.positive(), tokens: finite.positive(), loss: finite.positive() }),
  z.strictObject({ flops: finite.positive(), loss: finite.positive() }),
]);

const column = z.array(finite.positive()).max(MAX_RUNS);
const sameLength = (columns: Record<string, readonly number[]>) =>
  new Set(Object.values(columns).map((values) => values.length)).size === 1;

/** The runs as KV keeps them: one column per field, cheap to parse and to check. */
export const StoredRunColumnsSchema = z
  .union([
    z.strictObject({ params: column, tokens: column, loss: column }),
    z.strictObject({ flops: column, loss: column }),
  ])
  .refine(sameLength, { message: "every column must have one value per run" });

/**
 * A user fit's report and runs as stored apart from its coefficients (KV `userfit:v2:<id>:report`):
 * read only where shown (`GET /api/v1/fits/<id>`, `/fit/<id>`), validated when read.
 */
export const StoredUserFitReportSchema = z.strictObject({
  report: UserFitAnswerSchema.omit({ fit: true, links: true }),
  runs: StoredRunColumnsSchema,
});

export type FitRequest = z.infer<typeof FitRequestSchema>;
export type FitQuery = z.infer<typeof FitQuerySchema>;
export type UserFitAnswer = z.output<typeof UserFitAnswerSchema>;
export type StoredRunColumns = z.output<typeof StoredRunColumnsSchema>;
/** A stored report with its runs decoded from columns. */
export type StoredUserFitReport = {
  report: z.output<typeof StoredUserFitReportSchema>["report"];
  runs: StoredRun[];
};
export type StoredRun = z.output<typeof StoredRunSchema>;
