// Regressions from independent checks against the papers and the authors' code (issue 11).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { allocate } from "../../src/core/allocate.ts";
import { DEFAULT_FITS } from "../../src/core/fits/defaults.ts";
import type { FitDefinition, ParametricFit } from "../../src/core/fits/schema.ts";
import type { KaplanBudget } from "../../src/core/frontier.ts";
import { hasLossLaw } from "../../src/core/loss.ts";
import { predict } from "../../src/core/predict.ts";

const fitById = (id: string): FitDefinition => {
  const fit = DEFAULT_FITS.find((f) => f.id === id);
  if (!fit) throw new Error(`no fit ${id}`);
  return fit;
};
const muennighoff = fitById("muennighoff-2023") as ParametricFit;
const kaplan = fitById("kaplan-2020");

/**
 * The datablations README's `scaling_law(N, D, U)` (huggingface/datablations, "Parametric Fit",
 * commit 13701315), transcribed: it asserts U ≤ D, U_N = min(N, D_to_N(U)) with
 * D_to_N(D) = (D·G)^(β/α)·G, and the README's fitted a, b, e, α, β, R_D*, R_N*.
 */
function datablationsLoss(N: number, D: number, U: number): number {
  if (U > D) throw new Error("the authors' code asserts U <= D");
  const [a, b, e, alpha, beta, rdStar, rnStar] = [
    6.255414, 7.3049974, 0.6254804, 0.3526596, 0.3526596, 15.387756, 5.309743,
  ];
  const [A, B, E] = [Math.exp(a), Math.exp(b), Math.exp(e)];
  const G = ((alpha * A) / (beta * B)) ** (1 / (alpha + beta));
  const UN = Math.min(N, (U * G) ** (beta / alpha) * G);
  const RN = Math.max(N / UN - 1, 0);
  const RD = Math.max(D / U - 1, 0);
  const effectiveN = UN + UN * rnStar * (1 - Math.exp(-RN / rnStar));
  const effectiveD = U + U * rdStar * (1 - Math.exp(-RD / rdStar));
  return E + A / effectiveN ** alpha + B / effectiveD ** beta;
}

const lossOf = (fit: FitDefinition, N: number, D: number, uniqueTokens?: number) => {
  const p = predict(fit, N, D, {
    kaplanBudget: "critical",
    ...(uniqueTokens === undefined ? {} : { uniqueTokens }),
  });
  if (p?.loss == null) throw new Error(`${fit.id}: no loss`);
  return p.loss;
};

describe("repeated data uses the unique tokens trained on (Muennighoff et al. 2023)", () => {
  it("70B parameters on 10B tokens with 1e12 unique tokens available reads 2.5428, not 2.3899", () => {
    // Issue 11: the formula with U = min(uniqueTokens, D) = 10B gives 2.5428.
    expect(lossOf(muennighoff, 70e9, 10e9, 1e12)).toBeCloseTo(2.5428, 4);
    expect(lossOf(muennighoff, 70e9, 10e9, 1e12)).toBeCloseTo(
      datablationsLoss(70e9, 10e9, 10e9),
      10,
    );
  });

  it("reproduces the README check values through predict", () => {
    // datablations README: L(6.34e9, 242e9, 25e9) = 2.22564, L(8.67e9, 178e9, 25e9) = 2.22696.
    expect(lossOf(muennighoff, 6.34e9, 242e9, 25e9)).toBeCloseTo(2.22564, 5);
    expect(lossOf(muennighoff, 8.67e9, 178e9, 25e9)).toBeCloseTo(2.22696, 5);
  });

  it("without uniqueTokens every token is seen once (U = D), as the authors' code", () => {
    fc.assert(
      fc.property(
        // Inside the fit's data (1e18 to 4.9e22 FLOPs, within the 1000x it extrapolates a loss).
        fc.double({ min: 8, max: 10.5, noNaN: true }),
        fc.double({ min: 9.5, max: 12, noNaN: true }),
        (logN, logD) => {
          const [N, D] = [10 ** logN, 10 ** logD];
          return Math.abs(lossOf(muennighoff, N, D) / datablationsLoss(N, D, D) - 1) < 1e-12;
        },
      ),
    );
  });

  it("offering more unique data than is trained on never changes the loss; more repetition never lowers it", () => {
    fc.assert(
      fc.property(
        // Inside the fit's data (1e18 to 4.9e22 FLOPs, within the 1000x it extrapolates a loss).
        fc.double({ min: 8, max: 10.5, noNaN: true }),
        fc.double({ min: 9.5, max: 12, noNaN: true }),
        fc.double({ min: 0, max: 6, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (logN, logD, extra, fewer) => {
          const [N, D] = [10 ** logN, 10 ** logD];
          const seenOnce = lossOf(muennighoff, N, D, D);
          const offered = lossOf(muennighoff, N, D, D * 10 ** extra);
          const unique = D / 10 ** fewer;
          const repeated = lossOf(muennighoff, N, D, unique);
          const moreRepeated = lossOf(muennighoff, N, D, unique / 2);
          return (
            offered === seenOnce &&
            repeated >= seenOnce * (1 - 1e-12) &&
            moreRepeated >= repeated * (1 - 1e-12)
          );
        },
      ),
    );
  });
});

describe("one fit, one frontier: predict's optimum is allocate's", () => {
  const lossFits = DEFAULT_FITS.filter(hasLossLaw);
  const budgets = [1e19, 1e20, 1e21, 1e22, 5.76e23, 1e24];

  it.each(
    lossFits.flatMap((fit) =>
      (["critical", "all"] as KaplanBudget[]).flatMap((kaplanBudget) =>
        budgets.map((flops) => ({ id: fit.id, fit, flops, kaplanBudget })),
      ),
    ),
  )("$id at $flops FLOPs ($kaplanBudget)", ({ fit, flops, kaplanBudget }) => {
    const allocation = allocate(fit, { kind: "flops", value: flops }, { kaplanBudget });
    if (!allocation.ok) throw new Error(allocation.message);
    const { params, tokens, loss } = allocation.allocation;
    // Any split of the same C: here the 20-tokens-per-parameter one.
    const N = Math.sqrt(flops / 120);
    const prediction = predict(fit, N, 20 * N, { kaplanBudget });
    expect(prediction?.optimalParams).toBeCloseTo(params, -Math.log10(params) + 9);
    expect((prediction?.optimalTokens ?? 0) / tokens).toBeCloseTo(1, 9);
    if (loss === null) expect(prediction?.optimalLoss).toBeNull();
    else expect(prediction?.optimalLoss).toBeCloseTo(loss, 12);
  });

  it("Kaplan at 70B on 1.4T: the optimum is the frontier's 1.770, no longer L(N, D)'s 1.616", () => {
    // Issue 11: the optimum used to minimise L(N, D) at fixed C (1.616); allocate's frontier
    // gives 1.770. L(N, D) = [(6.4e13/N)^(0.076/0.103) + 1.8e13/D]^0.103 (eq. 1.5, Table 2);
    // L(C_min) = (3.1e8 / C_min)^0.050 with C_min = 6·N·D/2 in PF-days (eq. 1.3, Table 5).
    const p = predict(kaplan, 70e9, 1.4e12, { kaplanBudget: "critical" });
    const run = ((6.4e13 / 70e9) ** (0.076 / 0.103) + 1.8e13 / 1.4e12) ** 0.103;
    const frontier = (3.1e8 / ((6 * 70e9 * 1.4e12) / 2 / 8.64e19)) ** 0.05;
    expect(p?.loss).toBeCloseTo(run, 10);
    expect(p?.loss).toBeCloseTo(1.693, 3);
    expect(p?.optimalLoss).toBeCloseTo(frontier, 10);
    expect(p?.optimalLoss).toBeCloseTo(1.77, 3);
    // Table 6 at C_min = 2940 PF-days: N_opt = 1.3e9 · C_min^0.73.
    expect(p?.optimalParams).toBeCloseTo(1.3e9 * ((6 * 70e9 * 1.4e12) / 2 / 8.64e19) ** 0.73, -3);
    expect(p?.excessLoss).toBeNull();
    expect(p?.nullReasons.excessLoss).toMatch(/different laws/);
    expect(p?.notes.join(" ")).toMatch(/early/);
  });
});

describe("losses far outside a fit's data are withheld, with the reason", () => {
  it("a 7e10-FLOP budget (a bare 70B read as FLOPs) gives no loss instead of 24-33 nats", () => {
    // Every fit whose data starts more than 1000x above 7e10 FLOPs; Kaplan's starts at 8.64e11.
    const far = DEFAULT_FITS.filter(
      (fit) => hasLossLaw(fit) && (fit.measuredRange?.flops[0] ?? 0) > 7e13,
    );
    expect(far.map((fit) => fit.id)).toEqual([
      "chinchilla-approach3",
      "epoch-2024",
      "muennighoff-2023",
    ]);
    for (const fit of far) {
      const result = allocate(fit, { kind: "flops", value: 7e10 }, { kaplanBudget: "critical" });
      if (!result.ok) throw new Error(result.message);
      expect(result.allocation.loss, fit.id).toBeNull();
      expect(result.allocation.nullReasons.loss, fit.id).toMatch(
        /x below this fit.s data, past the 1000x/,
      );
      expect(
        result.allocation.warnings.map((w) => w.code),
        fit.id,
      ).toContain("loss-withheld");
    }
    // Kaplan measured down to 1e-8 PF-days: 12x below is an extrapolation, still shown.
    const kaplanAt = allocate(kaplan, { kind: "flops", value: 7e10 }, { kaplanBudget: "critical" });
    expect(kaplanAt.ok && kaplanAt.allocation.loss).toBeGreaterThan(7);
  });

  it("more than 1000x above a fit's data the loss is withheld; inside it is given", () => {
    const approach3 = fitById("chinchilla-approach3");
    // The digitized Chinchilla runs span 1.4e18 to 1.3e22 FLOPs (Besiroglu et al. 2024).
    const inside = allocate(approach3, { kind: "flops", value: 5.76e23 }, { kaplanBudget: "all" });
    const far = allocate(approach3, { kind: "flops", value: 1.4e25 }, { kaplanBudget: "all" });
    expect(inside.ok && inside.allocation.loss).toBeCloseTo(1.9184, 4); // reference sheet §7
    expect(far.ok && far.allocation.loss).toBeNull();
    expect(far.ok && far.allocation.nullReasons.loss).toMatch(/above/);
  });

  it("a prediction far above the loss of the smallest measured run is withheld", () => {
    // 1M parameters on 1T tokens: C = 6e18 is inside the data, but no run was that small.
    const p = predict(fitById("epoch-2024"), 1e6, 1e12, { kaplanBudget: "critical" });
    expect(p?.loss).toBeNull();
    expect(p?.nullReasons.loss).toMatch(/smallest measured budget/);
    expect(p?.excessLoss).toBeNull();
  });
});

describe("Table A3's 67B row (Hoffmann et al. 2022)", () => {
  it("is 6.3% off the approach-2 line, and the fit says so", () => {
    const fit = fitById("chinchilla-approach2");
    // N_opt = 0.144877·C^0.48994 (reference sheet §2), solved for N = 67e9.
    const onLine = (67e9 / 0.144877) ** (1 / 0.48994);
    expect(onLine / 1e23).toBeCloseTo(6.44, 1);
    expect(1 - onLine / 6.88e23).toBeCloseTo(0.063, 2); // Table A3 prints 6.88e23
    const result = allocate(fit, { kind: "params", value: 67e9 }, { kaplanBudget: "critical" });
    expect(result.ok && result.allocation.flops / onLine).toBeCloseTo(1, 9);
    expect(fit.notes.join(" ")).toMatch(/67B row prints 6\.88e23.*6\.44e23.*6\.3%/);
  });
});
