/**
 * The calculator page in real headless Chromium (Debian's /usr/bin/chromium, driven by
 * playwright-core), against the built Worker (dist/index.js, from `npm run build`) served by
 * Miniflare with a real local KV namespace seeded with the bundled fits.
 */

import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { formatCount } from "../../src/core/format.ts";
import { cspViolations, hasChromium, screenshot, useWorkerAndBrowser, watch } from "./harness.ts";

/** The part of GET /api/v1/allocate's answer these tests read. */
interface AllocateAnswer {
  headline: { fit: string } | null;
  allocations: { fit: string; params: number; tokens: number }[];
}

describe.skipIf(!hasChromium)("the calculator page in Chromium", () => {
  const session = useWorkerAndBrowser();

  async function api<T>(path: string): Promise<T> {
    return (await (await fetch(`${session.base}${path}`)).json()) as T;
  }

  async function headlineWords(query: string): Promise<string> {
    const answer = await api<AllocateAnswer>(`/api/v1/allocate?${query}`);
    const headline = answer.allocations.find((a) => a.fit === answer.headline?.fit);
    if (!headline) throw new Error(`no headline for ${query}`);
    return `${formatCount(headline.params)} parameters on ${formatCount(headline.tokens)} tokens`;
  }

  it("answers as the user types, without a reload, and keeps the URL the permalink", async () => {
    const page = await session.browser.context.newPage();
    const problems = watch(page);
    await page.goto(`${session.base}/`);
    await page.evaluate(() => {
      (window as unknown as { sameDocument: boolean }).sameDocument = true;
    });
    await page.locator("#q").pressSequentially("1e24", { delay: 40 });
    await page.waitForFunction(() => location.search === "?flops=1e24");
    await page.locator("#result .headline h2").waitFor();
    expect(await page.locator("#result .headline h2").textContent()).toBe(
      await headlineWords("flops=1e24"),
    );
    expect(
      await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument),
    ).toBe(true);
    const answer = await api<AllocateAnswer>("/api/v1/allocate?flops=1e24");
    expect(await page.locator("table.compare tbody tr").count()).toBe(answer.allocations.length);
    expect(await page.locator("svg.chart").count()).toBe(2);
    for (const chart of await page.locator("svg.chart").all()) {
      expect((await chart.boundingBox())?.width).toBeGreaterThan(300);
    }
    expect(await page.title()).toContain(await headlineWords("flops=1e24"));

    // A second budget replaces the answer in place.
    await page.locator("#q").fill("5000 PF-days");
    await page.waitForFunction(() => location.search === "?flops=5000+PF-days");
    await page.waitForFunction(
      (words) => document.querySelector("#result .headline h2")?.textContent === words,
      await headlineWords("flops=5000%20PF-days"),
    );
    expect(
      await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument),
    ).toBe(true);
    await screenshot(page, "desktop-5000-pf-days");
    expect(problems).toEqual([]);
    expect(await cspViolations(page)).toEqual([]);
    await page.close();
  });

  it("submits with Enter, switches to an inverse question and copies the permalink", async () => {
    await session.browser.context.grantPermissions(["clipboard-read", "clipboard-write"], {
      origin: session.base,
    });
    const page = await session.browser.context.newPage();
    const problems = watch(page);
    await page.goto(`${session.base}/`);
    await page.locator('input[name="ask"][value="params"]').check();
    expect(await page.locator("#q").getAttribute("placeholder")).toBe("70B");
    await page.locator("#q").fill("70B");
    await page.locator("#q").press("Enter");
    await page.waitForFunction(() => location.search === "?params=70B");
    await page.waitForFunction(
      (words) => document.querySelector("#result .headline h2")?.textContent === words,
      await headlineWords("params=70B"),
    );
    await page.getByRole("link", { name: "Copy link" }).click();
    await page.getByRole("link", { name: "Copied" }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(
      `${session.base}/?params=70B`,
    );
    expect(await page.getByRole("link", { name: "JSON" }).getAttribute("href")).toBe(
      "/api/v1/allocate?params=70B",
    );
    expect(problems).toEqual([]);
    await page.close();
  });

  it("shows the API's message next to the input and keeps the text", async () => {
    const page = await session.browser.context.newPage();
    const problems = watch(page);
    await page.goto(`${session.base}/?flops=1e24`);
    await page.locator("#q").fill("lots of compute");
    await page.waitForFunction(() => location.search === "?flops=lots+of+compute");
    const expected = await api<{ error: { message: string } }>(
      "/api/v1/allocate?flops=lots%20of%20compute",
    );
    await page.waitForFunction(
      (message) => document.getElementById("q-error")?.textContent?.startsWith(message),
      expected.error.message,
    );
    expect(await page.locator("#q").getAttribute("aria-invalid")).toBe("true");
    expect(await page.locator("#q").inputValue()).toBe("lots of compute");
    expect(await page.locator("#result .headline").count()).toBe(0);
    expect(problems).toEqual([]);
    expect(await cspViolations(page)).toEqual([]);
    await page.close();
  });

  it("has no sideways scrolling at phone width, with readable chart labels", async () => {
    const page = await session.browser.context.newPage();
    const problems = watch(page);
    await page.setViewportSize({ width: 375, height: 812 });
    await page.goto(`${session.base}/?flops=1e24`);
    const widths = await page.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      client: document.documentElement.clientWidth,
    }));
    expect(widths.scroll).toBeLessThanOrEqual(widths.client);
    // Rendered tick labels stay at least 8 CSS pixels tall on a 375 px screen.
    const labelHeights = await page
      .locator("svg.chart .axes text")
      .evaluateAll((texts) => texts.map((t) => t.getBoundingClientRect().height));
    expect(labelHeights.length).toBeGreaterThan(4);
    expect(Math.min(...labelHeights)).toBeGreaterThanOrEqual(8);
    await screenshot(page, "phone-1e24");
    expect(problems).toEqual([]);
    expect(await cspViolations(page)).toEqual([]);
    await page.close();
  });

  it("embeds the card in another origin's page and refuses to frame the full page", async () => {
    const page = await session.browser.context.newPage();
    const problems = watch(page);
    // Another site: a page on its own server, under the name "localhost", framing both.
    const blog = createServer((_request, response) => {
      response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      response.end(`<!doctype html><title>A blog</title><h1>A blog</h1>
        <iframe id="card" src="${session.base}/embed?flops=1e24" width="420" height="320"></iframe>
        <iframe id="page" src="${session.base}/?flops=1e24" width="420" height="320"></iframe>`);
    });
    await new Promise<void>((resolve) => blog.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = blog.address() as AddressInfo;
      await page.goto(`http://localhost:${port}/post`);
      expect(await page.frameLocator("#card").locator(".card-headline").textContent()).toBe(
        await headlineWords("flops=1e24"),
      );
      expect(page.frames().some((f) => f.url() === `${session.base}/embed?flops=1e24`)).toBe(true);
      expect(page.frames().some((f) => f.url() === `${session.base}/?flops=1e24`)).toBe(false);
      // Chromium reports the refusal; nothing else went wrong.
      const refused = (p: string) =>
        /frame-ancestors 'none'/.test(p) || /\?flops=1e24 net::ERR_BLOCKED_BY_RESPONSE/.test(p);
      expect(problems.some(refused)).toBe(true);
      expect(problems.filter((p) => !refused(p))).toEqual([]);
    } finally {
      blog.close();
    }
    await page.close();
  });
});

describe.skipIf(!hasChromium)("the calculator page with JavaScript off", () => {
  const session = useWorkerAndBrowser({ javaScriptEnabled: false });

  it("renders a permalink on the server and submits the form with GET", async () => {
    const page = await session.browser.context.newPage();
    const problems = watch(page);
    await page.goto(`${session.base}/?flops=1e24`);
    const text = await page.locator("#result .headline h2").textContent();
    expect(text).toMatch(/^\S+ parameters on \S+ tokens$/);
    expect(await page.locator("svg.chart").count()).toBe(2);
    await page.locator("#q").fill("1M H100-hours @ 40% MFU");
    await Promise.all([
      page.waitForURL(/flops=/),
      page.getByRole("button", { name: "Calculate" }).click(),
    ]);
    expect(new URL(page.url()).search).toBe("?flops=1M+H100-hours+%40+40%25+MFU");
    expect(await page.locator("#q").inputValue()).toBe("1M H100-hours @ 40% MFU");
    expect(await page.locator("#result .headline .interpretation").textContent()).toContain("H100");
    await screenshot(page, "no-js-h100-hours");
    expect(problems).toEqual([]);
    await page.close();
  });
});
