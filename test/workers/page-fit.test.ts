import { exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { AllocateAnswerJson as AllocateAnswer } from "../../src/api/lean.ts";
import { formatScientific } from "../../src/core/format.ts";
import { escapeHtml, fetchPage, seedAll } from "./helpers.ts";

const BASE = "https://calc.test";

/** The parts of POST /api/v1/fits's answer these tests read. */
interface UserFit {
  id: string;
  kind: "parametric" | "compute";
  label: string;
  coefficients: Record<string, number>;
  warnings: string[];
  range: { flops: [number, number] };
  uncertainty: { intervals80: Record<string, [number, number]> } | null;
}

/** A known law, L = 1.8 + 500/N^0.35 + 2000/D^0.37, sampled on a grid of N and D (exact losses). */
function parametricCsv(): string {
  const lines = ["params,tokens,loss"];
  for (const params of [3e7, 1e8, 3e8, 1e9]) {
    for (const tokens of [1e9, 5e9, 2e10]) {
      const loss = 1.8 + 500 / params ** 0.35 + 2000 / tokens ** 0.37;
      lines.push(`${params},${tokens},${loss}`);
    }
  }
  return lines.join("\n");
}

/** L(C) = 40·C^-0.07 + 1.5, exact, at six budgets. */
function computeCsv(): string {
  const lines = ["flops,loss"];
  for (const flops of [1e17, 1e18, 1e19, 1e20, 1e21, 1e22]) {
    lines.push(`${flops},${40 * flops ** -0.07 + 1.5}`);
  }
  return lines.join("\n");
}

let client = 0;

async function postFit(csv: string, query = ""): Promise<UserFit> {
  const res = await exports.default.fetch(`${BASE}/api/v1/fits${query}`, {
    method: "POST",
    // A client of its own, so the write rate limit of other tests does not apply.
    headers: { "content-type": "text/csv", "cf-connecting-ip": `192.0.2.${++client}` },
    body: csv,
  });
  const text = await res.text();
  expect([200, 201], text.slice(0, 300)).toContain(res.status);
  return JSON.parse(text) as UserFit;
}

async function page(path: string, status = 200, init?: RequestInit) {
  const { res, html } = await fetchPage(`${BASE}${path}`, status, init);
  expect(res.headers.get("content-security-policy")).toContain("script-src 'self'");
  expect(res.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
  expect(res.headers.get("x-content-type-options")).toBe("nosniff");
  expect(html).not.toMatch(/<script\b[^>]*>[^<]/);
  return html;
}

beforeAll(async () => {
  await seedAll();
});

describe("GET /fit (paste your runs)", () => {
  it("is a form with a CSV textarea that posts to /fit, with an example", async () => {
    const html = await page("/fit");
    expect(html).toMatch(/<form id="fit-form" class="ask" method="post" action="\/fit">/);
    expect(html).toContain('<textarea id="csv" name="csv"');
    expect(html).toContain('<pre id="csv-example">params,tokens,loss\n');
    expect(html).toContain('id="bootstrap" name="bootstrap" type="number"');
  });

  const form = (fields: Record<string, string>, client: string) => ({
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", "cf-connecting-ip": client },
    body: new URLSearchParams(fields).toString(),
  });

  it("fits a form post without JavaScript and redirects to the fit's page", async () => {
    const res = await exports.default.fetch(`${BASE}/fit`, {
      redirect: "manual",
      ...form({ csv: parametricCsv(), name: "form fit", bootstrap: "0" }, "192.0.2.1"),
    });
    expect(res.status).toBe(303);
    const location = res.headers.get("location") ?? "";
    expect(location).toMatch(/^\/fit\/user-[0-9a-f]{20}$/);
    const api = await postFit(parametricCsv(), `?name=${encodeURIComponent("form fit")}`);
    expect(location).toBe(`/fit/${api.id}`);
    const html = await page(location);
    expect(html).toContain("form fit");
  });

  it("keeps the CSV and shows the API's message, escaped, when the runs are bad", async () => {
    const csv = "params,tokens,loss\n1e8,2e9,<b>3.1</b>";
    const html = await page("/fit", 400, form({ csv, name: "x", bootstrap: "0" }, "192.0.2.2"));
    expect(html).toContain(`${escapeHtml(csv)}</textarea>`);
    expect(html).not.toContain("<b>3.1</b>");
    expect(html).toMatch(/row 1/);
  });
});

describe("GET /fit/<id> (a fit to your runs)", () => {
  let fit: UserFit;
  const name = "sweep <script>alert(1)</script>";

  beforeAll(async () => {
    fit = await postFit(parametricCsv(), `?name=${encodeURIComponent(name)}&bootstrap=40`);
  });

  it("shows the law, its coefficients with uncertainty and links, escaped", async () => {
    const html = await page(`/fit/${fit.id}`);
    expect(fit.kind).toBe("parametric");
    // Exact data: the fit recovers the law (issue 6), and the page shows the API's numbers.
    expect(fit.coefficients.alpha).toBeCloseTo(0.35, 5);
    for (const value of Object.values(fit.coefficients)) {
      expect(html).toContain(`<data value="${value}"`);
    }
    expect(html).not.toContain("<script>alert(1)");
    expect(html).toContain(`<h2>${escapeHtml(name)}</h2>`);
    expect(fit.uncertainty).not.toBeNull();
    expect(html).toContain("80% interval</th>");
    expect(html).toContain('href="/api/v1/fits/');
    expect(html).toContain(`data-copy="${BASE}/fit/${fit.id}"`);
    expect(html).toContain(`href="/api/v1/fits/${fit.id}"`);
    expect(html).toContain(`<input type="hidden" name="fit" value="${fit.id}"/>`);
    for (const warning of fit.warnings) expect(html).toContain(escapeHtml(warning));
  });

  it("plots every run against the fitted curve on log axes", async () => {
    const html = await page(`/fit/${fit.id}`);
    const svg = html.slice(
      html.indexOf('id="fit-loss-title"'),
      html.indexOf("</svg>", html.indexOf('id="fit-loss-title"')),
    );
    expect(svg.match(/<circle /g)).toHaveLength(12);
    expect(svg.match(/<path d="M/g)).toHaveLength(2);
    expect(svg).toContain("largest run");
    const parity = html.slice(html.indexOf('id="fit-parity-title"'));
    expect(parity.slice(0, parity.indexOf("</svg>")).match(/<circle /g)).toHaveLength(12);
  });

  it("plans with the fit on the calculator, with the same numbers as the API", async () => {
    const flops = formatScientific(10 * fit.range.flops[1]);
    const query = `flops=${flops}&fit=${fit.id}`;
    const res = await exports.default.fetch(`${BASE}/api/v1/allocate?${query}&include=exact`);
    const body = (await res.json()) as AllocateAnswer;
    const allocation = body.allocations[0];
    if (!allocation) throw new Error("no allocation for the user fit");
    const html = await page(`/?${query}`);
    expect(html).toContain(`<data value="${allocation.params}"`);
    expect(html).toContain(`<data value="${allocation.tokens}"`);
    expect(html).toContain(`href="/fit/${fit.id}">your runs and fit</a>`);
    expect(html).toContain(`name="fit" value="${fit.id}" checked`);
    // The form on the fit page submits here and is redirected to this permalink.
    const redirect = await exports.default.fetch(`${BASE}/?ask=flops&fit=${fit.id}&q=${flops}`, {
      redirect: "manual",
    });
    expect(redirect.headers.get("location")).toBe(`/?${query}`);
  });

  it("shows a compute-only fit with its predictions and no allocation", async () => {
    const computeFit = await postFit(computeCsv());
    expect(computeFit.kind).toBe("compute");
    const html = await page(`/fit/${computeFit.id}`);
    expect(html).toContain(`<data value="${computeFit.coefficients.b}"`);
    expect(html).toContain("×1000)");
    expect(html).toContain(`href="/api/v1/predict?fit=${computeFit.id}&amp;flops=`);
    expect(html).not.toContain('class="plan-with"');
  });

  it("answers 404 for an unknown or malformed id", async () => {
    let html = await page("/fit/user-00000000000000000000", 404);
    expect(html).toContain("no stored fit");
    html = await page(`/fit/${encodeURIComponent("<b>x</b>")}`, 404);
    expect(html).toContain("&lt;b&gt;x&lt;/b&gt;");
    expect(html).not.toContain("<b>x</b>");
  });
});
