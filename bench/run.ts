/**
 * `npm run bench`: the built Worker under raw workerd, loaded by wrk, plus the fit and Slack
 * timings. See bench/README.md.
 *
 * 1. Builds dist/index.js when it is missing or older than src/; measures the bundle.
 * 2. Times the parametric fit on the 240 Chinchilla runs in Node (skipped without the CSV).
 * 3. Serves dist/index.js with `workerd serve bench/workerd.capnp` (empty-KV stub, bench Slack
 *    secret), checks every route it will load really answers, times POST /api/v1/fits.
 * 4. Interleaved rounds of /healthz, allocate (memoised), allocate with a new budget on every
 *    request (uncached) and predict; then 200 sequential signed Slack commands; then a load run
 *    of a mix of routes.
 * 5. The worst cases (bench/worst.ts): the costliest requests of an attack, one at a time, on a
 *    workerd with a local KV store, with workerd's CPU per request against its budget.
 * Prints a table and, as the last line, one JSON object (`ratio` among its fields).
 *
 * Env: BENCH_SECONDS (per segment, 5), BENCH_ROUNDS (3), BENCH_CONNECTIONS (64),
 * BENCH_THREADS (2), BENCH_WARMUP_SECONDS (2), BENCH_LOAD_SECONDS (30; 0 skips the load run),
 * BENCH_FIT_REPEATS (15), BENCH_FIT_REQUESTS (5), BENCH_SLACK_REQUESTS (200),
 * BENCH_CHINCHILLA_CSV (../shared/data/chinchilla/svg_extracted_data.csv),
 * BENCH_PORT (default: a free port), BENCH_LOADGEN=node (Node load generator instead of wrk),
 * BENCH_WORST (1; 0 skips the worst cases), BENCH_WORST_REPEATS (10), BENCH_WORST_FIT_REPEATS (3),
 * BENCH_WORST_COLD_REPEATS (3).
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { BUNDLE_BUDGET_KB, BUNDLE_PATH, bundleSize } from "./bundle-size.ts";
import { loadChinchillaRuns } from "./chinchilla.ts";
import { cpuSnapshot, otherCpuPercent, stealCpuPercent } from "./cpu.ts";
import { fitInNode, fitRequests, type NodeFitTimings, type RequestFitTimings } from "./fit.ts";
import {
  budgetAt,
  DISTINCT_BUDGETS,
  ensureWrk,
  type LoadOptions,
  load,
  type Segment,
} from "./load.ts";
import { ROOT, stopChildren } from "./processes.ts";
import {
  checkSlackAnswer,
  type SlackTimings,
  signedCommand,
  slackHeaders,
  slackLatency,
} from "./slack.ts";
import { median, round } from "./stats.ts";
import { ensureDistBuild, freePort, portIsFree, WORKERD, WorkerdServer } from "./workerd.ts";
import {
  type WorstReport,
  worstCases,
  worstOptionsFromEnv,
  worstSummary,
  worstTableMarkdown,
} from "./worst.ts";

const CONFIG = "bench/workerd.capnp";

/** The interleaved segments: each a list of requests in bench/requests.lua's notation. */
const ROUTES = {
  healthz: ["/healthz"],
  allocate: ["/api/v1/allocate?flops=1e24"],
  allocateUncached: ["/api/v1/allocate?flops={flops}"],
  predict: ["/api/v1/predict?params=70B&tokens=1.4T"],
} as const;
type Route = keyof typeof ROUTES;

/** The load run's requests, in turn: 6 of 10 allocate (1e24 twice, a new budget twice, units). */
const LOAD_MIX = [
  "/api/v1/allocate?flops=1e24",
  "/api/v1/allocate?flops={flops}",
  "/api/v1/allocate?flops=5000%20PF-days",
  "/api/v1/predict?params=70B&tokens=1.4T",
  "/api/v1/allocate?flops=1e24",
  "@slack",
  "/api/v1/allocate?flops={flops}",
  "/api/v1/fits",
  "/api/v1/allocate?flops=1M%20H100-hours%20%40%2040%25%20MFU",
  "/healthz",
];
/** A signed Slack request expires after 300 s; longer load runs leave Slack out of the mix. */
const SLACK_IN_LOAD_MAX_SECONDS = 280;

/** Goals from the issue: allocate ≥ 0.9 × the static route, the Chinchilla fit under 100 ms. */
const RATIO_GOAL = 0.9;
const FIT_GOAL_MS = 100;
/** Above this share of CPU used by other processes, the report warns that the machine was busy. */
const BUSY_CPU_PERCENT = 10;

function envInt(name: string, fallback: number, min = 1): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min) {
    throw new Error(`${name} must be a number >= ${min}, got ${JSON.stringify(raw)}`);
  }
  return Math.round(value);
}

const settings = {
  seconds: envInt("BENCH_SECONDS", 5),
  rounds: envInt("BENCH_ROUNDS", 3),
  connections: envInt("BENCH_CONNECTIONS", 64),
  threads: envInt("BENCH_THREADS", 2),
  warmupSeconds: envInt("BENCH_WARMUP_SECONDS", 2),
  loadSeconds: envInt("BENCH_LOAD_SECONDS", 30, 0),
  fitRepeats: envInt("BENCH_FIT_REPEATS", 15),
  fitRequests: envInt("BENCH_FIT_REQUESTS", 5),
  slackRequests: envInt("BENCH_SLACK_REQUESTS", 200),
  loadGenerator: (process.env.BENCH_LOADGEN === "node" ? "node" : "wrk") as "wrk" | "node",
  worst: envInt("BENCH_WORST", 1, 0) > 0,
};

const loadOptions = (): LoadOptions => ({
  generator: settings.loadGenerator,
  threads: settings.threads,
  connections: settings.connections,
});

// ---------------------------------------------------------------------------------------------
// Server

let server: WorkerdServer | undefined;
const serverLog: string[] = [];

/** Stops workerd, wrk and the build (synchronously: also used on exit). */
function stopServer() {
  server = undefined;
  stopChildren();
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

function startServer(port: number) {
  server = new WorkerdServer(CONFIG, port, serverLog);
  server.start((error) => fail(`could not start ${WORKERD}: ${error.message}`));
}

/** CPU seconds (user + system) workerd has used so far; NaN without Linux /proc. */
const serverCpuSeconds = () => server?.cpuSeconds() ?? Number.NaN;

async function get(url: string): Promise<{ status: number; body: string }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  return { status: response.status, body: await response.text() };
}

async function waitForHealthz(timeoutMs: number): Promise<number> {
  try {
    return (await server?.waitUp(timeoutMs)) ?? Number.NaN;
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
}

/** GETs an allocate URL and fails unless it answers 200 with a non-empty allocations list. */
async function checkAllocate(base: string, path: string): Promise<number> {
  const answer = await get(base + path);
  let allocations: unknown;
  try {
    allocations = (JSON.parse(answer.body) as { allocations?: unknown }).allocations;
  } catch {
    // reported below
  }
  if (answer.status !== 200 || !Array.isArray(allocations) || allocations.length === 0) {
    fail(
      `sanity check failed: GET ${path} answered ${answer.status} without an "allocations" ` +
        `list:\n${answer.body.slice(0, 500)}`,
    );
  }
  return Buffer.byteLength(answer.body);
}

/** Checks every request the bench sends answers as meant; returns response sizes in bytes. */
async function sanityCheck(base: string): Promise<Record<Route, number>> {
  const allocate = await checkAllocate(base, ROUTES.allocate[0]);
  const uncached = ROUTES.allocateUncached[0];
  const allocateUncached = await checkAllocate(base, uncached.replace("{flops}", budgetAt(0)));
  await checkAllocate(base, uncached.replace("{flops}", budgetAt(DISTINCT_BUDGETS - 1)));
  for (const entry of LOAD_MIX) {
    if (entry === "@slack") continue;
    const path = entry.replace("{flops}", budgetAt(1));
    const answer = await get(base + path);
    if (answer.status !== 200) {
      fail(
        `sanity check failed: GET ${path} answered ${answer.status}:\n${answer.body.slice(0, 500)}`,
      );
    }
  }
  const command = signedCommand("1e24");
  const slack = await fetch(base + command.path, {
    method: "POST",
    headers: slackHeaders(command),
    body: command.body,
    signal: AbortSignal.timeout(5_000),
  });
  try {
    checkSlackAnswer({ status: slack.status, text: await slack.text() });
  } catch (error) {
    fail(`sanity check failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  const bytes = async (path: string) => Buffer.byteLength((await get(base + path)).body);
  return {
    healthz: await bytes(ROUTES.healthz[0]),
    allocate,
    allocateUncached,
    predict: await bytes(ROUTES.predict[0]),
  };
}

async function measure(base: string, entries: readonly string[], seconds: number) {
  const cpuBefore = serverCpuSeconds();
  const segment = await load(base, entries, seconds, loadOptions());
  segment.cpuUs = ((serverCpuSeconds() - cpuBefore) * 1e6) / segment.requests;
  return segment;
}

// ---------------------------------------------------------------------------------------------
// Report

const fmtInt = (value: number) => Math.round(value).toLocaleString("en-US");
const pad = (text: string, width: number) => text.padStart(width);
const describe = (entries: readonly string[]) =>
  entries.length === 1 && entries[0] === ROUTES.allocateUncached[0]
    ? `GET /api/v1/allocate?flops=<new each time>`
    : `GET ${entries.join(", ")}`;

interface RouteSummary {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  cpuUs: number;
  requests: number;
  errors: number;
}

function summarise(segments: readonly Segment[]): RouteSummary {
  return {
    rps: median(segments.map((s) => s.rps)),
    p50Ms: median(segments.map((s) => s.p50Ms)),
    p99Ms: median(segments.map((s) => s.p99Ms)),
    cpuUs: median(segments.map((s) => s.cpuUs)),
    requests: segments.reduce((sum, s) => sum + s.requests, 0),
    errors: segments.reduce((sum, s) => sum + s.socketErrors + s.non2xx, 0),
  };
}

async function main() {
  let built = false;
  try {
    built = await ensureDistBuild();
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
  const size = bundleSize();
  const workerdVersion = spawnSync(WORKERD, ["--version"], { encoding: "utf8" }).stdout.trim();
  const loadAvgAtStart = os.loadavg()[0] ?? 0;

  const chinchilla = loadChinchillaRuns(ROOT, process.env.BENCH_CHINCHILLA_CSV || undefined);
  let nodeFit: NodeFitTimings | undefined;
  if (chinchilla.ok) {
    console.log(`bench: fitting the ${chinchilla.runs.length} Chinchilla runs in Node`);
    nodeFit = fitInNode(chinchilla.runs, settings.fitRepeats);
  } else {
    console.log(
      `bench: SKIPPING the Chinchilla fit timings: ${chinchilla.reason} ` +
        "(set BENCH_CHINCHILLA_CSV to the svg_extracted_data.csv of Besiroglu et al. 2024)",
    );
  }

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
  startServer(port);
  const startupMs = await waitForHealthz(10_000);

  let requestFit: RequestFitTimings | undefined;
  if (chinchilla.ok) {
    try {
      requestFit = await fitRequests(base, chinchilla.runs, settings.fitRequests);
    } catch (error) {
      fail(`fit inside workerd: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const responseBytes = await sanityCheck(base);

  const routes = Object.keys(ROUTES) as Route[];
  const slackInLoad = settings.loadSeconds <= SLACK_IN_LOAD_MAX_SECONDS;
  const loadMix = slackInLoad ? LOAD_MIX : LOAD_MIX.filter((entry) => entry !== "@slack");
  const total =
    routes.length * (settings.rounds * settings.seconds + settings.warmupSeconds) +
    settings.loadSeconds;
  console.log(
    `bench: workerd up on ${base} after ${Math.round(startupMs)} ms; ` +
      `${settings.loadGenerator === "wrk" ? `wrk -t${settings.threads}` : "node"} -c${settings.connections}, ` +
      `${settings.rounds} rounds x ${routes.length} routes x ${settings.seconds} s, ` +
      `load run ${settings.loadSeconds} s (~${total} s)`,
  );

  for (const route of routes)
    await load(base, ROUTES[route], settings.warmupSeconds, loadOptions());

  const cpuAtStart = cpuSnapshot(server?.pid);

  const results: Record<Route, Segment[]> = {
    healthz: [],
    allocate: [],
    allocateUncached: [],
    predict: [],
  };
  for (let r = 0; r < settings.rounds; r++) {
    for (const route of routes) {
      const segment = await measure(base, ROUTES[route], settings.seconds);
      results[route].push(segment);
      console.log(
        `  round ${r + 1} ${route.padEnd(16)} ${pad(fmtInt(segment.rps), 7)} req/s  ` +
          `p50 ${segment.p50Ms.toFixed(2)} ms  p99 ${segment.p99Ms.toFixed(2)} ms`,
      );
    }
  }

  let slack: SlackTimings;
  try {
    slack = await slackLatency(base, settings.slackRequests);
  } catch (error) {
    fail(`Slack latency: ${error instanceof Error ? error.message : String(error)}`);
  }

  let loadRun: Segment | undefined;
  if (settings.loadSeconds > 0) {
    if (!slackInLoad) console.log("bench: load run over 280 s: Slack left out of the mix");
    console.log(`bench: load run, ${settings.loadSeconds} s, -c${settings.connections}`);
    loadRun = await measure(base, loadMix, settings.loadSeconds);
  }
  const loadAvgAtEnd = os.loadavg()[0] ?? 0;
  const cpuAtEnd = cpuSnapshot(server?.pid);
  await server?.stop();
  stopServer();

  let worst: WorstReport | undefined;
  if (settings.worst) {
    try {
      worst = await worstCases(BUNDLE_PATH, worstOptionsFromEnv());
    } catch (error) {
      fail(
        `worst cases: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
    }
  }

  const summary = Object.fromEntries(
    routes.map((route) => [route, summarise(results[route])]),
  ) as Record<Route, RouteSummary>;
  const ratioOf = (route: Route) =>
    median(results[route].map((s, i) => s.rps / (results.healthz[i]?.rps ?? Number.NaN)));
  const ratio = ratioOf("allocate");
  const uncachedRatio = ratioOf("allocateUncached");
  const errors = routes.reduce((sum, route) => sum + summary[route].errors, 0);

  const cpus = os.cpus();
  const machine = {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? "unknown",
    memGB: round(os.totalmem() / 2 ** 30, 1),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    loadAvg1: round(loadAvgAtStart, 2),
    loadAvg1End: round(loadAvgAtEnd, 2),
    otherCpuPercent: round(otherCpuPercent(cpuAtStart, cpuAtEnd), 1),
    stealCpuPercent: round(stealCpuPercent(cpuAtStart, cpuAtEnd), 1),
    node: process.version,
    workerd: workerdVersion.replace(/^workerd\s*/, ""),
    ...(wrkVersion === undefined ? {} : { wrk: wrkVersion }),
  };

  console.log("");
  console.log(
    `compute-optimal on raw workerd ${machine.workerd}, ${machine.cpus} x ${machine.cpuModel} ` +
      "(load generator on the same cores)",
  );
  console.log(
    `other processes used ${machine.otherCpuPercent}% of the machine's CPU during the timed ` +
      `segments, hypervisor steal ${machine.stealCpuPercent}% (1-min load average ` +
      `${machine.loadAvg1} at start, ${machine.loadAvg1End} at end, the bench's own wrk and ` +
      "workerd included)",
  );
  if (machine.otherCpuPercent > BUSY_CPU_PERCENT) {
    console.log(
      `WARNING: other processes used over ${BUSY_CPU_PERCENT}% of the CPU: req/s and latencies ` +
        "are lower than on an idle machine; compare cpu µs and ratios, or re-run when it is idle",
    );
  }
  console.log(
    `${"route".padEnd(46)}${pad("req/s", 9)}${pad("p50 ms", 9)}${pad("p99 ms", 9)}` +
      `${pad("cpu µs", 9)}${pad("errors", 8)}${pad("bytes", 8)}`,
  );
  for (const route of routes) {
    const s = summary[route];
    console.log(
      `${describe(ROUTES[route]).padEnd(46)}${pad(fmtInt(s.rps), 9)}${pad(s.p50Ms.toFixed(2), 9)}` +
        `${pad(s.p99Ms.toFixed(2), 9)}${pad(fmtInt(s.cpuUs), 9)}${pad(String(s.errors), 8)}` +
        `${pad(String(responseBytes[route]), 8)}`,
    );
  }
  console.log(
    `allocate / healthz: ${ratio.toFixed(3)} memoised answer (goal >= ${RATIO_GOAL}), ` +
      `${uncachedRatio.toFixed(3)} with a new budget per request (median of ${settings.rounds} ` +
      "interleaved rounds; req/s and latencies are medians over rounds)",
  );
  console.log(
    "cpu µs = workerd CPU time per request (user + system, /proc), less sensitive than req/s " +
      "to other processes on the machine",
  );
  if (nodeFit && chinchilla.ok) {
    const c = nodeFit.coefficients;
    console.log(
      `fit L = E + A/N^α + B/D^β on ${chinchilla.runs.length} Chinchilla runs, Node ${process.version}: ` +
        `${nodeFit.fitMs} ms (median of ${nodeFit.repeats}; cold ${nodeFit.fitColdMs} ms; ` +
        `goal < ${FIT_GOAL_MS} ms), bootstrap 200: ${nodeFit.bootstrap200Ms} ms ` +
        `(${nodeFit.bootstrapConverged}/200 converged)`,
    );
    console.log(
      `  E=${c.E} A=${c.A} B=${c.B} α=${c.alpha} β=${c.beta}, converged: ${nodeFit.converged}`,
    );
  }
  if (requestFit) {
    console.log(
      `POST /api/v1/fits with those runs inside workerd: ${requestFit.fitRequestMs} ms ` +
        `(median of ${settings.fitRequests}; first ${requestFit.fitRequestColdMs} ms), ` +
        `bootstrap 200: ${requestFit.bootstrap200RequestMs} ms`,
    );
  }
  console.log(
    `Slack /chinchilla 1e24, ${slack.slackRequests} sequential signed requests: ` +
      `p50 ${slack.slackP50Ms} ms, p99 ${slack.slackP99Ms} ms`,
  );
  if (loadRun) {
    console.log(
      `load run ${settings.loadSeconds} s, -c${settings.connections}, ${loadMix.length}-request mix ` +
        `(${loadMix.filter((e) => e.includes("allocate")).length} allocate): ` +
        `${fmtInt(loadRun.requests)} requests, ${fmtInt(loadRun.rps)} req/s, ` +
        `p50 ${loadRun.p50Ms.toFixed(2)} ms, p99 ${loadRun.p99Ms.toFixed(2)} ms, ` +
        `${loadRun.socketErrors} socket errors, ${loadRun.non2xx} non-2xx`,
    );
  }
  const withinBudget = size.gzipBytes <= BUNDLE_BUDGET_KB * 1024;
  console.log(
    `bundle dist/index.js: ${size.bundleKB} KB raw, ${size.bundleGzipKB} KB gzip -9 ` +
      `(budget ${BUNDLE_BUDGET_KB} KB: ${withinBudget ? "within" : "OVER"})`,
  );
  if (worst) {
    console.log("");
    console.log(
      "Worst cases: CPU per request against budget (workerd with a local KV store, " +
        "one request at a time)",
    );
    console.log(worstTableMarkdown(worst));
    for (const line of worstSummary(worst)) console.log(line);
    console.log("");
  }
  const uniqueLog = [...new Set(serverLog)];
  if (uniqueLog.length > 0) {
    console.log(`workerd log (${serverLog.length} lines, ${uniqueLog.length} distinct; first 10):`);
    for (const line of uniqueLog.slice(0, 10)) console.log(`  ${line}`);
  }

  const report = {
    allocateRps: Math.round(summary.allocate.rps),
    healthzRps: Math.round(summary.healthz.rps),
    ratio: round(ratio, 3),
    allocateUncachedRps: Math.round(summary.allocateUncached.rps),
    uncachedRatio: round(uncachedRatio, 3),
    predictRps: Math.round(summary.predict.rps),
    p50Ms: round(summary.allocate.p50Ms, 2),
    p99Ms: round(summary.allocate.p99Ms, 2),
    uncachedP50Ms: round(summary.allocateUncached.p50Ms, 2),
    uncachedP99Ms: round(summary.allocateUncached.p99Ms, 2),
    connections: settings.connections,
    errors,
    fitMs: nodeFit?.fitMs ?? null,
    fitColdMs: nodeFit?.fitColdMs ?? null,
    bootstrap200Ms: nodeFit?.bootstrap200Ms ?? null,
    fitRequestMs: requestFit?.fitRequestMs ?? null,
    fitRequestColdMs: requestFit?.fitRequestColdMs ?? null,
    bootstrap200RequestMs: requestFit?.bootstrap200RequestMs ?? null,
    fitRuns: chinchilla.ok ? chinchilla.runs.length : null,
    fitCoefficients: nodeFit?.coefficients ?? null,
    slackP50Ms: slack.slackP50Ms,
    slackP99Ms: slack.slackP99Ms,
    slackRequests: slack.slackRequests,
    loadSeconds: loadRun ? round(loadRun.seconds, 1) : 0,
    loadRequests: loadRun?.requests ?? 0,
    loadRps: loadRun ? Math.round(loadRun.rps) : 0,
    loadP50Ms: loadRun ? round(loadRun.p50Ms, 2) : null,
    loadP99Ms: loadRun ? round(loadRun.p99Ms, 2) : null,
    loadErrors: loadRun?.socketErrors ?? 0,
    loadNon2xx: loadRun?.non2xx ?? 0,
    loadMix,
    bundleGzipKB: size.bundleGzipKB,
    bundleKB: size.bundleKB,
    bundleBudgetKB: BUNDLE_BUDGET_KB,
    allocateCpuUs: Math.round(summary.allocate.cpuUs),
    allocateUncachedCpuUs: Math.round(summary.allocateUncached.cpuUs),
    healthzCpuUs: Math.round(summary.healthz.cpuUs),
    predictCpuUs: Math.round(summary.predict.cpuUs),
    allocateBytes: responseBytes.allocate,
    goalsMet: {
      ratio: ratio >= RATIO_GOAL,
      uncachedRatio: uncachedRatio >= RATIO_GOAL,
      fitUnder100Ms: nodeFit ? nodeFit.fitMs < FIT_GOAL_MS : null,
      bundleWithinBudget: withinBudget,
      loadClean: loadRun ? loadRun.socketErrors === 0 && loadRun.non2xx === 0 : null,
      worstCasesWithinBudget: worst ? worst.overBudget.length === 0 : null,
    },
    rounds: results.healthz.map((healthz, i) => ({
      healthzRps: Math.round(healthz.rps),
      allocateRps: Math.round(results.allocate[i]?.rps ?? 0),
      allocateUncachedRps: Math.round(results.allocateUncached[i]?.rps ?? 0),
      predictRps: Math.round(results.predict[i]?.rps ?? 0),
      ratio: round((results.allocate[i]?.rps ?? Number.NaN) / healthz.rps, 3),
      uncachedRatio: round((results.allocateUncached[i]?.rps ?? Number.NaN) / healthz.rps, 3),
      allocateCpuUs: Math.round(results.allocate[i]?.cpuUs ?? Number.NaN),
      allocateUncachedCpuUs: Math.round(results.allocateUncached[i]?.cpuUs ?? Number.NaN),
    })),
    worstCases: worst ?? null,
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
