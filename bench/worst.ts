/**
 * The worst-case section of `npm run bench` (issue 12): the most expensive requests an attack
 * found, each sent a few times, one at a time, to the built bundle under raw workerd with a local
 * KV store that keeps what the Worker writes (bench/local-kv.ts) and a FIT_WRITES rate limiter
 * (bench/ratelimit-binding.js, 10 writes per 60 s per client). For each request it reports
 * workerd's CPU per request (all threads, ns from /proc schedstat; median and max over the
 * repetitions) against its budget: 10 ms for a read (every GET, every MCP tool but fitting,
 * Slack), 300 ms for a fit (POST /api/v1/fits, MCP fit_scaling_law, POST /fit).
 *
 *   node bench/worst.ts [bundle.js]   standalone (default: dist/index.js, built when stale)
 *
 * Env: BENCH_WORST_REPEATS (reads, 10), BENCH_WORST_FIT_REPEATS (fits, 3),
 * BENCH_WORST_COLD_REPEATS (requests on a fresh isolate, one workerd start each, 3).
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import { join, resolve } from "node:path";
import { DEFAULT_FITS } from "../src/core/fits/defaults.ts";
import { fitKey } from "../src/store/keys.ts";
import { BUNDLE_PATH } from "./bundle-size.ts";
import { LocalKv } from "./local-kv.ts";
import { stopChildren } from "./processes.ts";
import { signedCommand, slackHeaders } from "./slack.ts";
import { median, round } from "./stats.ts";
import { ensureDistBuild, freePort, WorkerdServer, writeWorkerdConfig } from "./workerd.ts";

/** Budgets of issue 12, workerd CPU per request. */
export const READ_BUDGET_MS = 10;
export const FIT_BUDGET_MS = 300;
/** The Worker's limits these requests probe (src/): checked against the answers below. */
const MAX_FITS_PER_REQUEST = 32;
const MAX_MCP_BODY_BYTES = 64 * 1024;
const MAX_BOOTSTRAP = 500;
const MAX_BOOTSTRAP_WORK = 250_000;
/** POST /fit's body limit: 3 × MAX_FIT_BODY_BYTES (src/page/fit-page.tsx). */
const FIT_FORM_MAX_BYTES = 3 * 512 * 1024;
/** wrangler.toml's FIT_WRITES: 10 writes per 60 s per client. */
const RATE_LIMIT = { limit: 10, period: 60 };
/** After each response, time for work the Worker does after answering (waitUntil). */
const SETTLE_MS = 10;
/**
 * Untimed calls of a read's warm-up before its repetitions: V8 optimises a route's code only
 * after a few calls, and an isolate serving real traffic has.
 */
const READ_WARMUPS = 3;
const TIMEOUT_MS = 120_000;

export interface WorstOptions {
  repeats: number;
  fitRepeats: number;
  coldRepeats: number;
}

export interface WorstRow {
  /** Item of the attack report (1–8). */
  item: number;
  request: string;
  kind: "read" | "fit";
  budgetMs: number;
  repeats: number;
  /** The status codes answered, distinct, in order of first appearance. */
  statuses: number[];
  cpuMedianMs: number;
  cpuMaxMs: number;
  wallMedianMs: number;
  responseBytes: number;
  /** Keys of user fits (userfit:…) read from KV per request, the most of any repetition. */
  userFitKvReads: number;
  overBudget: boolean;
  /** The figure the attack report measured before the fixes. */
  before: string;
  note?: string;
  /** Set when an answer was not what the Worker should answer (see `expect`). */
  unexpected?: string;
}

export interface WorstReport {
  rows: WorstRow[];
  overBudget: string[];
  unexpected: string[];
  seconds: number;
  options: WorstOptions;
  /** Distinct lines workerd logged (the Worker's console and workerd's own), at most 20. */
  workerdLog: string[];
}

interface Answer {
  status: number;
  text: string;
}

interface Scenario {
  item: number;
  request: string;
  kind: "read" | "fit";
  before: string;
  repeats: number;
  /**
   * Untimed, before the repetitions (same shape, other inputs), so that the first-call cost of
   * the route is not counted: {@link READ_WARMUPS} times for a read, once for a fit.
   */
  warmup?: () => Promise<unknown>;
  /** Untimed, before each repetition. */
  beforeEach?: (rep: number) => Promise<unknown>;
  send: (rep: number) => Promise<Answer>;
  /** Why an answer is wrong, or undefined when it is as meant. */
  expect: (answer: Answer) => string | undefined;
  note?: string;
}

// ---------------------------------------------------------------------------------------------
// Inputs

/** mulberry32: a small seeded generator, so every run of the bench sends the same requests. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Run {
  params: number;
  tokens: number;
  loss: number;
}

/** The attack's runs: params and tokens log-uniform on [1e-300, 1e300], losses in [1, 10]. */
function wildRuns(count: number, seed: number, digits = 6): Run[] {
  const r = random(seed);
  const value = (x: number) => Number(x.toPrecision(digits));
  return Array.from({ length: count }, () => ({
    params: value(10 ** (600 * r() - 300)),
    tokens: value(10 ** (600 * r() - 300)),
    loss: value(1 + 9 * r()),
  }));
}

/** Runs a real sweep could give: Chinchilla's law (eq. 10) with 1% noise, N 1e7–1e10. */
function plausibleRuns(count: number, seed: number): Run[] {
  const r = random(seed);
  return Array.from({ length: count }, () => {
    const params = 10 ** (7 + 3 * r());
    const tokens = 10 ** (9 + 3 * r());
    const loss =
      (1.69 + 406.4 / params ** 0.34 + 410.7 / tokens ** 0.28) * (1 + 0.02 * (r() - 0.5));
    return {
      params: Number(params.toPrecision(6)),
      tokens: Number(tokens.toPrecision(6)),
      loss: Number(loss.toPrecision(6)),
    };
  });
}

const csvOf = (runs: readonly Run[]) =>
  `params,tokens,loss\n${runs.map((run) => `${run.params},${run.tokens},${run.loss}`).join("\n")}\n`;

/** The largest resample count the Worker allows for `runs` runs (src/core/fitting/bootstrap.ts). */
const bootstrapFor = (runs: number) =>
  Math.min(MAX_BOOTSTRAP, Math.floor(MAX_BOOTSTRAP_WORK / runs));

/** Well-formed user-fit ids that no fit has. */
const unknownIds = (count: number) =>
  Array.from({ length: count }, (_, i) => `user-${(0xbe0000 + i).toString(16).padStart(20, "f")}`);

let budgetCounter = 0;
/** A budget no earlier request of this run used, so the Worker's answer memo never hits. */
const newBudget = () => {
  const k = budgetCounter++;
  return `${(1 + (k % 900) / 100).toFixed(2)}e${21 + (Math.floor(k / 900) % 5)}`;
};

/** A client address per write, so the rate limit and the daily quota never refuse a fit. */
let clientCounter = 0;
const newClient = () => {
  const k = clientCounter++;
  return `198.18.${(k >> 8) & 255}.${k & 255}`;
};

// ---------------------------------------------------------------------------------------------
// Requests

async function send(url: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(url, {
    redirect: "manual",
    ...init,
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  return { status: response.status, text: await response.text() };
}

const json = (body: unknown, client?: string): RequestInit => ({
  method: "POST",
  headers: {
    "content-type": "application/json",
    ...(client ? { "cf-connecting-ip": client } : {}),
  },
  body: JSON.stringify(body),
});

const form = (fields: Record<string, string>, client: string): RequestInit => ({
  method: "POST",
  headers: { "content-type": "application/x-www-form-urlencoded", "cf-connecting-ip": client },
  body: new URLSearchParams(fields).toString(),
});

const rpc = (id: number, method: string, params: Record<string, unknown> = {}) => ({
  jsonrpc: "2.0",
  id,
  method,
  params,
});

const toolCall = (id: number, name: string, args: Record<string, unknown>) =>
  rpc(id, "tools/call", { name, arguments: args });

/**
 * A raw MCP POST as a 2025-11-25 client sends it (test/workers/mcp.test.ts): the stateless legacy
 * leg, the only one that takes batches.
 */
function mcp(base: string, body: unknown, client?: string): Promise<Answer> {
  return send(`${base}/mcp`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-protocol-version": "2025-11-25",
      ...(client ? { "cf-connecting-ip": client } : {}),
    },
    body: JSON.stringify(body),
  });
}

/** The JSON-RPC messages of an MCP answer (JSON, or the data lines of an SSE stream). */
function rpcMessages(text: string): { result?: { isError?: boolean }; error?: unknown }[] {
  const trimmed = text.trimStart();
  const payloads =
    trimmed.startsWith("{") || trimmed.startsWith("[")
      ? [trimmed]
      : text
          .split("\n")
          .filter((line) => line.startsWith("data:"))
          .map((line) => line.slice(5));
  return payloads.flatMap((payload) => {
    try {
      const parsed = JSON.parse(payload) as unknown;
      return (Array.isArray(parsed) ? parsed : [parsed]) as { result?: { isError?: boolean } }[];
    } catch {
      return [];
    }
  });
}

// Expectations: what the Worker should answer (a refusal where a limit applies).
const status =
  (...wanted: number[]) =>
  (answer: Answer) =>
    wanted.includes(answer.status)
      ? undefined
      : `answered ${answer.status}, expected ${wanted.join(" or ")}: ${answer.text.slice(0, 160)}`;

const mcpResults = (count: number) => (answer: Answer) => {
  if (answer.status !== 200) return `answered ${answer.status}: ${answer.text.slice(0, 160)}`;
  const messages = rpcMessages(answer.text);
  const good = messages.filter((m) => m.result && !m.result.isError).length;
  return good === count
    ? undefined
    : `${good} of ${count} JSON-RPC results: ${answer.text.slice(0, 160)}`;
};

const mcpRefusal = (answer: Answer) =>
  answer.status >= 400 || rpcMessages(answer.text).some((m) => m.error)
    ? undefined
    : `served (${answer.status}), expected a refusal: ${answer.text.slice(0, 160)}`;

// ---------------------------------------------------------------------------------------------
// Measurement

interface Sample {
  cpuMs: number;
  wallMs: number;
  answer: Answer;
  userFitReads: number;
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

async function sample(
  server: WorkerdServer,
  kv: LocalKv,
  request: () => Promise<Answer>,
): Promise<Sample> {
  const reads = kv.readCount();
  const cpu = server.cpuNs();
  const started = performance.now();
  const answer = await request();
  const wallMs = performance.now() - started;
  await sleep(SETTLE_MS);
  return {
    cpuMs: (server.cpuNs() - cpu) / 1e6,
    wallMs,
    answer,
    userFitReads: kv.readsSince(reads, "userfit:"),
  };
}

/** `server` is read after `beforeEach`, which may restart workerd. */
async function measure(
  server: () => WorkerdServer,
  kv: LocalKv,
  scenario: Scenario,
): Promise<WorstRow> {
  const warmups = scenario.kind === "read" ? READ_WARMUPS : 1;
  for (let i = 0; scenario.warmup && i < warmups; i++) await scenario.warmup();
  const samples: Sample[] = [];
  for (let rep = 0; rep < scenario.repeats; rep++) {
    if (scenario.beforeEach) await scenario.beforeEach(rep);
    samples.push(await sample(server(), kv, () => scenario.send(rep)));
  }
  const budgetMs = scenario.kind === "fit" ? FIT_BUDGET_MS : READ_BUDGET_MS;
  const cpu = samples.map((s) => s.cpuMs);
  const problems = samples.map((s) => scenario.expect(s.answer)).filter((p) => p !== undefined);
  const cpuMaxMs = Math.max(...cpu);
  const row: WorstRow = {
    item: scenario.item,
    request: scenario.request,
    kind: scenario.kind,
    budgetMs,
    repeats: samples.length,
    statuses: [...new Set(samples.map((s) => s.answer.status))],
    cpuMedianMs: round(median(cpu), 2),
    cpuMaxMs: round(cpuMaxMs, 2),
    wallMedianMs: round(median(samples.map((s) => s.wallMs)), 1),
    responseBytes: Buffer.byteLength(samples.at(-1)?.answer.text ?? ""),
    userFitKvReads: Math.max(...samples.map((s) => s.userFitReads)),
    overBudget: cpuMaxMs > budgetMs,
    before: scenario.before,
    ...(scenario.note ? { note: scenario.note } : {}),
    ...(problems[0] ? { unexpected: problems[0] } : {}),
  };
  console.log(
    `  ${String(row.item).padStart(2)} ${row.request.slice(0, 78).padEnd(78)} ` +
      `${row.statuses.join("/").padStart(7)} cpu ${fmtMs(row.cpuMedianMs).padStart(7)} / ` +
      `${fmtMs(row.cpuMaxMs).padStart(7)} ms${row.overBudget ? "  OVER BUDGET" : ""}` +
      `${row.unexpected ? `  UNEXPECTED: ${row.unexpected}` : ""}`,
  );
  return row;
}

// ---------------------------------------------------------------------------------------------
// The section

/** Runs every worst case against `bundle`; the caller's workerd (if any) should be stopped. */
export async function worstCases(bundle: string, options: WorstOptions): Promise<WorstReport> {
  const started = performance.now();
  const dir = mkdtempSync(join(os.tmpdir(), "bench-worst-"));
  const kv = new LocalKv();
  let server: WorkerdServer | undefined;
  const log: string[] = [];
  try {
    // The published fits, as `npm run kv:seed` writes them, so the registry reads and validates
    // real documents.
    for (const fit of DEFAULT_FITS) kv.values.set(fitKey(fit.id), JSON.stringify(fit));
    const kvPort = await kv.start();
    const config = writeWorkerdConfig(dir, { bundle, kv: { port: kvPort }, rateLimit: RATE_LIMIT });
    const port = await freePort();
    const start = async () => {
      await server?.stop();
      server = new WorkerdServer(config, port, log);
      server.start();
      await server.waitUp();
      return server;
    };
    let s = await start();
    const base = s.base;
    const rows: WorstRow[] = [];
    const run = async (scenario: Scenario) => {
      rows.push(await measure(() => s, kv, scenario));
    };
    const { repeats, fitRepeats, coldRepeats } = options;
    console.log(
      `bench: worst cases on raw workerd with a local KV store (${repeats} repetitions per read, ` +
        `${fitRepeats} per fit, ${coldRepeats} fresh isolates per cold read)`,
    );

    // 8. Reference requests.
    await run({
      item: 8,
      request: "GET /healthz",
      kind: "read",
      before: "",
      repeats,
      warmup: () => send(`${base}/healthz`),
      send: () => send(`${base}/healthz`),
      expect: status(200),
    });
    await run({
      item: 8,
      request: "GET /?flops=1e24 (the page)",
      kind: "read",
      before: "5.6 ms",
      repeats,
      warmup: () => send(`${base}/?flops=1e24`),
      send: () => send(`${base}/?flops=1e24`),
      expect: status(200),
    });
    await run({
      item: 8,
      request: "GET /api/v1/allocate?flops={new budget each time} (not memoised)",
      kind: "read",
      before: "",
      repeats,
      warmup: () => send(`${base}/api/v1/allocate?flops=${newBudget()}`),
      send: () => send(`${base}/api/v1/allocate?flops=${newBudget()}`),
      expect: status(200),
    });
    const slack = () => {
      const command = signedCommand(newBudget());
      return send(base + command.path, {
        method: "POST",
        headers: slackHeaders(command),
        body: command.body,
      });
    };
    await run({
      item: 8,
      request: "POST /slack/commands, signed `/chinchilla {new budget}`",
      kind: "read",
      before: "",
      repeats,
      warmup: slack,
      send: slack,
      expect: (answer) =>
        answer.status === 200 && answer.text.includes('"blocks"')
          ? undefined
          : `answered ${answer.status} without Block Kit: ${answer.text.slice(0, 160)}`,
    });

    // 6. A batch of 100 tools/list.
    const list = (n: number) => Array.from({ length: n }, (_, i) => rpc(i + 1, "tools/list"));
    await run({
      item: 6,
      request: "POST /mcp, a batch of 100 `tools/list` (over the cap of 4)",
      kind: "read",
      before: "182 ms",
      repeats,
      warmup: () => mcp(base, list(4)),
      send: () => mcp(base, list(100)),
      expect: mcpRefusal,
    });

    // 1 and 2. Fits of the attack's runs; every repetition new runs (a new fit, not the stored
    // one) from a new client (no 429). One small fit per route first: its first-call cost.
    let seed = 1;
    const small = () => plausibleRuns(40, 999 + seed++);
    await run({
      item: 1,
      request: "POST /api/v1/fits, 500 runs log-uniform on [1e-300, 1e300], bootstrap 500",
      kind: "fit",
      before: "4,690 ms",
      repeats: fitRepeats,
      warmup: () => send(`${base}/api/v1/fits`, json({ runs: small() }, newClient())),
      send: () =>
        send(
          `${base}/api/v1/fits`,
          json({ runs: wildRuns(500, 100 + seed++), bootstrap: 500 }, newClient()),
        ),
      expect: status(201, 422),
      note: "500 × 500 = 250,000 resamples × runs, the cap",
    });
    await run({
      item: 2,
      request: "POST /api/v1/fits, 5,000 such runs, bootstrap 50",
      kind: "fit",
      before: "4,844 ms",
      repeats: fitRepeats,
      send: () =>
        send(
          `${base}/api/v1/fits`,
          json({ runs: wildRuns(5000, 200 + seed++), bootstrap: 50 }, newClient()),
        ),
      expect: status(201, 422),
    });
    const fitTool = (runs: Run[], bootstrap: number) =>
      mcp(base, toolCall(1, "fit_scaling_law", { runs, bootstrap }), newClient());
    const mcpFull = JSON.stringify(
      toolCall(1, "fit_scaling_law", { runs: wildRuns(5000, 1), bootstrap: 50 }),
    );
    await run({
      item: 2,
      request: "POST /mcp `fit_scaling_law`, the same 5,000 runs, bootstrap 50",
      kind: "fit",
      before: "",
      repeats: fitRepeats,
      warmup: () => fitTool(small(), 0),
      send: () => fitTool(wildRuns(5000, 300 + seed++), 50),
      expect: status(413),
      note: `body ${fmtInt(Buffer.byteLength(mcpFull))} B, over the ${fmtInt(MAX_MCP_BODY_BYTES)} B MCP body limit`,
    });
    // The most the MCP body limit lets through: the most runs (3 significant digits) whose
    // call, with the most resamples allowed for them, fits in 64 KB.
    const mcpBytes = (n: number) =>
      Buffer.byteLength(
        JSON.stringify(
          toolCall(1, "fit_scaling_law", { runs: wildRuns(n, 1, 3), bootstrap: bootstrapFor(n) }),
        ),
      );
    let low = 5;
    let high = 5000;
    while (low < high) {
      const mid = Math.ceil((low + high) / 2);
      if (mcpBytes(mid) <= MAX_MCP_BODY_BYTES - 256) low = mid;
      else high = mid - 1;
    }
    const mcpRuns = low;
    await run({
      item: 2,
      request: `POST /mcp \`fit_scaling_law\`, the most that fits in 64 KB: ${fmtInt(mcpRuns)} such runs, bootstrap ${bootstrapFor(mcpRuns)}`,
      kind: "fit",
      before: "",
      repeats: fitRepeats,
      send: () => fitTool(wildRuns(mcpRuns, 400 + seed++, 3), bootstrapFor(mcpRuns)),
      expect: (answer) => {
        if (answer.status !== 200) return `answered ${answer.status}: ${answer.text.slice(0, 160)}`;
        return rpcMessages(answer.text).some((m) => m.result)
          ? undefined
          : `no JSON-RPC result: ${answer.text.slice(0, 160)}`;
      },
      note: `${fmtInt(mcpRuns * bootstrapFor(mcpRuns))} resamples × runs`,
    });
    await run({
      item: 2,
      request: "POST /fit (the form), csv = the same 5,000 runs, bootstrap 50",
      kind: "fit",
      before: "",
      repeats: fitRepeats,
      warmup: () => send(`${base}/fit`, form({ csv: csvOf(small()) }, newClient())),
      send: () =>
        send(
          `${base}/fit`,
          form({ csv: csvOf(wildRuns(5000, 500 + seed++)), bootstrap: "50" }, newClient()),
        ),
      expect: status(303, 422),
    });

    // 3. The user fits the reads below name: 33 fits of 5,000 runs each (distinct runs, so
    // distinct ids); 32 to name, one more to warm a fresh isolate's user-fit path.
    const USER_FITS = 33;
    const ids: string[] = [];
    const create = async () => {
      const answer = await send(
        `${base}/api/v1/fits`,
        json({ runs: plausibleRuns(5000, 10_000 + ids.length) }, newClient()),
      );
      const id = (JSON.parse(answer.text) as { id?: string }).id;
      if (answer.status === 201 && id) ids.push(id);
      return answer;
    };
    await run({
      item: 3,
      request: `POST /api/v1/fits, 5,000 plausible runs, no bootstrap (the ${USER_FITS} fits named below)`,
      kind: "fit",
      before: "",
      repeats: USER_FITS,
      send: create,
      expect: status(201),
    });
    if (ids.length < USER_FITS)
      throw new Error(`only ${ids.length} of ${USER_FITS} user fits were stored`);
    const spare = ids[USER_FITS - 1] as string;
    const named = ids.slice(0, MAX_FITS_PER_REQUEST);
    const fitParam = named.join(",");

    await run({
      item: 3,
      request: "GET /api/v1/allocate?flops={new}&fit={32 user fits}, isolate cache warm",
      kind: "read",
      before: "150–210 ms",
      repeats,
      warmup: () => send(`${base}/api/v1/allocate?flops=${newBudget()}&fit=${fitParam}`),
      send: () => send(`${base}/api/v1/allocate?flops=${newBudget()}&fit=${fitParam}`),
      expect: status(200),
    });
    await run({
      item: 3,
      request: "GET /api/v1/predict?params={new}&tokens=1.4T&fit={32 user fits}",
      kind: "read",
      before: "",
      repeats,
      warmup: () => send(`${base}/api/v1/predict?params=69B&tokens=1.4T&fit=${fitParam}`),
      send: (rep) => send(`${base}/api/v1/predict?params=${70 + rep}B&tokens=1.4T&fit=${fitParam}`),
      expect: status(200),
    });
    await run({
      item: 3,
      request: "GET /?flops={new}&fit={32 user fits} (the page)",
      kind: "read",
      before: "",
      repeats,
      warmup: () => send(`${base}/?flops=${newBudget()}&fit=${fitParam}`),
      send: () => send(`${base}/?flops=${newBudget()}&fit=${fitParam}`),
      expect: status(200),
    });
    await run({
      item: 3,
      request: "GET /api/v1/fits/{user fit}?include=runs (its report and 5,000 runs)",
      kind: "read",
      before: "",
      repeats,
      warmup: () => send(`${base}/api/v1/fits/${spare}?include=runs`),
      send: (rep) => send(`${base}/api/v1/fits/${named[rep % named.length]}?include=runs`),
      expect: status(200),
    });
    await run({
      item: 3,
      request: "GET /api/v1/fits/{user fit} (its report, runs left out)",
      kind: "read",
      before: "",
      repeats,
      warmup: () => send(`${base}/api/v1/fits/${spare}`),
      send: (rep) => send(`${base}/api/v1/fits/${named[rep % named.length]}`),
      expect: status(200),
    });
    await run({
      item: 3,
      request: "GET /fit/{user fit} (its report page)",
      kind: "read",
      before: "",
      repeats,
      warmup: () => send(`${base}/fit/${spare}`),
      send: (rep) => send(`${base}/fit/${named[rep % named.length]}`),
      expect: status(200),
    });

    // 4. Over the limit of 32 ids: refused before any KV read.
    for (const count of [38, 58, 64]) {
      const selection = [...named, ...unknownIds(count - named.length)].join(",");
      await run({
        item: 4,
        request: `GET /api/v1/allocate?flops={new}&fit={${count} user-fit ids} (${fmtInt(selection.length)} chars)`,
        kind: "read",
        before: count === 38 ? "180–270 ms, then 400" : count === 58 ? "400" : "500",
        repeats,
        send: () => send(`${base}/api/v1/allocate?flops=${newBudget()}&fit=${selection}`),
        expect: status(400),
      });
    }
    {
      const selection = [...named, ...unknownIds(32)].map((id) => `fit=${id}`).join("&");
      await run({
        item: 4,
        request: "GET /?flops={new}&fit={id}&… (the page, 64 user-fit ids as 64 `fit` parameters)",
        kind: "read",
        before: "",
        repeats,
        send: () => send(`${base}/?flops=${newBudget()}&${selection}`),
        expect: status(400),
      });
    }

    // 5. MCP batches of allocate calls naming 32 user fits.
    const allocateBatch = (n: number) =>
      Array.from({ length: n }, (_, i) =>
        toolCall(i + 1, "compute_optimal_allocation", { flops: newBudget(), fits: named }),
      );
    const batch62 = JSON.stringify(allocateBatch(62));
    const allocateCall = () =>
      toolCall(1, "compute_optimal_allocation", { flops: newBudget(), fits: named });
    await run({
      item: 5,
      request: "POST /mcp, one `compute_optimal_allocation` × 32 user fits (no batch)",
      kind: "read",
      before: "",
      repeats,
      warmup: () => mcp(base, allocateCall()),
      send: () => mcp(base, allocateCall()),
      expect: mcpResults(1),
    });
    await run({
      item: 5,
      request: "POST /mcp, a batch of 62 `compute_optimal_allocation` × 32 user fits",
      kind: "read",
      before: "~13,000 ms",
      repeats,
      send: () => mcp(base, allocateBatch(62)),
      expect: mcpRefusal,
      note: `body ${fmtInt(Buffer.byteLength(batch62))} B`,
    });
    await run({
      item: 5,
      request:
        "POST /mcp, a batch of 4 `compute_optimal_allocation` × 32 user fits (the most allowed)",
      kind: "read",
      before: "",
      repeats,
      warmup: () => mcp(base, allocateBatch(4)),
      send: () => mcp(base, allocateBatch(4)),
      expect: mcpResults(4),
    });

    // 7. A 1.5 MB form: over the form's body limit, under it, and from a rate-limited client.
    /** A urlencoded form of `bytes` bytes: CSV rows of plausible runs, padded by the name. */
    const bigForm = (bytes: number) => {
      const encoded = (text: string) => new URLSearchParams({ csv: text }).toString().slice(4);
      const rows = plausibleRuns(2000, 7).map((run) =>
        encoded(`${run.params},${run.tokens},${run.loss}\n`),
      );
      const parts = [`csv=${encoded("params,tokens,loss\n")}`];
      let length = parts[0]?.length ?? 0;
      for (let i = 0; length + (rows[i % rows.length]?.length ?? 0) < bytes - 64; i++) {
        const row = rows[i % rows.length] ?? "";
        parts.push(row);
        length += row.length;
      }
      const body = parts.join("");
      return { body: `${body}&name=`.padEnd(bytes, "x"), rows: parts.length - 1 };
    };
    const bigSend = (body: string, client: string) =>
      send(`${base}/fit`, {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          "cf-connecting-ip": client,
        },
        body,
      });
    const overCap = bigForm(1_600_000).body;
    const under = bigForm(1_500_000);
    const underCap = under.body;
    await run({
      item: 7,
      request: `POST /fit, a ${fmtInt(overCap.length)} B form (over the ${fmtInt(FIT_FORM_MAX_BYTES)} B limit)`,
      kind: "fit",
      before: "~210 ms",
      repeats,
      send: () => bigSend(overCap, newClient()),
      expect: status(413),
    });
    await run({
      item: 7,
      request: `POST /fit, a ${fmtInt(underCap.length)} B form (1.5 MB, under the limit): ${fmtInt(under.rows)} CSV rows`,
      kind: "fit",
      before: "~210 ms",
      repeats,
      send: () => bigSend(underCap, newClient()),
      expect: status(400, 413),
    });
    const limited = newClient();
    await run({
      item: 7,
      request: "the same 1.5 MB form from a client past its 10 writes a minute",
      kind: "fit",
      before: "~210 ms",
      repeats,
      warmup: async () => {
        for (let i = 0; i < RATE_LIMIT.limit; i++) {
          await send(`${base}/fit`, form({ csv: "params,tokens,loss\n" }, limited));
        }
      },
      send: () => bigSend(underCap, limited),
      expect: status(429),
    });

    // 3 and 5 on a fresh isolate: workerd restarted (KV kept), so no user fit is in the
    // isolate's cache. The warm-up reads the spare fit, so the code is no longer cold but the
    // 32 named fits are read from KV.
    const fresh = async () => {
      s = await start();
      await send(`${base}/api/v1/allocate?flops=1e24`);
      await send(`${base}/api/v1/allocate?flops=${newBudget()}&fit=${spare}`);
      await mcp(
        base,
        toolCall(1, "compute_optimal_allocation", { flops: newBudget(), fits: [spare] }),
      );
    };
    await run({
      item: 3,
      request:
        "GET /api/v1/allocate?flops={new}&fit={32 user fits}, fresh isolate (32 fits read from KV)",
      kind: "read",
      before: "150–210 ms",
      repeats: coldRepeats,
      beforeEach: fresh,
      send: () => send(`${base}/api/v1/allocate?flops=${newBudget()}&fit=${fitParam}`),
      expect: status(200),
    });
    await run({
      item: 5,
      request: "POST /mcp, a batch of 4 `compute_optimal_allocation` × 32 user fits, fresh isolate",
      kind: "read",
      before: "",
      repeats: coldRepeats,
      beforeEach: fresh,
      send: () => mcp(base, allocateBatch(4)),
      expect: mcpResults(4),
    });

    const seconds = round((performance.now() - started) / 1000, 1);
    return {
      rows,
      overBudget: rows.filter((r) => r.overBudget).map((r) => r.request),
      unexpected: rows.filter((r) => r.unexpected).map((r) => `${r.request}: ${r.unexpected}`),
      seconds,
      options,
      workerdLog: [...new Set(log)].slice(0, 20),
    };
  } finally {
    await server?.stop();
    kv.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Report

const fmtInt = (value: number) => Math.round(value).toLocaleString("en-US");
/** Milliseconds: 2 decimals under 10, 1 under 100, whole above. */
export const fmtMs = (ms: number) =>
  ms < 10 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : fmtInt(ms);

function verdict(row: WorstRow): string {
  if (!row.overBudget) return `within (${Math.round((100 * row.cpuMaxMs) / row.budgetMs)}%)`;
  const over = row.cpuMaxMs - row.budgetMs;
  const median = row.cpuMedianMs > row.budgetMs ? "" : " (median within)";
  return `**over budget** by ${fmtMs(over)} ms, ${(row.cpuMaxMs / row.budgetMs).toFixed(1)}×${median}`;
}

/**
 * The section as a Markdown table (BENCHMARKS.md's "Worst cases" section), by item of the
 * attack report, in the order measured within an item.
 */
export function worstTableMarkdown(report: WorstReport): string {
  const lines = [
    "| # | request | status | workerd CPU per request, median / max (n) | budget | verdict | wall, median | user-fit KV reads | before the fixes |",
    "| - | ------- | ------ | ----------------------------------------- | ------ | ------- | ------------ | ----------------- | ---------------- |",
  ];
  const rows = [...report.rows].sort((a, b) => a.item - b.item);
  for (const row of rows) {
    const extra = [
      row.note,
      row.unexpected ? `UNEXPECTED: ${row.unexpected.replaceAll("|", "\\|")}` : undefined,
    ].filter((x) => x !== undefined);
    lines.push(
      `| ${row.item} | ${row.request}${extra.length ? ` (${extra.join("; ")})` : ""} | ` +
        `${row.statuses.join(", ")} | ${fmtMs(row.cpuMedianMs)} / ${fmtMs(row.cpuMaxMs)} ms ` +
        `(${row.repeats}) | ${row.budgetMs} ms | ${verdict(row)} | ${fmtMs(row.wallMedianMs)} ms | ` +
        `${row.userFitKvReads} | ${row.before || "–"} |`,
    );
  }
  return lines.join("\n");
}

/** The summary lines the bench prints after the table. */
export function worstSummary(report: WorstReport): string[] {
  const lines = [
    `worst cases: ${report.rows.length} requests in ${report.seconds} s; CPU = workerd's CPU ` +
      "time per request (all threads, /proc schedstat), median / max over the repetitions",
  ];
  if (report.overBudget.length === 0) lines.push("worst cases: every request within its budget");
  for (const row of report.rows.filter((r) => r.overBudget)) {
    lines.push(
      `OVER BUDGET: ${row.request}: ${fmtMs(row.cpuMaxMs)} ms max, ${fmtMs(row.cpuMedianMs)} ms ` +
        `median, budget ${row.budgetMs} ms (+${fmtMs(row.cpuMaxMs - row.budgetMs)} ms)`,
    );
  }
  for (const problem of report.unexpected) lines.push(`UNEXPECTED ANSWER: ${problem}`);
  if (report.workerdLog.length > 0) {
    lines.push(`worst cases: workerd logged (distinct lines, first ${report.workerdLog.length}):`);
    for (const line of report.workerdLog) lines.push(`  ${line.slice(0, 200)}`);
  }
  return lines;
}

function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  const value = raw === undefined || raw === "" ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`${name} must be an integer >= 1, got ${JSON.stringify(raw)}`);
  }
  return value;
}

export const worstOptionsFromEnv = (): WorstOptions => ({
  repeats: envInt("BENCH_WORST_REPEATS", 10),
  fitRepeats: envInt("BENCH_WORST_FIT_REPEATS", 3),
  coldRepeats: envInt("BENCH_WORST_COLD_REPEATS", 3),
});

if (import.meta.main) {
  process.on("exit", stopChildren);
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => process.exit(130));
  }
  const given = process.argv[2];
  if (!given) await ensureDistBuild();
  const report = await worstCases(given ? resolve(given) : BUNDLE_PATH, worstOptionsFromEnv());
  console.log("");
  console.log(worstTableMarkdown(report));
  for (const line of worstSummary(report)) console.log(line);
  console.log(JSON.stringify(report));
}
