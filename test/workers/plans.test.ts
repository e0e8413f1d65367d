import { exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { AllocateAnswerJson as AllocateAnswer } from "../../src/api/lean.ts";
import type { DataPlanAnswer, InferencePlanAnswer } from "../../src/service/plans.ts";
import type { PredictAnswer } from "../../src/service/predict.ts";
import { type ErrorEnvelope, hasNoNonFinite, seedAll } from "./helpers.ts";

async function getJson<T>(path: string): Promise<T> {
  const res = await exports.default.fetch(`http://calc.test${path}`);
  const text = await res.text();
  expect(res.status, text).toBe(200);
  expect(hasNoNonFinite(text)).toBe(true);
  return JSON.parse(text) as T;
}

async function expectError(path: string, status: number, field: string) {
  const res = await exports.default.fetch(`http://calc.test${path}`);
  expect(res.status).toBe(status);
  const body = (await res.json()) as ErrorEnvelope;
  expect(body.error.field).toBe(field);
}

beforeAll(async () => {
  await seedAll();
});

describe("GET /api/v1/plan/inference", () => {
  it("trains a smaller model longer when inference demand is large (Sardana et al. Fig. 1)", async () => {
    // The loss of a compute-optimal 13B model under approach 3 is reached by its own budget.
    const budget = await getJson<AllocateAnswer>(
      "/api/v1/allocate?include=exact&params=13B&fit=chinchilla-approach3",
    );
    const flops = budget.allocations[0]?.flops ?? 0;
    const plan = await getJson<InferencePlanAnswer>(
      `/api/v1/plan/inference?flops=${flops}&inferenceTokens=2T&fit=chinchilla-approach3`,
    );
    expect(plan.fit).toBe("chinchilla-approach3");
    expect(plan.fitChoice.by).toBe("request");
    expect(plan.computeOptimal.params / 1e9).toBeCloseTo(13, 3);
    expect(plan.params).toBeLessThan(plan.computeOptimal.params);
    expect(plan.tokens).toBeGreaterThan(plan.computeOptimal.tokens);
    expect(plan.totalFlops).toBeCloseTo(plan.trainingFlops + plan.inferenceFlops, -10);
    expect(plan.inferenceFlops).toBeCloseTo(2 * plan.params * 2e12, -10);
    expect(plan.savingFlops).toBeGreaterThan(0);
  });

  it("answers the compute-optimal plan with inferenceTokens=0, and takes a loss target", async () => {
    const plan = await getJson<InferencePlanAnswer>(
      "/api/v1/plan/inference?loss=2.1&inferenceTokens=0&fit=epoch-2024",
    );
    expect(plan.params / plan.computeOptimal.params).toBeCloseTo(1, 5);
    expect(plan.loss).toBe(2.1);
  });

  it("refuses what it cannot plan", async () => {
    await expectError("/api/v1/plan/inference?loss=1.5&inferenceTokens=1T", 422, "loss");
    await expectError(
      "/api/v1/plan/inference?loss=2.0&inferenceTokens=1T&fit=kaplan-2020",
      422,
      "fit",
    );
    await expectError("/api/v1/plan/inference?loss=2.0", 400, "inferenceTokens");
    await expectError("/api/v1/plan/inference?loss=2.0&flops=1e24&inferenceTokens=1T", 400, "loss");
    await expectError(
      "/api/v1/plan/inference?loss=2.0&inferenceTokens=-1T",
      400,
      "inferenceTokens",
    );
  });
});

describe("GET /api/v1/plan/data", () => {
  it("repeats scarce data for more epochs at a higher loss, with warnings", async () => {
    const ample = await getJson<DataPlanAnswer>("/api/v1/plan/data?flops=1e23&uniqueTokens=10T");
    const scarce = await getJson<DataPlanAnswer>("/api/v1/plan/data?flops=1e23&uniqueTokens=50B");
    expect(ample.fit).toBe("muennighoff-2023");
    expect(ample.epochs).toBeLessThan(1);
    expect(ample.warnings).toEqual([]);
    expect(scarce.epochs).toBeGreaterThan(4);
    expect(scarce.loss).toBeGreaterThan(ample.loss);
    expect(scarce.lossPenalty).toBeCloseTo(scarce.loss - scarce.unlimited.loss, 12);
    expect(scarce.warnings.map((w) => w.code)).toEqual(["repeated-data"]);
    expect(scarce.warnings[0]?.message).toMatch(/epochs/);
  });

  it("needs a fit with a repeated-data law", async () => {
    await expectError("/api/v1/plan/data?flops=1e23&uniqueTokens=50B&fit=epoch-2024", 422, "fit");
    await expectError("/api/v1/plan/data?flops=1e23", 400, "uniqueTokens");
  });
});

describe("one default fit for single-fit answers (issue 11)", () => {
  it("the inference plan and the allocate headline both default to epoch-2024, and say so", async () => {
    const plan = await getJson<InferencePlanAnswer>(
      "/api/v1/plan/inference?flops=1e22&inferenceTokens=2T",
    );
    expect(plan.fit).toBe("epoch-2024");
    expect(plan.fitChoice).toEqual({
      by: "default",
      message: expect.stringMatching(/^epoch-2024: the default fit/),
    });
    const allocation = await getJson<AllocateAnswer>("/api/v1/allocate?include=exact&flops=1e22");
    expect(allocation.headline?.fit).toBe("epoch-2024");
    expect(allocation.headline?.fitChoice.by).toBe("default");
    const data = await getJson<DataPlanAnswer>("/api/v1/plan/data?flops=1e22&uniqueTokens=50B");
    expect(data.fit).toBe("muennighoff-2023");
    expect(data.fitChoice.message).toMatch(/only bundled fit with a repeated-data law/);
  });
});

describe("GET /api/v1/predict with uniqueTokens", () => {
  it("counts only the unique tokens trained on (U = min(uniqueTokens, tokens))", async () => {
    // Issue 11: 70B on 10B tokens with 1e12 unique available reads 2.5428 (the datablations
    // README's scaling_law with U = D = 10B), not 2.3899.
    const offered = await getJson<PredictAnswer>(
      "/api/v1/predict?params=70B&tokens=10B&uniqueTokens=1T&fit=muennighoff-2023",
    );
    const plain = await getJson<PredictAnswer>(
      "/api/v1/predict?params=70B&tokens=10B&fit=muennighoff-2023",
    );
    expect(offered.predictions[0]?.loss).toBeCloseTo(2.5428, 4);
    expect(plain.predictions[0]?.loss).toBe(offered.predictions[0]?.loss);
    expect(offered.predictions[0]?.notes.join(" ")).toMatch(/U ≤ D/);
  });

  it("reports the frontier allocate reports, for Kaplan too, with its budget convention", async () => {
    const predicted = await getJson<PredictAnswer>(
      "/api/v1/predict?params=70B&tokens=1.4T&fit=kaplan-2020&kaplanBudget=all",
    );
    const allocated = await getJson<AllocateAnswer>(
      `/api/v1/allocate?include=exact&flops=${predicted.flops}&fit=kaplan-2020&kaplanBudget=all`,
    );
    expect(predicted.query.kaplanBudget).toBe("all");
    expect(predicted.predictions[0]?.optimalLoss).toBeCloseTo(
      allocated.allocations[0]?.loss ?? 0,
      12,
    );
    expect(predicted.predictions[0]?.optimalParams).toBeCloseTo(
      allocated.allocations[0]?.params ?? 0,
      -3,
    );
  });

  it("gives the datablations README value for repeated data", async () => {
    const answer = await getJson<PredictAnswer>(
      "/api/v1/predict?params=6.34e9&tokens=242e9&uniqueTokens=25e9&fit=muennighoff-2023",
    );
    // huggingface/datablations README, Parametric Fit: 2.22564.
    expect(answer.predictions[0]?.loss).toBeCloseTo(2.22564, 5);
  });
});

describe("hardware and intervals on allocate", () => {
  it("adds training GPU-hours, days and cost per fit", async () => {
    const answer = await getJson<AllocateAnswer>(
      "/api/v1/allocate?include=exact&flops=1e24&gpu=H100&gpus=1024&mfu=40%25&pricePerGpuHour=2",
    );
    for (const a of answer.allocations) {
      expect(a.training?.gpuHours).toBeCloseTo(1e24 / (989e12 * 0.4 * 3600), 3);
      expect(a.training?.days).toBeCloseTo((a.training?.gpuHours ?? 0) / 1024 / 24, 6);
      expect(a.training?.cost).toBeCloseTo((a.training?.gpuHours ?? 0) * 2, 3);
    }
    expect(answer.query.training).toMatchObject({
      gpu: "H100",
      gpus: 1024,
      mfu: 0.4,
      mfuIsDefault: false,
    });
  });

  it("takes the GPUs of a budget given as GPU time", async () => {
    const answer = await getJson<AllocateAnswer>(
      `/api/v1/allocate?include=exact&flops=${encodeURIComponent("1024 H100 x 30 days")}&fit=epoch-2024`,
    );
    expect(answer.allocations[0]?.training?.days).toBeCloseTo(30, 6);
  });

  it("carries 80% intervals that bracket the estimate for fits that publish uncertainty", async () => {
    const answer = await getJson<AllocateAnswer>("/api/v1/allocate?include=exact&flops=1e24");
    const withIntervals = answer.allocations.filter((a) => a.intervals);
    expect(withIntervals.map((a) => a.fit).sort()).toEqual(
      ["chinchilla-approach1", "chinchilla-approach2", "chinchilla-approach3", "epoch-2024"].sort(),
    );
    for (const a of withIntervals) {
      expect(answer.intervalLevel).toBe(0.8);
      expect(a.intervals?.params[0]).toBeLessThanOrEqual(a.params);
      expect(a.intervals?.params[1]).toBeGreaterThanOrEqual(a.params);
    }
  });

  it("refuses bad hardware options", async () => {
    await expectError("/api/v1/allocate?include=exact&flops=1e24&gpu=B300", 400, "gpu");
    await expectError("/api/v1/allocate?include=exact&flops=1e24&gpu=H100&gpus=0", 400, "gpus");
    await expectError("/api/v1/allocate?include=exact&flops=1e24&gpu=H100&mfu=150%25", 400, "mfu");
    await expectError("/api/v1/allocate?include=exact&flops=1e24&gpus=8", 400, "gpu");
    await expectError(
      "/api/v1/allocate?include=exact&flops=1e24&gpu=H100&pricePerGpuHour=abc",
      400,
      "pricePerGpuHour",
    );
  });
});

describe("plans on hardware (issue 13: plan hardware belongs to the service)", () => {
  it("the inference plan gives its training time and the compute-optimal model's", async () => {
    const plan = await getJson<InferencePlanAnswer>(
      "/api/v1/plan/inference?flops=1e24&inferenceTokens=2T&gpu=H100&gpus=1024&pricePerGpuHour=2",
    );
    // GPU-hours = C / (989 TFLOP/s × 40% × 3600 s) for the H100 SXM at the default MFU.
    const hours = (flops: number) => flops / (989e12 * 0.4 * 3600);
    expect(plan.training?.plan.gpuHours).toBeCloseTo(hours(plan.trainingFlops), 3);
    expect(plan.training?.plan.days).toBeCloseTo(hours(plan.trainingFlops) / 1024 / 24, 6);
    expect(plan.training?.plan.cost).toBeCloseTo(2 * hours(plan.trainingFlops), 3);
    expect(plan.training?.computeOptimal?.gpuHours).toBeCloseTo(
      hours(plan.computeOptimal.trainingFlops),
      3,
    );
  });

  it("the data plan gives the training time of its budget, read at the request's MFU", async () => {
    const plan = await getJson<DataPlanAnswer>(
      "/api/v1/plan/data?flops=1024%20H100%20x%2030%20days&uniqueTokens=500B&mfu=50%25",
    );
    // A budget given as GPU time, trained on that hardware, takes that time.
    expect(plan.training?.plan.days).toBeCloseTo(30, 9);
    expect(plan.training?.hardware.mfu).toBe(0.5);
  });
});
