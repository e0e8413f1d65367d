import { exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { AllocateAnswerJson as AllocateAnswer } from "../../src/api/lean.ts";
import { DEFAULT_FIT_IDS } from "../../src/core/fits/defaults.ts";
import { formatCount } from "../../src/core/format.ts";
import { GPUS } from "../../src/core/hardware.ts";
import type { DataPlanAnswer, InferencePlanAnswer } from "../../src/service/plans.ts";
import { type ErrorEnvelope, escapeHtml, fetchPage, seedAll } from "./helpers.ts";

const BASE = "https://calc.test";

async function get(path: string) {
  return exports.default.fetch(`${BASE}${path}`, { redirect: "manual" });
}

async function page(path: string, status = 200) {
  const { res, html } = await fetchPage(`${BASE}${path}`, status);
  expect(res.headers.get("content-security-policy")).toContain("script-src 'self'");
  expect(res.headers.get("x-content-type-options")).toBe("nosniff");
  expect(res.headers.get("x-frame-options")).toBe("DENY");
  return { res, html };
}

async function api<T>(path: string, status = 200): Promise<T> {
  const res = await get(path);
  expect(res.status, path).toBe(status);
  return (await res.json()) as T;
}

/** The text of the error slot next to a field ("q" for the question). */
function errorSlot(html: string, field: string): { status: string; text: string } {
  const match = new RegExp(
    `<p id="${field}-error" class="error" role="alert" data-status="(\\d+)">([\\s\\S]*?)</p>`,
  ).exec(html);
  if (!match) throw new Error(`no error slot for ${field}`);
  return { status: match[1] ?? "", text: match[2] ?? "" };
}

/** The SVG of one chart, by its title id. */
function chart(html: string, id: string): string {
  const start = html.indexOf(`id="${id}-title"`);
  expect(start, `${id} chart`).toBeGreaterThan(0);
  return html.slice(start, html.indexOf("</svg>", start));
}

beforeAll(async () => {
  await seedAll();
});

describe("80% intervals on the page", () => {
  it("draws a band per fit with intervals and shows the API's [lo, hi] in the table", async () => {
    const body = await api<AllocateAnswer>("/api/v1/allocate?flops=1e24&include=exact");
    const withIntervals = body.allocations.filter((a) => a.intervals);
    expect(withIntervals.length).toBeGreaterThan(0);
    const { html } = await page("/?flops=1e24");
    const frontier = chart(html, "frontier");
    expect(frontier.match(/<path class="band"/g)).toHaveLength(withIntervals.length);
    // One line per fit besides the bands.
    expect(frontier.match(/<path d="/g)).toHaveLength(body.allocations.length);
    expect(frontier).toContain("80% interval of N_opt(C)");
    for (const a of withIntervals) {
      const intervals = a.intervals;
      if (!intervals) continue;
      const [low, high] = intervals.params;
      expect(low).toBeLessThanOrEqual(a.params);
      expect(high).toBeGreaterThanOrEqual(a.params);
      expect(html).toContain(
        `data-low="${low}" data-high="${high}">80%: ${formatCount(low)}–${formatCount(high)}`,
      );
      const [tokensLow, tokensHigh] = intervals.tokens;
      expect(html).toContain(`data-low="${tokensLow}" data-high="${tokensHigh}"`);
    }
  });

  it("brackets the answer: the band edges at the budget are the table's interval", async () => {
    const body = await api<AllocateAnswer>(
      "/api/v1/allocate?flops=1e22&fit=epoch-2024&include=exact",
    );
    const intervals = body.allocations[0]?.intervals;
    if (!intervals) throw new Error("epoch-2024 publishes intervals");
    const { html } = await page("/?flops=1e22&fit=epoch-2024");
    const band = /<path class="band" d="([^"]+)"/.exec(chart(html, "frontier"))?.[1] ?? "";
    // A closed path: along the high edge and back along the low one.
    expect(band).toMatch(/^M[\d.,L-]+Z$/);
    expect(band.split("L").length).toBeGreaterThanOrEqual(20);
    expect(html).toContain(`title="80% interval [${intervals.params[0]}, ${intervals.params[1]}]`);
  });

  it("draws the bands before a question too", async () => {
    const { html } = await page("/");
    expect(chart(html, "frontier")).toContain('<path class="band"');
  });
});

describe("hardware on the page", () => {
  const hardware = "gpu=H100&gpus=1024&mfu=0.45&pricePerGpuHour=2.5";

  it("shows the API's training time for a budget under the headline", async () => {
    const body = await api<AllocateAnswer>(`/api/v1/allocate?flops=1e24&${hardware}&include=exact`);
    const time = body.allocations[0]?.training;
    if (!time?.cost) throw new Error("the API gave no training time with cost");
    const { html } = await page(`/?flops=1e24&${hardware}`);
    expect(html).toContain(`<data value="${time.days}"`);
    expect(html).toContain(`<data value="${time.gpuHours}"`);
    expect(html).toContain(`<data value="${time.cost}"`);
    expect(html).toContain("1,024 × NVIDIA H100 SXM at 45% MFU");
    // The form keeps the hardware, in its own fields, and opens the section.
    expect(html).toContain('<option value="H100" selected');
    expect(html).toContain('id="gpus" name="gpus" type="text" value="1024"');
    expect(html).toContain('id="mfu" name="mfu" type="text" value="0.45"');
    expect(html).toMatch(/<details class="options advanced" open/);
    expect(html).toContain(`data-permalink="/?flops=1e24&amp;${hardware.replace(/&/g, "&amp;")}"`);
    expect(html).toContain(
      `href="/api/v1/allocate?flops=1e24&amp;${hardware.replace(/&/g, "&amp;")}"`,
    );
  });

  it("adds training time, GPU-hours and cost columns where the fits' compute differs", async () => {
    const body = await api<AllocateAnswer>(`/api/v1/allocate?params=70B&${hardware}&include=exact`);
    const { html } = await page(`/?params=70B&${hardware}`);
    for (const heading of ["Training time", "GPU-hours", "Cost"]) {
      expect(html).toContain(`>${heading}</th>`);
    }
    for (const a of body.allocations) {
      expect(a.training).toBeDefined();
      expect(html).toContain(`<data value="${a.training?.days}"`);
      expect(html).toContain(`<data value="${a.training?.gpuHours}"`);
    }
  });

  it("lists every GPU of GET /api/v1/gpus and keeps an unknown one with the API's 400", async () => {
    const { html } = await page("/?flops=1e24");
    for (const gpu of GPUS) expect(html).toContain(`<option value="${gpu.id}">`);
    const envelope = await api<ErrorEnvelope>("/api/v1/allocate?flops=1e24&gpu=TPU9", 400);
    const bad = await page("/?flops=1e24&gpu=TPU9", 400);
    const slot = errorSlot(bad.html, "gpu");
    expect(slot.status).toBe("400");
    expect(slot.text).toContain(escapeHtml(envelope.error.message));
    expect(errorSlot(bad.html, "q").status).toBe("200");
    expect(bad.html).toContain('<option value="TPU9" selected="">TPU9</option>');
    expect(bad.html).toMatch(
      /<select id="gpu" name="gpu" aria-describedby="gpu-error gpu-hint" aria-invalid="true"/,
    );
  });

  it("names the field of a bad number next to it", async () => {
    for (const [field, value] of [
      ["gpus", "0"],
      ["mfu", "150%"],
      ["pricePerGpuHour", "cheap"],
    ] as const) {
      const { html } = await page(
        `/?flops=1e24&gpu=A100&${field}=${encodeURIComponent(value)}`,
        400,
      );
      expect(errorSlot(html, field).text).toContain(`${field}: `);
      expect(html).toContain(
        `id="${field}" name="${field}" type="text" value="${escapeHtml(value)}"`,
      );
    }
  });

  it("escapes hostile hardware input and drops empty fields from the form's permalink", async () => {
    const hostile = '"><script>alert(1)</script>';
    const { html } = await page(`/?flops=1e24&gpu=${encodeURIComponent(hostile)}`, 400);
    expect(html).not.toContain("<script>alert(1)");
    expect(html).toContain(escapeHtml(hostile));
    const all = DEFAULT_FIT_IDS.map((id) => `fit=${id}`).join("&");
    const res = await get(
      `/?ask=flops&q=1e24&${all}&kaplanBudget=critical&gpu=H100&gpus=64&mfu=&pricePerGpuHour=&inferenceTokens=&uniqueTokens=`,
    );
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/?flops=1e24&gpu=H100&gpus=64");
  });
});

describe("the inference-aware plan on the page", () => {
  it("renders the plan API's numbers for a budget, with its JSON link", async () => {
    const body = await api<InferencePlanAnswer>(
      "/api/v1/plan/inference?flops=1e24&inferenceTokens=2T",
    );
    const { html } = await page("/?flops=1e24&inferenceTokens=2T");
    for (const value of [
      body.params,
      body.tokens,
      body.trainingFlops,
      body.inferenceFlops,
      body.totalFlops,
      body.computeOptimal.params,
      body.computeOptimal.tokens,
      body.computeOptimal.totalFlops,
      body.savingFlops,
    ]) {
      expect(html).toContain(`<data value="${value}"`);
    }
    expect(body.savingFraction).toBeGreaterThan(0);
    expect(html).toContain(`${formatCount(body.params)}</data> parameters on`);
    expect(html).toContain(">Inference-aware</th>");
    expect(html).toContain(">Compute-optimal</th>");
    expect(html).toContain('href="/api/v1/plan/inference?flops=1e24&amp;inferenceTokens=2T"');
    expect(html).toContain('data-permalink="/?flops=1e24&amp;inferenceTokens=2T"');
    expect(html).toContain('id="inferenceTokens" name="inferenceTokens" type="text" value="2T"');
    // Link previews carry the plan in words.
    expect(html).toMatch(
      new RegExp(
        `<meta property="og:title" content="[^"]*serving 2T tokens: ${formatCount(body.params)} parameters`,
      ),
    );
  });

  it("plans for a target loss and follows a chosen fit", async () => {
    const path = "loss=2.1&inferenceTokens=10T&fit=epoch-2024";
    const body = await api<InferencePlanAnswer>(`/api/v1/plan/inference?${path}`);
    const { html } = await page(`/?${path}`);
    expect(body.fit).toBe("epoch-2024");
    expect(html).toContain(`<data value="${body.params}"`);
    expect(html).toContain(`<data value="${body.totalFlops}"`);
    expect(html).toContain(body.label);
  });

  it("adds training time on the chosen hardware for both plans", async () => {
    const body = await api<InferencePlanAnswer>(
      "/api/v1/plan/inference?flops=1e24&inferenceTokens=2T",
    );
    const { html } = await page("/?flops=1e24&inferenceTokens=2T&gpu=H100&gpus=1024");
    const planDays = body.trainingFlops / (989e12 * 0.4 * 3600) / 1024 / 24;
    const days = [...html.matchAll(/<td data-label="Training time"><data value="([^"]+)"/g)].map(
      (m) => Number(m[1]),
    );
    expect(days).toHaveLength(2);
    expect(days[0]).toBeCloseTo(planDays, 6);
  });

  it("shows errors next to the field with the API's status", async () => {
    const envelope = await api<ErrorEnvelope>(
      "/api/v1/plan/inference?flops=1e24&inferenceTokens=lots",
      400,
    );
    let { html } = await page("/?flops=1e24&inferenceTokens=lots", 400);
    expect(errorSlot(html, "inferenceTokens").text).toContain(escapeHtml(envelope.error.message));
    ({ html } = await page("/?params=70B&inferenceTokens=2T", 400));
    expect(errorSlot(html, "q").text).toContain("switch the question to Compute or Target loss");
    ({ html } = await page("/?loss=1.5&inferenceTokens=2T", 422));
    expect(errorSlot(html, "q").text).toContain("irreducible loss");
    ({ html } = await page("/?flops=1e24&inferenceTokens=2T&fit=kaplan-2020", 422));
    expect(html).toContain("needs a fit with a parametric loss law");
    ({ html } = await page("/?flops=1e24&inferenceTokens=2T&uniqueTokens=1T", 400));
    expect(errorSlot(html, "uniqueTokens").text).toContain("not both at once");
    const hostile = "<img src=x onerror=alert(1)>";
    ({ html } = await page(`/?flops=1e24&inferenceTokens=${encodeURIComponent(hostile)}`, 400));
    expect(html).not.toContain("<img src=x");
    expect(html).toContain(escapeHtml(hostile));
  });
});

describe("the data-constrained plan on the page", () => {
  it("renders the plan API's numbers, epochs, loss against unlimited data and warnings", async () => {
    const body = await api<DataPlanAnswer>("/api/v1/plan/data?flops=1e24&uniqueTokens=100B");
    const { html } = await page("/?flops=1e24&uniqueTokens=100B");
    for (const value of [
      body.params,
      body.tokens,
      body.epochs,
      body.loss,
      body.unlimited.params,
      body.unlimited.tokens,
      body.unlimited.loss,
      body.lossPenalty,
    ]) {
      expect(html).toContain(`<data value="${value}"`);
    }
    expect(body.warnings.length).toBeGreaterThan(0);
    for (const { message } of body.warnings) expect(html).toContain(escapeHtml(message));
    expect(html).toContain('href="/api/v1/plan/data?flops=1e24&amp;uniqueTokens=100B"');
    expect(html).toContain(">With unlimited data</th>");
  });

  it("answers the links the Slack command sends", async () => {
    for (const path of ["/?flops=1e24&inferenceTokens=2T", "/?flops=1e24&uniqueTokens=500B"]) {
      const { html } = await page(path);
      expect(html).toContain(`data-permalink="${escapeHtml(path)}"`);
    }
  });

  it("needs a compute budget and readable unique tokens", async () => {
    let { html } = await page("/?loss=2.0&uniqueTokens=500B", 400);
    expect(errorSlot(html, "q").text).toContain("switch the question to Compute");
    const envelope = await api<ErrorEnvelope>("/api/v1/plan/data?flops=1e24&uniqueTokens=-5", 400);
    ({ html } = await page("/?flops=1e24&uniqueTokens=-5", 400));
    expect(errorSlot(html, "uniqueTokens").text).toContain(escapeHtml(envelope.error.message));
  });
});

describe("the live-update fragment in every mode", () => {
  it("returns the plan and every error slot, always with status 200", async () => {
    const { html } = await page(
      "/partials/result?ask=flops&q=1e24&kaplanBudget=critical&gpu=&gpus=&mfu=&pricePerGpuHour=&inferenceTokens=2T&uniqueTokens=",
    );
    expect(html).toContain('data-permalink="/?flops=1e24&amp;inferenceTokens=2T"');
    expect(html).toContain(">Inference-aware</th>");
    for (const field of [
      "q",
      "gpu",
      "gpus",
      "mfu",
      "pricePerGpuHour",
      "inferenceTokens",
      "uniqueTokens",
    ]) {
      expect(errorSlot(html, field).status).toBe("200");
    }
    const bad = await page("/partials/result?ask=flops&q=1e24&gpu=H100&gpus=many");
    expect(errorSlot(bad.html, "gpus").status).toBe("400");
    expect(errorSlot(bad.html, "q").status).toBe("200");
  });

  it("refuses plans in the embed card with a 400", async () => {
    const res = await get("/embed?flops=1e24&inferenceTokens=2T");
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("the embed card shows compute-optimal allocations only");
  });
});
