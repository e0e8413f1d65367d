import { z } from "zod";
import { MAX_INPUT_LENGTH } from "../../../core/parse.ts";
import { MAX_FITS_PER_REQUEST } from "../../../service/question.ts";

/** A quantity as a number or as text with units, like the JSON API's body. */
export const quantityInput = (description: string) =>
  z
    .union([z.string().max(MAX_INPUT_LENGTH), z.number()])
    .optional()
    .describe(description);

export const fitsInput = z
  .array(z.string().max(64))
  .max(MAX_FITS_PER_REQUEST)
  .optional()
  .describe(
    'Fit ids to answer under, in order (see the list_fits tool), e.g. ["chinchilla-approach3", "epoch-2024"]. Default: every published fit.',
  );
