// biome-ignore-all lint/style/noNonNullAssertion: numeric code indexes arrays within their bounds.
import { formatGrouped, formatScientific, significant } from "../format.ts";
import type { Uncertainty } from "./bootstrap.ts";
import { EXPONENT_BOUNDS, type LseFit } from "./lse-fit.ts";

/** The warnings of a fit report, worded for people: figures rounded, advice fitting the request. */

/** Fewest finite refits the bootstrap statistics need (or every resample, when fewer were asked). */
export const MIN_BOOTSTRAP_REFITS = 10;

/** Pearson correlation of two equally long lists (1 when either is constant). */
export function correlation(x: readonly number[], y: readonly number[]): number {
  const n = x.length;
  const mx = x.reduce((s, v) => s + v, 0) / n;
  const my = y.reduce((s, v) => s + v, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
    syy += (y[i]! - my) ** 2;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : 1;
}

function atBound(exponent: number): "lower" | "upper" | null {
  if (exponent <= EXPONENT_BOUNDS.min * (1 + 1e-6)) return "lower";
  if (exponent >= EXPONENT_BOUNDS.max * (1 - 1e-6)) return "upper";
  return null;
}

/** What the few-runs warning says about uncertainty, given what was asked and obtained. */
function uncertaintyAdvice(bootstrap: number, measured: boolean): string {
  if (bootstrap === 0) return "ask for bootstrap: 200 to see it";
  return measured
    ? "the bootstrap's standard errors and intervals show it"
    : "the bootstrap could not measure it, see below";
}

/** Few runs, and how the optimiser stopped (budget, or not converged). */
export function optimiserWarnings(
  fit: LseFit,
  runs: number,
  fewRuns: number,
  bootstrap: { asked: number; measured: boolean },
): string[] {
  const warnings: string[] = [];
  if (runs < fewRuns) {
    warnings.push(
      `Only ${runs} runs: the fit has ${fit.point.length} free parameters, so expect wide uncertainty (${uncertaintyAdvice(bootstrap.asked, bootstrap.measured)}).`,
    );
  }
  const gradient = readable(fit.gradientNorm);
  const others = fit.startsCut - (fit.stoppedByBudget ? 1 : 0);
  if (fit.stoppedByBudget) {
    warnings.push(
      `The fit stopped before converging: the work budget of a request ran out after ${fit.iterations} Newton steps from the best grid basin (gradient ${gradient})${others > 0 ? `, and ${others === fit.candidates - 1 ? "the" : `${others} of the`} other ${fit.candidates - 1} basins were stopped or skipped too` : ""}. Treat the constants as approximate. Each step is a pass over the ${formatGrouped(runs)} runs, so fewer runs leave room for more steps.`,
    );
  } else if (!fit.converged) {
    warnings.push(
      `The optimizer stopped before converging (gradient ${gradient} after ${fit.iterations} steps); treat the constants as approximate.`,
    );
  }
  if (!fit.stoppedByBudget && others > 0) {
    warnings.push(
      `The work budget of a request ran out before ${others} of ${fit.candidates} grid basins were refined to convergence: the best of the others is reported, and one of those might fit better.`,
    );
  }
  return warnings;
}

export function spanWarning(name: string, [low, high]: [number, number], least: number): string[] {
  const span = high / low;
  return span < least
    ? [
        `Narrow range: ${name} spans only ${significant(span, 3)}x (${formatScientific(low)} to ${formatScientific(high)}); exponents fitted over less than ${least}x are poorly constrained and extrapolation is risky.`,
      ]
    : [];
}

export function boundWarning(name: string, exponent: number): string[] {
  const bound = atBound(exponent);
  return bound
    ? [
        `${name} = ${significant(exponent, 4)} is at the ${bound} bound of [${EXPONENT_BOUNDS.min}, ${EXPONENT_BOUNDS.max}]: the data do not pin this exponent down.`,
      ]
    : [];
}

/** A figure for people: 3 significant digits, in scientific notation when tiny or large. */
function readable(x: number): string {
  const size = Math.abs(x);
  return size === 0 || (size >= 1e-3 && size < 1e5) ? significant(x, 3) : formatScientific(x);
}

/** A ratio for people: "85% of", "12 times", "1.8e22 times". */
function relativeText(ratio: number): string {
  if (!Number.isFinite(ratio)) return "more than 1e308 times";
  if (ratio < 10) return `${significant(ratio * 100, 2)}% of`;
  return `${ratio < 1e4 ? significant(ratio, 2) : formatScientific(ratio, 2)} times`;
}

/** Poorly determined constants (standard error over 50% of the value) and refits that stalled. */
export function uncertaintyWarnings<K extends string>(
  uncertainty: Uncertainty<K> | null,
  values: Record<K, number>,
  keys: readonly K[],
): string[] {
  if (!uncertainty) return [];
  const warnings: string[] = [];
  for (const key of keys) {
    const value = Math.abs(values[key]);
    const relative = uncertainty.standardErrors[key] / value;
    if (value > 0 && relative > 0.5) {
      warnings.push(
        `${key} is poorly determined: its bootstrap standard error (${readable(uncertainty.standardErrors[key])}) is ${relativeText(relative)} its value (${readable(value)}).`,
      );
    }
  }
  if (uncertainty.converged < uncertainty.resamples) {
    warnings.push(
      `${uncertainty.resamples - uncertainty.converged} of ${uncertainty.resamples} bootstrap refits stopped before converging (the statistics include them).`,
    );
  }
  return warnings;
}

/** Whether every statistic of a bootstrap is a finite number. */
function finiteStatistics<K extends string>(u: Uncertainty<K>): boolean {
  return [u.standardErrors, u.intervals95, u.intervals80].every((table) =>
    Object.values<number | [number, number]>(table).every((v) =>
      (Array.isArray(v) ? v : [v]).every(Number.isFinite),
    ),
  );
}

/**
 * The bootstrap as reported: null when too few finite refits remain for statistics (fewer than
 * MIN_BOOTSTRAP_REFITS, or than were asked) or a statistic overflowed; with warnings saying why,
 * and when the work budget stopped it early.
 */
export function settleBootstrap<K extends string>(
  uncertainty: Uncertainty<K>,
): { uncertainty: Uncertainty<K> | null; warnings: string[] } {
  const { requested, resamples, dropped } = uncertainty;
  const completed = resamples + dropped;
  const warnings: string[] = [];
  const enough = resamples >= Math.min(MIN_BOOTSTRAP_REFITS, requested);
  if (completed < requested) {
    warnings.push(
      `Bootstrap stopped after ${completed} of ${requested} resamples: the work budget of a request ran out${enough ? `, so the standard errors and intervals come from ${resamples} refits` : ""}. Refits of many runs that take many Newton steps cost the most; fewer runs leave room for more.`,
    );
  }
  if (dropped > 0) {
    warnings.push(
      `${dropped} of ${completed} bootstrap refits were left out: a constant overflowed (it is not a finite number).`,
    );
  }
  if (!enough) {
    warnings.push(
      `No bootstrap uncertainty: ${resamples} finite ${resamples === 1 ? "refit is" : "refits are"} too few for standard errors and intervals (at least ${Math.min(MIN_BOOTSTRAP_REFITS, requested)} needed).`,
    );
    return { uncertainty: null, warnings };
  }
  if (!finiteStatistics(uncertainty)) {
    warnings.push(
      "No bootstrap uncertainty: the refits' constants spread beyond the range of doubles, so their standard errors are not finite numbers.",
    );
    return { uncertainty: null, warnings };
  }
  return { uncertainty, warnings };
}

/** Coefficients a stored fit cannot hold: not finite, or (for `positive` ones) not above 0. */
export function unrepresentable<K extends string>(
  coefficients: Record<K, number>,
  positive: readonly K[],
): K[] {
  return (Object.keys(coefficients) as K[]).filter(
    (key) =>
      !Number.isFinite(coefficients[key]) || (positive.includes(key) && !(coefficients[key] > 0)),
  );
}

/** Why a law's constants do not fit in doubles, and what to do: rescale the runs' units. */
export function unrepresentableWarning<K extends string>(
  keys: readonly K[],
  features: Record<K, string>,
): string {
  const rescale = [...new Set(keys.map((key) => features[key]))].join(" and ");
  return `The law cannot be written in these runs' units: ${keys.join(" and ")} ${keys.length === 1 ? "is" : "are"} beyond the range of doubles (over 1.8e308, or under 5e-324 so that it rounds to 0), so the fit is not usable as it is and no bootstrap was run. Rescale ${rescale} by a power of ten (so that the runs sit near 1e9) and fit again.`;
}

/** C = 6ND for every run, clamped to the finite doubles, and a warning when any was outside. */
export function clampedFlops(
  params: readonly number[],
  tokens: readonly number[],
): { flops: number[]; warnings: string[] } {
  let outside = 0;
  let lowest = Number.POSITIVE_INFINITY;
  let highest = Number.NEGATIVE_INFINITY;
  const flops = params.map((n, i) => {
    const d = tokens[i]!;
    const c = 6 * n * d;
    if (c > 0 && Number.isFinite(c)) return c;
    outside++;
    const log10 = Math.log10(6) + Math.log10(n) + Math.log10(d);
    lowest = Math.min(lowest, log10);
    highest = Math.max(highest, log10);
    return c > 0 ? Number.MAX_VALUE : Number.MIN_VALUE;
  });
  const exponents = [lowest, highest].map((e) => `1e${Math.round(e)}`);
  const span = lowest === highest ? exponents[0] : `${exponents[0]} to ${exponents[1]}`;
  return {
    flops,
    warnings: outside
      ? [
          `C = 6ND is beyond the range of doubles for ${formatGrouped(outside)} ${outside === 1 ? "run" : "runs"} (about ${span} FLOPs), so range.flops stops at 5e-324 or 1.8e308. No real training run comes near: check the units of params and tokens.`,
        ]
      : [],
  };
}
