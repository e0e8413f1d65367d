/**
 * The page's advanced questions and the "your own runs" pages in real headless Chromium:
 * interval bands, hardware fields, inference and data plans, pasting CSV to get a fit page.
 */

import { describe, expect, it } from "vitest";
import { formatCount } from "../../src/core/format.ts";
import { cspViolations, hasChromium, screenshot, useWorkerAndBrowser, watch } from "./harness.ts";

/** Writes of user fits the Worker allows per minute here, so the test can reach the limit. */
const FIT_WRITES_PER_MINUTE = 4;

/** Runs from L = 1.8 + 500/N^0.35 + 2000/D^0.37 on a grid, with the loss to 5 decimals. */
function runsCsv(): { csv: string; runs: number } {
  const lines = ["params,tokens,loss"];
  for (const params of [3e7, 1e8, 3e8, 1e9, 3e9]) {
    for (const tokens of [1e9, 5e9, 2e10]) {
      lines.push(
        `${params},${tokens},${(1.8 + 500 / params ** 0.35 + 2000 / tokens ** 0.37).toFixed(5)}`,
      );
    }
  }
  return { csv: lines.join("\n"), runs: lines.length - 1 };
}

interface Allocation {
  fit: string;
  params: number;
  intervals?: { params: [number, number] };
  training?: { days: number; gpuHours: number; cost?: number };
}

describe.skipIf(!hasChromium)("advanced questions in Chromium", () => {
  const session = useWorkerAndBrowser({ fitWritesPerMinute: FIT_WRITES_PER_MINUTE });

  async function api<T>(path: string, init?: RequestInit): Promise<T> {
    return (await (await fetch(`${session.base}${path}`, init)).json()) as T;
  }

  it("draws the 80% bands in the frontier chart and the intervals in the table", async () => {
    const page = await session.browser.context.newPage();
    const problems = watch(page);
    await page.goto(`${session.base}/?flops=1e24`);
    const answer = await api<{ allocations: Allocation[] }>("/api/v1/allocate?flops=1e24");
    const banded = answer.allocations.filter((a) => a.intervals);
    const bands = page.locator("svg.chart path.band");
    expect(await bands.count()).toBe(banded.length);
    for (const band of await bands.all()) {
      const box = await band.boundingBox();
      expect(box?.width).toBeGreaterThan(200);
      expect(box?.height).toBeGreaterThan(5);
    }
    const first = banded[0]?.intervals?.params;
    if (!first) throw new Error("no interval");
    expect(await page.locator("table.compare .interval").first().textContent()).toBe(
      `80%: ${formatCount(first[0])}–${formatCount(first[1])}`,
    );
    expect(problems).toEqual([]);
    await page.close();
  });

  it("adds training time from the hardware fields as the user fills them in", async () => {
    const page = await session.browser.context.newPage();
    const problems = watch(page);
    await page.goto(`${session.base}/?flops=1e24`);
    await page.getByText("Advanced: hardware, inference demand, scarce data").click();
    await page.locator("#gpu").selectOption("H100");
    await page.locator("#gpus").fill("1024");
    await page.locator("#pricePerGpuHour").fill("2.5");
    await page.waitForFunction(
      () => location.search === "?flops=1e24&gpu=H100&gpus=1024&pricePerGpuHour=2.5",
    );
    const answer = await api<{ allocations: Allocation[] }>(
      "/api/v1/allocate?flops=1e24&gpu=H100&gpus=1024&pricePerGpuHour=2.5&include=exact",
    );
    const time = answer.allocations[0]?.training;
    if (!time?.cost) throw new Error("no training time from the API");
    await page.locator(".training-time").waitFor();
    expect(
      await page.locator(`.training-time data[value="${time.days}"]`).count(),
      "days from the API",
    ).toBe(1);
    expect(await page.locator(`.training-time data[value="${time.cost}"]`).count()).toBe(1);

    // A bad MFU: the message sits next to its field; the answer stays on the permalink.
    await page.locator("#mfu").fill("150%");
    await page.waitForFunction(() =>
      document.getElementById("mfu-error")?.textContent?.startsWith("mfu: "),
    );
    expect(await page.locator("#mfu").getAttribute("aria-invalid")).toBe("true");
    expect(await page.locator("#q").getAttribute("aria-invalid")).toBe("false");
    await page.locator("#mfu").fill("45%");
    await page.waitForFunction(() => document.getElementById("mfu-error")?.textContent === "");
    expect(await page.locator("#mfu").getAttribute("aria-invalid")).toBe("false");
    await screenshot(page, "advanced-hardware");
    expect(problems).toEqual([]);
    expect(await cspViolations(page)).toEqual([]);
    await page.close();
  });

  it("turns into the inference plan and the data plan from the advanced fields", async () => {
    const page = await session.browser.context.newPage();
    const problems = watch(page);
    await page.goto(`${session.base}/?flops=1e24`);
    await page.getByText("Advanced: hardware, inference demand, scarce data").click();
    await page.locator("#inferenceTokens").fill("2T");
    await page.waitForFunction(() => location.search === "?flops=1e24&inferenceTokens=2T");
    const inference = await api<{ params: number; tokens: number }>(
      "/api/v1/plan/inference?flops=1e24&inferenceTokens=2T",
    );
    await page.waitForFunction(
      (words) => document.querySelector("#result .headline h2")?.textContent === words,
      `${formatCount(inference.params)} parameters on ${formatCount(inference.tokens)} tokens`,
    );
    expect(await page.locator("table.plan-table tbody tr").count()).toBe(2);
    await page.locator("#inferenceTokens").fill("");
    await page.locator("#uniqueTokens").fill("100B");
    await page.waitForFunction(() => location.search === "?flops=1e24&uniqueTokens=100B");
    const data = await api<{ params: number; tokens: number; warnings: string[] }>(
      "/api/v1/plan/data?flops=1e24&uniqueTokens=100B",
    );
    await page.waitForFunction(
      (prefix) => document.querySelector("#result .headline h2")?.textContent?.startsWith(prefix),
      `${formatCount(data.params)} parameters on ${formatCount(data.tokens)} tokens`,
    );
    expect(await page.locator("#result .headline .warning").count()).toBe(data.warnings.length);
    await screenshot(page, "data-plan");
    expect(problems).toEqual([]);
    expect(await cspViolations(page)).toEqual([]);
    await page.close();
  });

  it("fits pasted CSV, opens the fit's page and plots the runs against the law", async () => {
    const page = await session.browser.context.newPage();
    const problems = watch(page);
    const { csv, runs } = runsCsv();
    await page.goto(`${session.base}/fit`);
    await page.locator("#csv").fill(csv);
    await page.locator("#fit-name").fill("browser sweep");
    await Promise.all([
      page.waitForURL(/\/fit\/user-[0-9a-f]{20}$/),
      page.getByRole("button", { name: "Fit", exact: true }).click(),
    ]);
    const id = new URL(page.url()).pathname.split("/").pop() ?? "";
    const { report: fit } = await api<{ report: { coefficients: Record<string, number> } }>(
      `/api/v1/fits/${id}`,
    );
    expect(await page.locator("#fit h2").textContent()).toBe("browser sweep");
    expect(fit.coefficients.alpha).toBeCloseTo(0.35, 3);
    for (const value of Object.values(fit.coefficients)) {
      expect(await page.locator(`table.coefficients data[value="${value}"]`).count()).toBe(1);
    }
    expect(await page.locator("svg#fit-loss, figure svg.chart").count()).toBe(2);
    expect(await page.locator("svg.chart").first().locator("g.runs circle").count()).toBe(runs);
    expect(await page.getByRole("link", { name: "JSON" }).getAttribute("href")).toBe(
      `/api/v1/fits/${id}`,
    );
    await screenshot(page, "fit-page");

    // Plan with it: the calculator answers under the user's fit.
    await Promise.all([
      page.waitForURL(new RegExp(`/\\?flops=[^&]+&fit=${id}$`)),
      page.getByRole("button", { name: "Plan" }).click(),
    ]);
    expect(await page.locator("table.compare tbody tr").count()).toBe(1);
    expect(await page.locator("table.compare tbody tr th").textContent()).toContain(
      "browser sweep",
    );
    expect(problems).toEqual([]);
    expect(await cspViolations(page)).toEqual([]);
    await page.close();
  });

  it("shows the API's 400 and then its 429 next to the CSV", async () => {
    const page = await session.browser.context.newPage();
    const problems = watch(page);
    await page.goto(`${session.base}/fit`);
    await page.locator("#csv").fill("params,tokens,loss\n1e8,2e9,3.1\n1e8,2e9,-1");
    const expected = await api<{ error: { message: string } }>("/api/v1/fits", {
      method: "POST",
      headers: { "content-type": "text/csv" },
      body: "params,tokens,loss\n1e8,2e9,3.1\n1e8,2e9,-1",
    });
    await page.getByRole("button", { name: "Fit", exact: true }).click();
    await page.waitForFunction(
      (message) => document.getElementById("csv-error")?.textContent === message,
      expected.error.message,
    );
    expect(await page.locator("#csv").getAttribute("aria-invalid")).toBe("true");
    expect(page.url()).toBe(`${session.base}/fit`);
    // Keep posting (each post counts against the write limit) until the limit answers.
    for (let attempt = 0; attempt < FIT_WRITES_PER_MINUTE + 1; attempt++) {
      await page.getByRole("button", { name: "Fit", exact: true }).click();
      await page.waitForFunction(
        () => !document.getElementById("fit-form")?.hasAttribute("aria-busy"),
      );
      if ((await page.locator("#csv-error").getAttribute("data-status")) === "429") break;
    }
    expect(await page.locator("#csv-error").getAttribute("data-status")).toBe("429");
    expect(await page.locator("#csv-error").textContent()).toMatch(
      /too many fits.*try again in \d+ s/,
    );
    // The browser logs failed fetches (400, 429) to the console; nothing else went wrong.
    expect(problems.filter((p) => !/status of (400|429)/.test(p))).toEqual([]);
    await page.close();
  });
});

describe.skipIf(!hasChromium)("advanced questions with JavaScript off", () => {
  const session = useWorkerAndBrowser({ javaScriptEnabled: false });

  it("submits the advanced fields with GET to the plan's permalink", async () => {
    const page = await session.browser.context.newPage();
    const problems = watch(page);
    await page.goto(`${session.base}/`);
    await page.locator("#q").fill("1e24");
    await page.getByText("Advanced: hardware, inference demand, scarce data").click();
    await page.locator("#gpu").selectOption("A100");
    await page.locator("#gpus").fill("512");
    await page.locator("#inferenceTokens").fill("5T");
    await Promise.all([
      page.waitForURL(/inferenceTokens=/),
      page.getByRole("button", { name: "Calculate" }).click(),
    ]);
    expect(new URL(page.url()).search).toBe("?flops=1e24&inferenceTokens=5T&gpu=A100&gpus=512");
    expect(await page.locator("table.plan-table tbody tr").count()).toBe(2);
    expect(await page.locator(".hardware").textContent()).toContain("512 × NVIDIA A100 SXM");
    expect(problems).toEqual([]);
    await page.close();
  });
});
