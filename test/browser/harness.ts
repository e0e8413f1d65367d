/**
 * Shared harness of the browser tests: headless Chromium (Debian's /usr/bin/chromium, driven by
 * playwright-core) against the built Worker (dist/index.js, from `npm run build`) served by
 * Miniflare with a real local KV namespace seeded with the bundled fits.
 */

import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Miniflare } from "miniflare";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { DEFAULT_FITS } from "../../src/core/fits/defaults.ts";
import { fitKey } from "../../src/store/keys.ts";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const BUNDLE = "dist/index.js";
const SCREENSHOTS = process.env.SCREENSHOT_DIR ?? join(tmpdir(), "compute-optimal-screenshots");
/** Chromium flags from the toolchain notes (no sandbox in containers, no background traffic). */
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(
    `browser tests skipped: no Chromium at ${CHROMIUM} (install it with \`apt-get install chromium\`, or set CHROMIUM_PATH)`,
  );
}

export interface Browser {
  context: BrowserContext;
  close: () => Promise<void>;
}

export async function launch(options: { javaScriptEnabled?: boolean } = {}): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), "pw-profile-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 },
    ...options,
  });
  // Records CSP violations as the page sees them (init scripts run outside the page's CSP).
  await context.addInitScript(() => {
    const seen: string[] = [];
    Object.defineProperty(window, "__cspViolations", { value: seen });
    document.addEventListener("securitypolicyviolation", (event) => {
      seen.push(`${event.violatedDirective} ${event.blockedURI}`);
    });
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Console errors and warnings, uncaught exceptions and failed requests of one page. */
export function watch(page: Page): string[] {
  const problems: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error" || message.type() === "warning") {
      problems.push(`console ${message.type()}: ${message.text()}`);
    }
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("requestfailed", (request) => {
    // The script aborts a superseded live-update request on purpose.
    if (request.failure()?.errorText !== "net::ERR_ABORTED") {
      problems.push(`request failed: ${request.url()} ${request.failure()?.errorText}`);
    }
  });
  return problems;
}

export async function cspViolations(page: Page): Promise<string[]> {
  return page.evaluate(
    () => (window as unknown as { __cspViolations?: string[] }).__cspViolations ?? [],
  );
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  console.info(`screenshot: ${path}`);
  return path;
}

const compatibilityDate = () =>
  /compatibility_date\s*=\s*"([^"]+)"/.exec(readFileSync("wrangler.toml", "utf8"))?.[1] ??
  "2026-11-01";

/** The built Worker in Miniflare on a free port, its KV seeded with the bundled fits. */
export async function startWorker(
  options: { fitWritesPerMinute?: number } = {},
): Promise<{ mf: Miniflare; base: string }> {
  if (!existsSync(BUNDLE)) {
    throw new Error(`${BUNDLE} is missing: run \`npm run build\` first (npm test does)`);
  }
  const mf = new Miniflare({
    host: "127.0.0.1",
    port: 0,
    cf: false,
    workers: [
      {
        config: {
          name: "compute-optimal",
          compatibilityDate: compatibilityDate(),
          manifest: {
            mainModule: "index.js",
            modules: { "index.js": { type: "esm", contents: readFileSync(BUNDLE, "utf8") } },
          },
          env: {
            FITS: { type: "kv", id: "FITS" },
            ...(options.fitWritesPerMinute === undefined
              ? {}
              : {
                  FIT_WRITES: {
                    type: "rate-limit",
                    namespace: "1001",
                    simple: { limit: options.fitWritesPerMinute, period: 60 },
                  },
                }),
          },
        },
      },
    ],
  });
  const base = (await mf.ready).origin;
  const kv = await mf.getKVNamespace("FITS");
  await Promise.all(DEFAULT_FITS.map((fit) => kv.put(fitKey(fit.id), JSON.stringify(fit))));
  return { mf, base };
}

/** The Worker and the browser a suite runs against. */
export interface Session {
  mf: Miniflare;
  base: string;
  browser: Browser;
}

/**
 * Starts the built Worker and Chromium before the suite and stops both after it; the returned
 * object is filled in by the time the tests run.
 */
export function useWorkerAndBrowser(
  options: { javaScriptEnabled?: boolean; fitWritesPerMinute?: number } = {},
): Session {
  const session = {} as Session;
  beforeAll(async () => {
    Object.assign(session, await startWorker(options));
    session.browser = await launch(options);
  });
  afterAll(async () => {
    await session.browser?.close();
    await session.mf?.dispose();
  });
  return session;
}
