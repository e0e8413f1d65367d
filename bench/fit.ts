/**
 * Timing of the parametric fit L = E + A/N^α + B/D^β on the 240 Chinchilla runs: in Node (the
 * pure core, `fitRuns`) and inside workerd (`POST /api/v1/fits`, which fits and stores).
 *
 * Also the worst inputs of issue 12 (runs over 1e±300, MAX_RUNS runs, many resamples), which the
 * work budget (MAX_FIT_WORK run-evaluations) bounds whatever the runs.
 *
 *   node bench/fit.ts     prints the Node timings as JSON (no server needed)
 */
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { type FitReport, fitRuns } from "../src/core/fitting/fit.ts";
import { seededRandom } from "../src/core/fitting/random.ts";
import { MAX_RUNS, type ParametricRun, type Runs } from "../src/core/fitting/runs.ts";
import { MAX_FIT_WORK } from "../src/core/fitting/work.ts";
import { loadChinchillaRuns } from "./chinchilla.ts";
import { median, round } from "./stats.ts";

/** Bootstrap resamples timed (the API's example value; at most MAX_BOOTSTRAP). */
export const BOOTSTRAP_RESAMPLES = 200;
/** Timed bootstrap fits (each refits the runs BOOTSTRAP_RESAMPLES times). */
const BOOTSTRAP_REPEATS = 3;

const SEED = [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344] as const;

export interface NodeFitTimings {
  /** First fit in this process (module loaded, code not yet optimised), ms. */
  fitColdMs: number;
  /** Median of `repeats` later fits, ms. */
  fitMs: number;
  /** Median of BOOTSTRAP_REPEATS fits with BOOTSTRAP_RESAMPLES resamples, ms. */
  bootstrap200Ms: number;
  repeats: number;
  coefficients: Record<string, number>;
  converged: boolean;
  /** Resamples whose refit converged, of BOOTSTRAP_RESAMPLES. */
  bootstrapConverged: number;
}

function timed<T>(work: () => T): { ms: number; value: T } {
  const started = performance.now();
  const value = work();
  return { ms: performance.now() - started, value };
}

const fitOnce = (runs: readonly ParametricRun[], bootstrap: number): FitReport =>
  fitRuns({ kind: "parametric", runs }, { bootstrap, random: seededRandom(SEED) });

export function fitInNode(runs: readonly ParametricRun[], repeats: number): NodeFitTimings {
  const cold = timed(() => fitOnce(runs, 0));
  const warm = Array.from({ length: repeats }, () => timed(() => fitOnce(runs, 0)).ms);
  const bootstraps = Array.from({ length: BOOTSTRAP_REPEATS }, () =>
    timed(() => fitOnce(runs, BOOTSTRAP_RESAMPLES)),
  );
  return {
    fitColdMs: round(cold.ms, 1),
    fitMs: round(median(warm), 1),
    bootstrap200Ms: round(median(bootstraps.map((b) => b.ms)), 1),
    repeats,
    coefficients: Object.fromEntries(
      Object.entries(cold.value.coefficients).map(([key, value]) => [key, round(value, 4)]),
    ),
    converged: cold.value.converged,
    bootstrapConverged: bootstraps[0]?.value.uncertainty?.converged ?? 0,
  };
}

export interface RequestFitTimings {
  /** First POST /api/v1/fits to a fresh workerd, ms (client-side, loopback). */
  fitRequestColdMs: number;
  /** Median of `repeats` later POSTs of the same runs, ms. */
  fitRequestMs: number;
  /** Median of BOOTSTRAP_REPEATS POSTs with bootstrap: BOOTSTRAP_RESAMPLES, ms. */
  bootstrap200RequestMs: number;
}

async function postFit(
  url: string,
  body: string,
): Promise<{ ms: number; status: number; text: string }> {
  const started = performance.now();
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  return { ms: performance.now() - started, status: response.status, text };
}

/**
 * Times POST /api/v1/fits with the runs. The bench's KV stub discards writes, so every identical
 * POST fits again (answer 201). Throws when an answer is not 201 with a converged fit.
 */
export async function fitRequests(
  base: string,
  runs: readonly ParametricRun[],
  repeats: number,
): Promise<RequestFitTimings> {
  const url = `${base}/api/v1/fits`;
  const plain = JSON.stringify({ runs, name: "bench: Chinchilla runs" });
  const withBootstrap = JSON.stringify({
    runs,
    name: "bench: Chinchilla runs",
    bootstrap: BOOTSTRAP_RESAMPLES,
  });
  const check = (answer: { ms: number; status: number; text: string }) => {
    let converged: unknown;
    try {
      converged = (JSON.parse(answer.text) as { converged?: unknown }).converged;
    } catch {
      // reported below
    }
    if (answer.status !== 201 || converged !== true) {
      throw new Error(
        `POST /api/v1/fits answered ${answer.status}, expected 201 with a converged fit:\n` +
          answer.text.slice(0, 500),
      );
    }
    return answer.ms;
  };
  const cold = check(await postFit(url, plain));
  const warm: number[] = [];
  for (let i = 0; i < repeats; i++) warm.push(check(await postFit(url, plain)));
  const bootstraps: number[] = [];
  for (let i = 0; i < BOOTSTRAP_REPEATS; i++) {
    bootstraps.push(check(await postFit(url, withBootstrap)));
  }
  return {
    fitRequestColdMs: round(cold, 1),
    fitRequestMs: round(median(warm), 1),
    bootstrap200RequestMs: round(median(bootstraps), 1),
  };
}

/** A value drawn log-uniformly from [low, high]. */
function logUniform(random: () => number, low: number, high: number): number {
  return Math.exp(Math.log(low) + (Math.log(high) - Math.log(low)) * random());
}

/** N and D (or C) log-uniform over 1e±300 and losses log-uniform in [1, 10], as in issue 12. */
function spreadRuns(kind: Runs["kind"], count: number, seed: number): Runs {
  const random = seededRandom([seed, 2, 3, 4]);
  const value = () => logUniform(random, 1e-300, 1e300);
  const loss = () => logUniform(random, 1, 10);
  return kind === "compute"
    ? { kind, runs: Array.from({ length: count }, () => ({ flops: value(), loss: loss() })) }
    : {
        kind,
        runs: Array.from({ length: count }, () => ({
          params: value(),
          tokens: value(),
          loss: loss(),
        })),
      };
}

/**
 * Node ms of the same cases before the work budget (fastest of 3, on the 2-vCPU development
 * machine, the commit before issue 12), for comparison; null where not measured.
 */
const BEFORE_WORK_BUDGET_MS: Record<string, number> = {
  "500 runs over 1e±300, bootstrap 500": 4033,
  "5000 runs over 1e±300, bootstrap 50": 1458,
  "5000 compute runs over 1e±300, bootstrap 50": 949,
  "500 compute runs over 1e±300, bootstrap 500": 2597,
  "60 runs over 1e±300, bootstrap 500": 460,
  "240 Chinchilla runs, bootstrap 200": 63,
};

export interface WorstCaseTiming {
  name: string;
  /** Fastest of `repeats` fits after a first one, ms (the least disturbed by other load). */
  ms: number;
  /** The same before the work budget, ms. */
  beforeMs: number | null;
  /** Run-evaluations spent (fit + bootstrap), of MAX_FIT_WORK. */
  work: number;
  converged: boolean;
  /** Bootstrap refits behind the statistics, of those asked; null without statistics. */
  resamples: string | null;
}

/** Times the worst inputs of issue 12 (and the Chinchilla regression) in Node. */
export function worstCasesInNode(chinchilla: readonly ParametricRun[], repeats = 3) {
  const cases: [string, Runs, number][] = [
    ["500 runs over 1e±300, bootstrap 500", spreadRuns("parametric", 500, 1), 500],
    ["5000 runs over 1e±300, bootstrap 50", spreadRuns("parametric", MAX_RUNS, 1), 50],
    ["5000 compute runs over 1e±300, bootstrap 50", spreadRuns("compute", MAX_RUNS, 1), 50],
    ["500 compute runs over 1e±300, bootstrap 500", spreadRuns("compute", 500, 1), 500],
    ["60 runs over 1e±300, bootstrap 500", spreadRuns("parametric", 60, 1), 500],
    ["240 Chinchilla runs, bootstrap 200", { kind: "parametric", runs: chinchilla }, 200],
  ];
  const timings: WorstCaseTiming[] = cases.map(([name, input, bootstrap]) => {
    const fitOnceMore = () => fitRuns(input, { bootstrap, random: seededRandom(SEED) });
    const report = fitOnceMore();
    const times = Array.from({ length: repeats }, () => timed(fitOnceMore).ms);
    const u = report.uncertainty;
    return {
      name,
      ms: round(Math.min(...times), 1),
      beforeMs: BEFORE_WORK_BUDGET_MS[name] ?? null,
      work: report.work.fit + report.work.bootstrap,
      converged: report.converged,
      resamples: u ? `${u.resamples}/${u.requested}` : null,
    };
  });
  return { workBudget: MAX_FIT_WORK, worstMs: Math.max(...timings.map((t) => t.ms)), timings };
}

if (import.meta.main) {
  const root = dirname(dirname(fileURLToPath(import.meta.url)));
  const loaded = loadChinchillaRuns(root, process.env.BENCH_CHINCHILLA_CSV || undefined);
  if (!loaded.ok) {
    console.error(`bench: skipping the fit: ${loaded.reason}`);
    process.exit(2);
  }
  console.log(JSON.stringify({ runs: loaded.runs.length, ...fitInNode(loaded.runs, 15) }));
  console.log(JSON.stringify(worstCasesInNode(loaded.runs), null, 2));
}
