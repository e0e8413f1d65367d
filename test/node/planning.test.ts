/** Planning beyond compute-optimal: inference demand, repeated data, intervals, hardware time. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { allocate } from "../../src/core/allocate.ts";
import { DEFAULT_FITS } from "../../src/core/fits/defaults.ts";
import type { ParametricFit } from "../../src/core/fits/schema.ts";
import { frontierLoss } from "../../src/core/loss.ts";
import {
  dataConstrainedLoss,
  dataConstrainedOptimal,
} from "../../src/core/planning/data-constrained.ts";
import {
  inferenceOptimal,
  minimumParamsForLoss,
  planLoss,
  tokensForLoss,
} from "../../src/core/planning/inference.ts";
import { allocationIntervals } from "../../src/core/planning/intervals.ts";
import { trainingTime } from "../../src/core/planning/training.ts";

const parametric = (id: string): ParametricFit => {
  const fit = DEFAULT_FITS.find((f) => f.id === id);
  if (fit?.kind !== "parametric") throw new Error(`${id} is not parametric`);
  return fit;
};

const approach3 = parametric("chinchilla-approach3");
const muennighoff = parametric("muennighoff-2023");
const decay = muennighoff.dataConstrained ?? { RDStar: Number.NaN, RNStar: Number.NaN };

/** The compute-optimal loss of a model of N parameters under eq. (4). */
function computeOptimalLossOf(fit: ParametricFit, params: number): number {
  // The law's own frontier loss: allocate withholds losses far outside the fit's data.
  const result = allocate(fit, { kind: "params", value: params }, { kaplanBudget: "critical" });
  const loss = result.ok
    ? frontierLoss(fit, result.allocation.flops, { kaplanBudget: "critical" })
    : null;
  if (loss === null) throw new Error("no loss");
  return loss;
}

/**
 * An independent solve of the inference-aware optimum: bisection on the analytic first-order
 * condition d/dN [N·(6·D(N) + 2·D_inf)] = 0 along L(N, D) = ℓ, i.e.
 * 6·D + 2·D_inf − 6·D·α·A·N^−α / (β·(ℓ − E − A·N^−α)) = 0.
 */
function bisectInferenceOptimum(fit: ParametricFit, loss: number, inferenceTokens: number) {
  const derivative = (params: number) => {
    const gap = loss - fit.E - fit.A / params ** fit.alpha;
    const tokens = tokensForLoss(fit, params, loss);
    return (
      6 * tokens +
      2 * inferenceTokens -
      (6 * tokens * fit.alpha * fit.A * params ** -fit.alpha) / (fit.beta * gap)
    );
  };
  let low = Math.log(minimumParamsForLoss(fit, loss)) + 1e-9;
  let high = low + Math.log(1e6);
  for (let i = 0; i < 400; i++) {
    const mid = (low + high) / 2;
    if (derivative(Math.exp(mid)) < 0) low = mid;
    else high = mid;
  }
  return Math.exp((low + high) / 2);
}

describe("inference-aware optimum (Sardana et al. 2024)", () => {
  it("matches an independent solve of the first-order condition", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 8, max: 12, noNaN: true }),
        fc.double({ min: 9, max: 15, noNaN: true }),
        (logParams, logInference) => {
          const loss = computeOptimalLossOf(approach3, 10 ** logParams);
          const plan = inferenceOptimal(approach3, loss, 10 ** logInference);
          const independent = bisectInferenceOptimum(approach3, loss, 10 ** logInference);
          return Math.abs(plan.optimal.params / independent - 1) < 1e-6 && plan.converged;
        },
      ),
      { numRuns: 200 },
    );
  });

  it("reaches the target loss and never costs more than the compute-optimal plan", () => {
    const loss = computeOptimalLossOf(approach3, 13e9);
    const plan = inferenceOptimal(approach3, loss, 2e12);
    expect(planLoss(approach3, plan.optimal)).toBeCloseTo(loss, 10);
    expect(plan.optimal.totalFlops).toBeLessThanOrEqual(plan.computeOptimal.totalFlops);
    expect(plan.computeOptimal.params).toBeCloseTo(13e9, -3);
  });

  it("reproduces Sardana et al.'s Fig. 1 example: a 13B-quality model serving 2T tokens is best trained at ~7B, saving ~17%", () => {
    // Sardana et al. 2024, Fig. 1 (as summarised in the reference sheet §5a [S]): 7B instead of
    // 13B, saving 1.7e22 FLOPs (17%), with Chinchilla's approach-3 law.
    const plan = inferenceOptimal(approach3, computeOptimalLossOf(approach3, 13e9), 2e12);
    expect(plan.optimal.params / 1e9).toBeGreaterThan(6.5);
    expect(plan.optimal.params / 1e9).toBeLessThan(7.5);
    expect(plan.savingFlops / 1e22).toBeCloseTo(1.7, 0);
    expect(plan.savingFraction).toBeGreaterThan(0.15);
    expect(plan.savingFraction).toBeLessThan(0.19);
  });

  it("is the compute-optimal plan when there is no inference", () => {
    const loss = computeOptimalLossOf(approach3, 70e9);
    const plan = inferenceOptimal(approach3, loss, 0);
    expect(plan.optimal.params / plan.computeOptimal.params).toBeCloseTo(1, 5);
    expect(plan.savingFlops / plan.computeOptimal.totalFlops).toBeLessThan(1e-9);
  });

  it("picks a smaller model trained on more tokens as inference demand grows", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 9, max: 14, noNaN: true }),
        fc.double({ min: 1.1, max: 100, noNaN: true }),
        (logInference, factor) => {
          const loss = computeOptimalLossOf(approach3, 30e9);
          const less = inferenceOptimal(approach3, loss, 10 ** logInference);
          const more = inferenceOptimal(approach3, loss, 10 ** logInference * factor);
          return (
            more.optimal.params < less.optimal.params && more.optimal.tokens > less.optimal.tokens
          );
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe("data-constrained scaling (Muennighoff et al. 2023)", () => {
  it("reproduces the datablations README check values 2.22564 and 2.22696", () => {
    // huggingface/datablations README, "Parametric Fit": L(6.34e9, 242e9, 25e9) and L(8.67e9, 178e9, 25e9).
    expect(dataConstrainedLoss(muennighoff, decay, 6.34e9, 242e9, 25e9)).toBeCloseTo(2.22564, 5);
    expect(dataConstrainedLoss(muennighoff, decay, 8.67e9, 178e9, 25e9)).toBeCloseTo(2.22696, 5);
  });

  it("equals the unconstrained law while the data is not repeated", () => {
    const unrepeated = dataConstrainedLoss(muennighoff, decay, 1e9, 20e9, 1e12);
    const plain =
      muennighoff.E +
      muennighoff.A / 1e9 ** muennighoff.alpha +
      muennighoff.B / 20e9 ** muennighoff.beta;
    expect(unrepeated).toBeCloseTo(plain, 12);
  });

  it("with ample unique data, the plan is the compute-optimal one", () => {
    const plan = dataConstrainedOptimal(muennighoff, decay, 1e22, 1e14);
    expect(plan.params / plan.unlimited.params).toBeCloseTo(1, 4);
    expect(plan.loss).toBeCloseTo(plan.unlimited.loss, 10);
  });

  it("less unique data means more epochs and a higher loss", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 20, max: 24, noNaN: true }),
        fc.double({ min: 9, max: 12, noNaN: true }),
        fc.double({ min: 1.5, max: 50, noNaN: true }),
        (logFlops, logUnique, factor) => {
          const flops = 10 ** logFlops;
          const more = dataConstrainedOptimal(muennighoff, decay, flops, 10 ** logUnique * factor);
          const less = dataConstrainedOptimal(muennighoff, decay, flops, 10 ** logUnique);
          return (
            less.epochs > more.epochs &&
            less.loss >= more.loss - 1e-12 &&
            less.loss >= less.unlimited.loss - 1e-12
          );
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe("80% intervals", () => {
  const withUncertainty = DEFAULT_FITS.filter((f) => f.uncertainty);

  it("exist for the fits that publish uncertainty", () => {
    expect(withUncertainty.map((f) => f.id).sort()).toEqual(
      ["chinchilla-approach1", "chinchilla-approach2", "chinchilla-approach3", "epoch-2024"].sort(),
    );
  });

  it("bracket the point estimate and keep C = 6ND at both ends", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...withUncertainty),
        fc.double({ min: 16, max: 30, noNaN: true }),
        (fit, logFlops) => {
          const flops = 10 ** logFlops;
          const result = allocate(
            fit,
            { kind: "flops", value: flops },
            { kaplanBudget: "critical" },
          );
          if (!result.ok) return false;
          const a = result.allocation;
          const intervals = allocationIntervals(fit, flops, a.params, a.tokens, a.loss, {
            kaplanBudget: "critical",
          });
          if (!intervals) return false;
          const [pLow, pHigh] = intervals.params;
          const [tLow, tHigh] = intervals.tokens;
          const inside =
            pLow <= a.params * (1 + 1e-12) &&
            a.params <= pHigh * (1 + 1e-12) &&
            tLow <= a.tokens * (1 + 1e-12) &&
            a.tokens <= tHigh * (1 + 1e-12);
          const spends = Math.abs((6 * pLow * tHigh) / flops - 1) < 1e-9;
          const loss = intervals.loss;
          const lossInside = !loss || (a.loss !== null && loss[0] <= a.loss && a.loss <= loss[1]);
          return inside && spends && lossInside && intervals.level === 0.8;
        },
      ),
    );
  });

  it("widen with distance from the fit's data", () => {
    const fit = DEFAULT_FITS.find((f) => f.id === "epoch-2024");
    if (!fit) throw new Error("no epoch-2024");
    const width = (flops: number) => {
      const r = allocate(fit, { kind: "flops", value: flops }, { kaplanBudget: "critical" });
      if (!r.ok) throw new Error(r.message);
      const i = allocationIntervals(
        fit,
        flops,
        r.allocation.params,
        r.allocation.tokens,
        r.allocation.loss,
        { kaplanBudget: "critical" },
      );
      return i ? i.params[1] / i.params[0] : Number.NaN;
    };
    expect(width(1e26)).toBeGreaterThan(width(1e23));
    expect(width(1e23)).toBeGreaterThan(width(1e21));
  });

  it("are absent for fits without published uncertainty", () => {
    const kaplan = DEFAULT_FITS.find((f) => f.id === "kaplan-2020");
    if (!kaplan) throw new Error("no kaplan");
    expect(
      allocationIntervals(kaplan, 1e24, 1e11, 1e11, 2, { kaplanBudget: "critical" }),
    ).toBeNull();
  });
});

describe("training time", () => {
  it("is C / (peak × MFU × 3600) GPU-hours", () => {
    // 1e24 FLOPs on H100 (989 TFLOP/s dense BF16) at 40% MFU: 1e24 / (989e12 × 0.4 × 3600).
    const t = trainingTime(1e24, 989e12, 0.4, 1024, 2);
    expect(t.gpuHours).toBeCloseTo(1e24 / (989e12 * 0.4 * 3600), 6);
    expect(t.days).toBeCloseTo(t.gpuHours / 1024 / 24, 9);
    expect(t.cost).toBeCloseTo(t.gpuHours * 2, 6);
  });
});
