/**
 * Load generators for `npm run bench`: wrk (with bench/requests.lua when a segment needs more
 * than one fixed GET) or, without wrk, a slower Node keep-alive generator with the same request
 * sequence. A segment's requests are given as entries (see bench/requests.lua):
 * a path, a path with `{flops}` (a new budget per request) or `@slack` (a signed slash command).
 */
import http from "node:http";
import { commandExists, run } from "./processes.ts";
import { type SignedCommand, signedCommand, slackHeaders } from "./slack.ts";
import { percentile } from "./stats.ts";

export const LUA_SCRIPT = "bench/requests.lua";
/** Distinct budgets `{flops}` cycles through (10× the Worker's 512-answer memo). */
export const DISTINCT_BUDGETS = 5400;

/** One load segment. */
export interface Segment {
  requests: number;
  seconds: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** Connect, read, write errors and timeouts (wrk: a response slower than 2 s). */
  socketErrors: number;
  /** Responses that are neither 2xx nor 3xx. */
  non2xx: number;
  /** workerd CPU time (user + system) per request, µs; NaN where /proc is unavailable. */
  cpuUs: number;
}

export interface LoadOptions {
  generator: "wrk" | "node";
  threads: number;
  connections: number;
}

/** The k-th budget of the `{flops}` cycle: 1.00e20 … 9.99e25 (same as bench/requests.lua). */
export function budgetAt(k: number): string {
  const i = k % DISTINCT_BUDGETS;
  return `${(1 + (i % 900) / 100).toFixed(2)}e${20 + Math.floor(i / 900)}`;
}

/**
 * Where the next run starts in the budget cycle: each run continues where the last one ended, so
 * a new segment does not start with budgets the memo still holds from the previous one.
 */
let budgetCursor = 0;

const isStaticGet = (entries: readonly string[]) =>
  entries.length === 1 && !entries[0]?.includes("{flops}") && entries[0] !== "@slack";

export async function ensureWrk(): Promise<boolean> {
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

export function parseWrk(output: string): Segment {
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
  return {
    requests: Number(grab(/(\d+) requests in/)),
    seconds: toMs(grab(/requests in ([\d.]+\w+),/)) / 1000,
    rps: Number(grab(/Requests\/sec:\s+([\d.]+)/)),
    p50Ms: toMs(grab(/^\s+50%\s+(\S+)/m)),
    p99Ms: toMs(grab(/^\s+99%\s+(\S+)/m)),
    socketErrors,
    non2xx: non2xx ? Number(non2xx[1]) : 0,
    cpuUs: Number.NaN,
  };
}

async function wrk(
  base: string,
  entries: readonly string[],
  seconds: number,
  options: LoadOptions,
): Promise<Segment> {
  const args = [`-t${options.threads}`, `-c${options.connections}`, `-d${seconds}s`, "--latency"];
  let env = process.env;
  if (isStaticGet(entries)) {
    args.push(`${base}${entries[0]}`);
  } else {
    const first = String(budgetCursor);
    args.push("-s", LUA_SCRIPT, base, "--", String(options.threads), first, ...entries);
    if (entries.includes("@slack")) {
      const command = signedCommand("1e24");
      env = {
        ...process.env,
        BENCH_SLACK_PATH: command.path,
        BENCH_SLACK_BODY: command.body,
        BENCH_SLACK_TIMESTAMP: command.timestamp,
        BENCH_SLACK_SIGNATURE: command.signature,
      };
    }
  }
  const result = await run("wrk", args, env);
  if (result.code !== 0) {
    throw new Error(`wrk failed (exit ${result.code}): ${result.stderr}${result.stdout}`);
  }
  const segment = parseWrk(result.stdout);
  budgetCursor = (budgetCursor + segment.requests) % DISTINCT_BUDGETS;
  return segment;
}

/** Without wrk: keep-alive connections, each with one request in flight. */
async function nodeLoad(
  base: string,
  entries: readonly string[],
  seconds: number,
  options: LoadOptions,
): Promise<Segment> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.connections });
  const slack: SignedCommand | undefined = entries.includes("@slack")
    ? signedCommand("1e24")
    : undefined;
  const latencies: number[] = [];
  let socketErrors = 0;
  let non2xx = 0;
  let sent = 0;
  let budgets = budgetCursor;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const once = () =>
    new Promise<void>((resolve) => {
      const entry = entries[sent++ % entries.length] ?? "/";
      const post = entry === "@slack" && slack !== undefined;
      const path = post ? slack.path : entry.replace("{flops}", () => budgetAt(budgets++));
      const t0 = performance.now();
      const req = http.request(
        `${base}${path}`,
        { method: post ? "POST" : "GET", agent, headers: post ? slackHeaders(slack) : {} },
        (res) => {
          res.on("data", () => {});
          res.on("end", () => {
            latencies.push(performance.now() - t0);
            const status = res.statusCode ?? 0;
            if (status < 200 || status >= 400) non2xx++;
            resolve();
          });
        },
      );
      req.on("error", () => {
        socketErrors++;
        resolve();
      });
      req.end(post ? slack.body : undefined);
    });
  const loop = async () => {
    while (performance.now() < deadline) await once();
  };
  await Promise.all(Array.from({ length: options.connections }, loop));
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  budgetCursor = budgets % DISTINCT_BUDGETS;
  return {
    requests: latencies.length,
    seconds: elapsed,
    rps: latencies.length / elapsed,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    socketErrors,
    non2xx,
    cpuUs: Number.NaN,
  };
}

/** Loads `base` with the entries for `seconds`. */
export function load(
  base: string,
  entries: readonly string[],
  seconds: number,
  options: LoadOptions,
): Promise<Segment> {
  return options.generator === "wrk"
    ? wrk(base, entries, seconds, options)
    : nodeLoad(base, entries, seconds, options);
}
