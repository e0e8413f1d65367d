/**
 * Every request bounded (issue 12): limits before KV, no KV writes from reads, writes spent by
 * whom they belong to, KV faults as 503, links from configuration. Inside workerd, real local KV.
 */
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { parametricLossOf } from "../../src/core/fitting/parametric.ts";
import { clientKeyOf } from "../../src/http/context.ts";
import { userFitQuotaKey, userFitReportKey } from "../../src/store/user-fits.ts";
import { type ErrorEnvelope, freshApp } from "./helpers.ts";

const BASE = "http://calc.test";
/** Hoffmann et al. 2022 eq. (10), unrounded (scaling-laws.md §2): a law to make runs from. */
const LAW = { E: 1.693374, A: 406.401, B: 410.7228, alpha: 0.33917084, beta: 0.2849083 };

function runs(seed: number, count = 12) {
  return Array.from({ length: count }, (_, i) => {
    const params = 1e7 * 10 ** ((i % 4) / 1.5 + seed * 1e-3);
    const tokens = 2e8 * 10 ** (Math.floor(i / 4) / 1.2);
    return { params, tokens, loss: parametricLossOf(LAW, params, tokens) };
  });
}

/** A KV binding that counts what is done to it, optionally failing or hanging. */
function instrumentedKv(mode: "ok" | "fail" | "hang" = "ok") {
  const calls = { get: 0, put: 0 };
  const kv = new Proxy(env.FITS, {
    get(target, key) {
      const value = Reflect.get(target, key);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        if (key === "get" || key === "getWithMetadata") calls.get += 1;
        if (key === "put") calls.put += 1;
        if (mode === "fail") return Promise.reject(new Error("KV is down"));
        if (mode === "hang") return new Promise(() => {});
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { kv, calls };
}

async function postFit(body: unknown, headers: Record<string, string> = {}, app = exports.default) {
  return app.fetch(`${BASE}/api/v1/fits`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
}

describe("limits are checked before any KV access", () => {
  it.each([33, 38, 58, 64])("%i fit ids are refused with 400 and no KV read", async (count) => {
    const ids = Array.from({ length: count }, (_, i) => `user-${String(i).padStart(20, "0")}`);
    const { kv, calls } = instrumentedKv();
    const { app } = freshApp();
    const res = await app.request(
      `/api/v1/allocate?flops=1e24&fit=${ids.join(",")}`,
      {},
      { ...env, FITS: kv },
    );
    expect(res.status).toBe(400);
    expect(((await res.json()) as ErrorEnvelope).error.message).toMatch(
      /at most 32 fits|at most 1000 characters/,
    );
    expect(calls.get).toBe(0);
  });
});

describe("user-fit reads never write, and stay cheap", () => {
  it("32 user fits in one GET read only their coefficient records, then the isolate's memory", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 32; i++) {
      const res = await postFit({ runs: runs(i) }, { "cf-connecting-ip": `192.0.2.${i + 1}` });
      expect([200, 201]).toContain(res.status);
      ids.push(((await res.json()) as { id: string }).id);
    }
    const { kv, calls } = instrumentedKv();
    const { app } = freshApp();
    const bindings = { ...env, FITS: kv };
    const first = await app.request(
      `/api/v1/allocate?flops=1e22&fit=${ids.join(",")}`,
      {},
      bindings,
    );
    expect(first.status).toBe(200);
    const readsAfterFirst = calls.get;
    // The registry's bulk read and one bulk read of the 32 records: never a report or runs.
    expect(readsAfterFirst).toBeLessThanOrEqual(2);
    const again = await app.request(
      `/api/v1/allocate?flops=2e22&fit=${ids.join(",")}`,
      {},
      bindings,
    );
    expect(again.status).toBe(200);
    expect(calls.get).toBe(readsAfterFirst);
    expect(calls.put).toBe(0);
  });
});

describe("writes are spent by whom they belong to", () => {
  it("keys the write limit on an IPv6 /64 and an IPv4 address", () => {
    expect(clientKeyOf("2001:db8:1:2:aaaa:bbbb:cccc:dddd")).toBe("2001:db8:1:2::/64");
    expect(clientKeyOf("2001:db8:1:2::1")).toBe("2001:db8:1:2::/64");
    expect(clientKeyOf("2001:DB8:0001:0002:ffff::")).toBe("2001:db8:1:2::/64");
    expect(clientKeyOf("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(clientKeyOf("::ffff:198.51.100.7")).toBe("198.51.100.7");
    expect(clientKeyOf("198.51.100.7")).toBe("198.51.100.7");
  });

  it("one IPv6 host rotating addresses in its /64 shares one write limit", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      const address = `2001:db8:77:1:${(i + 1).toString(16)}::${i}`;
      statuses.push((await postFit({ runs: runs(100) }, { "cf-connecting-ip": address })).status);
    }
    expect(statuses.slice(0, 10).every((s) => s === 200 || s === 201)).toBe(true);
    expect(statuses[10]).toBe(429);
    const other = await postFit({ runs: runs(100) }, { "cf-connecting-ip": "2001:db8:77:2::1" });
    expect(other.status).toBe(200);
  });

  it("gives no CORS to the write, refuses foreign origins with 403 before the rate limit", async () => {
    const preflight = await exports.default.fetch(`${BASE}/api/v1/fits`, {
      method: "OPTIONS",
      headers: { origin: "https://evil.example", "access-control-request-method": "POST" },
    });
    expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
    const read = await exports.default.fetch(`${BASE}/api/v1/fits`, {
      headers: { origin: "https://any.example" },
    });
    expect(read.headers.get("access-control-allow-origin")).toBe("*");
    const client = { "cf-connecting-ip": "203.0.113.200" };
    for (let i = 0; i < 12; i++) {
      const res = await postFit({ runs: runs(200) }, { ...client, origin: "https://evil.example" });
      expect(res.status).toBe(403);
      expect(res.headers.get("access-control-allow-origin")).toBeNull();
    }
    // The refused posts spent nothing: the client's own writes still go through.
    expect((await postFit({ runs: runs(200) }, client)).status).toBe(201);
  });

  it("the /fit form refuses cross-site posts, and its 429 never echoes the body", async () => {
    const csv = `params,tokens,loss\n${runs(300)
      .map((r) => `${r.params},${r.tokens},${r.loss}`)
      .join("\n")}\nSECRET-MARKER`;
    const form = (headers: Record<string, string>) =>
      exports.default.fetch(`${BASE}/fit`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
        body: new URLSearchParams({ csv }).toString(),
      });
    const crossSite = await form({
      origin: "https://evil.example",
      "sec-fetch-site": "cross-site",
    });
    expect(crossSite.status).toBe(403);
    expect(await crossSite.text()).not.toContain("SECRET-MARKER");
    const client = { "cf-connecting-ip": "203.0.113.201" };
    for (let i = 0; i < 10; i++) await postFit({ runs: runs(301 + i) }, client);
    const limited = await form({ ...client, origin: BASE, "sec-fetch-site": "same-origin" });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("60");
    expect(await limited.text()).not.toContain("SECRET-MARKER");
  });

  it("the id depends on the runs and options, not the name; a daily quota bounds new fits", async () => {
    const a = await postFit(
      { runs: runs(400), name: "first" },
      { "cf-connecting-ip": "192.0.2.90" },
    );
    const b = await postFit(
      { runs: runs(400), name: "second" },
      { "cf-connecting-ip": "192.0.2.91" },
    );
    expect(a.status).toBe(201);
    expect(b.status).toBe(200);
    expect(((await b.json()) as { id: string }).id).toBe(((await a.json()) as { id: string }).id);
    const day = new Date().toISOString().slice(0, 10);
    await env.FITS.put(userFitQuotaKey(day, "192.0.2.92"), "100");
    const spent = await postFit({ runs: runs(401) }, { "cf-connecting-ip": "192.0.2.92" });
    expect(spent.status).toBe(429);
    expect(Number(spent.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(((await spent.json()) as ErrorEnvelope).error.message).toMatch(/100 a day/);
    // Posting runs fitted before renews them and is not counted.
    expect((await postFit({ runs: runs(400) }, { "cf-connecting-ip": "192.0.2.92" })).status).toBe(
      200,
    );
  });
});

describe("KV faults are 503 with Retry-After, never a 500 or a hang", () => {
  it.each(["fail", "hang"] as const)("user-fit reads when KV %s", async (mode) => {
    const { kv } = instrumentedKv(mode);
    const { app } = freshApp({ kvTimeoutMs: 50 });
    const started = Date.now();
    const res = await app.request(
      `/api/v1/allocate?flops=1e22&fit=user-${"a".repeat(20)}`,
      {},
      { ...env, FITS: kv },
    );
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("30");
    expect(((await res.json()) as ErrorEnvelope).error.code).toBe("storage_unavailable");
    expect(Date.now() - started).toBeLessThan(2_000);
    const page = await app.request(`/fit/user-${"a".repeat(20)}`, {}, { ...env, FITS: kv });
    expect(page.status).toBe(503);
    expect(page.headers.get("content-type")).toMatch(/text\/html/);
  });

  it("a stored report that fails validation is an error page and a 404 envelope", async () => {
    const res = await postFit({ runs: runs(500) }, { "cf-connecting-ip": "192.0.2.120" });
    const { id } = (await res.json()) as { id: string };
    await env.FITS.put(
      userFitReportKey(id),
      JSON.stringify({ report: { uncertainty: { intervals80: { A: [null, 1] } } }, runs: [] }),
    );
    const page = await exports.default.fetch(`${BASE}/fit/${id}`);
    expect(page.status).toBe(404);
    expect(await page.text()).toMatch(/could not be read/);
    const api = await exports.default.fetch(`${BASE}/api/v1/fits/${id}`);
    expect(api.status).toBe(404);
  });
});

describe("links come from configuration, not the Host header", () => {
  it("PUBLIC_ORIGIN sets OpenAPI servers, canonical and og:url links and stored fit URLs", async () => {
    const { app } = freshApp();
    const bindings = { ...env, PUBLIC_ORIGIN: "https://compute-optimal.example" };
    const hostile = { host: "evil.example" };
    const openapi = (await (
      await app.request("http://evil.example/openapi.json", { headers: hostile }, bindings)
    ).json()) as { servers: { url: string }[] };
    expect(openapi.servers[0]?.url).toBe("https://compute-optimal.example");
    const page = await (
      await app.request("http://evil.example/?flops=1e24", { headers: hostile }, bindings)
    ).text();
    expect(page).toContain(
      '<link rel="canonical" href="https://compute-optimal.example/?flops=1e24"',
    );
    expect(page).not.toContain("evil.example");
    const fit = await app.request(
      "http://evil.example/api/v1/fits",
      {
        method: "POST",
        headers: {
          ...hostile,
          "content-type": "application/json",
          "cf-connecting-ip": "192.0.2.140",
        },
        body: JSON.stringify({ runs: runs(600) }),
      },
      bindings,
    );
    const answer = (await fit.json()) as { fit: { source: { url: string } } };
    expect(answer.fit.source.url).toMatch(
      /^https:\/\/compute-optimal\.example\/api\/v1\/fits\/user-/,
    );
  });
});

describe("ratios and counts have sane floors", () => {
  it.each([
    ["/api/v1/allocate?flops=1e24&gpu=H100&mfu=5e-324", "mfu"],
    ["/api/v1/allocate?flops=1e24&gpu=H100&mfu=0.5%25", "mfu"],
    ["/api/v1/allocate?flops=1e24&gpu=H100&gpus=0x10", "gpus"],
  ])("%s is a 400 naming %s", async (path, field) => {
    const res = await exports.default.fetch(`${BASE}${path}`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as ErrorEnvelope).error.field).toBe(field);
  });
});

describe("nothing non-finite is stored", () => {
  // Runs whose fit overflows A to Infinity (params 1e200 to 1e202), and the same sizes at 1e-200
  // to 1e-198, whose fit gives A = 0 (which no fit definition may hold).
  const losses = [2.9, 2.6, 1.903, 1.604, 1.9, 1.6];
  const runsAt = (exponent: number) =>
    losses.map((loss, i) => ({
      params: 10 ** (exponent + Math.floor(i / 2)),
      tokens: i % 2 === 0 ? 1e10 : 1e12,
      loss,
    }));
  it.each([
    ["A = Infinity", 200, "192.0.2.150"],
    ["A = 0", -200, "192.0.2.151"],
  ])("a fit with %s is refused with 422 and stored nowhere", async (_name, exponent, ip) => {
    const before = (await env.FITS.list({ prefix: "userfit:" })).keys.length;
    const res = await postFit({ runs: runsAt(exponent) }, { "cf-connecting-ip": ip });
    const text = await res.text();
    expect(res.status, text).toBe(422);
    expect((JSON.parse(text) as ErrorEnvelope).error.code).toBe("unfittable");
    expect((await env.FITS.list({ prefix: "userfit:" })).keys.length).toBe(before);
  });
});

describe("the worst requests at once", () => {
  it("answers a concurrent mix of the costliest requests, each correctly, none with a 5xx", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) {
      const res = await postFit(
        { runs: runs(700 + i) },
        { "cf-connecting-ip": `192.0.2.${200 + i}` },
      );
      ids.push(((await res.json()) as { id: string }).id);
    }
    const tooMany = Array.from({ length: 40 }, (_, i) => `user-${String(i).padStart(20, "9")}`);
    const mcpBatch = Array.from({ length: 62 }, (_, i) => ({
      jsonrpc: "2.0",
      id: i,
      method: "tools/call",
      params: { name: "compute_optimal_allocation", arguments: { flops: "1e24", fits: ids } },
    }));
    // Extreme runs spread over 1e±300: the fit is cut short by its work budget.
    const extreme = Array.from({ length: 400 }, (_, i) => ({
      params: 10 ** (((i * 37) % 600) - 300),
      tokens: 10 ** (((i * 53) % 600) - 300),
      loss: 1 + ((i * 7) % 9),
    }));
    const requests: [string, Promise<Response>, number[]][] = [
      ...ids.map((_, i): [string, Promise<Response>, number[]] => [
        `allocate ${i}`,
        exports.default.fetch(
          `${BASE}/api/v1/allocate?flops=${1e22 + i * 1e20}&fit=${ids.join(",")}`,
        ),
        [200],
      ]),
      [
        "40 ids",
        exports.default.fetch(`${BASE}/api/v1/allocate?flops=1e24&fit=${tooMany.join(",")}`),
        [400],
      ],
      [
        "mcp batch",
        exports.default.fetch(`${BASE}/mcp`, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            accept: "application/json, text/event-stream",
            "mcp-protocol-version": "2025-11-25",
          },
          body: JSON.stringify(mcpBatch),
        }),
        [400],
      ],
      ["page", exports.default.fetch(`${BASE}/?flops=1e24&fit=${ids.join(",")}`), [200]],
      [
        "extreme fit",
        postFit({ runs: extreme, bootstrap: 500 }, { "cf-connecting-ip": "192.0.2.250" }),
        [201, 422],
      ],
    ];
    const answers = await Promise.all(requests.map(([, res]) => res));
    for (const [i, res] of answers.entries()) {
      const [name, , statuses] = requests[i] as [string, Promise<Response>, number[]];
      const text = await res.text();
      expect(statuses, `${name}: ${res.status} ${text.slice(0, 200)}`).toContain(res.status);
      if (name.startsWith("allocate")) {
        const body = JSON.parse(text) as { allocations: { fit: string }[] };
        expect(body.allocations.map((a) => a.fit)).toEqual(ids);
      }
      if (name === "extreme fit" && res.status === 201) {
        // Whatever the runs, the fit stays within its fixed work budget.
        const { work } = JSON.parse(text) as { work: Record<string, number> };
        expect((work.fit ?? 0) + (work.bootstrap ?? 0)).toBeLessThanOrEqual(work.budget ?? 0);
      }
    }
  });
});

describe("the page with many fits", () => {
  it("draws at most 12 isoFLOP curves and says so; the table lists every fit", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 14; i++) {
      const res = await postFit(
        { runs: runs(900 + i) },
        { "cf-connecting-ip": `192.0.2.${30 + i}` },
      );
      ids.push(((await res.json()) as { id: string }).id);
    }
    const html = await (
      await exports.default.fetch(`${BASE}/?flops=1e21&fit=${ids.join(",")}`)
    ).text();
    const isoflop = html.slice(
      html.indexOf('id="isoflop-title"'),
      html.indexOf("</figure>", html.indexOf('id="isoflop-title"')),
    );
    expect(isoflop.match(/<circle /g)).toHaveLength(12);
    expect(isoflop).toContain("Curves for the first 12 of 14 fits with a loss law");
    for (const id of ids) expect(html).toContain(`href="/fit/${id}"`);
  });
});
