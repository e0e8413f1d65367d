// Bindings from wrangler.toml are typed by `npm run types` (src/worker-configuration.d.ts, generated
// and committed). Secrets are not in wrangler.toml, so they are declared here.
declare namespace Cloudflare {
  interface Env {
    /** Slack app signing secret (`wrangler secret put SLACK_SIGNING_SECRET`; `.dev.vars` locally). */
    SLACK_SIGNING_SECRET?: string;
  }
}
