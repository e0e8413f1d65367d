# Raw workerd config for `npm run bench` (bench/run.ts); see bench/README.md.
# Paths are relative to this file. run.ts overrides the listen address on the command line:
#   node_modules/.bin/workerd serve bench/workerd.capnp --socket-addr http=127.0.0.1:<port>
# The Worker is the minified bundle that `npm run build` writes to dist/index.js.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "main", worker = .mainWorker),
    (name = "kv-stub", worker = .kvStub),
  ],
  sockets = [(name = "http", address = "127.0.0.1:8790", http = (), service = "main")],
);

const mainWorker :Workerd.Worker = (
  modules = [(name = "index.js", esModule = embed "../dist/index.js")],
  compatibilityDate = "2026-11-01",
  bindings = [
    (name = "FITS", kvNamespace = "kv-stub"),
    # A bench-only secret: bench/slack.ts signs its slash commands with the same text.
    (name = "SLACK_SIGNING_SECRET", text = "bench-signing-secret"),
  ],
);

# Raw workerd has no KV store: a kvNamespace binding needs a backend service. This one is an
# empty namespace (404 for every key) that accepts and discards writes, so the Worker serves its
# bundled fits and POST /api/v1/fits fits every time. No FIT_WRITES rate limiter is bound, so the
# bench's fit requests are never refused with 429.
const kvStub :Workerd.Worker = (
  modules = [(name = "kv-stub.js", esModule = embed "kv-stub.js")],
  compatibilityDate = "2026-11-01",
);
