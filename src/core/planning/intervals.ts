import type { FitDefinition } from "../fits/schema.ts";
import { type FrontierOptions, frontierOf } from "../frontier.ts";

/** 80% intervals of an allocation, from the fit's published uncertainty. */
export interface AllocationIntervals {
  params: [number, number];
  tokens: [number, number];
  loss?: [number, number];
  level: 0.8;
  method: string;
}

/**
 * 80% intervals on N_opt and D_opt at budget C from the published interval of the exponent a
 * (N_opt ∝ C^a): the frontier pivots at the geometric centre C₀ of the fit's measured range,
 * N(C) = N_fit(C₀)·(C/C₀)^a for a at either end of the interval, and D = C/(6N) so each end
 * still spends C. When the fit's own exponent lies outside the published interval (Hoffmann et
 * al. approach 3, Table 2), the interval is re-centred on it with its published width. A loss
 * interval is added where the irreducible loss E has a published interval. Closed form: no
 * sampling, so it is deterministic and bounded. Returns null for fits without published
 * uncertainty.
 */
export function allocationIntervals(
  fit: FitDefinition,
  flops: number,
  params: number,
  tokens: number,
  loss: number | null,
  options: FrontierOptions,
): AllocationIntervals | null {
  const uncertainty = fit.uncertainty;
  if (!uncertainty || !fit.measuredRange) return null;
  const frontier = frontierOf(fit, options);
  const a = frontier.params.exponent;
  let [low, high] = uncertainty.paramsExponent;
  if (a < low || a > high) {
    const halfWidth = (high - low) / 2;
    [low, high] = [a - halfWidth, a + halfWidth];
  }
  const [rangeLow, rangeHigh] = fit.measuredRange.flops;
  const pivot = Math.sqrt(rangeLow * rangeHigh);
  const ratio = flops / pivot;
  const paramsAt = (exponent: number) => params * ratio ** (exponent - a);
  const ends = [paramsAt(low), paramsAt(high)].sort((x, y) => x - y) as [number, number];
  const scale = tokens * params;
  const intervals: AllocationIntervals = {
    params: ends,
    tokens: [scale / ends[1], scale / ends[0]],
    level: 0.8,
    method: `exponent a in [${round(low)}, ${round(high)}] (${uncertainty.source}), pivoting at ${pivot.toExponential(2)} FLOPs, the centre of the fit's data`,
  };
  if (loss !== null && uncertainty.irreducibleLoss && fit.kind === "parametric") {
    const [eLow, eHigh] = uncertainty.irreducibleLoss;
    intervals.loss = [loss + eLow - fit.E, loss + eHigh - fit.E];
    intervals.method += "; loss from the interval of E only";
  }
  return intervals;
}

function round(x: number): number {
  return Number(x.toPrecision(4));
}
