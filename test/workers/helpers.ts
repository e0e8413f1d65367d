import { env } from "cloudflare:workers";
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
