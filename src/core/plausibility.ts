import type { FitDefinition } from "./fits/schema.ts";
import { formatFlops, formatScientific, significant } from "./format.ts";
import type { FrontierOptions } from "./frontier.ts";
import { frontierLoss } from "./loss.ts";
import { type Notice, notice } from "./notice.ts";

/**
 * How far outside a fit's measured compute range its loss law is still shown: beyond this factor
 * above or below the range, the loss is withheld (a law fitted over a few decades says nothing
 * about budgets three decades away).
 */
export const LOSS_EXTRAPOLATION_LIMIT = 1000;

/**
 * How far above the loss of the fit's smallest measured compute-optimal run a predicted loss may
 * lie: 1.5 times that loss. Losses above it are not reached by any model the fit was made from
 * (the digitized Chinchilla runs, for example, top out at 5.0 nats where approach 3 gives 3.4 at
 * the smallest budget).
 */
export const LOSS_ABOVE_SMALLEST_FACTOR = 1.5;

/**
 * Why a predicted loss should not be shown, or null when it can be: the budget lies more than
 * {@link LOSS_EXTRAPOLATION_LIMIT} times outside the fit's measured range, or the loss is more than
 * {@link LOSS_ABOVE_SMALLEST_FACTOR} times the compute-optimal loss at the smallest measured budget.
 * Fits without a measured range are never withheld.
 * @param flops training compute C the loss belongs to, FLOPs
 * @param loss predicted loss, nats per token
 */
export function implausibleLoss(
  fit: FitDefinition,
  flops: number,
  loss: number,
  options: FrontierOptions,
): string | null {
  const range = fit.measuredRange;
  if (!range) return null;
  const [low, high] = range.flops;
  if (flops < low / LOSS_EXTRAPOLATION_LIMIT || flops > high * LOSS_EXTRAPOLATION_LIMIT) {
    const factor = flops < low ? low / flops : flops / high;
    return `${formatScientific(factor, 2)}x ${flops < low ? "below" : "above"} this fit's data, past the ${LOSS_EXTRAPOLATION_LIMIT}x a loss law is extrapolated`;
  }
  const smallest = frontierLoss(fit, low, options);
  if (
    smallest !== null &&
    Number.isFinite(smallest) &&
    loss > LOSS_ABOVE_SMALLEST_FACTOR * smallest
  ) {
    return `the law gives ${significant(loss, 4)} nats/token, over ${LOSS_ABOVE_SMALLEST_FACTOR}x the ${significant(smallest, 4)} at the fit's smallest measured budget (${formatFlops(low)}): no run it was made from came near`;
  }
  return null;
}

/**
 * The extrapolation warning of a budget outside a fit's measured compute range, or null inside
 * it: how many times above or below, with the range and its note as fields.
 * @param flops training compute C, FLOPs
 */
export function extrapolationNotice(fit: FitDefinition, flops: number): Notice | null {
  const range = fit.measuredRange;
  if (!range) return null;
  const [low, high] = range.flops;
  if (flops <= high && flops >= low) return null;
  const above = flops > high;
  const factor = above ? flops / high : low / flops;
  const times = factor < 1e4 ? significant(factor, 2) : formatScientific(factor, 2);
  const direction = above ? "above" : "below";
  return notice(
    "extrapolation",
    `${times}x ${direction} the ${formatScientific(low)} to ${formatFlops(high)} of its data: an extrapolation.`,
    `${times}x ${direction} its data`,
    { factor, range: [low, high] },
  );
}

/** The warning that goes with a withheld loss. */
export function lossWithheldNotice(): Notice {
  return notice(
    "loss-withheld",
    "The loss is withheld: the law is evaluated too far outside its data (nullReasons.loss says how far).",
    "loss withheld: far outside its data",
  );
}
