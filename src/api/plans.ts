import { createRoute, z } from "@hono/zod-openapi";
import { ErrorSchema } from "../contract/errors.ts";
import { NoticeSchema } from "../core/notice.ts";
import { MAX_INPUT_LENGTH } from "../core/parse.ts";
import { DEFAULT_DATA_FIT, DEFAULT_FIT } from "../service/default-fit.ts";
import { answerDataPlan, answerInferencePlan } from "../service/plans.ts";
import type { Register } from "../types.ts";
import { AllocateQuerySchema, TrainingPlanSchema, TrainingSchema } from "./schemas.ts";

const text = (name: string, description: string, example: string) =>
  z
    .string()
    .max(MAX_INPUT_LENGTH)
    .optional()
    .openapi({ param: { name, in: "query" }, description, example });

const fitParam = (fallback: string, repeatedData = false) =>
  z
    .string()
    .max(64)
    .optional()
    .openapi({
      param: { name: "fit", in: "query" },
      description: repeatedData
        ? `One fit id with a repeated-data law (default ${fallback}, the only bundled one; fits of your own runs have none).`
        : `One fit id with a parametric loss law L(N, D) (default ${fallback}); fits of your own runs with params, tokens and loss work too.`,
      example: fallback,
    });

const OriginSchema = z.object({ store: z.enum(["kv", "bundled"]), reason: z.string().optional() });

const LifetimeSchema = z.object({
  params: z.number(),
  tokens: z.number(),
  tokensPerParam: z.number(),
  trainingFlops: z.number(),
  inferenceFlops: z.number(),
  totalFlops: z.number(),
});

/** The allocate API's hardware fields: a plan on them adds its training time. */
const hardwareQuery = {
  gpu: AllocateQuerySchema.shape.gpu,
  gpus: AllocateQuerySchema.shape.gpus,
  mfu: AllocateQuerySchema.shape.mfu,
  pricePerGpuHour: AllocateQuerySchema.shape.pricePerGpuHour,
};

const PlanTrainingSchema = z
  .object({
    hardware: TrainingPlanSchema,
    plan: TrainingSchema,
    computeOptimal: TrainingSchema.optional(),
  })
  .optional()
  .openapi({
    description:
      "With gpu: the plan's training GPU-hours, days and cost (and the compute-optimal model's, for inference plans).",
  });

const fitSummaryFields = {
  fit: z.string(),
  label: z.string(),
  source: z.string(),
  sourceUrl: z.string(),
  origin: OriginSchema,
  dataset: z.string(),
  fitChoice: z.object({ by: z.enum(["request", "default"]), message: z.string() }).openapi({
    description: "Whether the request named the fit or the default was used, and why.",
  }),
};

const ConventionsSchema = z.record(z.string(), z.string());

export const InferencePlanSchema = z
  .object({
    ...fitSummaryFields,
    training: PlanTrainingSchema,
    query: z.object({
      question: z.enum(["loss", "flops"]),
      input: z.string(),
      interpretation: z.string(),
      loss: z.number(),
      flops: z.number().optional(),
      inferenceTokens: z.number(),
      inferenceTokensInterpretation: z.string(),
    }),
    params: z.number(),
    tokens: z.number(),
    tokensPerParam: z.number(),
    loss: z.number(),
    trainingFlops: z.number().openapi({ description: "6·N·D" }),
    inferenceFlops: z.number().openapi({ description: "2·N·D_inf" }),
    totalFlops: z.number(),
    computeOptimal: LifetimeSchema,
    savingFlops: z.number(),
    savingFraction: z.number(),
    iterations: z.number(),
    converged: z.boolean(),
    notes: z.array(z.string()),
    conventions: ConventionsSchema,
  })
  .openapi("InferencePlan");

export const DataPlanSchema = z
  .object({
    ...fitSummaryFields,
    training: PlanTrainingSchema,
    query: z.object({
      input: z.string(),
      interpretation: z.string(),
      flops: z.number(),
      uniqueTokens: z.number(),
      uniqueTokensInterpretation: z.string(),
    }),
    params: z.number(),
    tokens: z.number(),
    epochs: z.number(),
    tokensPerParam: z.number(),
    loss: z.number(),
    unlimited: z.object({
      params: z.number(),
      tokens: z.number(),
      loss: z.number(),
      epochs: z.number(),
    }),
    lossPenalty: z.number(),
    iterations: z.number(),
    converged: z.boolean(),
    warnings: z.array(NoticeSchema),
    notes: z.array(z.string()),
    conventions: ConventionsSchema,
  })
  .openapi("DataPlan");

const errors = {
  400: { content: { "application/json": { schema: ErrorSchema } }, description: "Invalid input." },
  404: { content: { "application/json": { schema: ErrorSchema } }, description: "Unknown fit." },
  422: {
    content: { "application/json": { schema: ErrorSchema } },
    description: "The fit cannot answer (no loss law, or a loss below its irreducible loss).",
  },
};

export const inferencePlanRoute = createRoute({
  method: "get",
  path: "/api/v1/plan/inference",
  operationId: "planInference",
  summary:
    "Smallest lifetime compute (training + inference) to reach a loss, given inference demand",
  description:
    "Sardana et al. 2024: the model size and training tokens reaching a target loss (or the compute-optimal loss of a budget) at the least 6ND + 2N·D_inf FLOPs, with the compute-optimal plan and the saving.",
  request: {
    query: z.object({
      loss: text("loss", "Target loss, nats/token (give loss or flops).", "2.0"),
      flops: text(
        "flops",
        "A budget whose compute-optimal loss is the target (give loss or flops).",
        "1e24",
      ),
      inferenceTokens: text(
        "inferenceTokens",
        "Lifetime inference tokens D_inf (e.g. 2T; 0 for none).",
        "2T",
      ),
      fit: fitParam(DEFAULT_FIT),
      ...hardwareQuery,
    }),
  },
  responses: {
    200: {
      content: { "application/json": { schema: InferencePlanSchema } },
      description: "The plan.",
    },
    ...errors,
  },
});

export const dataPlanRoute = createRoute({
  method: "get",
  path: "/api/v1/plan/data",
  operationId: "planData",
  summary: "Best model size and epochs for a budget when unique data is limited",
  description:
    "Muennighoff et al. 2023: the split of a FLOP budget that minimises loss when only uniqueTokens unique tokens exist, with epochs, the loss, and the loss with unlimited data.",
  request: {
    query: z.object({
      flops: text("flops", "Training budget (1e24, 5000 PF-days, 1M H100-hours).", "1e23"),
      uniqueTokens: text("uniqueTokens", "Unique tokens available (e.g. 500B).", "100B"),
      fit: fitParam(DEFAULT_DATA_FIT, true),
      ...hardwareQuery,
    }),
  },
  responses: {
    200: { content: { "application/json": { schema: DataPlanSchema } }, description: "The plan." },
    ...errors,
  },
});

/** Planning beyond compute-optimal: inference-aware and data-constrained plans. */
export const registerPlans: Register = (app) => {
  app.openapi(inferencePlanRoute, async (c) => {
    const query = c.req.valid("query");
    return c.json(answerInferencePlan(await c.var.fits(query.fit), query), 200);
  });
  app.openapi(dataPlanRoute, async (c) => {
    const query = c.req.valid("query");
    return c.json(answerDataPlan(await c.var.fits(query.fit), query), 200);
  });
};
