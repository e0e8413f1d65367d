import { z } from "@hono/zod-openapi";
import { NoticeSchema } from "../core/notice.ts";
import { MAX_INPUT_LENGTH, radixLiteralProblem } from "../core/parse.ts";

/** Query parameters may be given once; repeated ones arrive as arrays. */
const once = {
  error: (issue: { input?: unknown; code?: string; maximum?: unknown }) =>
    Array.isArray(issue.input)
      ? "given more than once; give it once"
      : issue.code === "too_big"
        ? `at most ${String(issue.maximum)} characters`
        : "expected text",
};

const quantity = (name: string, description: string, example: string) =>
  z
    .string(once)
    .max(MAX_INPUT_LENGTH)
    .optional()
    .openapi({ param: { name, in: "query" }, description, example });

const FLOPS_DESCRIPTION =
  "Training compute budget. Plain FLOPs (1e24, 3.8×10^25, 2e24 FLOPs), PF-days (5000 PF-days; 1 PF-day = 8.64e19 FLOPs) or GPU time (1M H100-hours @ 40% MFU, 1024 H100 x 30 days; peak dense BF16, default MFU 40%). C ≈ 6·N·D.";
const PARAMS_DESCRIPTION =
  "Model size in parameters (7e10, 70B): answers the tokens and compute that make this size compute-optimal under each fit.";
const TOKENS_DESCRIPTION =
  "Training data in tokens (1.4e12, 1.4T): answers the model size and compute for which this data is compute-optimal.";
const LOSS_DESCRIPTION =
  "Target loss in nats per token (2.0): answers the least compute whose compute-optimal run reaches it, for fits with a loss law. Losses of different fits are on different datasets.";
const FIT_DESCRIPTION =
  "Comma-separated fit ids (see GET /api/v1/fits); default: all. E.g. chinchilla-approach3,epoch-2024,kaplan-2020.";
const KAPLAN_DESCRIPTION =
  "How the budget maps to Kaplan's C_min: critical (default; training at the critical batch size, C_min = C/2, Kaplan §6.3) or all (C_min = C).";

export const KaplanBudgetSchema = z.enum(["critical", "all"]);

/** What `include=` may add back to an answer. */
export const INCLUDE_OPTIONS = ["notes", "sources", "exact"] as const;

export const IncludeQuerySchema = z
  .string()
  .max(40)
  .optional()
  .openapi({
    param: { name: "include", in: "query" },
    description:
      "Comma-separated: notes (each fit's notes, conventions, dataset, exponents, PF-days), sources (labels, long sources and URLs, interval methods) and exact (every number at full double precision; by default numbers carry 6 significant digits). Default: lean answers; every fit's metadata is at GET /api/v1/fits.",
    example: "notes,sources",
  });

/** Longest text read for each allocate field that is not a quantity, in characters. */
export const TEXT_LIMITS = {
  fit: 1000,
  gpu: 40,
  gpus: 20,
  mfu: 20,
  pricePerGpuHour: 20,
} as const;

export const AllocateQuerySchema = z.object({
  flops: quantity("flops", FLOPS_DESCRIPTION, "1e24"),
  params: quantity("params", PARAMS_DESCRIPTION, "70B"),
  tokens: quantity("tokens", TOKENS_DESCRIPTION, "1.4T"),
  loss: quantity("loss", LOSS_DESCRIPTION, "2.0"),
  fit: z
    .string(once)
    .max(TEXT_LIMITS.fit)
    .optional()
    .openapi({
      param: { name: "fit", in: "query" },
      description: FIT_DESCRIPTION,
      example: "chinchilla-approach3,epoch-2024",
    }),
  kaplanBudget: KaplanBudgetSchema.optional().openapi({
    param: { name: "kaplanBudget", in: "query" },
    description: KAPLAN_DESCRIPTION,
    example: "critical",
  }),
  include: IncludeQuerySchema,
  gpu: z
    .string(once)
    .max(TEXT_LIMITS.gpu)
    .optional()
    .openapi({
      param: { name: "gpu", in: "query" },
      description:
        "GPU for training time (H100, H100-PCIe, A100; GET /api/v1/gpus). Adds training GPU-hours, days and cost per fit.",
      example: "H100",
    }),
  // Refuses 0x10, 0o17 and 0b101 before coercion, which would read them as 16, 15 and 5.
  gpus: z
    .preprocess((input, ctx) => {
      const radix = typeof input === "string" ? radixLiteralProblem(input) : undefined;
      if (radix) ctx.addIssue({ code: "custom", message: radix });
      return input;
    }, z.coerce.number().int().min(1).max(10_000_000))
    .optional()
    .openapi({
      param: { name: "gpus", in: "query" },
      description: "Number of GPUs (default 1).",
      example: 1024,
    }),
  mfu: z
    .string(once)
    .max(TEXT_LIMITS.mfu)
    .optional()
    .openapi({
      param: { name: "mfu", in: "query" },
      description: "Model FLOPs utilisation, 0.4 or 40% (default 40%).",
      example: "40%",
    }),
  pricePerGpuHour: z
    .string(once)
    .max(TEXT_LIMITS.pricePerGpuHour)
    .optional()
    .openapi({
      param: { name: "pricePerGpuHour", in: "query" },
      description: "Price per GPU-hour, for a training cost estimate.",
      example: "2.5",
    }),
});

const bodyQuantity = (description: string, example: string | number) =>
  z
    .union([z.string().max(MAX_INPUT_LENGTH), z.number()], {
      error: (issue) =>
        typeof issue.input === "number"
          ? "must be a finite number (JSON numbers beyond ±1.8e308 overflow)"
          : 'expected a number or text such as "1e24" or "5000 PF-days"',
    })
    .optional()
    .openapi({ description, example });

export const AllocateBodySchema = z
  .strictObject({
    flops: bodyQuantity(FLOPS_DESCRIPTION, "5000 PF-days"),
    params: bodyQuantity(PARAMS_DESCRIPTION, "70B"),
    tokens: bodyQuantity(TOKENS_DESCRIPTION, 1.4e12),
    loss: bodyQuantity(LOSS_DESCRIPTION, 2),
    fit: z
      .union([z.string().max(TEXT_LIMITS.fit), z.array(z.string().max(64)).max(32)])
      .optional()
      .openapi({ description: FIT_DESCRIPTION }),
    kaplanBudget: KaplanBudgetSchema.optional().openapi({ description: KAPLAN_DESCRIPTION }),
    include: z
      .array(z.enum(INCLUDE_OPTIONS))
      .max(3)
      .optional()
      .openapi({ description: "notes and/or sources: the long form (see the GET's include)." }),
    gpu: z
      .string()
      .max(TEXT_LIMITS.gpu)
      .optional()
      .openapi({ description: "GPU for training time (GET /api/v1/gpus)." }),
    gpus: z.number().int().min(1).max(10_000_000).optional(),
    mfu: z
      .union([z.number(), z.string().max(TEXT_LIMITS.mfu)])
      .optional()
      .openapi({ description: '0.4 or "40%".' }),
    pricePerGpuHour: z.union([z.number(), z.string().max(TEXT_LIMITS.pricePerGpuHour)]).optional(),
  })
  .openapi("AllocateRequest");

export const PredictQuerySchema = z.object({
  params: quantity("params", "Model size in parameters (70B, 7e10).", "70B"),
  tokens: quantity("tokens", "Training tokens (1.4T, 1.4e12).", "1.4T"),
  uniqueTokens: quantity(
    "uniqueTokens",
    "Unique tokens available; tokens beyond it are repeated epochs (used by fits with a repeated-data law: muennighoff-2023).",
    "25B",
  ),
  fit: AllocateQuerySchema.shape.fit,
  kaplanBudget: AllocateQuerySchema.shape.kaplanBudget,
});

export const FitIdParamSchema = z.object({
  id: z
    .string()
    .max(64)
    .openapi({
      param: { name: "id", in: "path" },
      description: "A fit id from GET /api/v1/fits.",
      example: "chinchilla-approach3",
    }),
});

export const FitIncludeQuerySchema = z.object({
  include: z
    .enum(["runs"])
    .optional()
    .openapi({
      param: { name: "include", in: "query" },
      description: "runs: add the runs a user fit was fitted to (left out by default).",
      example: "runs",
    }),
});

const OriginSchema = z
  .object({
    store: z.enum(["kv", "bundled"]),
    reason: z.string().optional(),
  })
  .openapi("FitOrigin", {
    description:
      "Where the fit's constants came from: the KV registry or the bundled defaults (and why).",
  });

const HardwareSchema = z.object({
  gpu: z.string(),
  gpuLabel: z.string(),
  gpuHours: z.number(),
  gpus: z.number().optional(),
  mfu: z.number(),
  mfuIsDefault: z.boolean(),
  peakFlops: z.number(),
  gpuSource: z.string(),
});

export const TrainingSchema = z
  .object({
    gpuHours: z.number(),
    days: z.number(),
    gpus: z.number(),
    mfu: z.number(),
    cost: z.number().optional(),
  })
  .openapi("TrainingTime", {
    description: "GPU-hours = C / (peak × MFU × 3600); days on `gpus` GPUs.",
  });

export const TrainingPlanSchema = z.object({
  gpu: z.string(),
  gpuLabel: z.string(),
  peakFlops: z.number(),
  gpus: z.number(),
  mfu: z.number(),
  mfuIsDefault: z.boolean(),
  pricePerGpuHour: z.number().optional(),
  gpuSource: z.string(),
});

const ConventionsSchema = z.object({
  flops: z.string(),
  pfDay: z.string(),
  params: z.string(),
  loss: z.string(),
});

const ParameterConventionSchema = z.enum(["total", "non-embedding"]);

/** A warning once, with the fits it applies to. */
const GroupedNoticeSchema = NoticeSchema.omit({ summary: true })
  .extend({ fits: z.array(z.string()) })
  .openapi("Warning");

export const AllocationSchema = z
  .object({
    fit: z.string(),
    citation: z.string().openapi({
      description: "Short citation; the fit's long source and notes: GET /api/v1/fits/{id}.",
      example: "Hoffmann et al. 2022, eq. 4 and 10",
    }),
    label: z.string().optional().openapi({ description: "With include=sources." }),
    params: z.number().openapi({ description: "Parameters N in the fit's parameter convention." }),
    tokens: z.number().openapi({ description: "Training tokens D." }),
    flops: z.number().openapi({ description: "Training compute C, FLOPs." }),
    flopsPFDays: z.number().optional().openapi({ description: "With include=notes." }),
    tokensPerParam: z.number(),
    loss: z.number().nullable().openapi({
      description:
        "Predicted loss, nats/token; null without a loss law or far outside the fit's data (see nullReasons.loss).",
    }),
    scaleUp10x: z.object({ params: z.number(), tokens: z.number() }),
    exponents: z
      .object({ params: z.number(), tokens: z.number() })
      .optional()
      .openapi({ description: "With include=notes: a, b of N_opt ∝ C^a, D_opt ∝ C^b." }),
    parameterConvention: ParameterConventionSchema,
    flopsConvention: z.string().optional().openapi({ description: "With include=notes." }),
    dataset: z.string().optional().openapi({ description: "With include=notes." }),
    source: z.string().optional().openapi({ description: "With include=sources." }),
    sourceUrl: z.string().optional().openapi({ description: "With include=sources." }),
    notes: z.array(z.string()).optional().openapi({ description: "With include=notes." }),
    nullReasons: z.object({ loss: z.string().optional() }).optional().openapi({
      description:
        "Why a null field is null (no loss law, or withheld far outside the fit's data).",
    }),
    kaplan: z
      .object({
        budgetConvention: KaplanBudgetSchema,
        computeMinPFDays: z.number(),
        batchTokens: z.number(),
        minSteps: z.number(),
        sixNDOverBudget: z.number(),
      })
      .optional(),
    origin: OriginSchema.optional().openapi({
      description: "Where this fit came from, when the fits differ; else the answer's origin.",
    }),
    intervals: z
      .object({
        params: z.tuple([z.number(), z.number()]).openapi({
          description: "N, [low, high]; [N, N] when N is the question.",
        }),
        tokens: z.tuple([z.number(), z.number()]).openapi({
          description: "D, [low, high]; [D, D] when D is the question.",
        }),
        tokensPerParam: z.tuple([z.number(), z.number()]).optional(),
        flops: z.tuple([z.number(), z.number()]).optional().openapi({
          description: "The budget C in FLOPs, for params, tokens and loss questions.",
        }),
        loss: z.tuple([z.number(), z.number()]).optional(),
        level: z.literal(0.8).optional().openapi({ description: "In the answer's intervalLevel." }),
        covers: z.enum(["bootstrap", "exponent-only"]).openapi({
          description:
            "bootstrap: every constant varies (refits of the fit's runs); exponent-only: only the published exponent interval, so the interval vanishes at the pivot budget named in method.",
        }),
        method: z.string().optional().openapi({ description: "With include=sources." }),
      })
      .optional()
      .openapi({
        description:
          "80% intervals (10th-90th percentiles), for fits that publish uncertainty; the asked quantity is exact.",
      }),
    training: TrainingSchema.optional(),
  })
  .openapi("Allocation");

export const AllocateAnswerSchema = z
  .object({
    query: z.object({
      question: z.enum(["flops", "params", "tokens", "loss"]),
      input: z.string(),
      interpretation: z.string(),
      flops: z.number().optional(),
      params: z.number().optional(),
      tokens: z.number().optional(),
      loss: z.number().optional(),
      kaplanBudget: KaplanBudgetSchema,
      fits: z
        .array(z.string())
        .optional()
        .openapi({ description: "The fits asked for; absent when every published fit answers." }),
      hardware: HardwareSchema.optional(),
      training: TrainingPlanSchema.optional(),
    }),
    headline: z
      .object({
        fit: z.string(),
        text: z.string(),
        fitChoice: z.object({
          by: z.enum(["request", "default"]),
          message: z.string().optional().openapi({ description: "With include=notes." }),
        }),
      })
      .nullable(),
    origin: OriginSchema.optional().openapi({
      description: "Where every fit came from, when they all came from one place.",
    }),
    intervalLevel: z.literal(0.8).openapi({
      description: "Every interval is 80% (10th-90th percentiles).",
    }),
    allocations: z.array(AllocationSchema),
    warnings: z.array(GroupedNoticeSchema).openapi({
      description: "Every warning once, with the fits it applies to.",
    }),
    skipped: z.array(
      z.object({
        fit: z.string(),
        reason: z.enum(["no-loss-law", "no-allocation-rule", "unreachable", "out-of-range"]),
        message: z.string(),
      }),
    ),
    conventions: ConventionsSchema.optional().openapi({ description: "With include=notes." }),
  })
  .openapi("AllocateAnswer");

const QuantityEchoSchema = z.object({
  input: z.string(),
  value: z.number(),
  interpretation: z.string(),
});

export const PredictAnswerSchema = z
  .object({
    query: z.object({
      params: QuantityEchoSchema,
      tokens: QuantityEchoSchema,
      uniqueTokens: QuantityEchoSchema.optional(),
      fits: z.array(z.string()),
      kaplanBudget: KaplanBudgetSchema,
    }),
    flops: z.number().openapi({ description: "C = 6·N·D, FLOPs." }),
    predictions: z.array(
      z.object({
        fit: z.string(),
        label: z.string(),
        loss: z.number().nullable().openapi({
          description:
            "Predicted loss of this N and D, nats/token on the fit's dataset (Kaplan: L(N, D), eq. 1.5); null, with nullReasons.loss, when far outside the fit's data.",
        }),
        optimalLoss: z.number().nullable().openapi({
          description:
            "Loss of the compute-optimal run at the same C = 6ND: the frontier allocate reports (Kaplan: L(C_min), eq. 1.3).",
        }),
        excessLoss: z.number().nullable().openapi({
          description:
            "loss − optimalLoss; null (with nullReasons.excessLoss) when the two come from different laws or one is withheld.",
        }),
        optimalParams: z.number(),
        optimalTokens: z.number(),
        tokensPerParam: z.number(),
        lossLaw: z.string(),
        parameterConvention: ParameterConventionSchema,
        dataset: z.string(),
        source: z.string(),
        sourceUrl: z.string(),
        warnings: z.array(NoticeSchema),
        notes: z.array(z.string()),
        nullReasons: z
          .object({
            loss: z.string().optional(),
            optimalLoss: z.string().optional(),
            excessLoss: z.string().optional(),
          })
          .openapi({ description: "Why each null field is null." }),
        origin: OriginSchema,
      }),
    ),
    skipped: z.array(
      z.object({
        fit: z.string(),
        reason: z.enum(["no-loss-law", "out-of-range"]),
        message: z.string(),
      }),
    ),
    conventions: ConventionsSchema,
  })
  .openapi("PredictAnswer");

/** A fit document as served (the stored definition plus where it came from). */
export const FitDocumentSchema = z
  .object({ id: z.string(), kind: z.string(), label: z.string(), origin: OriginSchema })
  .passthrough()
  .openapi("Fit");

export const FitListSchema = z.object({ fits: z.array(FitDocumentSchema) }).openapi("FitList");

export const GpuListSchema = z
  .object({
    gpus: z.array(
      z.object({
        id: z.string(),
        label: z.string(),
        peakFlops: z.number(),
        source: z.string(),
        aliases: z.array(z.string()),
      }),
    ),
    defaultMfu: z.number(),
    defaultMfuSource: z.string(),
  })
  .openapi("GpuList");
