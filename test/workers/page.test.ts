import { exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { AllocateAnswerJson as AllocateAnswer } from "../../src/api/lean.ts";
import { DEFAULT_FIT_IDS } from "../../src/core/fits/defaults.ts";
import { formatCount } from "../../src/core/format.ts";
import { type ErrorEnvelope, escapeHtml, fetchPage, seedAll } from "./helpers.ts";

const BASE = "https://calc.test";

async function get(path: string) {
  return exports.default.fetch(`${BASE}${path}`, { redirect: "manual" });
}

function page(path: string, status = 200) {
  return fetchPage(`${BASE}${path}`, status);
}

async function api<T>(path: string): Promise<{ status: number; body: T }> {
  const res = await get(path);
  return { status: res.status, body: (await res.json()) as T };
}

/** The CSP directives as a map, e.g. "script-src" → "'self'". */
function cspOf(res: Response): Map<string, string> {
  const header = res.headers.get("content-security-policy") ?? "";
  return new Map(
    header
      .split(";")
      .map((d) => d.trim())
      .filter((d) => d !== "")
      .map((d) => {
        const [name = "", ...values] = d.split(/\s+/);
        return [name, values.join(" ")];
      }),
  );
}

function expectStrictHeaders(res: Response) {
  const csp = cspOf(res);
  expect(csp.get("default-src")).toBe("'self'");
  expect(csp.get("script-src")).toBe("'self'");
  expect(csp.get("style-src")).toBe("'self'");
  expect(csp.get("img-src")).toBe("'self' data:");
  expect(csp.get("object-src")).toBe("'none'");
  expect(csp.get("base-uri")).toBe("'none'");
  expect(res.headers.get("x-content-type-options")).toBe("nosniff");
  expect(res.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
}

function expectNoFraming(res: Response) {
  expectStrictHeaders(res);
  expect(res.headers.get("x-frame-options")).toBe("DENY");
  expect(cspOf(res).get("frame-ancestors")).toBe("'none'");
}

/** Every <script> tag: our own external script only, never inline code. */
function scriptTags(html: string): string[] {
  return [...html.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/gi)].map((m) => {
    expect(m[1], "inline script content").toBe("");
    return m[0];
  });
}

/** The content attribute of a meta tag, decoded from HTML. */
function meta(html: string, key: string): string | undefined {
  const match = new RegExp(`<meta (?:property|name)="${key}" content="([^"]*)"`).exec(html);
  return match?.[1]
    ?.replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}

beforeAll(async () => {
  await seedAll();
});

describe("GET / (the calculator page)", () => {
  it("renders the form, the frontier chart and the preview tags, with strict headers", async () => {
    const { res, html } = await page("/");
    expectNoFraming(res);
    expect(html.startsWith("<!doctype html>")).toBe(true);
    expect(html).toMatch(/<form id="ask"[^>]* method="get" action="\/"/);
    expect(html).toContain('<input id="q" name="q"');
    for (const id of DEFAULT_FIT_IDS) expect(html).toContain(`name="fit" value="${id}" checked`);
    expect(html).toContain('<title id="frontier-title">');
    expect(html).not.toContain('id="isoflop-title"');
    const scripts = scriptTags(html);
    expect(scripts).toHaveLength(1);
    expect(scripts[0]).toMatch(/src="\/assets\/app\.js\?v=[0-9a-f]{8}"/);
    expect(meta(html, "og:image")).toMatch(
      /^https:\/\/calc\.test\/assets\/og\.png\?v=[0-9a-f]{8}$/,
    );
    expect(meta(html, "twitter:card")).toBe("summary_large_image");
    expect(meta(html, "theme-color")).toMatch(/^#[0-9a-fA-F]{6}$/);
    // Preview tags come before the stylesheet, early in <head>.
    expect(html.indexOf('property="og:title"')).toBeLessThan(html.indexOf('rel="stylesheet"'));
  });

  it("answers a FLOP permalink on the server: headline, table, links, both charts", async () => {
    const { body } = await api<AllocateAnswer>("/api/v1/allocate?flops=1e24&include=sources,exact");
    const { res, html } = await page("/?flops=1e24");
    expectNoFraming(res);
    const headline = body.allocations.find((a) => a.fit === body.headline?.fit);
    if (!headline) throw new Error("the API answered without a headline");
    expect(html).toContain(
      `${formatCount(headline.params)}</data> parameters on <data value="${headline.tokens}"`,
    );
    for (const a of body.allocations) {
      expect(html).toContain(
        `<data value="${a.params}" title="${Math.round(a.params).toLocaleString("en-US")} parameters">${formatCount(a.params)}</data>`,
      );
      expect(html).toContain(`href="${a.sourceUrl}"`);
    }
    expect(html).toContain('href="/api/v1/allocate?flops=1e24"');
    expect(html).toContain("curl &#39;https://calc.test/api/v1/allocate?flops=1e24&#39;");
    expect(html).toContain('data-copy="https://calc.test/?flops=1e24"');
    expect(html).toContain('data-permalink="/?flops=1e24"');
    // One frontier line per fit, each answer marked, and one isoFLOP curve per loss law.
    const frontier = html.slice(
      html.indexOf('id="frontier-title"'),
      html.indexOf("</svg>", html.indexOf('id="frontier-title"')),
    );
    expect(frontier.match(/<path d="/g)).toHaveLength(body.allocations.length);
    expect(frontier.match(/<circle /g)).toHaveLength(body.allocations.length);
    expect(frontier).toContain("your budget");
    const withLoss = body.allocations.filter((a) => a.loss !== null).length;
    expect(withLoss).toBeGreaterThan(0);
    const isoflop = html.slice(
      html.indexOf('id="isoflop-title"'),
      html.indexOf("</svg>", html.indexOf('id="isoflop-title"')),
    );
    expect(isoflop.match(/<circle /g)).toHaveLength(withLoss);
    expect(html).toMatch(/<desc id="isoflop-desc">Predicted loss against model size/);
  });

  it("puts the headline numbers in the title and the link-preview tags", async () => {
    const { body } = await api<AllocateAnswer>(
      "/api/v1/allocate?flops=5.76e23&include=sources,exact",
    );
    const { html } = await page("/?flops=5.76e23");
    const headline = body.allocations.find((a) => a.fit === body.headline?.fit);
    if (!headline) throw new Error("the API answered without a headline");
    const words = `${formatCount(headline.params)} parameters on ${formatCount(headline.tokens)} tokens`;
    expect(meta(html, "og:title")).toContain(`5.76e23 FLOPs: ${words}`);
    expect(meta(html, "twitter:title")).toBe(meta(html, "og:title"));
    expect(meta(html, "og:description")).toContain(`${headline.label}: ${words}`);
    // Hoffmann et al. 2022 Fig. 4 caption: approach 3 gives about 40B parameters at the Gopher budget.
    const approach3 = body.allocations.find((a) => a.fit === "chinchilla-approach3");
    expect(approach3?.params).toBeGreaterThan(39.5e9);
    expect(approach3?.params).toBeLessThan(40.5e9);
    expect(meta(html, "og:description")).toContain(`${formatCount(approach3?.params ?? 0)} on`);
    expect(meta(html, "og:description")?.length).toBeLessThanOrEqual(300);
    expect(meta(html, "og:url")).toBe("https://calc.test/?flops=5.76e23");
    expect(html).toContain(`<title>${escapeHtml(meta(html, "og:title") ?? "")}</title>`);
  });

  it("answers the inverse questions and keeps the question switch on the asked kind", async () => {
    for (const [kind, text] of [
      ["params", "70B"],
      ["tokens", "1.4T"],
      ["loss", "2.0"],
    ] as const) {
      const { body } = await api<AllocateAnswer>(`/api/v1/allocate?${kind}=${text}&include=exact`);
      const { html } = await page(`/?${kind}=${text}`);
      expect(html).toContain(`name="ask" value="${kind}" checked`);
      expect(html).toContain(`value="${text}"`);
      for (const a of body.allocations) expect(html).toContain(`<data value="${a.flops}"`);
    }
  });

  it("follows the Kaplan budget convention and the fit selection", async () => {
    const path = "flops=1e24&fit=kaplan-2020,epoch-2024&kaplanBudget=all";
    const { body } = await api<AllocateAnswer>(`/api/v1/allocate?${path}&include=exact`);
    const { html } = await page(`/?${path}`);
    expect(body.allocations.map((a) => a.fit)).toEqual(["kaplan-2020", "epoch-2024"]);
    for (const a of body.allocations) expect(html).toContain(`<data value="${a.params}"`);
    expect(html).toContain('<option value="all" selected');
    expect(html).toContain('name="fit" value="kaplan-2020" checked');
    expect(html).not.toContain('name="fit" value="chinchilla-approach1" checked');
    expect(html).toContain(`href="${escapeHtml(`/api/v1/allocate?${path}`)}"`);
    const critical = await api<AllocateAnswer>(
      "/api/v1/allocate?flops=1e24&fit=kaplan-2020&include=exact",
    );
    expect(html).not.toContain(`<data value="${critical.body.allocations[0]?.params}"`);
  });

  it("redirects a form submission to the canonical permalink", async () => {
    const all = DEFAULT_FIT_IDS.map((id) => `fit=${id}`).join("&");
    let res = await get(`/?ask=params&q=70B&${all}&kaplanBudget=critical`);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/?params=70B");
    res = await get("/?ask=flops&q=5000+PF-days&fit=kaplan-2020&fit=epoch-2024&kaplanBudget=all");
    expect(res.headers.get("location")).toBe(
      "/?flops=5000+PF-days&fit=kaplan-2020,epoch-2024&kaplanBudget=all",
    );
    res = await get("/?ask=loss&q=");
    expect(res.headers.get("location")).toBe("/");
  });
});

describe("bad input on the page", () => {
  it("reflects hostile input only escaped", async () => {
    const hostile = "<script>alert(1)</script>";
    const { html } = await page(`/?flops=${encodeURIComponent(hostile)}`, 400);
    expect(html).not.toContain(hostile);
    expect(html).toContain(`value="${escapeHtml(hostile)}"`);
    expect(scriptTags(html)).toHaveLength(1);

    const attribute = '"><img src=x onerror=alert(1)>';
    for (const path of [
      `/?fit=${encodeURIComponent(attribute)}&flops=1e24`,
      `/?kaplanBudget=${encodeURIComponent(attribute)}&flops=1e24`,
      `/?params=${encodeURIComponent(attribute)}`,
    ]) {
      const res = await get(path);
      const text = await res.text();
      expect(res.status, path).toBeGreaterThanOrEqual(400);
      expect(text).not.toContain("<img src=x");
      expect(text).toContain("&lt;img src=x onerror=alert(1)&gt;");
    }
  });

  it("answers 400 with the API's message next to the input and keeps the user's text", async () => {
    const { body } = await api<ErrorEnvelope>("/api/v1/allocate?flops=lots%20of%20compute");
    const { res, html } = await page("/?flops=lots+of+compute", 400);
    expectNoFraming(res);
    expect(html).toContain('value="lots of compute"');
    expect(html).toContain('aria-invalid="true"');
    expect(html).toMatch(/<p id="q-error" class="error" role="alert" data-status="400">/);
    expect(html).toContain(escapeHtml(body.error.message));
    // The message sits right after the input row, before the examples.
    const input = html.indexOf('<input id="q"');
    expect(html.indexOf('id="q-error"')).toBeGreaterThan(input);
    expect(html.indexOf('id="q-error"')).toBeLessThan(html.indexOf('id="q-help"'));
  });

  it("uses the API's status for an unknown fit (404) and an unreachable loss (422)", async () => {
    let { html } = await page("/?flops=1e24&fit=no-such-fit", 404);
    expect(html).toContain("unknown fit &quot;no-such-fit&quot;");
    ({ html } = await page("/?loss=1.0&fit=chinchilla-approach3", 422));
    expect(html).toContain("irreducible loss");
    ({ html } = await page("/?flops=1e24&kaplanBudget=most", 400));
    expect(html).toContain("kaplanBudget: expected");
    ({ html } = await page("/?flops=1e24&params=70B", 400));
    expect(html).toContain("give exactly one of flops, params, tokens or loss");
  });
});

describe("GET /partials/result (the live-update fragment)", () => {
  it("renders the answer region and the error slot for the form's fields", async () => {
    const { res, html } = await page("/partials/result?ask=flops&q=1e24&kaplanBudget=critical");
    expectNoFraming(res);
    expect(html).toMatch(/^<p id="q-error"[^>]*data-status="200"><\/p><section id="result"/);
    expect(html).toContain('data-permalink="/?flops=1e24"');
    expect(html).toContain('id="isoflop-title"');
    expect(html).not.toContain("<html");

    const bad = await page("/partials/result?ask=params&q=seventy", 200);
    expect(bad.html).toContain('data-status="400"');
    expect(bad.html).toContain("params: ");
    expect(bad.html).toContain('data-permalink="/?params=seventy"');
  });
});

describe("GET /embed", () => {
  it("is a compact card any origin may frame", async () => {
    const { body } = await api<AllocateAnswer>("/api/v1/allocate?flops=1e24&include=exact");
    const { res, html } = await page("/embed?flops=1e24");
    expectStrictHeaders(res);
    expect(res.headers.get("x-frame-options")).toBeNull();
    expect(cspOf(res).get("frame-ancestors")).toBe("*");
    const headline = body.allocations.find((a) => a.fit === body.headline?.fit);
    expect(html).toContain(`>${formatCount(headline?.params ?? 0)}</data> parameters`);
    expect(html).toContain('href="https://calc.test/?flops=1e24" target="_blank" rel="noopener"');
    expect(scriptTags(html)).toHaveLength(0);
    expect(html).not.toContain("<form");
  });

  it("explains a missing or bad question with the API's status", async () => {
    let { html } = await page("/embed", 400);
    expect(html).toContain("give exactly one of flops");
    ({ html } = await page("/embed?flops=%3Cb%3E", 400));
    expect(html).toContain("&lt;b&gt;");
    expect(html).not.toContain("<b>");
  });
});

describe("assets served by the Worker", () => {
  it("serves the script, stylesheet, icon and preview image with long caching", async () => {
    const { html } = await page("/?flops=1e24");
    const paths = [
      ...html.matchAll(/(?:src|href|content)="(?:https:\/\/calc\.test)?(\/assets\/[^"]+)"/g),
    ].map((m) => m[1] ?? "");
    const types: Record<string, RegExp> = {
      "app.js": /^text\/javascript/,
      "app.css": /^text\/css/,
      "icon.svg": /^image\/svg\+xml/,
      "og.png": /^image\/png/,
    };
    expect(new Set(paths.map((p) => p.split("?")[0]?.split("/").pop()))).toEqual(
      new Set(Object.keys(types)),
    );
    let total = html.length;
    for (const path of new Set(paths)) {
      const res = await get(path.replace(/&amp;/g, "&"));
      expect(res.status, path).toBe(200);
      const name = path.split("?")[0]?.split("/").pop() ?? "";
      expect(res.headers.get("content-type")).toMatch(types[name] ?? /^$/);
      expect(res.headers.get("cache-control")).toContain("immutable");
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      const bytes = new Uint8Array(await res.arrayBuffer());
      if (name !== "og.png" && name !== "icon.svg") total += bytes.length;
      if (name === "og.png") {
        // PNG signature, then IHDR: width and height as big-endian 32-bit integers.
        expect([...bytes.slice(0, 8)]).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
        const view = new DataView(bytes.buffer);
        expect([view.getUint32(16), view.getUint32(20)]).toEqual([1200, 630]);
      }
    }
    // The whole page (HTML + CSS + JS) stays under 100 KB uncompressed.
    expect(total).toBeLessThan(100_000);
  });
});
