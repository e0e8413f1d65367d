import type { Context } from "hono";

/** The request's `waitUntil`, when the runtime gives one (not under `app.request` in tests). */
export function waitUntilOf(c: Context): ((promise: Promise<unknown>) => void) | undefined {
  try {
    const ctx = c.executionCtx;
    return (promise) => ctx.waitUntil(promise);
  } catch {
    return undefined;
  }
}

/** A per-client key for rate limiting: the connecting IP Cloudflare reports, else one shared key. */
export function clientKey(c: Context): string {
  return c.req.header("cf-connecting-ip") ?? c.req.header("x-real-ip") ?? "anonymous";
}
