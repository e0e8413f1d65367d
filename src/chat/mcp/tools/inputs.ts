import { z } from "zod";
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

/** One fit with a parametric loss law, for the planning tools. */
export const oneFitInput = (fallback: string) =>
  z
    .string()
    .max(64)
    .optional()
    .describe(
      `One fit id with a parametric loss law L(N, D) (default ${fallback}; see list_fits). ${USER_FITS}`,
    );

/** Hardware for training time, as the allocate API takes it. */
export const hardwareInputs = {
  gpu: z
    .string()
    .max(40)
    .optional()
    .describe(
      "GPU to train on, for training time per fit: H100, H100-PCIe or A100 (GET /api/v1/gpus), at its peak dense BF16 FLOP/s from the vendor's datasheet.",
    ),
  gpus: z
    .number()
    .int()
    .min(1)
    .max(10_000_000)
    .optional()
    .describe("Number of GPUs training in parallel (default 1); with gpu."),
  mfu: z
    .union([z.number(), z.string().max(20)])
    .optional()
    .describe("Model FLOPs utilisation, 0.4 or '40%' (default 40%); with gpu."),
  pricePerGpuHour: z
    .union([z.number(), z.string().max(20)])
    .optional()
    .describe("Price per GPU-hour (e.g. 2.5), for a training cost in the same currency; with gpu."),
};
