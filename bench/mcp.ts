/**
 * `node bench/mcp.ts [bundle.js]`: workerd CPU time per MCP request (issue 12). Serves a bundle
 * (default: a fresh `wrangler deploy --dry-run` of the working tree, in a temporary directory,
 * so dist/ is left alone) with raw `workerd serve` on the empty-KV stub, then sends each
 * scenario sequentially and reports workerd's CPU per request (all threads, ns from /proc
 * schedstat; bench/cpu.ts). bench/worst.ts measures the worst cases the same way, one request
 * at a time.
 *
 * Env: BENCH_MCP_REQUESTS (timed requests per scenario, 300), BENCH_MCP_WARMUP (30).
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import { join, resolve } from "node:path";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { stopChildren } from "./processes.ts";
import { median, round } from "./stats.ts";
import { buildBundle, freePort, WorkerdServer, writeWorkerdConfig } from "./workerd.ts";

const REQUESTS = Number(process.env.BENCH_MCP_REQUESTS ?? 300);
const WARMUP = Number(process.env.BENCH_MCP_WARMUP ?? 30);

const dir = mkdtempSync(join(os.tmpdir(), "mcp-bench-"));
let server: WorkerdServer | undefined;

async function stop() {
  await server?.stop();
  server = undefined;
  rmSync(dir, { recursive: true, force: true });
}
process.on("exit", () => {
  stopChildren();
  rmSync(dir, { recursive: true, force: true });
});
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => process.exit(130));
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
  const cpu0 = server?.cpuNs() ?? Number.NaN;
  for (let i = 0; i < requests; i++) {
    const t0 = performance.now();
    last = await send();
    walls.push(performance.now() - t0);
  }
  const cpuNs = (server?.cpuNs() ?? Number.NaN) - cpu0;
  return {
    scenario,
    status: last.status,
    responseBytes: last.bytes,
    cpuUsPerRequest: round(cpuNs / 1e3 / requests, 0),
    wallMsP50: round(median(walls), 2),
  };
}

async function main() {
  const given = process.argv[2];
  const bundle = given ? resolve(given) : await buildBundle(join(dir, "build"));
  server = new WorkerdServer(writeWorkerdConfig(dir, { bundle, kv: "stub" }), await freePort());
  server.start();
  await server.waitUp();
  const base = server.base;

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
