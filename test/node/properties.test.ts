/** Invariants of the core, as fast-check properties over every bundled fit. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { allocate, type Question } from "../../src/core/allocate.ts";
import { DEFAULT_FITS } from "../../src/core/fits/defaults.ts";
import { formatCount, formatScientific } from "../../src/core/format.ts";
import type { KaplanBudget } from "../../src/core/frontier.ts";
import { frontierLoss, hasLossLaw, predictLoss } from "../../src/core/loss.ts";
import { parseQuantity, QUANTITY_BOUNDS, type QuantityKind } from "../../src/core/parse.ts";

const fitArb = fc.constantFrom(...DEFAULT_FITS);
const budgetArb = fc.constantFrom<KaplanBudget>("critical", "all");
/** Budgets from 1e10 to 1e32 FLOPs, log-uniform. */
const flopsArb = fc.double({ min: 10, max: 32, noNaN: true }).map((e) => 10 ** e);

function solve(fit: (typeof DEFAULT_FITS)[number], question: Question, kaplanBudget: KaplanBudget) {
  const result = allocate(fit, question, { kaplanBudget });
  if (!result.ok) throw new Error(`${fit.id}: ${result.message}`);
  return result.allocation;
}

const close = (a: number, b: number, tolerance = 1e-9) => Math.abs(a / b - 1) < tolerance;

describe("allocation properties", () => {
  it("N_opt and D_opt increase with C under every fit", () => {
    fc.assert(
      fc.property(
        fitArb,
        budgetArb,
        flopsArb,
        fc.double({ min: 1.001, max: 1e3, noNaN: true }),
        (fit, budget, c, factor) => {
          const small = solve(fit, { kind: "flops", value: c }, budget);
          const large = solve(fit, { kind: "flops", value: c * factor }, budget);
          return large.params > small.params && large.tokens > small.tokens;
        },
      ),
    );
  });

  it("6·N·D = C for every fit that uses C = 6ND (all but Kaplan's Table 6)", () => {
    fc.assert(
      fc.property(fitArb, flopsArb, (fit, c) => {
        fc.pre(fit.kind !== "kaplan");
        const a = solve(fit, { kind: "flops", value: c }, "critical");
        return close(6 * a.params * a.tokens, c, 1e-9);
      }),
    );
  });

  it("asking with the answer's N, D or loss returns the original budget", () => {
    fc.assert(
      fc.property(
        fitArb,
        budgetArb,
        flopsArb,
        fc.constantFrom<QuantityKind>("params", "tokens", "loss"),
        (fit, budget, c, kind) => {
          fc.pre(kind !== "loss" || hasLossLaw(fit));
          const forward = solve(fit, { kind: "flops", value: c }, budget);
          // Losses far outside a fit's data are withheld; the law's own loss inverts the same way.
          const value =
            kind === "loss" ? frontierLoss(fit, c, { kaplanBudget: budget }) : forward[kind];
          if (value === null) return false;
          const back = solve(fit, { kind, value }, budget);
          return (
            close(back.flops, c, 1e-6) &&
            close(back.params, forward.params, 1e-6) &&
            close(back.tokens, forward.tokens, 1e-6)
          );
        },
      ),
    );
  });

  it("scales N and D by 10^a and 10^b when compute grows 10x", () => {
    fc.assert(
      fc.property(fitArb, budgetArb, flopsArb, (fit, budget, c) => {
        const a = solve(fit, { kind: "flops", value: c }, budget);
        const b = solve(fit, { kind: "flops", value: 10 * c }, budget);
        return (
          close(b.params / a.params, a.scaleUp10x.params, 1e-9) &&
          close(b.tokens / a.tokens, a.scaleUp10x.tokens, 1e-9)
        );
      }),
    );
  });

  it("never predicts a loss below the compute-optimal loss for the same C = 6ND", () => {
    const lossFits = DEFAULT_FITS.filter(hasLossLaw);
    fc.assert(
      fc.property(
        fc.constantFrom(...lossFits),
        fc.double({ min: 6, max: 13, noNaN: true }),
        fc.double({ min: 8, max: 14, noNaN: true }),
        (fit, logN, logD) => {
          const p = predictLoss(fit, 10 ** logN, 10 ** logD);
          return (
            p.optimalLoss <= p.loss * (1 + 1e-12) &&
            close(6 * p.optimalParams * p.optimalTokens, 6 * 10 ** (logN + logD), 1e-9)
          );
        },
      ),
    );
  });

  it("the frontier loss decreases as compute grows", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...DEFAULT_FITS.filter(hasLossLaw)),
        budgetArb,
        flopsArb,
        (fit, budget, c) => {
          const small = frontierLoss(fit, c, { kaplanBudget: budget });
          const large = frontierLoss(fit, c * 10, { kaplanBudget: budget });
          return small !== null && large !== null && large < small;
        },
      ),
    );
  });
});

describe("parsing properties", () => {
  it("formatting a count then parsing it round-trips (formatCount ∘ parse ∘ formatCount = formatCount)", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 17.9, noNaN: true }),
        fc.constantFrom<QuantityKind>("params", "tokens"),
        (e, kind) => {
          const x = 10 ** e;
          fc.pre(x <= QUANTITY_BOUNDS[kind].max);
          const text = formatCount(x);
          const parsed = parseQuantity(text, kind);
          return (
            parsed.ok &&
            formatCount(parsed.quantity.value) === text &&
            close(parsed.quantity.value, x, 5e-3)
          );
        },
      ),
    );
  });

  it("formatting a budget in scientific notation then parsing it round-trips", () => {
    fc.assert(
      fc.property(fc.double({ min: 6, max: 35.9, noNaN: true }), (e) => {
        const x = 10 ** e;
        const text = `${formatScientific(x)} FLOPs`;
        const parsed = parseQuantity(text, "flops");
        return (
          parsed.ok &&
          formatScientific(parsed.quantity.value) === formatScientific(x) &&
          close(parsed.quantity.value, x, 5e-3)
        );
      }),
    );
  });

  it("never throws, and accepts only finite values inside the bounds", () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 60 }),
        fc.constantFrom<QuantityKind>("flops", "params", "tokens", "loss"),
        (text, kind) => {
          const parsed = parseQuantity(text, kind);
          if (!parsed.ok) return parsed.message.length > 0;
          const { value } = parsed.quantity;
          return (
            Number.isFinite(value) &&
            value >= QUANTITY_BOUNDS[kind].min &&
            value <= QUANTITY_BOUNDS[kind].max
          );
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("reads any plain double written in exponent form as itself", () => {
    fc.assert(
      fc.property(fc.double({ min: 1e6, max: 1e36, noNaN: true }), (x) => {
        const parsed = parseQuantity(x.toExponential(), "flops");
        return parsed.ok && parsed.quantity.value === x;
      }),
    );
  });
});

describe("a property that must be able to fail", () => {
  it("catches a broken inverse (sanity check of the harness)", () => {
    const fit = DEFAULT_FITS[0];
    if (!fit) throw new Error("no fits");
    const broken = () =>
      fc.assert(
        fc.property(flopsArb, (c) => {
          const forward = solve(fit, { kind: "flops", value: c }, "critical");
          const back = solve(fit, { kind: "params", value: forward.params * 1.01 }, "critical");
          return close(back.flops, c, 1e-6);
        }),
      );
    expect(broken).toThrow();
  });
});
