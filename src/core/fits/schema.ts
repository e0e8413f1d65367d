import { z } from "zod";

/** Where a fit's constants were published. */
export const CitationSchema = z.object({
  paper: z.string().min(1),
  url: z.string().url(),
  where: z.string().min(1),
  /** A short citation for answers, e.g. "Hoffmann et al. 2022, eq. 4". */
  short: z.string().min(1).max(60).optional(),
});

/** The short citation answers carry: `source.short`, else the paper's first clause. */
export function shortCitation(source: z.infer<typeof CitationSchema>): string {
  return source.short ?? source.paper.split(",")[0]?.slice(0, 60) ?? source.paper.slice(0, 60);
}

/** y = coefficient · x^exponent. */
export const PowerLawSchema = z.object({
  coefficient: z.number().positive().finite(),
  exponent: z.number().finite(),
});

/** Most bootstrap coefficient vectors a fit document may carry (bounds the work of an interval). */
export const MAX_BOOTSTRAP_SAMPLES = 500;

/** [E, A, B, α, β] of L = E + A/N^α + B/D^β. */
const CoefficientsSchema = z.tuple([
  z.number().nonnegative().finite(),
  z.number().positive().finite(),
  z.number().positive().finite(),
  z.number().positive().finite(),
  z.number().positive().finite(),
]);

/**
 * Bootstrap refits of a parametric law L = E + A/N^α + B/D^β (Hoffmann et al. 2022, eq. 2):
 * one [E, A, B, α, β] vector per resample of the fit's runs, and the full-data fit they spread
 * around. Allocation intervals are the 10th-90th percentiles of the closed-form answers over
 * these vectors, re-centred on the fit's own constants.
 */
export const BootstrapSchema = z
  .object({
    /** How the vectors were made, as a noun phrase ("bootstrap refits of the … runs"). */
    method: z.string().min(1),
    /** Seed of the resampling, so the vectors can be regenerated. */
    seed: z.number().int().nonnegative(),
    /** Resamples drawn; equals the number of vectors. */
    resamples: z.number().int().positive(),
    /** [E, A, B, α, β] of the full-data fit the resamples were refitted from. */
    centre: CoefficientsSchema,
    /** [E, A, B, α, β] of each refit. */
    samples: z.array(CoefficientsSchema).min(10).max(MAX_BOOTSTRAP_SAMPLES),
  })
  .refine((b) => b.samples.length === b.resamples, {
    message: "resamples must equal the number of samples",
    path: ["resamples"],
  });

const FitCommonSchema = z.object({
  schemaVersion: z.literal(1),
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/),
  label: z.string().min(1).max(120),
  source: CitationSchema,
  parameterConvention: z.enum(["total", "non-embedding"]),
  flopsConvention: z.string().min(1),
  dataset: z.string().min(1),
  measuredRange: z
    .object({
      flops: z.tuple([z.number().positive(), z.number().positive()]),
      note: z.string(),
    })
    .nullable(),
  notes: z.array(z.string()),
  /** Published uncertainty (an exponent interval, or bootstrap refits), used for 80% intervals. */
  uncertainty: z
    .object({
      /** 80% interval (10th-90th percentile) of a in N_opt ∝ C^a. */
      paramsExponent: z.tuple([z.number().gt(0).lt(1), z.number().gt(0).lt(1)]),
      /** 80% interval of the irreducible loss E, where published (user fits). */
      irreducibleLoss: z.tuple([z.number().nonnegative(), z.number().nonnegative()]).optional(),
      /** Bootstrap coefficient vectors of a parametric law; when present, intervals use them. */
      bootstrap: BootstrapSchema.optional(),
      source: z.string().min(1),
    })
    .optional(),
});

/**
 * A compute-optimal power law for one quantity; the other follows from C = 6ND
 * (for `flopsPerToken` M: N = M/6, D = C/M, DeepSeek's C = M·D).
 */
export const PowerLawFitSchema = FitCommonSchema.extend({
  kind: z.literal("power-law"),
  law: PowerLawSchema.extend({
    quantity: z.enum(["params", "tokens", "flopsPerToken"]),
    exponent: z.number().gt(0).lt(1),
  }),
});

/** L(N, D) = E + A/N^α + B/D^β (Hoffmann et al. 2022, eq. 2). */
export const ParametricFitSchema = FitCommonSchema.extend({
  kind: z.literal("parametric"),
  E: z.number().nonnegative().finite(),
  A: z.number().positive().finite(),
  B: z.number().positive().finite(),
  alpha: z.number().positive().finite(),
  beta: z.number().positive().finite(),
  /** Muennighoff et al. 2023's decay of repeated data and excess parameters, where fitted. */
  dataConstrained: z
    .object({ RDStar: z.number().positive().finite(), RNStar: z.number().positive().finite() })
    .optional(),
});

/** Kaplan et al. 2020: App. A Table 6 allocation and the loss laws of Tables 2 and 5. */
export const KaplanFitSchema = FitCommonSchema.extend({
  kind: z.literal("kaplan"),
  /** X = scale · C_min^exponent with C_min in PF-days (Table 6). */
  computeEfficient: z.object({
    params: PowerLawSchema,
    tokens: PowerLawSchema,
    batchTokens: PowerLawSchema,
    minSteps: PowerLawSchema,
  }),
  /** L(C_min) = (C_c / C_min)^α with C_c in PF-days (eq. 1.3, Table 5). */
  lossVsComputeMin: z.object({ alpha: z.number().positive(), scalePFDays: z.number().positive() }),
  /** L(N, D) = [(N_c/N)^(α_N/α_D) + D_c/D]^α_D (eq. 1.5, Table 2). */
  lossVsParamsAndTokens: z.object({
    alphaN: z.number().positive(),
    alphaD: z.number().positive(),
    Nc: z.number().positive(),
    Dc: z.number().positive(),
  }),
});

/** D = ratio · N with C = 6ND. */
export const TokensPerParamFitSchema = FitCommonSchema.extend({
  kind: z.literal("tokens-per-param"),
  tokensPerParam: z.number().positive().finite(),
});

/**
 * L(C) = a·C^b + c with C in FLOPs and b < 0 (OpenAI 2023, GPT-4 Technical Report §3.1): a loss
 * law of compute alone, with no rule for splitting C into N and D.
 */
export const ComputeLossFitSchema = FitCommonSchema.extend({
  kind: z.literal("compute-loss"),
  a: z.number().positive().finite(),
  b: z.number().negative().finite(),
  c: z.number().nonnegative().finite(),
});

export const FitDefinitionSchema = z.discriminatedUnion("kind", [
  PowerLawFitSchema,
  ParametricFitSchema,
  KaplanFitSchema,
  TokensPerParamFitSchema,
  ComputeLossFitSchema,
]);

export type Citation = z.infer<typeof CitationSchema>;
export type FitBootstrap = z.infer<typeof BootstrapSchema>;
export type PowerLaw = z.infer<typeof PowerLawSchema>;
export type PowerLawFit = z.infer<typeof PowerLawFitSchema>;
export type ParametricFit = z.infer<typeof ParametricFitSchema>;
export type KaplanFit = z.infer<typeof KaplanFitSchema>;
export type TokensPerParamFit = z.infer<typeof TokensPerParamFitSchema>;
export type ComputeLossFit = z.infer<typeof ComputeLossFitSchema>;
export type FitDefinition = z.infer<typeof FitDefinitionSchema>;
export type FitKind = FitDefinition["kind"];
