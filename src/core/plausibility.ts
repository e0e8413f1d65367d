import type { FitDefinition } from "./fits/schema.ts";
import { formatFlops, formatScientific, significant } from "./format.ts";
import type { FrontierOptions } from "./frontier.ts";
import { frontierLoss } from "./loss.ts";

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
    return `the loss is withheld: ${formatFlops(flops)} is ${formatScientific(factor, 2)}x ${flops < low ? "below" : "above"} the compute this fit was measured on (${formatScientific(low)} to ${formatFlops(high)}), more than the ${LOSS_EXTRAPOLATION_LIMIT}x this calculator extrapolates a loss law`;
  }
  const smallest = frontierLoss(fit, low, options);
  if (
    smallest !== null &&
    Number.isFinite(smallest) &&
    loss > LOSS_ABOVE_SMALLEST_FACTOR * smallest
  ) {
    return `the loss is withheld: the law gives ${significant(loss, 4)} nats/token, more than ${LOSS_ABOVE_SMALLEST_FACTOR} times the ${significant(smallest, 4)} of a compute-optimal run at the fit's smallest measured budget (${formatFlops(low)}); no run the fit was made from came near it`;
  }
  return null;
}
