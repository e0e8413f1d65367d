/**
 * `node bench/mcp.ts [bundle.js]`: workerd CPU time per MCP request (issue 12). Serves a bundle
 * (default: a fresh `wrangler deploy --dry-run` of the working tree, in a temporary directory,
 * so dist/ is left alone) with raw `workerd serve` on the empty-KV stub, then sends each
 * scenario sequentially and reports workerd's CPU (user + system, /proc) per request.
 *
 * Env: BENCH_MCP_REQUESTS (timed requests per scenario, 300), BENCH_MCP_WARMUP (30).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import { join, resolve } from "node:path";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { processCpuSeconds } from "./cpu.ts";
import { ROOT, run, stopChildren } from "./processes.ts";
import { median, round } from "./stats.ts";

const REQUESTS = Number(process.env.BENCH_MCP_REQUESTS ?? 300);
const WARMUP = Number(process.env.BENCH_MCP_WARMUP ?? 30);
const WORKERD = join(ROOT, "node_modules/.bin/workerd");

const dir = mkdtempSync(join(os.tmpdir(), "mcp-bench-"));
let server: ChildProcess | undefined;

function stop() {
  if (server && server.exitCode === null) server.kill("SIGTERM");
  server = undefined;
  stopChildren();
  rmSync(dir, { recursive: true, force: true });
}
process.on("exit", stop);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => process.exit(130));
}

async function bundle(): Promise<string> {
  const given = process.argv[2];
  if (given) return resolve(given);
  const out = join(dir, "build");
  const built = await run("node_modules/.bin/wrangler", ["deploy", "--dry-run", "--outdir", out], {
    ...process.env,
    WRANGLER_SEND_METRICS: "false",
  });
  const path = join(out, "index.js");
  if (built.code !== 0 || !existsSync(path)) {
    throw new Error(`build failed:\n${built.stdout}${built.stderr}`);
  }
  return path;
}

/** bench/workerd.capnp with the bundle embedded from this run's directory. */
function writeConfig(bundlePath: string): string {
  copyFileSync(bundlePath, join(dir, "index.js"));
  copyFileSync(join(ROOT, "bench/kv-stub.js"), join(dir, "kv-stub.js"));
  const config = join(dir, "workerd.capnp");
  writeFileSync(
    config,
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [(name = "main", worker = .main), (name = "kv-stub", worker = .kv)],
  sockets = [(name = "http", address = "127.0.0.1:8790", http = (), service = "main")],
);
const main :Workerd.Worker = (
  modules = [(name = "index.js", esModule = embed "index.js")],
  compatibilityDate = "2026-11-01",
  bindings = [(name = "FITS", kvNamespace = "kv-stub")],
);
const kv :Workerd.Worker = (
  modules = [(name = "kv-stub.js", esModule = embed "kv-stub.js")],
  compatibilityDate = "2026-11-01",
);
`,
  );
  return config;
}

function freePort(): Promise<number> {
  return new Promise((done, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => done(typeof address === "object" && address ? address.port : 0));
    });
  });
}

async function waitUp(base: string) {
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("workerd did not answer /healthz in 10 s");
}

const message = (id: number, method: string, params: Record<string, unknown> = {}) => ({
  jsonrpc: "2.0",
  id,
  method,
  params,
});
const allocate = (id: number) =>
  message(id, "tools/call", {
    name: "compute_optimal_allocation",
    arguments: { flops: `${1 + (id % 9)}e2${id % 6}` },
  });

/** A raw 2025-era POST (the stateless legacy leg, the only one that takes batches). */
function legacyPost(base: string, body: unknown) {
  return async () => {
    const res = await fetch(`${base}/mcp`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        "mcp-protocol-version": "2025-11-25",
      },
      body: JSON.stringify(body),
    });
    return { status: res.status, bytes: (await res.arrayBuffer()).byteLength };
  };
}

interface Row {
  scenario: string;
  status: number;
  responseBytes: number;
  cpuUsPerRequest: number;
  wallMsP50: number;
}

async function measure(
  scenario: string,
  send: () => Promise<{ status: number; bytes: number }>,
  requests = REQUESTS,
): Promise<Row> {
  let last = { status: 0, bytes: 0 };
  for (let i = 0; i < WARMUP; i++) last = await send();
  const walls: number[] = [];
  const cpu0 = processCpuSeconds(server?.pid);
  for (let i = 0; i < requests; i++) {
    const t0 = performance.now();
    last = await send();
    walls.push(performance.now() - t0);
  }
  const cpu = processCpuSeconds(server?.pid) - cpu0;
  return {
    scenario,
    status: last.status,
    responseBytes: last.bytes,
    cpuUsPerRequest: round((cpu * 1e6) / requests, 0),
    wallMsP50: round(median(walls), 2),
  };
}

async function main() {
  const config = writeConfig(await bundle());
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  server = spawn(WORKERD, ["serve", config, "--socket-addr", `http=127.0.0.1:${port}`], {
    stdio: ["ignore", "ignore", "ignore"],
  });
  await waitUp(base);

  const client = new Client(
    { name: "bench", version: "0" },
    { versionNegotiation: { mode: { pin: "2026-07-28" } } },
  );
  await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`)));
  const viaClient = (call: () => Promise<unknown>) => async () => {
    const answer = await call();
    return { status: 200, bytes: JSON.stringify(answer).length };
  };

  const list = (n: number) => Array.from({ length: n }, (_, i) => message(i + 1, "tools/list"));
  const healthz = async () => {
    const res = await fetch(`${base}/healthz`);
    return { status: res.status, bytes: (await res.arrayBuffer()).byteLength };
  };
  const rows = [
    await measure("GET /healthz (the floor)", healthz),
    await measure("tools/list, 2025-11-25 POST", legacyPost(base, message(1, "tools/list"))),
    await measure(
      "tools/list, 2026-07-28 SDK client",
      viaClient(() => client.listTools()),
    ),
    await measure("batch of 4 tools/list", legacyPost(base, list(4))),
    await measure("batch of 5 tools/list (over the cap of 4)", legacyPost(base, list(5))),
    await measure("batch of 100 tools/list", legacyPost(base, list(100)), REQUESTS / 10),
    await measure(
      "compute_optimal_allocation flops=1e24, 2026-07-28 SDK client",
      viaClient(() =>
        client.callTool({ name: "compute_optimal_allocation", arguments: { flops: "1e24" } }),
      ),
    ),
    await measure(
      "batch of 4 compute_optimal_allocation",
      legacyPost(
        base,
        [1, 2, 3, 4].map((i) => allocate(i)),
      ),
    ),
  ];
  await client.close();
  console.table(rows);
  console.log(JSON.stringify({ requests: REQUESTS, rows }));
}

main()
  .catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  })
  .finally(stop);
