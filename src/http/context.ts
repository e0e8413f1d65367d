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

/**
 * A per-client key for rate limiting: the connecting IP Cloudflare reports, IPv4 whole and IPv6
 * by its /64 (one host is given a whole /64, so a full address would give it 2^64 keys); one
 * shared key when no address is known.
 */
export function clientKey(c: Context): string {
  const address = c.req.header("cf-connecting-ip") ?? c.req.header("x-real-ip");
  return address ? clientKeyOf(address) : "anonymous";
}

/** The rate-limit key of one address: IPv4 as is, IPv6 as its first four hextets ("/64"). */
export function clientKeyOf(address: string): string {
  const text = address.trim().toLowerCase();
  if (!text.includes(":")) return text.slice(0, 45);
  const [head = "", tail] = text.split("::", 2);
  const left = head === "" ? [] : head.split(":");
  const right = tail === undefined || tail === "" ? [] : tail.split(":");
  // An embedded IPv4 tail (::ffff:1.2.3.4) fills two hextets.
  const width = right.at(-1)?.includes(".") ? right.length + 1 : right.length;
  const missing = tail === undefined ? 0 : Math.max(0, 8 - left.length - width);
  const hextets = [...left, ...Array(missing).fill("0"), ...right];
  if (hextets[0] === "0" && hextets[5] === "ffff" && hextets[6]?.includes(".")) return hextets[6];
  const prefix = hextets
    .slice(0, 4)
    .map((h) => (/^[0-9a-f]{1,4}$/.test(h) ? Number.parseInt(h, 16).toString(16) : "x"));
  while (prefix.length < 4) prefix.push("0");
  return `${prefix.join(":")}::/64`;
}

/** What the link helpers read of a Hono context. */
interface RequestWithEnv {
  env?: { PUBLIC_ORIGIN?: string } | undefined;
  req: { url: string };
}

/**
 * The public origin for links that leave the request (OpenAPI `servers`, canonical and `og:url`
 * links, stored fit URLs): the `PUBLIC_ORIGIN` Worker variable when configured, else the
 * request's own origin (local development). The Host header is never trusted where it is set.
 */
export function publicOrigin(c: RequestWithEnv): string {
  const configured = c.env?.PUBLIC_ORIGIN?.trim();
  if (configured) {
    try {
      return new URL(configured).origin;
    } catch {
      // A malformed variable falls back to the request's origin rather than breaking links.
    }
  }
  return new URL(c.req.url).origin;
}

/** The request's URL on the {@link publicOrigin}: path and query as asked. */
export function publicUrl(c: RequestWithEnv): URL {
  const asked = new URL(c.req.url);
  return new URL(`${asked.pathname}${asked.search}`, publicOrigin(c));
}
