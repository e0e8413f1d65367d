/**
 * One MFU for a budget given as GPU time and for the training time on that hardware: the
 * budget trains, on the hardware it names, in exactly the time it names.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_FITS } from "../../src/core/fits/defaults.ts";
import type { RegistrySnapshot } from "../../src/core/fits/registry.ts";
import { GPUS } from "../../src/core/hardware.ts";
import { type AllocateRequest, answerAllocate } from "../../src/service/allocate.ts";

const entries = DEFAULT_FITS.map((fit) => ({ fit, origin: { store: "bundled" as const } }));
const registry: RegistrySnapshot = {
  entries,
  byId: new Map(entries.map((entry) => [entry.fit.id, entry])),
  loadedAt: 0,
};

const HOURS = { hours: 1, h: 1, days: 24, d: 24, weeks: 168, w: 168 } as const;
const relative = (a: number, b: number) => Math.abs(a / b - 1);

/** Asserts every allocation of the budget trains in `gpuHours` and `days`. */
function expectTrainingTime(request: AllocateRequest, gpuHours: number, days: number) {
  const answer = answerAllocate(registry, request);
  expect(answer.allocations.length).toBeGreaterThan(0);
  for (const allocation of answer.allocations) {
    expect(allocation.flops, allocation.fit).toBe(answer.query.flops);
    const training = allocation.training;
    expect(training, allocation.fit).toBeDefined();
    expect(relative(training?.gpuHours ?? 0, gpuHours), allocation.fit).toBeLessThan(1e-9);
    expect(relative(training?.days ?? 0, days), allocation.fit).toBeLessThan(1e-9);
  }
  return answer;
}

describe("a GPU-time budget trained on its own hardware", () => {
  it("1024 H100 x 30 days at mfu=50% is 1.3125e24 FLOPs and 30 days (was 1.05e24 and 24)", () => {
    const answer = expectTrainingTime(
      { flops: "1024 H100 x 30 days", mfu: "50%" },
      1024 * 30 * 24,
      30,
    );
    expect(relative(answer.query.flops ?? 0, 1.3125e24)).toBeLessThan(1e-5);
    expect(answer.query.interpretation).toMatch(/50% MFU \(the request's mfu\)/);
    expect(answer.query.training).toMatchObject({ gpus: 1024, mfu: 0.5, mfuIsDefault: false });
  });

  it("takes exactly the time it names, with the MFU in the text, as mfu, or both", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...GPUS),
        fc.integer({ min: 1, max: 100_000 }),
        fc.tuple(fc.integer({ min: 1, max: 400 }), fc.integer({ min: 0, max: 9 })),
        fc.constantFrom(...(Object.keys(HOURS) as (keyof typeof HOURS)[])),
        fc.integer({ min: 1, max: 100 }),
        fc.constantFrom("text", "request", "request-fraction", "both", "default"),
        fc.constantFrom("N GPU x time", "N x GPU x time", "GPU-hours"),
        fc.boolean(),
        (gpu, count, [whole, tenths], unit, percent, mfuGiven, form, restate) => {
          const duration = Number(`${whole}.${tenths}`);
          const inText = mfuGiven === "text" || mfuGiven === "both" ? ` @ ${percent}% MFU` : "";
          const mfu =
            mfuGiven === "request" || mfuGiven === "both"
              ? { mfu: `${percent}%` }
              : mfuGiven === "request-fraction"
                ? { mfu: percent / 100 }
                : {};
          const hardware = restate ? { gpu: gpu.id, gpus: count } : {};
          if (form === "GPU-hours") {
            const gpuHours = count * duration;
            const flops = `${gpuHours} ${gpu.id}-hours${inText}`;
            const gpus = restate ? count : 1;
            expectTrainingTime({ flops, ...mfu, ...hardware }, gpuHours, gpuHours / gpus / 24);
            return;
          }
          const x = form === "N x GPU x time" ? " x" : "";
          const flops = `${count}${x} ${gpu.id} x ${whole}.${tenths} ${unit}${inText}`;
          const gpuHours = count * duration * HOURS[unit];
          expectTrainingTime(
            { flops, ...mfu, ...hardware },
            gpuHours,
            (duration * HOURS[unit]) / 24,
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});
