declare namespace Cloudflare {
  interface Env {
    /** The fit registry and user fits (docs/storage.md). */
    FITS: KVNamespace;
    /** Slack app signing secret (`wrangler secret put SLACK_SIGNING_SECRET`; `.dev.vars` locally). */
    SLACK_SIGNING_SECRET?: string;
    /** Rate limit on writes of user fits, per client (wrangler.toml [[ratelimits]]). */
    FIT_WRITES?: RateLimit;
    /** The public origin for links and stored URLs (wrangler.toml [vars]); unset: the request's. */
    PUBLIC_ORIGIN?: string;
  }
  interface GlobalProps {
    mainModule: typeof import("./index.ts");
  }
}
