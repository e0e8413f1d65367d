import type { Question } from "../allocate.ts";
import type { FitBootstrap, FitDefinition, ParametricFit } from "../fits/schema.ts";
import { quantile } from "../fitting/bootstrap.ts";
import { formatScientific } from "../format.ts";
import { evaluate, type Frontier, type FrontierOptions, frontierOf, invert } from "../frontier.ts";
import { computeForLoss, frontierLoss } from "../loss.ts";
import { TRAINING_FLOPS_PER_PARAM_TOKEN as SIX } from "../units.ts";

/** [low, high]. */
export type Range = [number, number];

/** What was asked: a budget, a model size, a data size or a target loss. */
type QuantityKind = Question["kind"];

/**
 * 80% intervals of an allocation. The asked quantity is exact: `params` or `tokens` is then
 * [value, value], and `flops` (budget questions) or `loss` (loss questions) is absent.
 */
export interface AllocationIntervals {
  /** N, parameters. */
  params: Range;
  /** D, training tokens. */
  tokens: Range;
  /** D/N. */
  tokensPerParam: Range;
  /** C, FLOPs: the budget that answers a params, tokens or loss question. */
  flops?: Range;
  /** Loss, nats per token; absent when the allocation has no loss or none is derived. */
  loss?: Range;
  level: 0.8;
  /**
   * `bootstrap`: every constant of the law varies (refits of the fit's runs). `exponent-only`:
   * only the published interval of the exponent a, so the interval vanishes at the pivot.
   */
  covers: "bootstrap" | "exponent-only";
  method: string;
}

/** The point allocation the intervals belong to (the question's own value among them). */
export interface IntervalPoint {
  flops: number;
  params: number;
  tokens: number;
  /** Null without a loss law or when the loss is withheld: then no loss interval. */
  loss: number | null;
}

const ASKED: Record<QuantityKind, string> = {
  flops: "budget",
  params: "model size",
  tokens: "data size",
  loss: "target loss",
};

/** One law (a refit, or the full-data fit) with its eq. (4) frontier computed once. */
interface Law {
  fit: ParametricFit;
  frontier: Frontier;
}

/** The full-data fit and the refits of a fit's bootstrap. */
interface Laws {
  centre: Law;
  samples: readonly Law[];
}

/** Per-fit laws; fit documents are immutable, so a fit object's laws never change. */
const LAWS = new WeakMap<FitDefinition, Laws>();

function lawsOf(fit: ParametricFit, bootstrap: FitBootstrap): Laws {
  const cached = LAWS.get(fit);
  if (cached) return cached;
  const lawOf = ([E, A, B, alpha, beta]: FitBootstrap["centre"]): Law => {
    const law: ParametricFit = { ...fit, E, A, B, alpha, beta };
    // A parametric frontier does not depend on the Kaplan budget convention.
    return { fit: law, frontier: frontierOf(law, { kaplanBudget: "critical" }) };
  };
  const laws = { centre: lawOf(bootstrap.centre), samples: bootstrap.samples.map(lawOf) };
  LAWS.set(fit, laws);
  return laws;
}

/** 10th and 90th percentiles (type 7), or null when either is not finite. */
function percentiles(values: Float64Array): Range | null {
  values.sort();
  const range: Range = [quantile(values, 0.1), quantile(values, 0.9)];
  return range.every(Number.isFinite) ? range : null;
}

/** One law's answer: C (FLOPs), N, D, D/N and loss (nats per token). */
type Answer = Record<(typeof QUANTITIES)[number], number>;

/** The quantities a bootstrap interval is taken of. */
const QUANTITIES = ["params", "tokens", "tokensPerParam", "flops", "loss"] as const;

/**
 * A law's closed-form answer to the question (Hoffmann et al. 2022 eq. 4 frontier, eq. 2
 * loss): a budget C gives N_opt(C), D_opt(C), L*(C); a params (tokens) question the C at which
 * that size is optimal; a target loss C = 6·(K/(L−E))^(1/γ), unbounded when L ≤ E.
 */
function answerOf(
  law: Law,
  question: QuantityKind,
  point: IntervalPoint,
  options: FrontierOptions,
): Answer {
  const { fit, frontier } = law;
  const givenLoss = point.loss ?? Number.NaN;
  let flops: number;
  if (question === "flops") flops = point.flops;
  else if (question === "params") flops = invert(frontier.params, point.params);
  else if (question === "tokens") flops = invert(frontier.tokens, point.tokens);
  else {
    const reach = computeForLoss(fit, givenLoss, options);
    if (!reach.ok) {
      // Never reached: C, N and D are unbounded, and D/N tends to 0 or ∞ as C grows.
      const ratio = frontier.tokens.exponent > frontier.params.exponent ? Infinity : 0;
      return {
        params: Infinity,
        tokens: Infinity,
        tokensPerParam: ratio,
        flops: Infinity,
        loss: givenLoss,
      };
    }
    flops = reach.flops;
  }
  const params = question === "params" ? point.params : evaluate(frontier.params, flops);
  const tokens = question === "tokens" ? point.tokens : flops / (SIX * params);
  const loss =
    question === "loss" || point.loss === null
      ? givenLoss
      : (frontierLoss(fit, flops, options) ?? Number.NaN);
  return { params, tokens, tokensPerParam: tokens / params, flops, loss };
}

/**
 * Bootstrap intervals: each refit's answer to the same question ({@link answerOf}), carried
 * to this fit's own answer as its ratio to the full-data fit's answer (a difference for the
 * loss), since the refits spread around the full-data fit and the published constants are
 * rounded; then the 10th-90th percentiles of each quantity. Null when an end is unbounded
 * (over 10% of the refits cannot reach a target loss, their E being at or above it).
 */
function bootstrapIntervals(
  fit: ParametricFit,
  bootstrap: FitBootstrap,
  question: QuantityKind,
  point: IntervalPoint,
  options: FrontierOptions,
): AllocationIntervals | null {
  const { centre, samples } = lawsOf(fit, bootstrap);
  const reference = answerOf(centre, question, point, options);
  if (!Number.isFinite(reference.flops)) return null;
  const own: Answer = {
    ...point,
    tokensPerParam: point.tokens / point.params,
    loss: point.loss ?? Number.NaN,
  };
  const columns = QUANTITIES.map(() => new Float64Array(samples.length));
  for (let i = 0; i < samples.length; i++) {
    const answer = answerOf(samples[i] as Law, question, point, options);
    QUANTITIES.forEach((key, k) => {
      (columns[k] as Float64Array)[i] = answer[key];
    });
  }
  const [params, tokens, tokensPerParam, flops, loss] = QUANTITIES.map((key, k) => {
    const values = columns[k] as Float64Array;
    const ratio = own[key] / reference[key];
    const offset = own[key] - reference[key];
    for (let i = 0; i < values.length; i++) {
      values[i] = key === "loss" ? (values[i] as number) + offset : (values[i] as number) * ratio;
    }
    return percentiles(values);
  });
  if (!params || !tokens || !tokensPerParam || !flops) return null;
  const intervals: AllocationIntervals = {
    params,
    tokens,
    tokensPerParam,
    level: 0.8,
    covers: "bootstrap",
    method: `10th-90th percentiles of the closed-form answer (Hoffmann et al. eq. 4 frontier, eq. 2 loss) over ${samples.length} ${bootstrap.method}, seed ${bootstrap.seed}, carried to this fit's constants as the ratio to the full-data fit's answer (the difference, for the loss); the ${ASKED[question]} asked is exact`,
  };
  if (question !== "flops") intervals.flops = flops;
  if (loss && question !== "loss" && point.loss !== null) intervals.loss = loss;
  return intervals;
}

/**
 * Exponent-only intervals from the published 80% interval of a in N_opt ∝ C^a (Hoffmann et al.
 * 2022, Table 2): the frontier pivots at the geometric centre C₀ of the fit's measured range,
 * N(C) = N_fit(C₀)·(C/C₀)^a′ for a′ at either end and D = C/(6N). A budget question varies N and
 * D at the budget; a params (tokens) question varies the budget C₀·(N/N_fit(C₀))^(1/a′) (with
 * 1 − a′ for tokens) at which the asked size is optimal. Only the exponent varies, so every
 * interval vanishes at C₀. When the fit's own exponent lies outside the published interval
 * (approach 3), the interval is re-centred on it with its published width. Where the irreducible
 * loss E has an interval (user fits), the loss moves with E alone.
 */
function exponentIntervals(
  fit: FitDefinition,
  uncertainty: NonNullable<FitDefinition["uncertainty"]>,
  measured: [number, number],
  question: QuantityKind,
  point: IntervalPoint,
  options: FrontierOptions,
): AllocationIntervals {
  const frontier = frontierOf(fit, options);
  const a = frontier.params.exponent;
  let [low, high] = uncertainty.paramsExponent;
  if (a < low || a > high) {
    const halfWidth = (high - low) / 2;
    [low, high] = [a - halfWidth, a + halfWidth];
  }
  const pivot = Math.sqrt(measured[0] * measured[1]);
  const pivotParams = evaluate(frontier.params, pivot);
  const pivotTokens = pivot / (SIX * pivotParams);
  // Each end scales the point answer, so a′ = a returns the point itself.
  const end = (exponent: number) => {
    if (question === "params") {
      const flops = pivot * (point.params / pivotParams) ** (1 / exponent);
      return { flops, params: point.params, tokens: (point.tokens * flops) / point.flops };
    }
    if (question === "tokens") {
      const flops = pivot * (point.tokens / pivotTokens) ** (1 / (1 - exponent));
      return { flops, params: (point.params * flops) / point.flops, tokens: point.tokens };
    }
    const params = point.params * (point.flops / pivot) ** (exponent - a);
    return { flops: point.flops, params, tokens: (point.tokens * point.params) / params };
  };
  const ends = [end(low), end(high)];
  const range = (f: (e: (typeof ends)[number]) => number): Range => {
    const [x, y] = ends.map(f) as Range;
    return x <= y ? [x, y] : [y, x];
  };
  const inverse = question === "params" || question === "tokens";
  let method = `covers the exponent only: a in [${round(low)}, ${round(high)}] (${uncertainty.source}), pivoting at ${formatScientific(pivot, 3)} FLOPs, the geometric centre of the fit's data, where the interval vanishes; the ${ASKED[question]} asked is exact`;
  if (question === "loss") method += ", and the budget for it has no interval";
  const intervals: AllocationIntervals = {
    params: range((e) => e.params),
    tokens: range((e) => e.tokens),
    tokensPerParam: range((e) => e.tokens / e.params),
    ...(inverse ? { flops: range((e) => e.flops) } : {}),
    level: 0.8,
    covers: "exponent-only",
    method,
  };
  const irreducible = uncertainty.irreducibleLoss;
  if (irreducible && fit.kind === "parametric" && point.loss !== null && question !== "loss") {
    intervals.loss = [point.loss + irreducible[0] - fit.E, point.loss + irreducible[1] - fit.E];
    intervals.method += "; loss from the interval of E only";
  }
  return intervals;
}

/**
 * 80% intervals of an allocation from the fit's uncertainty, for the question asked (a budget
 * in FLOPs by default, or a model size, data size or target loss), in closed form over bounded
 * data: deterministic, no sampling at request time.
 *
 * - Fits with bootstrap refits (epoch-2024: 201 refits of the 240 digitized Chinchilla runs)
 *   get the 10th-90th percentiles of each refit's answer (`covers: "bootstrap"`).
 * - Fits with only a published exponent interval (Hoffmann et al. 2022 Table 2, user fits) get
 *   the pivot construction (`covers: "exponent-only"`), which vanishes at the pivot budget.
 *
 * Returns null for fits without uncertainty or a measured range, and when a bootstrap interval
 * is unbounded.
 * @param flops training compute C of the allocation, FLOPs
 * @param params N of the allocation, parameters
 * @param tokens D of the allocation, tokens
 * @param loss the allocation's loss, nats per token, or null for no loss interval
 */
export function allocationIntervals(
  fit: FitDefinition,
  flops: number,
  params: number,
  tokens: number,
  loss: number | null,
  options: FrontierOptions,
  question: QuantityKind = "flops",
): AllocationIntervals | null {
  const uncertainty = fit.uncertainty;
  if (!uncertainty || !fit.measuredRange) return null;
  const point = { flops, params, tokens, loss };
  if (uncertainty.bootstrap && fit.kind === "parametric") {
    return bootstrapIntervals(fit, uncertainty.bootstrap, question, point, options);
  }
  return exponentIntervals(fit, uncertainty, fit.measuredRange.flops, question, point, options);
}

/**
 * The 80% interval of N_opt at a budget alone, for drawing bands: the same numbers as
 * {@link allocationIntervals}' `params` for a budget question, computing only N per refit.
 * @param flops training compute C, FLOPs
 */
export function paramsIntervalAt(
  fit: FitDefinition,
  flops: number,
  params: number,
  tokens: number,
  options: FrontierOptions,
): Range | null {
  const bootstrap = fit.uncertainty?.bootstrap;
  if (!bootstrap || fit.kind !== "parametric" || !fit.measuredRange) {
    return allocationIntervals(fit, flops, params, tokens, null, options)?.params ?? null;
  }
  const { centre, samples } = lawsOf(fit, bootstrap);
  const values = new Float64Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    values[i] = evaluate((samples[i] as Law).frontier.params, flops);
  }
  const ratio = params / evaluate(centre.frontier.params, flops);
  const range = percentiles(values);
  return range && [range[0] * ratio, range[1] * ratio];
}

function round(x: number): number {
  return Number(x.toPrecision(4));
}
