import { z } from "zod";
import { KaplanBudgetSchema } from "../../../api/schemas.ts";
import { MAX_INPUT_LENGTH } from "../../../core/parse.ts";
import { MAX_FITS_PER_REQUEST } from "../../../service/question.ts";

/** A quantity as a number or as text with units, like the JSON API's body. */
export const quantityInput = (description: string) =>
  z
    .union([z.string().max(MAX_INPUT_LENGTH), z.number()])
    .optional()
    .describe(description);

const USER_FITS = "Fits made from your own runs (ids starting user-) work too.";

export const fitsInput = z
  .array(z.string().max(64))
  .max(MAX_FITS_PER_REQUEST)
  .optional()
  .describe(
    `Fit ids to answer under, in order (see the list_fits tool), e.g. ["chinchilla-approach3", "epoch-2024"]. Default: every published fit. ${USER_FITS}`,
  );

/** One fit for a planning tool: a parametric loss law, or a repeated-data law. */
export const oneFitInput = (fallback: string, needs: "loss-law" | "repeated-data") =>
  z
    .string()
    .max(64)
    .optional()
    .describe(
      needs === "repeated-data"
        ? `One fit id with a repeated-data law (default ${fallback}, the only published one; fits of your own runs have none).`
        : `One fit id with a parametric loss law L(N, D) (default ${fallback}; see list_fits). Fits of your own runs with params, tokens and loss work too; compute-law fits L(C) do not.`,
    );

/** Hardware for training time, as the allocate API takes it. */
export const hardwareInputs = {
  gpu: z.string().max(40).optional().describe("GPU for training time: H100, H100-PCIe or A100."),
  gpus: z.number().int().min(1).max(10_000_000).optional().describe("GPUs (default 1)."),
  mfu: z
    .union([z.number(), z.string().max(20)])
    .optional()
    .describe("MFU, 0.4 or '40%' (default 40%)."),
  pricePerGpuHour: z
    .union([z.number(), z.string().max(20)])
    .optional()
    .describe("Price per GPU-hour, for a cost."),
};

/** Kaplan's budget convention, as the allocate and predict APIs take it. */
export const kaplanBudgetInput = KaplanBudgetSchema.optional().describe(
  "How the budget maps to Kaplan's C_min: 'critical' (default, C_min = C/2, training at the critical batch size, Kaplan §6.3) or 'all' (C_min = C).",
);
