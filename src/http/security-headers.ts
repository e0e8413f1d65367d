import type { MiddlewareHandler } from "hono";

/** CSP for HTML that sets none of its own: same-origin assets only, no framing. */
export const DEFAULT_HTML_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/** CSP for everything that is not HTML (JSON, text, SVG, PNG): nothing may run or frame it. */
export const NON_HTML_CSP = "default-src 'none'; frame-ancestors 'none'; sandbox";

/**
 * Security headers on every response: `X-Content-Type-Options: nosniff` and a
 * `Referrer-Policy`; on HTML a strict CSP and `X-Frame-Options: DENY` unless the route set its
 * own framing policy (the embeddable card); on other types a CSP that forbids running or
 * framing them. Routes that set a header keep their value.
 */
export function securityHeaders(): MiddlewareHandler {
  return async function securityHeaders(c, next) {
    await next();
    let response = c.res;
    const set = (name: string, value: string) => {
      if (response.headers.has(name)) return;
      try {
        response.headers.set(name, value);
      } catch {
        response = new Response(response.body, response);
        response.headers.set(name, value);
      }
    };
    set("X-Content-Type-Options", "nosniff");
    set("Referrer-Policy", "strict-origin-when-cross-origin");
    const type = response.headers.get("content-type") ?? "";
    if (type.includes("text/html")) {
      const csp = response.headers.get("content-security-policy");
      set("Content-Security-Policy", DEFAULT_HTML_CSP);
      if (!csp?.includes("frame-ancestors") || /frame-ancestors\s+'none'/.test(csp)) {
        set("X-Frame-Options", "DENY");
      }
    } else if (response.body !== null) {
      set("Content-Security-Policy", NON_HTML_CSP);
    }
    if (response !== c.res) c.res = response;
  };
}
