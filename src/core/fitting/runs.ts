// biome-ignore-all lint/style/noNonNullAssertion: numeric code indexes arrays within their bounds.
/** One training run with its model size, data and final loss. */
export interface ParametricRun {
  /** N, parameters. */
  params: number;
  /** D, training tokens. */
  tokens: number;
  /** Final loss, nats per token (any consistent loss works). */
  loss: number;
}

/** One training run known only by its compute and final loss. */
export interface ComputeRun {
  /** C, training FLOPs. */
  flops: number;
  loss: number;
}

export type RunsKind = "parametric" | "compute";

export type Runs =
  | { kind: "parametric"; runs: readonly ParametricRun[] }
  | { kind: "compute"; runs: readonly ComputeRun[] };

/** Fewest runs each law can be fitted to (5 and 3 free parameters). */
export const MIN_RUNS: Record<RunsKind, number> = { parametric: 5, compute: 3 };
/** Most runs one fit accepts. */
export const MAX_RUNS = 5000;

/** The fields each kind of run needs, in canonical order. */
export const RUN_FIELDS = {
  parametric: ["params", "tokens", "loss"],
  compute: ["flops", "loss"],
} as const satisfies Record<RunsKind, readonly string[]>;

export interface RunIssue {
  /** 0-based index into the runs, or null for the list as a whole. */
  index: number | null;
  field: string | null;
  message: string;
}

/** The first problem with a list of runs (count, finite positive values), or null. */
export function runsIssue(input: Runs): RunIssue | null {
  const { kind, runs } = input;
  if (runs.length < MIN_RUNS[kind]) {
    return {
      index: null,
      field: null,
      message: `need at least ${MIN_RUNS[kind]} runs to fit the ${kind === "parametric" ? "parametric law L = E + A/N^α + B/D^β" : "compute law L = a·C^b + c"}, got ${runs.length}`,
    };
  }
  if (runs.length > MAX_RUNS) {
    return { index: null, field: null, message: `at most ${MAX_RUNS} runs, got ${runs.length}` };
  }
  for (let index = 0; index < runs.length; index++) {
    const run = runs[index] as unknown as Record<string, unknown>;
    for (const field of RUN_FIELDS[kind]) {
      const value = run[field];
      if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
        return {
          index,
          field,
          message: `must be a finite number greater than 0, got ${typeof value === "number" ? String(value) : JSON.stringify(value ?? null)}`,
        };
      }
    }
  }
  return null;
}

/** Runs in canonical order (ascending by each field in turn), so order never matters. */
export function canonicalRuns<T extends ParametricRun | ComputeRun>(runs: readonly T[]): T[] {
  const keys = (run: T): number[] =>
    "flops" in run ? [run.flops, run.loss] : [run.params, run.tokens, run.loss];
  return [...runs].sort((a, b) => {
    const ka = keys(a);
    const kb = keys(b);
    for (let i = 0; i < ka.length; i++) {
      const d = ka[i]! - kb[i]!;
      if (d !== 0) return d;
    }
    return 0;
  });
}

/** [smallest, largest] of a list. */
export function rangeOf(values: readonly number[]): [number, number] {
  let low = Number.POSITIVE_INFINITY;
  let high = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (v < low) low = v;
    if (v > high) high = v;
  }
  return [low, high];
}
