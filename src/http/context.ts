import type { Context } from "hono";

/**
 * The request's `waitUntil`, looked up only when called: without an execution context (under
 * `app.request` in tests) the promise simply runs on.
 */
export function waitUntilOf(c: Context): (promise: Promise<unknown>) => void {
  return (promise) => {
    try {
      c.executionCtx.waitUntil(promise);
    } catch {
      // No execution context: nothing to extend.
    }
  };
}

/** A per-client key for rate limiting: the connecting IP Cloudflare reports, else one shared key. */
export function clientKey(c: Context): string {
  return c.req.header("cf-connecting-ip") ?? c.req.header("x-real-ip") ?? "anonymous";
}
