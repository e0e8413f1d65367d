/**
 * Unit constants shared by the core.
 */

/** One PF-day in FLOPs: 10^15 FLOP/s × 24 × 3600 s = 8.64e19 (Kaplan et al. 2020, §1.3). */
export const FLOPS_PER_PF_DAY = 8.64e19;

/**
 * Training FLOPs per parameter per token: 2 forward + 4 backward, C ≈ 6ND
 * (Kaplan et al. 2020, §2.1; Hoffmann et al. 2022, App. F).
 */
export const TRAINING_FLOPS_PER_PARAM_TOKEN = 6;

/** Seconds in one hour. */
export const SECONDS_PER_HOUR = 3600;

/** Count suffixes accepted in input and used in output. */
export const COUNT_SUFFIXES = [
  { suffix: "T", value: 1e12, word: "trillion" },
  { suffix: "B", value: 1e9, word: "billion" },
  { suffix: "M", value: 1e6, word: "million" },
  { suffix: "k", value: 1e3, word: "thousand" },
] as const;
