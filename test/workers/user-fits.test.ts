import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { AllocateAnswerJson as AllocateAnswer } from "../../src/api/lean.ts";
import { parametricLossOf } from "../../src/core/fitting/parametric.ts";
import type { PredictAnswer } from "../../src/service/predict.ts";
import { userFitKey, userFitReportKey } from "../../src/store/user-fits.ts";
import { type ErrorEnvelope, freshApp, hasNoNonFinite } from "./helpers.ts";

const BASE = "http://calc.test";
/** A known law (Hoffmann et al. 2022 eq. 10, unrounded; scaling-laws.md §2). */
const LAW = { E: 1.693374, A: 406.401, B: 410.7228, alpha: 0.33917084, beta: 0.2849083 };

function runsFromLaw(budgets = 4, perBudget = 4, jitter = 0) {
  const runs: { params: number; tokens: number; loss: number }[] = [];
  for (let b = 0; b < budgets; b++) {
    const flops = 1e18 * 10 ** b;
    for (let k = 0; k < perBudget; k++) {
      const params = Math.sqrt(flops / 120) * 10 ** (k / (perBudget - 1) - 0.5);
      const tokens = flops / (6 * params);
      const wiggle = 1 + jitter * Math.sin(7 * b + 3 * k);
      runs.push({ params, tokens, loss: parametricLossOf(LAW, params, tokens) * wiggle });
    }
  }
  return runs;
}

let clients = 0;

/** Posts as a new client each time, so the write rate limit (tested below) stays out of the way. */
async function post(body: string, type = "application/json", query = "", client?: string) {
  clients += 1;
  return exports.default.fetch(`${BASE}/api/v1/fits${query}`, {
    method: "POST",
    headers: { "content-type": type, "cf-connecting-ip": client ?? `198.51.100.${clients % 250}` },
    body,
  });
}

interface UserFit {
  id: string;
  kind: string;
  coefficients: Record<string, number>;
  objective: number;
  converged: boolean;
  warnings: string[];
  uncertainty: {
    standardErrors: Record<string, number>;
    intervals95: Record<string, number[]>;
  } | null;
  allocationExponents: { params: number; tokens: number } | null;
  range: { params: number[] | null; flops: number[] };
  fit: { kind: string; source: { paper: string } };
}

async function created(res: Response, status = 201): Promise<UserFit> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  expect(hasNoNonFinite(text)).toBe(true);
  return JSON.parse(text) as UserFit;
}

async function expectError(res: Response, status: number, field?: string, message?: RegExp) {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  const body = JSON.parse(text) as ErrorEnvelope;
  if (field !== undefined) expect(body.error.field, text).toBe(field);
  if (message) expect(body.error.message, text).toMatch(message);
  return body;
}

describe("POST /api/v1/fits", () => {
  it("fits JSON runs, stores the fit, and answers the same id on a repost (and in any order)", async () => {
    const runs = runsFromLaw();
    const first = await created(await post(JSON.stringify({ runs })));
    expect(first.id).toMatch(/^user-[0-9a-f]{20}$/);
    expect(first.kind).toBe("parametric");
    expect(first.coefficients.alpha).toBeCloseTo(LAW.alpha, 6);
    expect(first.coefficients.E).toBeCloseTo(LAW.E, 6);
    expect(first.converged).toBe(true);
    expect(first.allocationExponents?.params).toBeCloseTo(LAW.beta / (LAW.alpha + LAW.beta), 6);
    expect(first.fit.source.paper).toMatch(/^fitted to 16 user runs on \d{4}-\d{2}-\d{2}$/);
    const stored = await env.FITS.get(userFitKey(first.id), "json");
    expect(stored).toMatchObject({ schemaVersion: 1, id: first.id, kind: "parametric" });

    const again = await created(await post(JSON.stringify({ runs: [...runs].reverse() })), 200);
    expect(again.id).toBe(first.id);
    expect(again.coefficients).toEqual(first.coefficients);
  });

  it("gives the id to allocate, predict and GET /api/v1/fits/<id>", async () => {
    const { id } = await created(await post(JSON.stringify({ runs: runsFromLaw(4, 5) })));
    const allocate = await exports.default.fetch(`${BASE}/api/v1/allocate?flops=1e22&fit=${id}`);
    const allocation = (await allocate.json()) as AllocateAnswer;
    expect(allocate.status).toBe(200);
    expect(allocation.allocations[0]).toMatchObject({ fit: id });
    // The published fits came from KV too here, so the answer names one origin for all.
    expect(allocation.allocations[0]?.origin ?? allocation.origin).toEqual({ store: "kv" });
    // The same law's frontier as the published Chinchilla approach-3 constants.
    const chinchilla = (await (
      await exports.default.fetch(`${BASE}/api/v1/allocate?flops=1e22&fit=chinchilla-approach3`)
    ).json()) as AllocateAnswer;
    expect(allocation.allocations[0]?.params).toBeCloseTo(
      chinchilla.allocations[0]?.params ?? 0,
      -6,
    );

    const predict = await exports.default.fetch(
      `${BASE}/api/v1/predict?params=70B&tokens=1.4T&fit=${id}`,
    );
    const prediction = (await predict.json()) as PredictAnswer;
    expect(predict.status).toBe(200);
    expect(prediction.predictions[0]?.loss).toBeCloseTo(parametricLossOf(LAW, 7e10, 1.4e12), 5);

    const get = await exports.default.fetch(`${BASE}/api/v1/fits/${id}`);
    const document = (await get.json()) as { id: string; report: { id: string }; runs?: unknown[] };
    expect(get.status).toBe(200);
    expect(document.id).toBe(id);
    expect(document.report.id).toBe(id);
    expect(document.runs).toBeUndefined();
    const withRuns = await exports.default.fetch(`${BASE}/api/v1/fits/${id}?include=runs`);
    expect(((await withRuns.json()) as { runs: unknown[] }).runs).toHaveLength(20);
  });

  it("fits CSV, with options in the query; JSON and CSV of the same runs share an id", async () => {
    const runs = runsFromLaw(3, 4, 0.01);
    const csv = `params,tokens,loss\n${runs.map((r) => `${r.params},${r.tokens},${r.loss}`).join("\n")}\n`;
    const fromCsv = await created(await post(csv, "text/csv", "?name=sweep"));
    const fromJson = await created(await post(JSON.stringify({ runs, name: "sweep" })), 200);
    expect(fromJson.id).toBe(fromCsv.id);
  });

  it("fits compute-only runs; allocate explains what it can say and predict uses L(6ND)", async () => {
    const law = { a: 3.1e3, b: -0.16, c: 1.6 };
    const runs = [1e18, 1e19, 1e20, 1e21, 1e22].map((flops) => ({
      flops,
      loss: law.a * flops ** law.b + law.c,
    }));
    const fit = await created(await post(JSON.stringify({ runs })));
    expect(fit.kind).toBe("compute");
    expect(fit.fit.kind).toBe("compute-loss");
    expect(fit.coefficients.b).toBeCloseTo(law.b, 6);
    const allocate = await exports.default.fetch(
      `${BASE}/api/v1/allocate?flops=1e24&fit=${fit.id},epoch-2024`,
    );
    const answer = (await allocate.json()) as AllocateAnswer;
    expect(answer.skipped[0]).toMatchObject({ fit: fit.id, reason: "no-allocation-rule" });
    const expected = law.a * 1e24 ** law.b + law.c;
    expect(answer.skipped[0]?.message).toContain(`loss of ${Number(expected.toPrecision(4))}`);
    const predict = (await (
      await exports.default.fetch(`${BASE}/api/v1/predict?params=1e10&tokens=2e11&fit=${fit.id}`)
    ).json()) as PredictAnswer;
    expect(predict.predictions[0]?.loss).toBeCloseTo(law.a * 1.2e22 ** law.b + law.c, 6);
  });

  it("repeats the bootstrap exactly for the same input", async () => {
    const body = JSON.stringify({ runs: runsFromLaw(4, 4, 0.01), bootstrap: 50 });
    const first = await created(await post(body));
    await env.FITS.delete(userFitKey(first.id));
    await env.FITS.delete(userFitReportKey(first.id));
    const second = await created(await post(body));
    expect(second.uncertainty).toEqual(first.uncertainty);
    expect(first.uncertainty?.standardErrors.alpha).toBeGreaterThan(0);
  });

  it("gives a bootstrapped fit's allocations 80% intervals that bracket them", async () => {
    const body = JSON.stringify({ runs: runsFromLaw(4, 4, 0.02), bootstrap: 60 });
    const { id } = await created(await post(body));
    const res = await exports.default.fetch(
      `${BASE}/api/v1/allocate?flops=1e23&fit=${id}&include=sources`,
    );
    const answer = (await res.json()) as AllocateAnswer;
    const [allocation] = answer.allocations;
    expect(answer.intervalLevel).toBe(0.8);
    expect(allocation?.intervals?.method).toMatch(/bootstrap of your 16 runs/);
    expect(allocation?.intervals?.params[0]).toBeLessThanOrEqual(allocation?.params ?? 0);
    expect(allocation?.intervals?.params[1]).toBeGreaterThanOrEqual(allocation?.params ?? 0);
  });

  it("never writes to KV on reads; posting the same runs again renews the fit", async () => {
    const { id } = await created(await post(JSON.stringify({ runs: runsFromLaw(3, 5) })));
    let puts = 0;
    const counting = new Proxy(env.FITS, {
      get(target, key) {
        if (key === "put") {
          return (...args: Parameters<KVNamespace["put"]>) => {
            puts += 1;
            return target.put(...args);
          };
        }
        const value = Reflect.get(target, key);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const { app } = freshApp();
    const bindings = { ...env, FITS: counting };
    const reads = await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        app.request(`/api/v1/allocate?flops=${1e21 + i * 1e19}&fit=${id}`, {}, bindings),
      ),
    );
    expect(reads.map((r) => r.status)).toEqual(Array(16).fill(200));
    expect((await app.request(`/fit/${id}`, {}, bindings)).status).toBe(200);
    expect(puts).toBe(0);
    const again = await app.request(
      "/api/v1/fits",
      {
        method: "POST",
        headers: { "content-type": "application/json", "cf-connecting-ip": "198.51.100.77" },
        body: JSON.stringify({ runs: runsFromLaw(3, 5) }),
      },
      bindings,
    );
    expect(again.status).toBe(200);
    expect(puts).toBe(2);
  });

  it("answers 503 with Retry-After and stores nothing when KV fails", async () => {
    const failing = {
      getWithMetadata: async () => new Map(),
      put: async () => {
        throw new Error("KV write failed");
      },
    } as unknown as KVNamespace;
    const { app } = freshApp();
    const res = await app.request(
      "/api/v1/fits",
      {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ runs: runsFromLaw(3, 3) }),
      },
      { FITS: failing },
    );
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("30");
    expect(((await res.json()) as ErrorEnvelope).error.field).toBe("storage");
  });
});

describe("POST /api/v1/fits limits", () => {
  const good = runsFromLaw(2, 3);

  it("names the row and field of a bad JSON value", async () => {
    for (const bad of [-1, 0, "2.5", null]) {
      const runs = good.map((r, i) => (i === 3 ? { ...r, loss: bad } : r));
      await expectError(await post(JSON.stringify({ runs })), 400, "runs[3].loss", /row 4/);
    }
    await expectError(
      await post('{"runs":[{"params":1e999,"tokens":1,"loss":1}]}'),
      400,
      "runs[0].params",
    );
    const mixed = [...good, { flops: 1e20, loss: 3 }];
    await expectError(await post(JSON.stringify({ runs: mixed })), 400, "runs[6].params", /row 7/);
    const extra = good.map((r, i) => (i === 1 ? { ...r, steps: 5 } : r));
    await expectError(await post(JSON.stringify({ runs: extra })), 400, "runs[1].steps");
  });

  it("names the row, line and field of a bad CSV value", async () => {
    const csv = "params,tokens,loss\n1e9,2e10,2.5\n1e9,abc,2.5\n";
    await expectError(await post(csv, "text/csv"), 400, "runs[1].tokens", /row 2 \(line 3\)/);
    await expectError(await post("n,d\n1,2\n", "text/csv"), 400, "body", /header/);
  });

  it("needs 5 parametric or 3 compute runs, and at most 5000", async () => {
    await expectError(
      await post(JSON.stringify({ runs: good.slice(0, 4) })),
      400,
      "runs",
      /at least 5/,
    );
    const compute = [
      { flops: 1e20, loss: 3 },
      { flops: 1e21, loss: 2.8 },
    ];
    await expectError(await post(JSON.stringify({ runs: compute })), 400, "runs", /at least 3/);
    const many = Array.from({ length: 5001 }, () => ({ flops: 1e20, loss: 3 }));
    await expectError(await post(JSON.stringify({ runs: many })), 400, "runs", /at most 5000/);
  });

  it("bounds bootstrap and the body, and wants JSON or CSV", async () => {
    await expectError(await post(JSON.stringify({ runs: good, bootstrap: 501 })), 400, "bootstrap");
    await expectError(await post(JSON.stringify({ runs: good, bootstrap: 2.5 })), 400, "bootstrap");
    await expectError(
      await post("params,tokens,loss\n", "text/csv", "?bootstrap=lots"),
      400,
      "bootstrap",
    );
    const huge = JSON.stringify({ runs: good, name: "x".repeat(600_000) });
    await expectError(await post(huge), 413, "body");
    await expectError(await post("hello", "text/plain"), 415, "body");
    await expectError(await post("{not json"), 400);
  });
});

describe("POST /api/v1/fits rate limit", () => {
  it("answers 429 with Retry-After once a client passes 10 writes a minute, and only for that client", async () => {
    const body = JSON.stringify({ runs: runsFromLaw(2, 3) });
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++)
      statuses.push((await post(body, "application/json", "", "203.0.113.9")).status);
    expect(statuses.slice(0, 10).every((s) => s === 200 || s === 201)).toBe(true);
    expect(statuses[10]).toBe(429);
    const limited = await post(body, "application/json", "", "203.0.113.9");
    expect(limited.headers.get("retry-after")).toBe("60");
    expect(((await limited.json()) as ErrorEnvelope).error.code).toBe("rate_limited");
    expect((await post(body, "application/json", "", "203.0.113.10")).status).toBe(200);
    const read = await exports.default.fetch(`${BASE}/api/v1/allocate?flops=1e22`);
    expect(read.status).toBe(200);
  });
});

describe("user fits in the plans (issue 11: each door says which kinds of fit a question needs)", () => {
  it("the repeated-data plan refuses a user fit and names the fits that can answer", async () => {
    const fit = await created(
      await post(JSON.stringify({ runs: runsFromLaw(5, 4), name: "plans" })),
    );
    const body = await expectError(
      await exports.default.fetch(
        `${BASE}/api/v1/plan/data?flops=1e23&uniqueTokens=50B&fit=${fit.id}`,
      ),
      422,
      "fit",
      /needs a fit with a repeated-data law.*fits of your own runs have none/,
    );
    expect(body.error.expected).toBe("muennighoff-2023");
    // The inference plan takes the same parametric user fit.
    const plan = await exports.default.fetch(
      `${BASE}/api/v1/plan/inference?flops=1e21&inferenceTokens=1T&fit=${fit.id}`,
    );
    expect(plan.status).toBe(200);
  });

  it("a compute-law fit is refused by the inference plan, naming the parametric fits", async () => {
    const runs = [1e18, 1e19, 1e20, 1e21, 1e22].map((flops) => ({
      flops,
      loss: 1.7 + 30 * flops ** -0.07,
    }));
    const fit = await created(await post(JSON.stringify({ runs, name: "compute-plans" })));
    const body = await expectError(
      await exports.default.fetch(
        `${BASE}/api/v1/plan/inference?flops=1e21&inferenceTokens=1T&fit=${fit.id}`,
      ),
      422,
      "fit",
      /needs a fit with a parametric loss law.*compute-loss fit without one/,
    );
    expect(body.error.expected).toContain("epoch-2024");
  });
});
