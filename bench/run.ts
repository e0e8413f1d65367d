/**
 * `npm run bench`: throughput and latency of the built Worker under raw workerd, loaded by wrk.
 *
 * Builds dist/index.js when it is missing or older than src/, serves it with
 * `workerd serve bench/workerd.capnp` (FITS bound to an empty-KV stub), checks that the
 * allocate route really answers, then runs interleaved rounds of /healthz, allocate and predict.
 * Prints a table and, as the last line, one JSON object. See bench/README.md.
 *
 * Env: BENCH_SECONDS (per segment, default 5), BENCH_ROUNDS (3), BENCH_CONNECTIONS (64),
 * BENCH_THREADS (2), BENCH_WARMUP_SECONDS (2), BENCH_PORT (default: a free port),
 * BENCH_LOADGEN=node (use the built-in Node load generator instead of wrk).
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import http from "node:http";
import { createServer } from "node:net";
import os from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { BUNDLE_PATH, bundleSize } from "./bundle-size.ts";

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const WORKERD = join(ROOT, "node_modules/.bin/workerd");
const CONFIG = "bench/workerd.capnp";

const ROUTES = {
  healthz: "/healthz",
  allocate: "/api/v1/allocate?flops=1e24",
  predict: "/api/v1/predict?params=70B&tokens=1.4T",
} as const;
type Route = keyof typeof ROUTES;

function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 1) {
    throw new Error(`${name} must be a number >= 1, got ${JSON.stringify(raw)}`);
  }
  return Math.round(value);
}

const settings = {
  seconds: envInt("BENCH_SECONDS", 5),
  rounds: envInt("BENCH_ROUNDS", 3),
  connections: envInt("BENCH_CONNECTIONS", 64),
  threads: envInt("BENCH_THREADS", 2),
  warmupSeconds: envInt("BENCH_WARMUP_SECONDS", 2),
  loadGenerator: (process.env.BENCH_LOADGEN === "node" ? "node" : "wrk") as "wrk" | "node",
};

/** One load segment against one route. */
interface Segment {
  requests: number;
  seconds: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  socketErrors: number;
  non2xx: number;
  /** workerd CPU time (user + system) per request, µs; NaN where /proc is unavailable. */
  cpuUs: number;
}

// ---------------------------------------------------------------------------------------------
// Processes

let server: ChildProcess | undefined;
const serverLog: string[] = [];

/** Commands started by run() that are still running (wrk, the build). */
const children = new Set<ChildProcess>();

function stopServer() {
  if (server && server.exitCode === null && server.signalCode === null) server.kill("SIGTERM");
  server = undefined;
  for (const child of children) child.kill("SIGTERM");
  children.clear();
}

process.on("exit", stopServer);
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(signal, () => {
    stopServer();
    console.error(`\nbench: interrupted (${signal})`);
    process.exit(130);
  });
}

function fail(message: string): never {
  console.error(`bench: ${message}`);
  if (serverLog.length > 0) console.error(`workerd output:\n${serverLog.slice(-20).join("\n")}`);
  stopServer();
  process.exit(1);
}

/** Runs a command to completion, collecting its output (async, so signals are handled). */
function run(
  cmd: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    children.add(child);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d;
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d;
    });
    child.on("error", (error) => resolve({ code: 127, stdout, stderr: stderr + error.message }));
    child.on("close", (code) => {
      children.delete(child);
      resolve({ code: code ?? 1, stdout, stderr });
    });
  });
}

function commandExists(cmd: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" }).status === 0;
}

// ---------------------------------------------------------------------------------------------
// Build, server

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

async function ensureBuild() {
  const inputs = Math.max(newestMtime(join(ROOT, "src")), newestMtime(join(ROOT, "wrangler.toml")));
  if (existsSync(BUNDLE_PATH) && statSync(BUNDLE_PATH).mtimeMs >= inputs) return false;
  console.log("bench: dist/index.js is missing or older than src/; running `npm run -s build`");
  const result = await run("npm", ["run", "-s", "build"]);
  if (result.code !== 0 || !existsSync(BUNDLE_PATH)) {
    fail(`build failed (exit ${result.code}):\n${result.stdout}${result.stderr}`);
  }
  return true;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", () => resolve(false));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
  });
}

function startServer(port: number) {
  server = spawn(WORKERD, ["serve", CONFIG, "--socket-addr", `http=127.0.0.1:${port}`], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const collect = (data: Buffer) => {
    for (const line of data.toString().split("\n")) if (line.trim()) serverLog.push(line);
  };
  server.stdout?.on("data", collect);
  server.stderr?.on("data", collect);
  server.on("error", (error) => fail(`could not start ${WORKERD}: ${error.message}`));
}

const CLOCK_TICKS =
  Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout?.trim()) || 100;

/** CPU seconds (user + system) workerd has used so far; NaN without Linux /proc. */
function serverCpuSeconds(): number {
  try {
    const stat = readFileSync(`/proc/${server?.pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return Number.NaN;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function get(url: string): Promise<{ status: number; body: string }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  return { status: response.status, body: await response.text() };
}

async function waitForHealthz(base: string, timeoutMs: number): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    if (server && server.exitCode !== null) fail(`workerd exited with code ${server.exitCode}`);
    try {
      if ((await get(base + ROUTES.healthz)).status === 200) return performance.now() - started;
    } catch {
      // not listening yet
    }
    await sleep(50);
  }
  fail(`GET /healthz did not answer 200 within ${timeoutMs / 1000} s`);
}

/** Checks the routes answer what we mean to load; returns response sizes in bytes. */
async function sanityCheck(base: string): Promise<Record<Route, number>> {
  const allocate = await get(base + ROUTES.allocate);
  let allocations: unknown;
  try {
    allocations = (JSON.parse(allocate.body) as { allocations?: unknown }).allocations;
  } catch {
    // reported below
  }
  if (allocate.status !== 200 || !Array.isArray(allocations) || allocations.length === 0) {
    fail(
      `sanity check failed: GET ${ROUTES.allocate} answered ${allocate.status} without an ` +
        `"allocations" list:\n${allocate.body.slice(0, 500)}`,
    );
  }
  const predict = await get(base + ROUTES.predict);
  if (predict.status !== 200) {
    fail(`sanity check failed: GET ${ROUTES.predict} answered ${predict.status}`);
  }
  const healthz = await get(base + ROUTES.healthz);
  const bytes = (s: string) => Buffer.byteLength(s);
  return {
    healthz: bytes(healthz.body),
    allocate: bytes(allocate.body),
    predict: bytes(predict.body),
  };
}

// ---------------------------------------------------------------------------------------------
// Load generators

async function ensureWrk(): Promise<boolean> {
  if (commandExists("wrk")) return true;
  if (process.getuid?.() !== 0 || !commandExists("apt-get")) return false;
  console.log("bench: wrk not found; trying `apt-get install -y wrk`");
  let result = await run("apt-get", ["install", "-y", "-q", "wrk"]);
  if (result.code !== 0) {
    await run("apt-get", ["update", "-q"]);
    result = await run("apt-get", ["install", "-y", "-q", "wrk"]);
  }
  return result.code === 0 && commandExists("wrk");
}

/** wrk prints e.g. "1.39ms", "812.00us", "1.02s". */
function toMs(value: string): number {
  const match = /^([\d.]+)(us|ms|s|m|h)$/.exec(value.trim());
  if (!match) throw new Error(`cannot parse wrk time "${value}"`);
  const scale = { us: 0.001, ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[match[2] as "us"];
  return Number(match[1]) * scale;
}

function parseWrk(output: string): Segment {
  const grab = (re: RegExp) => {
    const match = re.exec(output);
    if (!match?.[1]) throw new Error(`unexpected wrk output (no ${re}):\n${output}`);
    return match[1];
  };
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(
    output,
  );
  const socketErrors = socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0;
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(output);
  const seconds = toMs(grab(/requests in ([\d.]+\w+),/)) / 1000;
  const requests = Number(grab(/(\d+) requests in/));
  return {
    requests,
    seconds,
    rps: Number(grab(/Requests\/sec:\s+([\d.]+)/)),
    p50Ms: toMs(grab(/^\s+50%\s+(\S+)/m)),
    p99Ms: toMs(grab(/^\s+99%\s+(\S+)/m)),
    socketErrors,
    non2xx: non2xx ? Number(non2xx[1]) : 0,
    cpuUs: Number.NaN,
  };
}

async function wrk(url: string, seconds: number): Promise<Segment> {
  const args = [
    `-t${settings.threads}`,
    `-c${settings.connections}`,
    `-d${seconds}s`,
    "--latency",
    url,
  ];
  const result = await run("wrk", args);
  if (result.code !== 0) fail(`wrk failed (exit ${result.code}): ${result.stderr}`);
  return parseWrk(result.stdout);
}

/** Fallback when wrk is unavailable: keep-alive connections, each with one request in flight. */
async function nodeLoad(url: string, seconds: number): Promise<Segment> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: settings.connections });
  const latencies: number[] = [];
  let socketErrors = 0;
  let non2xx = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const once = () =>
    new Promise<void>((resolve) => {
      const t0 = performance.now();
      const req = http.get(url, { agent }, (res) => {
        res.on("data", () => {});
        res.on("end", () => {
          latencies.push(performance.now() - t0);
          if ((res.statusCode ?? 0) >= 400) non2xx++;
          resolve();
        });
      });
      req.on("error", () => {
        socketErrors++;
        resolve();
      });
    });
  const loop = async () => {
    while (performance.now() < deadline) await once();
  };
  await Promise.all(Array.from({ length: settings.connections }, loop));
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const pct = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
  return {
    requests: latencies.length,
    seconds: elapsed,
    rps: latencies.length / elapsed,
    p50Ms: pct(0.5),
    p99Ms: pct(0.99),
    socketErrors,
    non2xx,
    cpuUs: Number.NaN,
  };
}

const load = (url: string, seconds: number) =>
  settings.loadGenerator === "wrk" ? wrk(url, seconds) : nodeLoad(url, seconds);

// ---------------------------------------------------------------------------------------------
// Report

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

const round = (value: number, digits: number) => Number(value.toFixed(digits));
const fmtInt = (value: number) => Math.round(value).toLocaleString("en-US");
const pad = (text: string, width: number) => text.padStart(width);

async function main() {
  const built = await ensureBuild();
  const size = bundleSize();
  const workerdVersion = spawnSync(WORKERD, ["--version"], { encoding: "utf8" }).stdout.trim();

  if (settings.loadGenerator === "wrk" && !(await ensureWrk())) {
    console.log("bench: wrk unavailable; falling back to the (slower) Node load generator");
    settings.loadGenerator = "node";
  }
  const wrkVersion =
    settings.loadGenerator === "wrk"
      ? (/wrk (\S+)/.exec(spawnSync("wrk", ["--version"], { encoding: "utf8" }).stdout)?.[1] ?? "")
      : undefined;

  const port = process.env.BENCH_PORT ? envInt("BENCH_PORT", 8790) : await freePort();
  if (!(await portIsFree(port))) fail(`port ${port} is already in use (BENCH_PORT)`);
  const base = `http://127.0.0.1:${port}`;
  const loadAvgAtStart = os.loadavg()[0] ?? 0;
  startServer(port);
  const startupMs = await waitForHealthz(base, 10_000);
  const responseBytes = await sanityCheck(base);

  const routes = Object.keys(ROUTES) as Route[];
  const total = routes.length * (settings.rounds * settings.seconds + settings.warmupSeconds);
  console.log(
    `bench: workerd up on ${base} after ${Math.round(startupMs)} ms; ` +
      `${settings.loadGenerator === "wrk" ? `wrk -t${settings.threads}` : "node"} -c${settings.connections}, ` +
      `${settings.rounds} rounds x ${routes.length} routes x ${settings.seconds} s (~${total} s)`,
  );

  for (const route of routes) await load(base + ROUTES[route], settings.warmupSeconds);

  const results: Record<Route, Segment[]> = { healthz: [], allocate: [], predict: [] };
  for (let r = 0; r < settings.rounds; r++) {
    for (const route of routes) {
      const cpuBefore = serverCpuSeconds();
      const segment = await load(base + ROUTES[route], settings.seconds);
      segment.cpuUs = ((serverCpuSeconds() - cpuBefore) * 1e6) / segment.requests;
      results[route].push(segment);
      console.log(
        `  round ${r + 1} ${route.padEnd(8)} ${pad(fmtInt(segment.rps), 7)} req/s  ` +
          `p50 ${segment.p50Ms.toFixed(2)} ms  p99 ${segment.p99Ms.toFixed(2)} ms`,
      );
    }
  }
  stopServer();

  const summary = Object.fromEntries(
    routes.map((route) => {
      const segments = results[route];
      return [
        route,
        {
          rps: median(segments.map((s) => s.rps)),
          p50Ms: median(segments.map((s) => s.p50Ms)),
          p99Ms: median(segments.map((s) => s.p99Ms)),
          cpuUs: median(segments.map((s) => s.cpuUs)),
          requests: segments.reduce((sum, s) => sum + s.requests, 0),
          errors: segments.reduce((sum, s) => sum + s.socketErrors + s.non2xx, 0),
        },
      ];
    }),
  ) as Record<
    Route,
    { rps: number; p50Ms: number; p99Ms: number; cpuUs: number; requests: number; errors: number }
  >;
  const ratios = results.allocate.map((s, i) => s.rps / (results.healthz[i]?.rps ?? Number.NaN));
  const ratio = median(ratios);
  const errors = routes.reduce((sum, route) => sum + summary[route].errors, 0);

  const cpus = os.cpus();
  const machine = {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? "unknown",
    memGB: round(os.totalmem() / 2 ** 30, 1),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    loadAvg1: round(loadAvgAtStart, 2),
    node: process.version,
    workerd: workerdVersion.replace(/^workerd\s*/, ""),
    ...(wrkVersion === undefined ? {} : { wrk: wrkVersion }),
  };

  console.log("");
  console.log(
    `compute-optimal on raw workerd ${machine.workerd}, ${machine.cpus} x ${machine.cpuModel} ` +
      `(load generator on the same cores)`,
  );
  console.log(
    `${"route".padEnd(46)}${pad("req/s", 9)}${pad("p50 ms", 9)}${pad("p99 ms", 9)}` +
      `${pad("cpu µs", 9)}${pad("errors", 8)}${pad("bytes", 8)}`,
  );
  for (const route of routes) {
    const s = summary[route];
    console.log(
      `${`GET ${ROUTES[route]}`.padEnd(46)}${pad(fmtInt(s.rps), 9)}${pad(s.p50Ms.toFixed(2), 9)}` +
        `${pad(s.p99Ms.toFixed(2), 9)}${pad(fmtInt(s.cpuUs), 9)}${pad(String(s.errors), 8)}` +
        `${pad(String(responseBytes[route]), 8)}`,
    );
  }
  console.log(
    `allocate / healthz: ${ratio.toFixed(3)} (median of ${settings.rounds} interleaved rounds; ` +
      `req/s and latencies are medians over rounds)`,
  );
  console.log(
    "cpu µs = workerd CPU time per request (user + system, /proc), less sensitive than req/s " +
      "to other processes on the machine",
  );
  console.log(`bundle dist/index.js: ${size.bundleKB} KB raw, ${size.bundleGzipKB} KB gzip -9`);
  const uniqueLog = [...new Set(serverLog)];
  if (uniqueLog.length > 0) {
    console.log(`workerd log (${serverLog.length} lines, ${uniqueLog.length} distinct; first 10):`);
    for (const line of uniqueLog.slice(0, 10)) console.log(`  ${line}`);
  }

  const report = {
    allocateRps: Math.round(summary.allocate.rps),
    healthzRps: Math.round(summary.healthz.rps),
    predictRps: Math.round(summary.predict.rps),
    ratio: round(ratio, 3),
    p50Ms: round(summary.allocate.p50Ms, 2),
    p99Ms: round(summary.allocate.p99Ms, 2),
    errors,
    bundleGzipKB: size.bundleGzipKB,
    bundleKB: size.bundleKB,
    allocateCpuUs: Math.round(summary.allocate.cpuUs),
    healthzCpuUs: Math.round(summary.healthz.cpuUs),
    predictCpuUs: Math.round(summary.predict.cpuUs),
    allocateBytes: responseBytes.allocate,
    rounds: ratios.map((value, i) => ({
      healthzRps: Math.round(results.healthz[i]?.rps ?? 0),
      allocateRps: Math.round(results.allocate[i]?.rps ?? 0),
      predictRps: Math.round(results.predict[i]?.rps ?? 0),
      ratio: round(value, 3),
      allocateCpuUs: Math.round(results.allocate[i]?.cpuUs ?? Number.NaN),
    })),
    machine,
    settings: { ...settings, rebuilt: built, workerLogLines: serverLog.length },
    date: new Date().toISOString(),
  };
  mkdirSync(join(ROOT, "bench/results"), { recursive: true });
  writeFileSync(join(ROOT, "bench/results/last.json"), `${JSON.stringify(report, null, 2)}\n`);
  console.log(JSON.stringify(report));
}

main().catch((error: unknown) =>
  fail(error instanceof Error ? (error.stack ?? error.message) : String(error)),
);
