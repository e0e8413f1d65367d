import type { FitDefinition } from "../core/fits/schema.ts";
import { rangeOf } from "../core/fitting/runs.ts";
import { evaluate, type FrontierOptions, frontierOf } from "../core/frontier.ts";
import { hasLossLaw, kaplanLoss, type LossFit, parametricLoss, predictLoss } from "../core/loss.ts";
import { paramsIntervalAt } from "../core/planning/intervals.ts";
import { TRAINING_FLOPS_PER_PARAM_TOKEN as SIX } from "../core/units.ts";

/** Okabe & Ito (2008) colour-blind-safe palette, without yellow (too pale on white). */
export const PALETTE = [
  "#0072B2",
  "#D55E00",
  "#009E73",
  "#CC79A7",
  "#E69F00",
  "#56B4E9",
  "#000000",
];

/** Dash patterns (SVG stroke-dasharray) so series differ by more than colour. */
const DASHES = ["", "7 4", "2 4", "10 4 2 4"];

export interface SeriesStyle {
  color: string;
  dash: string;
}

/** The colour and dash of the i-th series; unique for the first 28. */
export function seriesStyle(index: number): SeriesStyle {
  return {
    color: PALETTE[index % PALETTE.length] ?? "#000000",
    dash: DASHES[Math.floor(index / PALETTE.length) % DASHES.length] ?? "",
  };
}

/** A point of a chart in data units. */
export interface Point {
  x: number;
  y: number;
}

/**
 * The compute-optimal frontier N_opt(C) of a fit between two budgets (FLOPs). Every frontier
 * is a power law of C, a straight line on log-log axes, so its two end points draw it exactly.
 */
export function frontierSegment(
  fit: FitDefinition,
  flopsRange: readonly [number, number],
  options: FrontierOptions,
): [Point, Point] {
  const { params } = frontierOf(fit, options);
  const [low, high] = flopsRange;
  return [
    { x: low, y: evaluate(params, low) },
    { x: high, y: evaluate(params, high) },
  ];
}

/** Most points sampled along one isoFLOP curve. */
export const MAX_ISOFLOP_POINTS = 200;

export interface IsoflopCurve {
  /** (N, L) samples: parameters and loss in nats per token, N ascending. */
  points: Point[];
  /** The lowest loss of the curve and where it is (N, L). */
  optimum: Point;
}

/** L(N, D) under a fit's own loss law (eq. 2 for parametric fits, eq. 1.5 for Kaplan). */
function lossAt(fit: LossFit, params: number, tokens: number): number {
  return fit.kind === "parametric"
    ? parametricLoss(fit, params, tokens)
    : kaplanLoss(fit, params, tokens);
}

/**
 * The loss along an isoFLOP line: L(N, C/(6N)) for N log-spaced over `spanDecades` either side
 * of the curve's minimum, with the minimum itself (closed form, see predictLoss). Returns null
 * for fits without a loss law or a budget that gives no finite curve.
 * @param flops training compute C, FLOPs (C = 6ND)
 */
export function isoflopCurve(
  fit: FitDefinition,
  flops: number,
  { points = 41, spanDecades = 1.5 }: { points?: number; spanDecades?: number } = {},
): IsoflopCurve | null {
  if (!hasLossLaw(fit) || !(flops > 0) || !Number.isFinite(flops)) return null;
  const count = Math.min(Math.max(Math.round(points), 3), MAX_ISOFLOP_POINTS);
  const best = predictLoss(fit, Math.sqrt(flops / SIX), Math.sqrt(flops / SIX));
  const center = Math.log10(best.optimalParams);
  const samples: Point[] = [];
  for (let i = 0; i < count; i++) {
    const params = 10 ** (center - spanDecades + (2 * spanDecades * i) / (count - 1));
    samples.push({ x: params, y: lossAt(fit, params, flops / (SIX * params)) });
  }
  const optimum = { x: best.optimalParams, y: best.optimalLoss };
  const finite = (p: Point) => Number.isFinite(p.x) && Number.isFinite(p.y) && p.x > 0;
  if (!samples.every(finite) || !finite(optimum)) return null;
  return { points: samples, optimum };
}

/** [min, max] of the values, or the fallback when there are none. */
export function extent(values: readonly number[], fallback: [number, number]): [number, number] {
  return values.length === 0 ? fallback : rangeOf(values);
}

/** Budgets sampled along a frontier's interval band (bounded; the band edges are smooth). */
export const BAND_SAMPLES = 11;

/** An interval band along a frontier: the low and high edges at the same budgets. */
export interface Band {
  low: Point[];
  high: Point[];
  level: number;
}

/**
 * The 80% interval band of N_opt(C) between two budgets, from the core's allocation intervals
 * at BAND_SAMPLES log-spaced budgets; null for fits that publish no uncertainty.
 */
export function frontierBand(
  fit: FitDefinition,
  flopsRange: readonly [number, number],
  options: FrontierOptions,
): Band | null {
  // Fit documents never change, and most pages draw the same range: draw each band once.
  let bands = BANDS.get(fit);
  if (!bands) {
    bands = new Map();
    BANDS.set(fit, bands);
  }
  const key = `${flopsRange[0]}:${flopsRange[1]}:${options.kaplanBudget}`;
  const known = bands.get(key);
  if (known !== undefined) return known;
  const band = computeBand(fit, flopsRange, options);
  bands.set(key, band);
  if (bands.size > BANDS_PER_FIT) {
    const oldest = bands.keys().next().value;
    if (oldest !== undefined) bands.delete(oldest);
  }
  return band;
}

/** Bands one fit keeps drawn (by range and convention); fits are garbage-collected with them. */
const BANDS_PER_FIT = 8;
const BANDS = new WeakMap<FitDefinition, Map<string, Band | null>>();

function computeBand(
  fit: FitDefinition,
  flopsRange: readonly [number, number],
  options: FrontierOptions,
): Band | null {
  if (!fit.uncertainty || !fit.measuredRange) return null;
  const frontier = frontierOf(fit, options);
  const [from, to] = [Math.log10(flopsRange[0]), Math.log10(flopsRange[1])];
  const low: Point[] = [];
  const high: Point[] = [];
  const level = 0.8;
  for (let i = 0; i < BAND_SAMPLES; i++) {
    const flops = 10 ** (from + ((to - from) * i) / (BAND_SAMPLES - 1));
    const params = evaluate(frontier.params, flops);
    const tokens = evaluate(frontier.tokens, flops);
    const range = paramsIntervalAt(fit, flops, params, tokens, options);
    if (!range) return null;
    const [lo, hi] = range;
    if (!(lo > 0 && Number.isFinite(hi))) return null;
    low.push({ x: flops, y: lo });
    high.push({ x: flops, y: hi });
  }
  return { low, high, level };
}
