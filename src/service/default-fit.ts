/**
 * The fit every single-fit answer uses when the request names none: the allocate headline, the
 * inference plan and every door that shows one fit. Besiroglu et al. 2024's re-fit of approach 3
 * agrees with Hoffmann et al.'s approaches 1 and 2, and its uncertainty is known.
 */
export const DEFAULT_FIT = "epoch-2024";

/** Why {@link DEFAULT_FIT} is the default, as answers state it. */
export const DEFAULT_FIT_REASON =
  "the default fit for single-fit answers (Besiroglu et al. 2024's re-fit of Chinchilla approach 3: it agrees with approaches 1 and 2, and its uncertainty is known); name another with fit=";

/** The same, short, for one-line answers. */
export const DEFAULT_FIT_SHORT_REASON = "the default fit for one-line answers; fit= names another";

/**
 * The default for the repeated-data plan, which needs a repeated-data law: Muennighoff et al.
 * 2023 is the only published fit with one.
 */
export const DEFAULT_DATA_FIT = "muennighoff-2023";

/** Why {@link DEFAULT_DATA_FIT} is the default. */
export const DEFAULT_DATA_FIT_REASON =
  "the default for repeated data: the only bundled fit with a repeated-data law (Muennighoff et al. 2023)";

/** How an answer's one fit was chosen, as answers state it. */
export interface FitChoice {
  by: "request" | "default";
  message: string;
}

/** The statement of how a single-fit answer's fit was chosen. */
export function fitChoice(requested: string | undefined, fit: string, reason: string): FitChoice {
  return requested
    ? { by: "request", message: `${fit}, as requested` }
    : { by: "default", message: `${fit}: ${reason}` };
}
