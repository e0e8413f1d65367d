// biome-ignore-all lint/style/noNonNullAssertion: numeric code indexes arrays within their bounds.
import { formatScientific, significant } from "../format.ts";
import { bootstrapFit, MAX_BOOTSTRAP, MAX_BOOTSTRAP_WORK, type Uncertainty } from "./bootstrap.ts";
import {
  type ComputeCoefficients,
  computeCoefficients,
  computeLossOf,
  fitCompute,
} from "./compute.ts";
import { EXPONENT_BOUNDS, type LseFit } from "./lse-fit.ts";
import { HUBER_DELTA, residualsOf } from "./objective.ts";
import {
  fitParametric,
  flopsOfRun,
  type ParametricCoefficients,
  parametricCoefficients,
  parametricLossOf,
} from "./parametric.ts";
import type { Random } from "./random.ts";
import { type ComputeRun, type ParametricRun, type Runs, rangeOf, runsIssue } from "./runs.ts";

export interface FitOptions {
  /** Bootstrap resamples, 0 for none (at most MAX_BOOTSTRAP). */
  bootstrap: number;
  /** Seeded uniform source for the bootstrap. */
  random: Random;
}

/** Log-space residuals rᵢ = log L̂ᵢ − log Lᵢ (≈ relative error) at the optimum. */
export interface ResidualStatistics {
  count: number;
  rms: number;
  mean: number;
  medianAbs: number;
  maxAbs: number;
  /** Runs with |r| ≤ δ (the quadratic part of the Huber loss). */
  withinDelta: number;
  /** The run with the largest |r|, with its fitted loss. */
  worst: (ParametricRun | ComputeRun) & { predicted: number };
}

interface ReportCommon {
  runs: number;
  /** The law with its fitted constants, for people. */
  law: string;
  /** Σ Huber_δ(rᵢ) at the optimum (δ = 1e-3, summed, Hoffmann et al. App. D.2). */
  objective: number;
  /** Newton steps of the winning start. */
  iterations: number;
  converged: boolean;
  /** Grid basins refined. */
  starts: number;
  method: string;
  residuals: ResidualStatistics;
  /** [smallest, largest] N, D and C = 6ND (C as given for compute runs). */
  range: {
    params: [number, number] | null;
    tokens: [number, number] | null;
    flops: [number, number];
  };
  warnings: string[];
}

export type ParametricQuantity = keyof ParametricCoefficients | "allocationParams";
export type ComputeQuantity = keyof ComputeCoefficients;

export type FitReport =
  | (ReportCommon & {
      kind: "parametric";
      coefficients: ParametricCoefficients;
      /** N_opt ∝ C^a, D_opt ∝ C^b with a = β/(α+β), b = α/(α+β) (Hoffmann et al. eq. 4). */
      allocationExponents: { params: number; tokens: number };
      uncertainty: Uncertainty<ParametricQuantity> | null;
    })
  | (ReportCommon & {
      kind: "compute";
      coefficients: ComputeCoefficients;
      allocationExponents: null;
      uncertainty: Uncertainty<ComputeQuantity> | null;
    });

const METHOD =
  "Minimises Σ Huber_δ(log L̂ − log L), δ = 1e-3, summed over runs, in log space with a log-sum-exp (Hoffmann et al. 2022 App. D.2; Besiroglu et al. 2024): an exact non-negative least-squares screen over a grid of exponents, then a damped Newton method with the exact gradient and Hessian from the best grid basins.";

/** The report fields every law shares: how the optimiser went, and the residuals. */
function optimiserReport(
  fit: LseFit,
  problem: Parameters<typeof residualsOf>[0],
  runs: readonly (ParametricRun | ComputeRun)[],
) {
  return {
    objective: fit.objective,
    iterations: fit.iterations,
    converged: fit.converged,
    starts: fit.starts,
    method: METHOD,
    residuals: residualStatistics(residualsOf(problem, fit.point), runs),
  };
}

function residualStatistics(
  residuals: Float64Array,
  runs: readonly (ParametricRun | ComputeRun)[],
): ResidualStatistics {
  const n = residuals.length;
  const abs = Array.from(residuals, Math.abs).sort((a, b) => a - b);
  let worstIndex = 0;
  for (let i = 1; i < n; i++) {
    if (Math.abs(residuals[i]!) > Math.abs(residuals[worstIndex]!)) worstIndex = i;
  }
  const worstRun = runs[worstIndex]!;
  return {
    count: n,
    rms: Math.sqrt(residuals.reduce((s, r) => s + r * r, 0) / n),
    mean: residuals.reduce((s, r) => s + r, 0) / n,
    medianAbs: n % 2 ? abs[(n - 1) / 2]! : (abs[n / 2 - 1]! + abs[n / 2]!) / 2,
    maxAbs: abs[n - 1]!,
    withinDelta: abs.filter((r) => r <= HUBER_DELTA).length,
    worst: { ...worstRun, predicted: worstRun.loss * Math.exp(residuals[worstIndex]!) },
  };
}

function correlation(x: readonly number[], y: readonly number[]): number {
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

function commonWarnings(fit: LseFit, runs: number, fewRuns: number): string[] {
  const warnings: string[] = [];
  if (runs < fewRuns) {
    warnings.push(
      `Only ${runs} runs: the fit has ${fit.point.length} free parameters, so expect wide uncertainty (ask for bootstrap: 200 to see it).`,
    );
  }
  if (!fit.converged) {
    warnings.push(
      `The optimizer stopped before converging (gradient ${formatScientific(fit.gradientNorm)} after ${fit.iterations} steps); treat the constants as approximate.`,
    );
  }
  return warnings;
}

function spanWarning(name: string, [low, high]: [number, number], least: number): string[] {
  const span = high / low;
  return span < least
    ? [
        `Narrow range: ${name} spans only ${significant(span, 3)}x (${formatScientific(low)} to ${formatScientific(high)}); exponents fitted over less than ${least}x are poorly constrained and extrapolation is risky.`,
      ]
    : [];
}

function boundWarning(name: string, exponent: number): string[] {
  const bound = atBound(exponent);
  return bound
    ? [
        `${name} = ${significant(exponent, 4)} is at the ${bound} bound of [${EXPONENT_BOUNDS.min}, ${EXPONENT_BOUNDS.max}]: the data do not pin this exponent down.`,
      ]
    : [];
}

function uncertaintyWarnings<K extends string>(
  uncertainty: Uncertainty<K> | null,
  values: Record<K, number>,
  keys: readonly K[],
): string[] {
  if (!uncertainty) return [];
  const warnings: string[] = [];
  for (const key of keys) {
    const relative = uncertainty.standardErrors[key] / Math.abs(values[key]);
    if (relative > 0.5) {
      warnings.push(
        `${key} is poorly determined: its bootstrap standard error is ${Math.round(relative * 100)}% of its value.`,
      );
    }
  }
  if (uncertainty.converged < uncertainty.resamples) {
    warnings.push(
      `${uncertainty.resamples - uncertainty.converged} of ${uncertainty.resamples} bootstrap refits stopped before converging.`,
    );
  }
  return warnings;
}

function validate(input: Runs, options: FitOptions) {
  const issue = runsIssue(input);
  if (issue) {
    const where = issue.index === null ? "runs" : `runs[${issue.index}].${issue.field}`;
    throw new RangeError(`${where}: ${issue.message}`);
  }
  const { bootstrap } = options;
  if (!Number.isInteger(bootstrap) || bootstrap < 0 || bootstrap > MAX_BOOTSTRAP) {
    throw new RangeError(`bootstrap: expected an integer from 0 to ${MAX_BOOTSTRAP}`);
  }
  if (bootstrap * input.runs.length > MAX_BOOTSTRAP_WORK) {
    throw new RangeError(`bootstrap × runs must be at most ${MAX_BOOTSTRAP_WORK}`);
  }
}

function fitParametricReport(runs: readonly ParametricRun[], options: FitOptions): FitReport {
  const { prepared, fit, coefficients } = fitParametric(runs);
  const { E, A, B, alpha, beta } = coefficients;
  const allocationParams = beta / (alpha + beta);
  const uncertainty =
    options.bootstrap > 0
      ? bootstrapFit<ParametricQuantity>(
          prepared.problem,
          fit.point,
          options.bootstrap,
          options.random,
          (point) => {
            const c = parametricCoefficients(point, prepared.centre);
            return { ...c, allocationParams: c.beta / (c.alpha + c.beta) };
          },
        )
      : null;
  const sorted = prepared.runs;
  const params = rangeOf(sorted.map((r) => r.params));
  const tokens = rangeOf(sorted.map((r) => r.tokens));
  const warnings = [
    ...commonWarnings(fit, sorted.length, 20),
    ...spanWarning("N (params)", params, 10),
    ...spanWarning("D (tokens)", tokens, 10),
  ];
  const logN = sorted.map((r) => Math.log(r.params));
  const logD = sorted.map((r) => Math.log(r.tokens));
  if (Math.abs(correlation(logN, logD)) > 0.98) {
    warnings.push(
      "N and D grow together in these runs (|correlation of log N and log D| > 0.98), so A/N^α and B/D^β cannot be told apart; vary the tokens per parameter at a fixed compute (IsoFLOP runs).",
    );
  }
  warnings.push(...boundWarning("α", alpha), ...boundWarning("β", beta));
  for (const [name, share] of [
    [
      "A",
      Math.max(
        ...sorted.map(
          (r) => A / r.params ** alpha / parametricLossOf(coefficients, r.params, r.tokens),
        ),
      ),
    ],
    [
      "B",
      Math.max(
        ...sorted.map(
          (r) => B / r.tokens ** beta / parametricLossOf(coefficients, r.params, r.tokens),
        ),
      ),
    ],
  ] as const) {
    if (share < 0.01) {
      warnings.push(
        `${name} is poorly determined: its term is under 1% of the fitted loss on every run.`,
      );
    }
  }
  if (E < 1e-6 * Math.min(...sorted.map((r) => r.loss))) {
    warnings.push("The irreducible loss E went to zero: the runs show no floor.");
  }
  warnings.push(
    ...uncertaintyWarnings<ParametricQuantity>(uncertainty, { ...coefficients, allocationParams }, [
      "A",
      "B",
    ]),
  );
  return {
    kind: "parametric",
    runs: sorted.length,
    coefficients,
    law: `L = ${significant(E, 5)} + ${significant(A, 5)}/N^${significant(alpha, 5)} + ${significant(B, 5)}/D^${significant(beta, 5)}`,
    ...optimiserReport(fit, prepared.problem, sorted),
    range: { params, tokens, flops: rangeOf(sorted.map(flopsOfRun)) },
    allocationExponents: { params: allocationParams, tokens: alpha / (alpha + beta) },
    warnings,
    uncertainty,
  };
}

function fitComputeReport(runs: readonly ComputeRun[], options: FitOptions): FitReport {
  const { prepared, fit, coefficients } = fitCompute(runs);
  const { a, b, c } = coefficients;
  const uncertainty =
    options.bootstrap > 0
      ? bootstrapFit<ComputeQuantity>(
          prepared.problem,
          fit.point,
          options.bootstrap,
          options.random,
          (point) => computeCoefficients(point, prepared.centre),
        )
      : null;
  const sorted = prepared.runs;
  const flops = rangeOf(sorted.map((r) => r.flops));
  const warnings = [
    ...commonWarnings(fit, sorted.length, 8),
    ...spanWarning("C (flops)", flops, 100),
    ...boundWarning("−b", -b),
  ];
  if (
    Math.max(...sorted.map((r) => (a * r.flops ** b) / computeLossOf(coefficients, r.flops))) < 0.01
  ) {
    warnings.push("a is poorly determined: a·C^b is under 1% of the fitted loss on every run.");
  }
  if (c < 1e-6 * Math.min(...sorted.map((r) => r.loss))) {
    warnings.push("The irreducible loss c went to zero: the runs show no floor.");
  }
  warnings.push(...uncertaintyWarnings<ComputeQuantity>(uncertainty, coefficients, ["a", "c"]));
  return {
    kind: "compute",
    runs: sorted.length,
    coefficients,
    law: `L = ${significant(a, 5)}·C^${significant(b, 5)} + ${significant(c, 5)}`,
    ...optimiserReport(fit, prepared.problem, sorted),
    range: { params: null, tokens: null, flops },
    allocationExponents: null,
    warnings,
    uncertainty,
  };
}

/**
 * Fits a loss law to a user's runs: L = E + A/N^α + B/D^β for {params, tokens, loss} runs, or
 * L(C) = a·C^b + c for {flops, loss} runs, with residual statistics, warnings and (when asked)
 * bootstrap uncertainty. Pure and deterministic: the same runs (in any order), options and seed
 * give the same report. Throws RangeError for input outside the limits (the API checks first).
 */
export function fitRuns(input: Runs, options: FitOptions): FitReport {
  validate(input, options);
  return input.kind === "parametric"
    ? fitParametricReport(input.runs, options)
    : fitComputeReport(input.runs, options);
}
