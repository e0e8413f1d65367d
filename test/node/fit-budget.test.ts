/**
 * Issue 12: a fit and its bootstrap stay within a work budget whatever the runs (counted in
 * run-evaluations, never timed), stop with `converged: false` and warnings when it runs out, and
 * answer only finite numbers (or flag constants that do not fit in doubles).
 */
import { existsSync, readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { chinchillaRuns, DEFAULT_CSV } from "../../src/cli/epoch-bootstrap.ts";
import { bootstrapFit } from "../../src/core/fitting/bootstrap.ts";
import { COMPUTE_GRID } from "../../src/core/fitting/compute.ts";
import { type FitReport, fitRuns, unusableCoefficients } from "../../src/core/fitting/fit.ts";
import { MIN_BOOTSTRAP_REFITS, settleBootstrap } from "../../src/core/fitting/fit-warnings.ts";
import { minimumFitWork } from "../../src/core/fitting/lse-fit.ts";
import { fitParametric, PARAMETRIC_GRID } from "../../src/core/fitting/parametric.ts";
import { type Random, seededRandom } from "../../src/core/fitting/random.ts";
import { MAX_RUNS, type ParametricRun, type Runs } from "../../src/core/fitting/runs.ts";
import { FIT_WORK_SHARE, MAX_FIT_WORK, WorkBudget } from "../../src/core/fitting/work.ts";

const SEED = [7, 7, 7, 7] as const;

/** A value drawn log-uniformly from [low, high]. */
const logUniform = (random: Random, low: number, high: number) =>
  Math.exp(Math.log(low) + (Math.log(high) - Math.log(low)) * random());

/** Runs with N and D log-uniform over 1e±300 and losses log-uniform in [1, 10] (the attack). */
function spread(count: number, seed = 1): ParametricRun[] {
  const random = seededRandom([seed, 2, 3, 4]);
  return Array.from({ length: count }, () => ({
    params: logUniform(random, 1e-300, 1e300),
    tokens: logUniform(random, 1e-300, 1e300),
    loss: logUniform(random, 1, 10),
  }));
}

/** Every number in a value, found anywhere inside it. */
function numbersIn(value: unknown): number[] {
  if (typeof value === "number") return [value];
  if (Array.isArray(value)) return value.flatMap(numbersIn);
  if (typeof value === "object" && value !== null) return Object.values(value).flatMap(numbersIn);
  return [];
}

function fitWith(input: Runs, bootstrap: number, workBudget?: number): FitReport {
  return fitRuns(input, { bootstrap, random: seededRandom(SEED), workBudget });
}

/** The budget's invariants: the fit within its share, everything within the whole. */
function expectWithinBudget(report: FitReport, budget = MAX_FIT_WORK) {
  expect(report.work.budget).toBe(budget);
  expect(report.work.fit).toBeLessThanOrEqual(FIT_WORK_SHARE * budget);
  expect(report.work.fit + report.work.bootstrap).toBeLessThanOrEqual(budget);
}

describe("the worst inputs finish within the work budget", () => {
  it("500 runs over 1e±300 with bootstrap 500: the bootstrap stops early, and says so", () => {
    const report = fitWith({ kind: "parametric", runs: spread(500) }, 500);
    expectWithinBudget(report);
    expect(report.uncertainty?.requested).toBe(500);
    const completed = (report.uncertainty?.resamples ?? 0) + (report.uncertainty?.dropped ?? 0);
    expect(completed).toBeLessThan(500);
    expect(report.warnings.join("\n")).toContain(
      `Bootstrap stopped after ${completed} of 500 resamples: the work budget of a request ran out`,
    );
    expect(report.uncertainty?.converged).toBeLessThan(report.uncertainty?.resamples ?? 0);
    expect(numbersIn(report).every(Number.isFinite)).toBe(true);
    expect(report.warnings.join("\n")).toMatch(
      /C = 6ND is beyond the range of doubles for \d+ runs/,
    );
  });

  it("5,000 runs over 1e±300 with bootstrap 50: the fit stops unconverged, with warnings", () => {
    const report = fitWith({ kind: "parametric", runs: spread(MAX_RUNS) }, 50);
    expectWithinBudget(report);
    expect(report.converged).toBe(false);
    const text = report.warnings.join("\n");
    expect(text).toContain(
      `The fit stopped before converging: the work budget of a request ran out after ${report.iterations} Newton steps`,
    );
    expect(text).toMatch(/Bootstrap stopped after \d+ of 50 resamples/);
    expect(numbersIn(report).every(Number.isFinite)).toBe(true);
  });

  it("5,000 compute runs over 1e±300 with bootstrap 50, and 5 runs with bootstrap 500", () => {
    const random = seededRandom([5, 5, 5, 5]);
    const flops = Array.from({ length: MAX_RUNS }, () => ({
      flops: logUniform(random, 1e-300, 1e300),
      loss: logUniform(random, 1, 10),
    }));
    const compute = fitWith({ kind: "compute", runs: flops }, 50);
    expectWithinBudget(compute);
    expect(compute.converged).toBe(false);
    const few = fitWith({ kind: "parametric", runs: spread(5, 3) }, 500);
    expectWithinBudget(few);
    for (const report of [compute, few]) {
      expect(numbersIn(report).every(Number.isFinite)).toBe(true);
    }
  });

  it("the default budget affords the least fit of MAX_RUNS runs of either kind", () => {
    for (const [terms, grid] of [
      [2, PARAMETRIC_GRID],
      [1, COMPUTE_GRID],
    ] as const) {
      expect(minimumFitWork(MAX_RUNS, terms, grid.length)).toBeLessThan(
        FIT_WORK_SHARE * MAX_FIT_WORK,
      );
    }
  });

  it("refuses a budget too small for the runs, or not finite", () => {
    const runs = spread(50);
    expect(() => fitWith({ kind: "parametric", runs }, 0, 1000)).toThrow(/workBudget: .* at least/);
    expect(() => fitWith({ kind: "parametric", runs }, 0, Number.POSITIVE_INFINITY)).toThrow(
      /workBudget/,
    );
  });
});

describe.skipIf(!existsSync(DEFAULT_CSV))("the 240 Chinchilla runs", () => {
  const runs = existsSync(DEFAULT_CSV) ? chinchillaRuns(readFileSync(DEFAULT_CSV, "utf8")) : [];
  const relative = (a: number, b: number) => Math.abs(a / b - 1);

  it("fit and bootstrap 200 exactly as before the budget, well inside it", () => {
    expect(runs).toHaveLength(240);
    const report = fitWith({ kind: "parametric", runs }, 200);
    if (report.kind !== "parametric" || !report.uncertainty) throw new Error("no uncertainty");
    const c = report.coefficients;
    expect(c.E).toBeCloseTo(1.8172, 4);
    expect(relative(c.A, 477.826)).toBeLessThan(2e-6);
    expect(relative(c.B, 2143.417)).toBeLessThan(2e-6);
    expect(c.alpha).toBeCloseTo(0.3473105, 7);
    expect(c.beta).toBeCloseTo(0.3671724, 7);
    expect(relative(report.objective, 1.018274e-3)).toBeLessThan(1e-6);
    expect(report.converged).toBe(true);
    // The standard errors of the same seed before issue 12 (every refit runs to its end).
    const u = report.uncertainty;
    expect([u.requested, u.resamples, u.converged, u.dropped]).toEqual([200, 200, 193, 0]);
    expect(relative(u.standardErrors.A, 120.0138596)).toBeLessThan(1e-9);
    expect(relative(u.standardErrors.beta, 0.01908939944)).toBeLessThan(1e-9);
    expect(u.intervals80.allocationParams[0]).toBeCloseTo(0.49347008, 8);
    expectWithinBudget(report);
    expect(report.work.fit + report.work.bootstrap).toBeLessThan(0.5 * MAX_FIT_WORK);
    expect(report.warnings).toEqual([
      "7 of 200 bootstrap refits stopped before converging (the statistics include them).",
    ]);
  });

  it("stop the bootstrap early, the same way every time, under a small budget", () => {
    const once = () => fitWith({ kind: "parametric", runs }, 200, 150_000);
    const report = once();
    expectWithinBudget(report, 150_000);
    expect(report.converged).toBe(true);
    expect(report.uncertainty?.resamples).toBeGreaterThanOrEqual(MIN_BOOTSTRAP_REFITS);
    expect(report.uncertainty?.resamples).toBeLessThan(200);
    expect(report.warnings.join("\n")).toMatch(
      /Bootstrap stopped after \d+ of 200 resamples: .* come from \d+ refits/,
    );
    expect(once()).toEqual(report);
  });
});

describe("constants beyond the range of doubles", () => {
  /** L = 1.5 + (N₀/N)^2.5 + 400/D^0.3 with N near N₀: A = N₀^2.5 over- or underflows. */
  const runsAt = (n0: number): ParametricRun[] =>
    [1, 10, 100].flatMap((scale) =>
      [1e10, 1e12].map((tokens) => ({
        params: n0 * scale,
        tokens,
        loss: Number((1.5 + scale ** -2.5 + 400 / tokens ** 0.3).toPrecision(4)),
      })),
    );

  it("flag A = Infinity (N near 1e200): converged false, a warning, no bootstrap", () => {
    const report = fitWith({ kind: "parametric", runs: runsAt(1e200) }, 20);
    expect(report.coefficients).toMatchObject({ A: Number.POSITIVE_INFINITY });
    expect(report.converged).toBe(false);
    expect(unusableCoefficients(report)).toEqual(["A"]);
    expect(report.uncertainty).toBeNull();
    expect(report.warnings.join("\n")).toMatch(/A is beyond the range of doubles.*params \(N\)/);
    expect(numbersIn({ ...report, coefficients: null }).every(Number.isFinite)).toBe(true);
  });

  it("flag A rounded to 0 (N near 1e-200) the same way", () => {
    const report = fitWith({ kind: "parametric", runs: runsAt(1e-200) }, 0);
    expect(report.coefficients).toMatchObject({ A: 0 });
    expect(report.converged).toBe(false);
    expect(unusableCoefficients(report)).toEqual(["A"]);
  });
});

describe("the bootstrap's statistics", () => {
  const runs = spread(8, 4).map((r) => ({
    ...r,
    params: r.params ** 0.01,
    tokens: r.tokens ** 0.01,
  }));

  it("leave out refits with a quantity that is not finite, and count them", () => {
    const { prepared, fit: optimum } = fitParametric(runs);
    let calls = 0;
    const u = bootstrapFit(prepared.problem, optimum.point, 40, seededRandom(SEED), (point) => {
      calls++;
      return { x: calls % 4 === 0 ? Number.POSITIVE_INFINITY : (point[0] ?? 0) };
    });
    expect(u.dropped).toBe(10);
    expect(u.resamples).toBe(30);
    expect(Number.isFinite(u.standardErrors.x)).toBe(true);
  });

  it("are null, with a warning, when too few refits remain", () => {
    const base = bootstrapFit(
      fitParametric(runs).prepared.problem,
      fitParametric(runs).fit.point,
      3,
      seededRandom(SEED),
      (point) => ({ x: point[0] ?? 0 }),
      WorkBudget.unlimited(),
    );
    const settled = settleBootstrap({ ...base, requested: 100, resamples: 3, dropped: 2 });
    expect(settled.uncertainty).toBeNull();
    expect(settled.warnings.join("\n")).toMatch(/stopped after 5 of 100 resamples/);
    expect(settled.warnings.join("\n")).toMatch(/2 of 5 bootstrap refits were left out/);
    expect(settled.warnings.join("\n")).toMatch(/No bootstrap uncertainty: 3 finite refits/);
  });
});

describe("warnings read well", () => {
  it("round their figures and advise for what was asked", () => {
    const runs = spread(12, 6).map((r) => ({
      ...r,
      params: r.params ** 0.02,
      tokens: r.tokens ** 0.02,
    }));
    const asked = fitWith({ kind: "parametric", runs }, 50).warnings.join("\n");
    expect(asked).toMatch(/Only 12 runs/);
    expect(asked).not.toMatch(/ask for bootstrap/);
    expect(asked).not.toMatch(/\d{6}|e\+/);
    const notAsked = fitWith({ kind: "parametric", runs }, 0).warnings.join("\n");
    expect(notAsked).toMatch(/ask for bootstrap: 200 to see it/);
  });
});

describe("properties", () => {
  it("the counted work never exceeds the budget, and every number is finite (fast-check)", () => {
    fc.assert(
      fc.property(
        fc.record({
          compute: fc.boolean(),
          count: fc.integer({ min: 5, max: 40 }),
          low: fc.integer({ min: -300, max: 20 }),
          span: fc.integer({ min: 0, max: 300 }),
          bootstrap: fc.integer({ min: 0, max: 80 }),
          seed: fc.integer({ min: 1, max: 1e6 }),
          extra: fc.option(fc.integer({ min: 0, max: 200_000 }), { nil: undefined }),
        }),
        ({ compute, count, low, span, bootstrap, seed, extra }) => {
          const random = seededRandom([seed, 1, 2, 3]);
          const value = () => logUniform(random, 10 ** low, 10 ** Math.min(low + span, 300));
          const input: Runs = compute
            ? {
                kind: "compute",
                runs: Array.from({ length: count }, () => ({ flops: value(), loss: value() })),
              }
            : {
                kind: "parametric",
                runs: Array.from({ length: count }, () => ({
                  params: value(),
                  tokens: value(),
                  loss: logUniform(random, 0.5, 10),
                })),
              };
          const [terms, grid] = compute ? [1, COMPUTE_GRID] : [2, PARAMETRIC_GRID];
          const least = Math.ceil(minimumFitWork(count, terms, grid.length) / FIT_WORK_SHARE);
          const budget = extra === undefined ? MAX_FIT_WORK : least + extra;
          const report = fitWith(input, bootstrap, extra === undefined ? undefined : budget);
          expectWithinBudget(report, budget);
          if (unusableCoefficients(report).length > 0) expect(report.converged).toBe(false);
          else expect(numbersIn(report).every(Number.isFinite)).toBe(true);
        },
      ),
      { numRuns: 30 },
    );
  });
});
