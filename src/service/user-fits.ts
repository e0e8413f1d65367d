import { ApiError } from "../contract/errors.ts";
import type { StoredUserFitReport, UserFitAnswer } from "../contract/user-fits.ts";
import { type FitDefinition, FitDefinitionSchema } from "../core/fits/schema.ts";
import { MAX_BOOTSTRAP, MAX_BOOTSTRAP_WORK } from "../core/fitting/bootstrap.ts";
import { parseRunsCsv } from "../core/fitting/csv.ts";
import { userFitDefinition } from "../core/fitting/document.ts";
import { type FitReport, fitRuns, unusableCoefficients } from "../core/fitting/fit.ts";
import { seededRandom, seedFromBytes } from "../core/fitting/random.ts";
import {
  type ComputeRun,
  canonicalRuns,
  MAX_RUNS,
  type ParametricRun,
  RUN_FIELDS,
  type Runs,
  runsIssue,
} from "../core/fitting/runs.ts";
import { formatScientific } from "../core/format.ts";
import {
  NEW_FITS_PER_CLIENT_PER_DAY,
  readUserFitDefinitions,
  readUserFitReport,
  saveUserFit,
  takeDailyQuota,
  USER_FIT_PREFIX,
  type UserFitRecord,
  type UserFitStore,
} from "../store/user-fits.ts";

/** Hex digits of SHA-256 kept in an id (80 bits). */
const ID_HEX_DIGITS = 20;

/** A checked fit request: the runs, the label and the bootstrap count. */
export interface FitInput {
  input: Runs;
  name: string | undefined;
  bootstrap: number;
}

/** What creating a user fit needs from outside: the store, the clock, the client, the origin. */
export interface UserFitDeps {
  store: UserFitStore;
  /** Milliseconds since the epoch. */
  now: () => number;
  /** The rate-limit key of the client (IPv4, or an IPv6 /64). */
  client: string;
  /** Public origin for the fit's stored URL. */
  origin: string;
}

const rowField = (index: number, field: string) => `runs[${index}].${field}`;

/** A run as a JSON body gives it (schema-checked: positive finite numbers). */
export type RawRun = { params?: number; tokens?: number; flops?: number; loss: number };

/** Decides the kind from the first run and checks every run has that kind's fields. */
export function runsFromJson(raw: readonly RawRun[]): Runs {
  const first = raw[0];
  const kind = first && first.flops !== undefined ? "compute" : "parametric";
  for (const [index, run] of raw.entries()) {
    const expected = RUN_FIELDS[kind] as readonly string[];
    for (const field of ["params", "tokens", "flops"] as const) {
      const wanted = expected.includes(field);
      if (wanted === (run[field] !== undefined)) continue;
      const where = rowField(index, field);
      throw new ApiError(
        400,
        "invalid_input",
        `${where} (row ${index + 1}): ${wanted ? "required" : "not allowed"}: every run must have ${expected.join(", ")} (${kind === "compute" ? "compute-only runs, as in row 1" : "as in row 1"})`,
        where,
        expected.join(","),
      );
    }
  }
  return kind === "compute"
    ? { kind, runs: raw.map((r) => ({ flops: r.flops ?? 0, loss: r.loss })) }
    : {
        kind,
        runs: raw.map((r) => ({ params: r.params ?? 0, tokens: r.tokens ?? 0, loss: r.loss })),
      };
}

/** Runs from CSV text, or a 400 naming the row and field. */
export function runsFromCsv(text: string): Runs {
  const parsed = parseRunsCsv(text, MAX_RUNS);
  if (parsed.ok) return parsed.input;
  const index = parsed.row - 1;
  const where =
    parsed.row === 0 ? "body" : parsed.field ? rowField(index, parsed.field) : `runs[${index}]`;
  const place =
    parsed.row === 0 ? `line ${parsed.line}` : `row ${parsed.row} (line ${parsed.line})`;
  throw new ApiError(400, "invalid_input", `${where}, ${place}: ${parsed.message}`, where);
}

/** A bootstrap count given as text (query or form): an integer from 0 to MAX_BOOTSTRAP. */
export function bootstrapFromText(raw: string | undefined): number | undefined {
  if (raw === undefined || raw.trim() === "") return undefined;
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || value > MAX_BOOTSTRAP) {
    throw new ApiError(
      400,
      "invalid_input",
      `bootstrap: expected an integer from 0 to ${MAX_BOOTSTRAP}, got "${raw.slice(0, 20)}"`,
      "bootstrap",
    );
  }
  return value;
}

/** Checks the runs (kinds, limits, values) and the bootstrap bound: a 400 naming row and field. */
export function checkedInput(input: Runs, name: string | undefined, bootstrap?: number): FitInput {
  const issue = runsIssue(input);
  if (issue) {
    const where = issue.index === null ? "runs" : rowField(issue.index, issue.field ?? "");
    const row = issue.index === null ? "" : ` (row ${issue.index + 1})`;
    throw new ApiError(400, "invalid_input", `${where}${row}: ${issue.message}`, where);
  }
  const resamples = bootstrap ?? 0;
  if (resamples * input.runs.length > MAX_BOOTSTRAP_WORK) {
    throw new ApiError(
      400,
      "invalid_input",
      `bootstrap: at most ${Math.floor(MAX_BOOTSTRAP_WORK / input.runs.length)} resamples for ${input.runs.length} runs (resamples × runs ≤ ${MAX_BOOTSTRAP_WORK})`,
      "bootstrap",
    );
  }
  return { input, name: name?.trim() || undefined, bootstrap: resamples };
}

/**
 * SHA-256 of the canonical runs and fit options (WebCrypto). The display name is not part of it:
 * the same runs and options are the same fit.
 */
async function digestOf({ input, bootstrap }: FitInput): Promise<Uint8Array> {
  const runs = canonicalRuns<ParametricRun | ComputeRun>(input.runs).map((run) =>
    RUN_FIELDS[input.kind].map((field) => (run as unknown as Record<string, number>)[field]),
  );
  const canonical = JSON.stringify({ v: 2, kind: input.kind, runs, bootstrap });
  return new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(canonical)));
}

function linksOf(fit: FitDefinition, report: StoredUserFitReport["report"]) {
  const { id } = fit;
  const flops = Math.min(10 * report.range.flops[1], 1e36);
  const params = Math.sqrt(flops / 120);
  return {
    self: `/api/v1/fits/${id}`,
    allocate:
      report.kind === "parametric"
        ? `/api/v1/allocate?fit=${id}&flops=${formatScientific(flops)}`
        : null,
    predict: `/api/v1/predict?fit=${id}&params=${formatScientific(params)}&tokens=${formatScientific(20 * params)}`,
  };
}

/** The POST /api/v1/fits answer of a stored fit. */
export function userFitAnswerOf(
  fit: FitDefinition,
  report: StoredUserFitReport["report"],
): UserFitAnswer {
  return { ...report, fit, links: linksOf(fit, report) };
}

/** Every number of a report, to refuse a fit that is not finite everywhere. */
function allFinite(value: unknown): boolean {
  if (typeof value === "number") return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(allFinite);
  if (typeof value === "object" && value !== null) return Object.values(value).every(allFinite);
  return true;
}

function unfittable(report: FitReport): ApiError {
  return new ApiError(
    422,
    "unfittable",
    `runs: the fit to these ${report.runs} runs has coefficients or statistics that are not finite numbers (${report.law}); nothing was stored. Check the runs' units, or give runs that span more model sizes and budgets`,
    "runs",
  );
}

/** Seconds until the next UTC midnight, when a spent daily quota renews. */
function secondsToMidnight(now: number): number {
  return Math.max(1, Math.ceil((86_400_000 - (now % 86_400_000)) / 1000));
}

/** A stored fit answered again (200) or newly fitted and stored (201). */
export interface CreatedFit {
  status: 200 | 201;
  answer: UserFitAnswer;
}

/**
 * Fits a checked request and stores it under an id derived from its canonical runs and options.
 * Runs posted before renew the stored fit (200, the stored answer); new ones are fitted, refused
 * with 422 unless every number is finite, counted against the client's daily quota (429) and
 * stored (201). KV failures are 503 with Retry-After.
 */
export async function createUserFit(deps: UserFitDeps, fitInput: FitInput): Promise<CreatedFit> {
  const digest = await digestOf(fitInput);
  const hex = Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
  const id = `${USER_FIT_PREFIX}${hex.slice(0, ID_HEX_DIGITS)}`;
  const [existing] = await readUserFitDefinitions(deps.store, [id]);
  const stored = existing ? await readUserFitReport(deps.store, id) : null;
  if (existing && stored && stored !== "invalid") {
    await saveUserFit(deps.store, { fit: existing, ...stored });
    return { status: 200, answer: userFitAnswerOf(existing, stored.report) };
  }
  const { input, name, bootstrap } = fitInput;
  const report = fitRuns(input, { bootstrap, random: seededRandom(seedFromBytes(digest)) });
  if (!allFinite(report) || unusableCoefficients(report).length > 0) throw unfittable(report);
  const now = deps.now();
  const createdAt = new Date(now).toISOString();
  if (!(await takeDailyQuota(deps.store, deps.client, createdAt.slice(0, 10)))) {
    const retry = secondsToMidnight(now);
    throw new ApiError(
      429,
      "rate_limited",
      `too many new fits from this client today; at most ${NEW_FITS_PER_CLIENT_PER_DAY} a day, retry in ${retry} s (posting runs fitted before is not counted)`,
      undefined,
      undefined,
      { "Retry-After": String(retry) },
    );
  }
  const label =
    name ??
    `Fit to ${report.runs} user runs (${report.kind === "parametric" ? "L = E + A/N^α + B/D^β" : "L = a·C^b + c"})`;
  const fit = userFitDefinition(report, {
    id,
    label,
    date: createdAt.slice(0, 10),
    url: `${deps.origin}/api/v1/fits/${id}`,
  });
  // A definition the registry could not read back (A = 0, say) is refused, not stored.
  if (!FitDefinitionSchema.safeParse(fit).success) throw unfittable(report);
  const record: UserFitRecord = {
    fit,
    report: { id, label, createdAt, ...report },
    runs: canonicalRuns<ParametricRun | ComputeRun>(input.runs),
  };
  await saveUserFit(deps.store, record);
  return { status: 201, answer: userFitAnswerOf(fit, record.report) };
}
