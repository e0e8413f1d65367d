import { createRoute } from "@hono/zod-openapi";
import { ErrorSchema } from "../contract/errors.ts";
import {
  AllocateAnswerSchema,
  AllocateBodySchema,
  AllocateQuerySchema,
  FitDocumentSchema,
  FitIdParamSchema,
  FitIncludeQuerySchema,
  FitListSchema,
  GpuListSchema,
  PredictAnswerSchema,
  PredictQuerySchema,
} from "./schemas.ts";

const json = <T>(schema: T, description: string) => ({
  content: { "application/json": { schema } },
  description,
});

const badRequest = json(
  ErrorSchema,
  "Invalid input: the error names the field and what was expected.",
);
const unknownFit = json(ErrorSchema, "Unknown fit id.");
const unreachable = json(
  ErrorSchema,
  "Valid input that no selected fit can answer (e.g. a loss below every fit's irreducible loss).",
);

const ALLOCATE_DESCRIPTION =
  "Compute-optimal parameters N, tokens D, predicted loss and 10x scaling under every published fit (Chinchilla approaches 1-3, Besiroglu re-fit, Kaplan, DeepSeek, Llama 3, 20 tokens/param). Give exactly one of flops, params, tokens or loss.";

export const allocateGet = createRoute({
  method: "get",
  path: "/api/v1/allocate",
  operationId: "allocate",
  summary:
    "Compute-optimal model size and tokens for a budget, model size, data size or target loss",
  description: ALLOCATE_DESCRIPTION,
  request: { query: AllocateQuerySchema },
  responses: {
    200: json(AllocateAnswerSchema, "One allocation per fit that can answer the question."),
    400: badRequest,
    404: unknownFit,
    422: unreachable,
  },
});

export const allocatePost = createRoute({
  method: "post",
  path: "/api/v1/allocate",
  operationId: "allocatePost",
  // Read-only despite POST: lets ChatGPT actions call it without asking each time.
  "x-openai-isConsequential": false,
  summary: "Compute-optimal model size and tokens, asked with a JSON body (same answer as GET)",
  description: `${ALLOCATE_DESCRIPTION} Numbers may be JSON numbers or text with units.`,
  request: {
    body: { content: { "application/json": { schema: AllocateBodySchema } }, required: true },
  },
  responses: {
    200: json(AllocateAnswerSchema, "One allocation per fit that can answer the question."),
    400: badRequest,
    404: unknownFit,
    413: json(ErrorSchema, "Body too large."),
    415: json(ErrorSchema, "Body is not application/json."),
    422: unreachable,
  },
});

export const predictGet = createRoute({
  method: "get",
  path: "/api/v1/predict",
  operationId: "predictLoss",
  summary:
    "Predicted loss of N parameters trained on D tokens, and the best loss for the same compute",
  description:
    "Loss in nats/token under each fit with a loss law (Chinchilla approach 3, Besiroglu re-fit, Kaplan eq. 1.5), with C = 6ND and the loss of the compute-optimal split of that C.",
  request: { query: PredictQuerySchema },
  responses: {
    200: json(PredictAnswerSchema, "One prediction per fit with a loss law."),
    400: badRequest,
    404: unknownFit,
    422: unreachable,
  },
});

export const fitsList = createRoute({
  method: "get",
  path: "/api/v1/fits",
  operationId: "listFits",
  summary: "The fit registry: every published fit with its constants, source and conventions",
  description:
    "Each fit's id, kind, constants, source (paper, table or equation), parameter and FLOP conventions, measured range, and whether it was served from KV or the bundled defaults.",
  responses: { 200: json(FitListSchema, "All registered fits.") },
});

export const fitsGet = createRoute({
  method: "get",
  path: "/api/v1/fits/{id}",
  operationId: "getFit",
  summary: "One fit's constants, source and conventions",
  description:
    "One scaling-law fit by id (ids from listFits): kind, constants, source paper and equation, parameter and FLOP conventions, measured compute range, and whether it came from KV or the bundled defaults. A fit of your own runs (user-…) adds its fit report; its runs only with include=runs.",
  request: { params: FitIdParamSchema, query: FitIncludeQuerySchema },
  responses: {
    200: json(FitDocumentSchema, "The fit."),
    404: unknownFit,
    503: json(ErrorSchema, "A stored user fit could not be read; retry after Retry-After."),
  },
});

export const gpusList = createRoute({
  method: "get",
  path: "/api/v1/gpus",
  operationId: "listGpus",
  summary: "GPUs accepted in budgets like '1M H100-hours @ 40% MFU', with peak dense BF16 FLOP/s",
  description:
    "The accelerators the budget parser knows, their peak dense BF16 throughput with its source, and the default MFU.",
  responses: { 200: json(GpuListSchema, "Known GPUs.") },
});
