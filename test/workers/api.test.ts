import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { AllocateAnswerJson as AllocateAnswer } from "../../src/api/lean.ts";
import { DEFAULT_FIT_IDS, DEFAULT_FITS } from "../../src/core/fits/defaults.ts";
import { hasLossLaw } from "../../src/core/loss.ts";
import type { PredictAnswer } from "../../src/service/predict.ts";
import { type ErrorEnvelope, freshApp, hasNoNonFinite, seedAll } from "./helpers.ts";

const BASE = "http://calc.test";
const LOSS_LAW_FITS = DEFAULT_FITS.filter(hasLossLaw).map((f) => f.id);

async function get(path: string) {
  return exports.default.fetch(`${BASE}${path}`);
}

async function allocateAnswer(query: string): Promise<AllocateAnswer> {
  const res = await get(`/api/v1/allocate?${query}`);
  const text = await res.text();
  expect(res.status, text).toBe(200);
  expect(hasNoNonFinite(text)).toBe(true);
  return JSON.parse(text) as AllocateAnswer;
}

async function expectError(res: Response, status: number, code: string, field?: string) {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  expect(res.headers.get("content-type")).toMatch(/application\/json/);
  const body = JSON.parse(text) as ErrorEnvelope;
  expect(body.error.code).toBe(code);
  expect(body.error.message.length).toBeGreaterThan(0);
  if (field !== undefined) expect(body.error.field).toBe(field);
  return body;
}

beforeAll(async () => {
  await seedAll();
});

describe("GET /api/v1/allocate", () => {
  it("answers a FLOP budget under every fit, served from the seeded KV registry", async () => {
    const answer = await allocateAnswer("flops=5.76e23&include=notes,sources");
    expect(answer.query).toMatchObject({
      question: "flops",
      input: "5.76e23",
      flops: 5.76e23,
      kaplanBudget: "critical",
    });
    expect(answer.allocations.map((a) => a.fit)).toEqual(DEFAULT_FIT_IDS);
    expect(answer.origin).toEqual({ store: "kv" });
    for (const a of answer.allocations) {
      expect(a.origin).toBeUndefined();
      expect(a.source?.length).toBeGreaterThan(10);
      expect(a.citation.length).toBeGreaterThan(10);
      expect(["total", "non-embedding"]).toContain(a.parameterConvention);
    }
    const approach3 = answer.allocations.find((a) => a.fit === "chinchilla-approach3");
    // Hoffmann et al. 2022 Fig. 4 caption: about 40B parameters at the Gopher budget.
    expect(approach3?.params).toBeGreaterThan(39.5e9);
    expect(approach3?.params).toBeLessThan(40.5e9);
    expect(answer.headline?.fit).toBe("epoch-2024");
    expect(answer.conventions?.pfDay).toMatch(/8\.64e19/);
    // The lean default leaves the static metadata to GET /api/v1/fits.
    const lean = await allocateAnswer("flops=5.76e23");
    expect(lean.conventions).toBeUndefined();
    expect(lean.allocations[0]?.source).toBeUndefined();
    expect(lean.allocations[0]?.notes).toBeUndefined();
  });

  it("reads PF-days and echoes how it read them", async () => {
    const answer = await allocateAnswer(
      `flops=${encodeURIComponent("5000 PF-days")}&fit=epoch-2024`,
    );
    expect(answer.query.input).toBe("5000 PF-days");
    expect(answer.query.flops).toBeCloseTo(4.32e23, -18);
    expect(answer.query.interpretation).toMatch(/8\.64e19/);
  });

  it("reads GPU time and reports the hardware assumption", async () => {
    const answer = await allocateAnswer(`flops=${encodeURIComponent("1M H100-hours @ 40% MFU")}`);
    expect(answer.query.hardware).toMatchObject({
      gpu: "H100",
      gpuHours: 1e6,
      mfu: 0.4,
      mfuIsDefault: false,
    });
  });

  it("reproduces Kaplan's 4.68B at 1e21 FLOPs by default and 7.77B with kaplanBudget=all", async () => {
    const critical = await allocateAnswer("flops=1e21&fit=kaplan-2020&include=notes");
    const all = await allocateAnswer("flops=1e21&fit=kaplan-2020&kaplanBudget=all&include=notes");
    expect((critical.allocations[0]?.params ?? 0) / 1e9).toBeCloseTo(4.68, 2);
    expect((all.allocations[0]?.params ?? 0) / 1e9).toBeCloseTo(7.77, 2);
    expect(critical.allocations[0]?.kaplan?.budgetConvention).toBe("critical");
    expect(critical.allocations[0]?.notes?.[0]).toMatch(/C_min = C\/2/);
    expect(all.allocations[0]?.notes?.[0]).toMatch(/kaplanBudget=all/);
  });

  it("keeps the requested fit order", async () => {
    const answer = await allocateAnswer("flops=1e24&fit=kaplan-2020,chinchilla-approach1");
    expect(answer.allocations.map((a) => a.fit)).toEqual(["kaplan-2020", "chinchilla-approach1"]);
  });

  it("answers the inverse questions: model size, data size and target loss", async () => {
    const byParams = await allocateAnswer("params=70B&fit=chinchilla-approach1");
    expect(byParams.allocations[0]?.params).toBe(70e9);
    expect(byParams.allocations[0]?.tokensPerParam).toBeGreaterThan(19);

    const byTokens = await allocateAnswer("tokens=1.4T&fit=tokens-per-param-20");
    expect(byTokens.allocations[0]?.params).toBeCloseTo(70e9, -3);
    expect(byTokens.allocations[0]?.flops).toBeCloseTo(5.88e23, -18);

    const byLoss = await allocateAnswer("loss=2.0");
    expect(byLoss.allocations.map((a) => a.fit)).toEqual(LOSS_LAW_FITS);
    expect(LOSS_LAW_FITS).toEqual(
      expect.arrayContaining(["chinchilla-approach3", "epoch-2024", "kaplan-2020"]),
    );
    expect(byLoss.skipped.map((s) => s.reason)).toEqual(
      Array(DEFAULT_FITS.length - LOSS_LAW_FITS.length).fill("no-loss-law"),
    );
    for (const a of byLoss.allocations) expect(a.loss).toBe(2);
  });

  it("warns when the budget is outside a fit's measured range, without refusing", async () => {
    const answer = await allocateAnswer("flops=1e26&fit=chinchilla-approach2");
    expect(answer.warnings[0]).toMatchObject({
      code: "extrapolation",
      fits: ["chinchilla-approach2"],
    });
    expect(answer.warnings[0]?.message).toMatch(/extrapolation/);
    const inside = await allocateAnswer("flops=1e20&fit=chinchilla-approach2");
    expect(inside.warnings).toEqual([]);
  });
});

describe("POST /api/v1/allocate", () => {
  const post = (body: string, type = "application/json") =>
    exports.default.fetch(`${BASE}/api/v1/allocate`, {
      method: "POST",
      headers: { "content-type": type },
      body,
    });

  it("answers the same as GET, with numbers or text", async () => {
    const viaGet = await allocateAnswer("flops=1e24");
    const res = await post(JSON.stringify({ flops: 1e24 }));
    expect(res.status).toBe(200);
    const viaPost = (await res.json()) as AllocateAnswer;
    expect(viaPost.allocations).toEqual(viaGet.allocations);
    const text = (await (
      await post(JSON.stringify({ flops: "5000 PF-days", fit: ["epoch-2024"] }))
    ).json()) as AllocateAnswer;
    expect(text.allocations.map((a) => a.fit)).toEqual(["epoch-2024"]);
  });

  it("refuses bodies that are not JSON, malformed, oversized, overflowing or carry unknown fields", async () => {
    await expectError(
      await post("flops=1e24", "application/x-www-form-urlencoded"),
      415,
      "unsupported_media_type",
      "body",
    );
    await expectError(await post("{bad"), 400, "invalid_json", "body");
    await expectError(
      await post(JSON.stringify({ flops: "1e24", pad: "x".repeat(20_000) })),
      413,
      "payload_too_large",
    );
    await expectError(await post('{"flops": 1e400}'), 400, "invalid_input", "flops");
    await expectError(
      await post(JSON.stringify({ flops: "1e24", flop: 1 })),
      400,
      "invalid_input",
      "flop",
    );
    await expectError(await post(JSON.stringify({ flops: [1] })), 400, "invalid_input", "flops");
  });
});

describe("error envelope for bad input", () => {
  it.each([
    ["flops=-1", 400, "invalid_input", "flops"],
    ["flops=0", 400, "invalid_input", "flops"],
    ["flops=NaN", 400, "invalid_input", "flops"],
    ["flops=Infinity", 400, "invalid_input", "flops"],
    ["flops=1e400", 400, "invalid_input", "flops"],
    ["flops=ten%20to%20the%2024", 400, "invalid_input", "flops"],
    ["params=-5B", 400, "invalid_input", "params"],
    ["loss=0", 400, "invalid_input", "loss"],
    ["flops=1e24&params=70B", 400, "conflicting_question", "params"],
    ["flops=1e24&tokens=1T&loss=2", 400, "conflicting_question", "tokens"],
    ["", 400, "missing_question", "flops"],
    ["fit=epoch-2024", 400, "missing_question", "flops"],
    ["flops=1e24&flops=2e24", 400, "invalid_input", "flops"],
    ["flops=1e24&kaplanBudget=half", 400, "invalid_input", "kaplanBudget"],
    ["flops=1e24&fit=nope", 404, "unknown_fit", "fit"],
    ["loss=1.0&fit=chinchilla-approach3,epoch-2024", 422, "unreachable", "loss"],
    ["loss=2&fit=chinchilla-approach1", 422, "unreachable", "loss"],
  ])("?%s → %d %s", async (query, status, code, field) => {
    await expectError(await get(`/api/v1/allocate?${query}`), status, code, field);
  });

  it("answers unknown routes with the same envelope", async () => {
    await expectError(await get("/api/v2/allocate"), 404, "not_found");
  });
});

describe("GET /api/v1/predict", () => {
  it("predicts the loss of Chinchilla itself and the best split of the same compute", async () => {
    const res = await get("/api/v1/predict?params=70B&tokens=1.4T");
    expect(res.status).toBe(200);
    const answer = (await res.json()) as PredictAnswer;
    expect(answer.flops).toBeCloseTo(5.88e23, -18);
    expect(answer.predictions.map((p) => p.fit)).toEqual(LOSS_LAW_FITS);
    for (const p of answer.predictions) {
      if (p.fit === "kaplan-2020") {
        // L(N, D) (eq. 1.5) and the frontier L(C_min) (eq. 1.3) are different laws.
        expect(p.excessLoss).toBeNull();
        expect(p.nullReasons.excessLoss).toMatch(/different laws/);
        continue;
      }
      const { loss, optimalLoss } = p;
      if (loss === null || optimalLoss === null) throw new Error(`${p.fit}: no loss`);
      expect(optimalLoss).toBeLessThanOrEqual(loss);
      expect(p.excessLoss).toBeCloseTo(loss - optimalLoss, 12);
    }
    const approach3 = answer.predictions[0];
    // L = 1.693374 + 406.401/70e9^0.33917084 + 410.7228/1.4e12^0.2849083 (eq. 2, unrounded).
    expect(approach3?.loss).toBeCloseTo(
      1.693374 + 406.401 / 70e9 ** 0.33917084 + 410.7228 / 1.4e12 ** 0.2849083,
      10,
    );
  });

  it("needs both params and tokens, and a fit with a loss law", async () => {
    await expectError(await get("/api/v1/predict?params=70B"), 400, "invalid_input", "tokens");
    await expectError(await get("/api/v1/predict?tokens=1T"), 400, "invalid_input", "params");
    await expectError(
      await get("/api/v1/predict?params=70B&tokens=1T&fit=llama3-2024"),
      422,
      "unreachable",
    );
  });
});

describe("registry routes", () => {
  it("lists every fit with its constants, source and origin", async () => {
    const res = await get("/api/v1/fits");
    const body = (await res.json()) as {
      fits: { id: string; source: { paper: string }; origin: { store: string } }[];
    };
    expect(body.fits.map((f) => f.id)).toEqual(DEFAULT_FIT_IDS);
    expect(body.fits.every((f) => f.origin.store === "kv" && f.source.paper.length > 0)).toBe(true);
  });

  it("returns one fit, or 404 for an unknown id", async () => {
    const res = await get("/api/v1/fits/chinchilla-approach3");
    expect(await res.json()).toMatchObject({
      id: "chinchilla-approach3",
      E: 1.693374,
      alpha: 0.33917084,
    });
    await expectError(await get("/api/v1/fits/nope"), 404, "unknown_fit", "id");
  });

  it("lists GPUs with their peak dense BF16 figures", async () => {
    const body = (await (await get("/api/v1/gpus")).json()) as {
      gpus: { id: string; peakFlops: number }[];
    };
    expect(body.gpus.find((g) => g.id === "H100")?.peakFlops).toBe(989e12);
    expect(body.gpus.find((g) => g.id === "A100")?.peakFlops).toBe(312e12);
  });

  it("serves /healthz statically", async () => {
    const res = await get("/healthz");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
  });
});

describe("the app in isolation", () => {
  it("answers through app.request with the real KV binding", async () => {
    const { app } = freshApp();
    const res = await app.request("/api/v1/allocate?flops=1e22&fit=epoch-2024", {}, env);
    expect(res.status).toBe(200);
  });
});
