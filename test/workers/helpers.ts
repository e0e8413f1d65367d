import { env, exports } from "cloudflare:workers";
import { expect } from "vitest";
import { type AppDeps, createApp } from "../../src/app.ts";
import { DEFAULT_FITS } from "../../src/core/fits/defaults.ts";
import { createRegistryCache, fitKey } from "../../src/store/fit-registry.ts";

/** A fresh app (own registry cache, recorded log) over the given bindings. */
export function freshApp(overrides: Partial<AppDeps> = {}) {
  const logs: string[] = [];
  const app = createApp({
    registryCache: createRegistryCache(),
    now: Date.now,
    log: (message) => logs.push(message),
    ...overrides,
  });
  return { app, logs };
}

export async function seedAll(kv: KVNamespace = env.FITS) {
  await Promise.all(DEFAULT_FITS.map((fit) => kv.put(fitKey(fit.id), JSON.stringify(fit))));
}

export async function clearAll(kv: KVNamespace = env.FITS) {
  const { keys } = await kv.list();
  await Promise.all(keys.map((k) => kv.delete(k.name)));
}

export interface ErrorEnvelope {
  error: { code: string; message: string; field?: string; expected?: string };
}

/** Asserts nothing in a JSON text is NaN or Infinity (JSON.stringify writes them as null). */
export function hasNoNonFinite(text: string): boolean {
  return !/NaN|Infinity/.test(text);
}

/** HTML-escapes text the way hono/jsx does, to look for user input as the page shows it. */
export const escapeHtml = (text: string) =>
  text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");

/**
 * Signs a slash-command body as Slack does: `v0=` + hex HMAC-SHA256 of `v0:{timestamp}:{body}`
 * with the signing secret (WebCrypto, independent of the Worker's verifier).
 */
export async function signSlack(secret: string, timestamp: string, body: string): Promise<string> {
  const encoder = new TextEncoder();
  const key = await crypto.subtle.importKey(
    "raw",
    encoder.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = await crypto.subtle.sign("HMAC", key, encoder.encode(`v0:${timestamp}:${body}`));
  return `v0=${[...new Uint8Array(mac)].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/** Fetches a Worker page without following redirects; asserts its status and that it is HTML. */
export async function fetchPage(url: string, status = 200, init?: RequestInit) {
  const res = await exports.default.fetch(url, { redirect: "manual", ...init });
  const html = await res.text();
  expect(res.status, html.slice(0, 500)).toBe(status);
  expect(res.headers.get("content-type")).toMatch(/^text\/html; charset=utf-8/i);
  return { res, html };
}
