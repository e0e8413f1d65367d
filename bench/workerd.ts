/**
 * The built Worker under raw `workerd serve`, shared by bench/run.ts, bench/mcp.ts and
 * bench/worst.ts: building the bundle, writing a workerd config around it, starting and stopping
 * workerd on a free port and reading its CPU time.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { copyFileSync, existsSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { BUNDLE_PATH } from "./bundle-size.ts";
import { processCpuNs, processCpuSeconds } from "./cpu.ts";
import { ROOT, run, track } from "./processes.ts";
import { BENCH_SLACK_SECRET } from "./slack.ts";

export const WORKERD = join(ROOT, "node_modules/.bin/workerd");
/** The Worker's compatibility date (wrangler.toml). */
const COMPATIBILITY_DATE = "2026-11-01";

export function freePort(): Promise<number> {
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

export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", () => resolve(false));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
  });
}

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

/**
 * Runs `npm run -s build` when dist/index.js is missing or older than src/ or wrangler.toml.
 * Resolves to whether it built; throws when the build fails.
 */
export async function ensureDistBuild(): Promise<boolean> {
  const inputs = Math.max(newestMtime(join(ROOT, "src")), newestMtime(join(ROOT, "wrangler.toml")));
  if (existsSync(BUNDLE_PATH) && statSync(BUNDLE_PATH).mtimeMs >= inputs) return false;
  console.log("bench: dist/index.js is missing or older than src/; running `npm run -s build`");
  const result = await run("npm", ["run", "-s", "build"]);
  if (result.code !== 0 || !existsSync(BUNDLE_PATH)) {
    throw new Error(`build failed (exit ${result.code}):\n${result.stdout}${result.stderr}`);
  }
  return true;
}

/** `wrangler deploy --dry-run` of the working tree into `outDir` (dist/ is left alone). */
export async function buildBundle(outDir: string): Promise<string> {
  const built = await run(
    "node_modules/.bin/wrangler",
    ["deploy", "--dry-run", "--outdir", outDir],
    {
      ...process.env,
      WRANGLER_SEND_METRICS: "false",
    },
  );
  const path = join(outDir, "index.js");
  if (built.code !== 0 || !existsSync(path)) {
    throw new Error(`build failed:\n${built.stdout}${built.stderr}`);
  }
  return path;
}

export interface WorkerdOptions {
  /** The bundle to serve; copied into the config's directory, so a rebuild cannot change it. */
  bundle: string;
  /**
   * Behind `FITS`: "stub" is bench/kv-stub.js (empty, forgets writes); a port is a local KV
   * store on 127.0.0.1 (bench/local-kv.ts) that keeps them.
   */
  kv: "stub" | { port: number };
  /** Binds `FIT_WRITES` (bench/ratelimit-binding.js) with this limit; unbound when absent. */
  rateLimit?: { limit: number; period: number };
}

/**
 * Writes a workerd config serving `options.bundle` into `dir` (with the modules it embeds) and
 * returns its path. The Slack secret is the bench's (bench/slack.ts); the listen address is
 * overridden on workerd's command line.
 */
export function writeWorkerdConfig(dir: string, options: WorkerdOptions): string {
  copyFileSync(options.bundle, join(dir, "index.js"));
  const kvService =
    options.kv === "stub"
      ? `(name = "kv", worker = (modules = [(name = "kv-stub.js", esModule = embed "kv-stub.js")], compatibilityDate = "${COMPATIBILITY_DATE}"))`
      : `(name = "kv", external = (address = "127.0.0.1:${options.kv.port}", http = ()))`;
  if (options.kv === "stub") copyFileSync(join(ROOT, "bench/kv-stub.js"), join(dir, "kv-stub.js"));
  const limiter = options.rateLimit;
  if (limiter) copyFileSync(join(ROOT, "bench/ratelimit-binding.js"), join(dir, "ratelimit.js"));
  const limiterBinding = limiter
    ? `,\n    (name = "FIT_WRITES", wrapped = (moduleName = "bench-internal:ratelimit", innerBindings = [(name = "limit", json = "${limiter.limit}"), (name = "period", json = "${limiter.period}")]))`
    : "";
  const extensions = limiter
    ? `\n  extensions = [(modules = [(name = "bench-internal:ratelimit", esModule = embed "ratelimit.js", internal = true)])],`
    : "";
  const config = join(dir, "workerd.capnp");
  writeFileSync(
    config,
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [(name = "main", worker = .main), ${kvService}],
  sockets = [(name = "http", address = "127.0.0.1:8790", http = (), service = "main")],${extensions}
);
const main :Workerd.Worker = (
  modules = [(name = "index.js", esModule = embed "index.js")],
  compatibilityDate = "${COMPATIBILITY_DATE}",
  bindings = [
    (name = "FITS", kvNamespace = "kv"),
    (name = "SLACK_SIGNING_SECRET", text = "${BENCH_SLACK_SECRET}")${limiterBinding}
  ],
);
`,
  );
  return config;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One `workerd serve <config>` on 127.0.0.1:<port>, stopped on every exit of the bench. */
export class WorkerdServer {
  /** Non-empty lines workerd wrote to stdout and stderr. */
  readonly log: string[];
  private child: ChildProcess | undefined;
  readonly config: string;
  readonly port: number;

  /** `config` relative to the repository root or absolute; `log` collects workerd's output. */
  constructor(config: string, port: number, log: string[] = []) {
    this.config = config;
    this.port = port;
    this.log = log;
  }

  get base(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Spawns workerd; `onError` hears when it cannot be started at all. */
  start(onError?: (error: Error) => void): void {
    const child = spawn(
      WORKERD,
      ["serve", this.config, "--socket-addr", `http=127.0.0.1:${this.port}`],
      { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
    );
    track(child);
    const collect = (data: Buffer) => {
      for (const line of data.toString().split("\n")) if (line.trim()) this.log.push(line);
    };
    child.stdout?.on("data", collect);
    child.stderr?.on("data", collect);
    child.on("error", (error) => onError?.(error));
    this.child = child;
  }

  /** The exit code once workerd has exited, else null. */
  exitCode(): number | null {
    return this.child?.exitCode ?? null;
  }

  /** Waits until GET /healthz answers 200; resolves to the milliseconds it took. */
  async waitUp(timeoutMs = 10_000): Promise<number> {
    const started = performance.now();
    while (performance.now() - started < timeoutMs) {
      const code = this.exitCode();
      if (code !== null) throw new Error(`workerd exited with code ${code}`);
      try {
        const response = await fetch(`${this.base}/healthz`, {
          signal: AbortSignal.timeout(5_000),
        });
        await response.arrayBuffer();
        if (response.status === 200) return performance.now() - started;
      } catch {
        // not listening yet
      }
      await sleep(50);
    }
    throw new Error(`GET /healthz did not answer 200 within ${timeoutMs / 1000} s`);
  }

  /** CPU seconds (user + system, 10 ms ticks) workerd has used; NaN without /proc. */
  cpuSeconds(): number {
    return processCpuSeconds(this.child?.pid);
  }

  /** CPU nanoseconds (all threads, schedstat) workerd has used; NaN without /proc. */
  cpuNs(): number {
    return processCpuNs(this.child?.pid);
  }

  /** SIGTERM, then waits (up to 5 s) for workerd to exit, so the port can be reused. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await Promise.race([exited, sleep(5_000)]);
  }
}
