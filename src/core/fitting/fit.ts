// biome-ignore-all lint/style/noNonNullAssertion: numeric code indexes arrays within their bounds.
import { formatGrouped, significant } from "../format.ts";
import { bootstrapFit, MAX_BOOTSTRAP, MAX_BOOTSTRAP_WORK, type Uncertainty } from "./bootstrap.ts";
import {
  COMPUTE_GRID,
  type ComputeCoefficients,
  computeCoefficients,
  fitCompute,
} from "./compute.ts";
import {
  boundWarning,
  clampedFlops,
  correlation,
  optimiserWarnings,
  settleBootstrap,
  spanWarning,
  uncertaintyWarnings,
  unrepresentable,
  unrepresentableWarning,
} from "./fit-warnings.ts";
import { type LseFit, minimumFitWork } from "./lse-fit.ts";
import { type LseProblem, residualsOf } from "./objective.ts";
import {
  fitParametric,
  PARAMETRIC_GRID,
  type ParametricCoefficients,
  parametricCoefficients,
} from "./parametric.ts";
import type { Random } from "./random.ts";
import {
  type ComputeQuantity,
  type FitReport,
  largestTermShares,
  METHOD,
  type ParametricQuantity,
  residualStatistics,
} from "./report.ts";
import { type ComputeRun, type ParametricRun, type Runs, rangeOf, runsIssue } from "./runs.ts";
import { FIT_WORK_SHARE, MAX_FIT_WORK, WorkBudget } from "./work.ts";

export type {
  ComputeQuantity,
  FitReport,
  ParametricQuantity,
  ResidualStatistics,
} from "./report.ts";

export interface FitOptions {
  /** Bootstrap resamples, 0 for none (at most MAX_BOOTSTRAP). */
  bootstrap: number;
  /** Seeded uniform source for the bootstrap. */
  random: Random;
  /**
   * Run-evaluations the fit and its bootstrap may spend (MAX_FIT_WORK): the main fit at most
   * FIT_WORK_SHARE of it, the bootstrap the rest. A finite number, at least what the runs' fit
   * needs ({@link minimumFitWork} / FIT_WORK_SHARE).
   */
  workBudget?: number;
}

function validate(input: Runs, options: FitOptions) {
  const issue = runsIssue(input);
  if (issue) {
    const where = issue.index === null ? "runs" : `runs[${issue.index}].${issue.field}`;
    throw new RangeError(`${where}: ${issue.message}`);
  }
  const { bootstrap, workBudget = MAX_FIT_WORK } = options;
  if (!Number.isInteger(bootstrap) || bootstrap < 0 || bootstrap > MAX_BOOTSTRAP) {
    throw new RangeError(`bootstrap: expected an integer from 0 to ${MAX_BOOTSTRAP}`);
  }
  if (bootstrap * input.runs.length > MAX_BOOTSTRAP_WORK) {
    throw new RangeError(`bootstrap × runs must be at most ${MAX_BOOTSTRAP_WORK}`);
  }
  const [terms, grid] = input.kind === "parametric" ? [2, PARAMETRIC_GRID] : [1, COMPUTE_GRID];
  const least = Math.ceil(minimumFitWork(input.runs.length, terms, grid.length) / FIT_WORK_SHARE);
  if (!Number.isFinite(workBudget) || !(workBudget >= least)) {
    throw new RangeError(
      `workBudget: expected a finite number of run-evaluations, at least ${formatGrouped(least)} for ${input.runs.length} runs`,
    );
  }
}

/** The main fit's share of the request's budget (FIT_WORK_SHARE, whether or not it bootstraps). */
function fitBudgetOf(options: FitOptions): WorkBudget {
  return new WorkBudget(FIT_WORK_SHARE * (options.workBudget ?? MAX_FIT_WORK));
}

/**
 * What every law shares after its fit: the bootstrap on the rest of the budget (none when the
 * constants do not fit in doubles), the optimiser's report fields and the late warnings.
 */
function afterFit<K extends string, C extends string>(
  options: FitOptions,
  fitBudget: WorkBudget,
  fitted: {
    problem: LseProblem;
    fit: LseFit;
    coefficients: Record<C, number>;
    runs: readonly (ParametricRun | ComputeRun)[];
  },
  positive: readonly C[],
  features: Record<C, string>,
  quantities: (point: Float64Array) => Record<K, number>,
) {
  const { problem, fit, coefficients, runs } = fitted;
  const budget = options.workBudget ?? MAX_FIT_WORK;
  const broken = unrepresentable(coefficients, positive);
  const warnings = broken.length ? [unrepresentableWarning(broken, features)] : [];
  const bootstrapBudget = new WorkBudget(budget - fitBudget.spent);
  let uncertainty: Uncertainty<K> | null = null;
  if (options.bootstrap > 0 && broken.length === 0) {
    const { bootstrap, random } = options;
    const settled = settleBootstrap(
      bootstrapFit(problem, fit.point, bootstrap, random, quantities, bootstrapBudget),
    );
    uncertainty = settled.uncertainty;
    warnings.push(...settled.warnings);
  }
  return {
    uncertainty,
    lateWarnings: warnings,
    advice: { asked: options.bootstrap, measured: uncertainty !== null },
    common: {
      runs: runs.length,
      objective: fit.objective,
      iterations: fit.iterations,
      converged: fit.converged && !fit.stoppedByBudget && broken.length === 0,
      starts: fit.starts,
      method: METHOD,
      residuals: residualStatistics(residualsOf(problem, fit.point), runs),
      work: { budget, fit: fitBudget.spent, bootstrap: bootstrapBudget.spent },
    },
  };
}

function fitParametricReport(runs: readonly ParametricRun[], options: FitOptions): FitReport {
  const fitBudget = fitBudgetOf(options);
  const { prepared, fit, coefficients } = fitParametric(runs, fitBudget);
  const sorted = prepared.runs;
  const done = afterFit<ParametricQuantity, keyof ParametricCoefficients>(
    options,
    fitBudget,
    { problem: prepared.problem, fit, coefficients, runs: sorted },
    ["A", "B"],
    { E: "the losses", A: "params (N)", B: "tokens (D)", alpha: "params (N)", beta: "tokens (D)" },
    (point) => {
      const c = parametricCoefficients(point, prepared.centre);
      return { ...c, allocationParams: c.beta / (c.alpha + c.beta) };
    },
  );
  const { uncertainty } = done;
  const { E, A, B, alpha, beta } = coefficients;
  const allocationParams = beta / (alpha + beta);
  const params = rangeOf(sorted.map((r) => r.params));
  const tokens = rangeOf(sorted.map((r) => r.tokens));
  const flops = clampedFlops(
    sorted.map((r) => r.params),
    sorted.map((r) => r.tokens),
  );
  const warnings = [
    ...optimiserWarnings(fit, sorted.length, 20, done.advice),
    ...spanWarning("N (params)", params, 10),
    ...spanWarning("D (tokens)", tokens, 10),
    ...flops.warnings,
  ];
  const logN = sorted.map((r) => Math.log(r.params));
  const logD = sorted.map((r) => Math.log(r.tokens));
  if (Math.abs(correlation(logN, logD)) > 0.98) {
    warnings.push(
      "N and D grow together in these runs (|correlation of log N and log D| > 0.98), so A/N^α and B/D^β cannot be told apart; vary the tokens per parameter at a fixed compute (IsoFLOP runs).",
    );
  }
  warnings.push(...boundWarning("α", alpha), ...boundWarning("β", beta));
  const shares = largestTermShares(prepared.problem, fit.point);
  for (const [name, share] of [
    ["A", shares[0]!],
    ["B", shares[1]!],
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
    ...done.lateWarnings,
    ...uncertaintyWarnings<ParametricQuantity>(uncertainty, { ...coefficients, allocationParams }, [
      "A",
      "B",
    ]),
  );
  return {
    kind: "parametric",
    coefficients,
    law: `L = ${significant(E, 5)} + ${significant(A, 5)}/N^${significant(alpha, 5)} + ${significant(B, 5)}/D^${significant(beta, 5)}`,
    ...done.common,
    range: { params, tokens, flops: rangeOf(flops.flops) },
    allocationExponents: { params: allocationParams, tokens: alpha / (alpha + beta) },
    warnings,
    uncertainty,
  };
}

function fitComputeReport(runs: readonly ComputeRun[], options: FitOptions): FitReport {
  const fitBudget = fitBudgetOf(options);
  const { prepared, fit, coefficients } = fitCompute(runs, fitBudget);
  const sorted = prepared.runs;
  const done = afterFit<ComputeQuantity, keyof ComputeCoefficients>(
    options,
    fitBudget,
    { problem: prepared.problem, fit, coefficients, runs: sorted },
    ["a"],
    { a: "flops (C)", b: "flops (C)", c: "the losses" },
    (point) => computeCoefficients(point, prepared.centre),
  );
  const { uncertainty } = done;
  const { a, b, c } = coefficients;
  const flops = rangeOf(sorted.map((r) => r.flops));
  const warnings = [
    ...optimiserWarnings(fit, sorted.length, 8, done.advice),
    ...spanWarning("C (flops)", flops, 100),
    ...boundWarning("−b", -b),
  ];
  if (largestTermShares(prepared.problem, fit.point)[0]! < 0.01) {
    warnings.push("a is poorly determined: a·C^b is under 1% of the fitted loss on every run.");
  }
  if (c < 1e-6 * Math.min(...sorted.map((r) => r.loss))) {
    warnings.push("The irreducible loss c went to zero: the runs show no floor.");
  }
  warnings.push(
    ...done.lateWarnings,
    ...uncertaintyWarnings<ComputeQuantity>(uncertainty, coefficients, ["a", "c"]),
  );
  return {
    kind: "compute",
    coefficients,
    law: `L = ${significant(a, 5)}·C^${significant(b, 5)} + ${significant(c, 5)}`,
    ...done.common,
    range: { params: null, tokens: null, flops },
    allocationExponents: null,
    warnings,
    uncertainty,
  };
}

/**
 * Fits a loss law to a user's runs: L = E + A/N^α + B/D^β for {params, tokens, loss} runs, or
 * L(C) = a·C^b + c for {flops, loss} runs, with residual statistics, warnings and (when asked)
 * bootstrap uncertainty, within a work budget of run-evaluations (MAX_FIT_WORK: about 120 ms in
 * Node whatever the runs). Pure and deterministic: the same runs (in any order), options and seed
 * give the same report. Every number in it is finite, except coefficients beyond the range of
 * doubles (then `converged` is false and a warning says so). Throws RangeError for input outside
 * the limits (the API checks first).
 */
export function fitRuns(input: Runs, options: FitOptions): FitReport {
  validate(input, options);
  return input.kind === "parametric"
    ? fitParametricReport(input.runs, options)
    : fitComputeReport(input.runs, options);
}

/**
 * The coefficients of a report that a stored fit cannot hold: not finite, or A, B (a) rounded
 * to 0. The report then has `converged: false` and a warning; refuse such a fit (422).
 */
export function unusableCoefficients(report: FitReport): string[] {
  return report.kind === "parametric"
    ? unrepresentable<keyof ParametricCoefficients>(report.coefficients, ["A", "B"])
    : unrepresentable<keyof ComputeCoefficients>(report.coefficients, ["a"]);
}
