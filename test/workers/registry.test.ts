import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import type { AllocateAnswerJson as AllocateAnswer } from "../../src/api/lean.ts";
import { DEFAULT_FIT_IDS, DEFAULT_FITS } from "../../src/core/fits/defaults.ts";
import { fitKey } from "../../src/store/fit-registry.ts";
import { clearAll, freshApp, seedAll } from "./helpers.ts";

const PATH = "/api/v1/allocate?flops=5.76e23";

async function answer(app: ReturnType<typeof freshApp>["app"], bindings: Cloudflare.Env = env) {
  const res = await app.request(PATH, {}, bindings);
  expect(res.status).toBe(200);
  const body = (await res.json()) as AllocateAnswer;
  // The answer names one origin for all fits when they share it, else one per fit.
  const allocations = body.allocations.map((a) => {
    const origin = a.origin ?? body.origin;
    if (!origin) throw new Error(`${a.fit}: no origin`);
    return { ...a, origin };
  });
  return { ...body, allocations };
}

/** Wraps the real KV binding, counting reads and optionally failing or stalling them. */
function instrumentedKv(behaviour: "pass" | "throw" | "hang" = "pass") {
  const calls = { get: 0 };
  const kv = new Proxy(env.FITS, {
    get(target, property, receiver) {
      if (property !== "get") return Reflect.get(target, property, receiver);
      return (...args: Parameters<KVNamespace["get"]>) => {
        calls.get += 1;
        if (behaviour === "throw") return Promise.reject(new Error("KV GET failed: 503"));
        if (behaviour === "hang") return new Promise(() => {});
        return (target.get as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { bindings: { ...env, FITS: kv }, calls };
}

afterEach(async () => {
  await clearAll();
});

describe("fit registry in KV", () => {
  it("serves every fit from KV when seeded", async () => {
    await seedAll();
    const { app, logs } = freshApp();
    const body = await answer(app);
    expect(body.allocations.every((a) => a.origin.store === "kv")).toBe(true);
    expect(logs).toEqual([]);
  });

  it("prefers the KV document over the bundled default", async () => {
    await seedAll();
    const edited = {
      ...DEFAULT_FITS.find((f) => f.id === "tokens-per-param-20"),
      tokensPerParam: 25,
    };
    await env.FITS.put(fitKey("tokens-per-param-20"), JSON.stringify(edited));
    const { app } = freshApp();
    const body = await answer(app);
    expect(
      body.allocations.find((a) => a.fit === "tokens-per-param-20")?.tokensPerParam,
    ).toBeCloseTo(25, 9);
  });

  it("answers from the bundled defaults when KV is empty, says so, and logs once", async () => {
    const { app, logs } = freshApp();
    const first = await answer(app);
    await answer(app);
    expect(first.allocations.map((a) => a.fit)).toEqual(DEFAULT_FIT_IDS);
    for (const a of first.allocations) {
      expect(a.origin.store).toBe("bundled");
      expect(a.origin.reason).toMatch(/not in KV/);
    }
    expect(logs).toHaveLength(DEFAULT_FIT_IDS.length);
  });

  it("falls back per fit when one document is malformed JSON", async () => {
    await seedAll();
    await env.FITS.put(fitKey("epoch-2024"), "{not json");
    const { app, logs } = freshApp();
    const body = await answer(app);
    const epoch = body.allocations.find((a) => a.fit === "epoch-2024");
    expect(epoch?.origin).toMatchObject({ store: "bundled" });
    expect(epoch?.origin.reason).toMatch(/not valid JSON/);
    // The bundled constants still give the published answer: 72.2B at the Gopher budget.
    expect(epoch?.params).toBeCloseTo(7.225e10, -8);
    expect(body.allocations.filter((a) => a.origin.store === "kv")).toHaveLength(
      DEFAULT_FIT_IDS.length - 1,
    );
    expect(logs).toHaveLength(1);
  });

  it("falls back when a document fails validation or has another schema version", async () => {
    await seedAll();
    const approach3 = DEFAULT_FITS.find((f) => f.id === "chinchilla-approach3");
    await env.FITS.put(fitKey("chinchilla-approach3"), JSON.stringify({ ...approach3, A: -1 }));
    await env.FITS.put(
      fitKey("kaplan-2020"),
      JSON.stringify({ schemaVersion: 0, id: "kaplan-2020" }),
    );
    const { app } = freshApp();
    const body = await answer(app);
    const byId = new Map(body.allocations.map((a) => [a.fit, a]));
    expect(byId.get("chinchilla-approach3")?.origin.reason).toMatch(/malformed \(A:/);
    expect(byId.get("kaplan-2020")?.origin.reason).toMatch(/schemaVersion 0/);
    expect(byId.get("chinchilla-approach3")?.params).toBeCloseTo(4.036e10, -8);
  });

  it("refuses a document stored under another fit's key", async () => {
    await seedAll();
    const kaplan = DEFAULT_FITS.find((f) => f.id === "kaplan-2020");
    await env.FITS.put(fitKey("epoch-2024"), JSON.stringify(kaplan));
    const { app } = freshApp();
    const body = await answer(app);
    expect(body.allocations.find((a) => a.fit === "epoch-2024")?.origin.reason).toMatch(
      /holds the fit "kaplan-2020"/,
    );
  });

  it("answers from the bundled defaults when KV throws, and logs the failure once", async () => {
    const { bindings, calls } = instrumentedKv("throw");
    const { app, logs } = freshApp({ registryTtlMs: 0 });
    const first = await answer(app, bindings);
    expect(first.allocations.every((a) => a.origin.reason?.includes("KV read failed"))).toBe(true);
    await answer(app, bindings);
    expect(calls.get).toBeGreaterThanOrEqual(2);
    expect(new Set(logs).size).toBe(logs.length);
    expect(logs).toHaveLength(1);
  });

  it("answers from the bundled defaults when KV hangs past the timeout", async () => {
    const { bindings } = instrumentedKv("hang");
    const { app } = freshApp({ kvTimeoutMs: 50 });
    const body = await answer(app, bindings);
    expect(
      body.allocations.every((a) => a.origin.reason?.includes("did not answer within 50 ms")),
    ).toBe(true);
  });

  it("answers a warm isolate without touching KV again", async () => {
    await seedAll();
    const { bindings, calls } = instrumentedKv("pass");
    const { app } = freshApp();
    await answer(app, bindings);
    await answer(app, bindings);
    await app.request("/api/v1/predict?params=70B&tokens=1.4T", {}, bindings);
    expect(calls.get).toBe(1);
  });

  it("reads KV once per load, however many requests arrive together", async () => {
    await seedAll();
    const { bindings, calls } = instrumentedKv("pass");
    const { app } = freshApp();
    await Promise.all(Array.from({ length: 5 }, () => answer(app, bindings)));
    expect(calls.get).toBe(1);
  });

  it("serves a stale snapshot at once and refreshes it once the TTL has passed", async () => {
    await seedAll();
    let now = 1_000_000;
    const { bindings, calls } = instrumentedKv("pass");
    const { app } = freshApp({ now: () => now, registryTtlMs: 1000 });
    await answer(app, bindings);
    now += 5000;
    await answer(app, bindings);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(calls.get).toBe(2);
    await answer(app, bindings);
    expect(calls.get).toBe(2);
  });
});
