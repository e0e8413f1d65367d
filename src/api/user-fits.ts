import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { MAX_BOOTSTRAP, MAX_BOOTSTRAP_WORK } from "../core/fitting/bootstrap.ts";
import { parseRunsCsv } from "../core/fitting/csv.ts";
import { userFitDefinition } from "../core/fitting/document.ts";
import { fitRuns } from "../core/fitting/fit.ts";
import { seededRandom, seedFromBytes } from "../core/fitting/random.ts";
import {
  type ComputeRun,
  canonicalRuns,
  MAX_RUNS,
  MIN_RUNS,
  type ParametricRun,
  RUN_FIELDS,
  type Runs,
  runsIssue,
} from "../core/fitting/runs.ts";
import { formatScientific } from "../core/format.ts";
import { clientKey, waitUntilOf } from "../http/context.ts";
import {
  readUserFits,
  saveUserFit,
  USER_FIT_PREFIX,
  type UserFitDocument,
  type UserFitReport,
} from "../store/user-fits.ts";
import type { AppDeps, AppEnv, Register } from "../types.ts";
import { ApiError, ErrorSchema } from "./errors.ts";

/** Largest body POST /api/v1/fits reads, bytes (enough for MAX_RUNS runs as JSON or CSV). */
export const MAX_FIT_BODY_BYTES = 512 * 1024;
/** Seconds a client should wait before retrying after a failed KV write. */
export const RETRY_AFTER_SECONDS = 30;
/** Hex digits of SHA-256 kept in an id (80 bits). */
const ID_HEX_DIGITS = 20;

const POSITIVE = "must be a finite number greater than 0";
const positive = (description: string, example: number) =>
  z
    .number({ error: POSITIVE })
    .positive({ error: POSITIVE })
    .optional()
    .openapi({ description, example });

const RunSchema = z
  .strictObject({
    params: positive("N, parameters (counted your way; total is the Chinchilla convention).", 7e10),
    tokens: positive("D, training tokens.", 1.4e12),
    flops: positive(
      "C, training FLOPs, for compute-only runs (instead of params and tokens).",
      5.9e23,
    ),
    loss: z.number({ error: POSITIVE }).positive({ error: POSITIVE }).openapi({
      description: "Final loss (nats per token, or any consistent loss).",
      example: 1.94,
    }),
  })
  .openapi("Run", {
    description:
      "One training run: {params, tokens, loss} or {flops, loss}; all runs the same kind.",
  });

const NAME_DESCRIPTION = "A label for the fit (part of its id).";
const BOOTSTRAP_DESCRIPTION = `Bootstrap resamples for standard errors and intervals, 0 to ${MAX_BOOTSTRAP} (and resamples × runs ≤ ${MAX_BOOTSTRAP_WORK}); seeded from the runs, so answers repeat.`;

export const FitRequestSchema = z
  .strictObject({
    runs: z
      .array(RunSchema)
      .max(MAX_RUNS, { error: `at most ${MAX_RUNS} runs` })
      .openapi({
        description: `${MIN_RUNS.parametric} to ${MAX_RUNS} runs with params, tokens and loss (fits L = E + A/N^α + B/D^β), or ${MIN_RUNS.compute} to ${MAX_RUNS} with flops and loss (fits L(C) = a·C^b + c).`,
        example: [
          { params: 4e8, tokens: 8e9, loss: 2.95 },
          { params: 1e9, tokens: 2e10, loss: 2.6 },
        ],
      }),
    name: z.string().trim().min(1).max(120).optional().openapi({
      description: NAME_DESCRIPTION,
      example: "my 2025 sweep",
    }),
    bootstrap: z
      .number()
      .int()
      .min(0)
      .max(MAX_BOOTSTRAP, { error: `at most ${MAX_BOOTSTRAP} resamples` })
      .optional()
      .openapi({ description: BOOTSTRAP_DESCRIPTION, example: 200 }),
  })
  .openapi("FitRequest");

export const FitQuerySchema = z.object({
  name: z
    .string()
    .max(120)
    .optional()
    .openapi({
      param: { name: "name", in: "query" },
      description: `${NAME_DESCRIPTION} For text/csv bodies (JSON bodies carry it in the body).`,
      example: "my 2025 sweep",
    }),
  bootstrap: z
    .string()
    .max(10)
    .optional()
    .openapi({
      param: { name: "bootstrap", in: "query" },
      description: `${BOOTSTRAP_DESCRIPTION} For text/csv bodies.`,
      example: "200",
    }),
});

const range = z.tuple([z.number(), z.number()]);
const statistics = z.record(z.string(), z.number());
const intervals = z.record(z.string(), range);

export const UserFitAnswerSchema = z
  .object({
    id: z.string().openapi({ example: "user-3f2a9c0d1e4b5a6c7d8e" }),
    kind: z.enum(["parametric", "compute"]),
    label: z.string(),
    createdAt: z.string(),
    runs: z.number().int(),
    coefficients: z.union([
      z.object({
        E: z.number(),
        A: z.number(),
        B: z.number(),
        alpha: z.number(),
        beta: z.number(),
      }),
      z.object({ a: z.number(), b: z.number(), c: z.number() }),
    ]),
    law: z.string(),
    objective: z
      .number()
      .openapi({ description: "Σ Huber_δ(log L̂ − log L), δ = 1e-3, summed over runs." }),
    iterations: z.number().int(),
    converged: z.boolean(),
    starts: z.number().int(),
    method: z.string(),
    residuals: z.object({
      count: z.number(),
      rms: z.number(),
      mean: z.number(),
      medianAbs: z.number(),
      maxAbs: z.number(),
      withinDelta: z.number(),
      worst: z.record(z.string(), z.number()),
    }),
    range: z.object({ params: range.nullable(), tokens: range.nullable(), flops: range }),
    allocationExponents: z
      .object({ params: z.number(), tokens: z.number() })
      .nullable()
      .openapi({ description: "N_opt ∝ C^a, D_opt ∝ C^b: a = β/(α+β), b = α/(α+β)." }),
    warnings: z.array(z.string()),
    uncertainty: z
      .object({
        resamples: z.number().int(),
        converged: z.number().int(),
        standardErrors: statistics,
        intervals95: intervals,
        intervals80: intervals,
      })
      .nullable(),
    fit: z.object({ id: z.string(), kind: z.string() }).passthrough(),
    links: z.object({ self: z.string(), allocate: z.string().nullable(), predict: z.string() }),
  })
  .openapi("UserFit");

const errorResponse = (description: string) => ({
  content: { "application/json": { schema: ErrorSchema } },
  description,
});
const fitResponse = (description: string) => ({
  content: { "application/json": { schema: UserFitAnswerSchema } },
  description,
});

export const fitsPost = createRoute({
  method: "post",
  path: "/api/v1/fits",
  operationId: "fitRuns",
  summary: "Fit a scaling law to your own training runs and get a fit id to plan with",
  description:
    "Fits L = E + A/N^α + B/D^β (params, tokens, loss) or L(C) = a·C^b + c (flops, loss) as Hoffmann et al. App. D.2 did. JSON or text/csv. The id works as fit= in allocate and predict.",
  request: {
    query: FitQuerySchema,
    body: {
      content: {
        "application/json": { schema: FitRequestSchema },
        "text/csv": {
          schema: z.string().openapi({ example: "params,tokens,loss\n4e8,8e9,2.95\n1e9,2e10,2.6" }),
        },
      },
      required: false,
    },
  },
  responses: {
    201: fitResponse("A new fit, stored for 30 days after its last use."),
    200: fitResponse("The same runs and options were fitted before: the stored fit."),
    400: errorResponse("Invalid runs or options: the error names the row and field."),
    413: errorResponse("Body too large."),
    415: errorResponse("Body is neither application/json nor text/csv."),
    503: errorResponse("The fit could not be stored; nothing was saved. Retry after Retry-After."),
  },
});

const rowField = (index: number, field: string) => `runs[${index}].${field}`;

/** A zod issue from the JSON body as a 400 naming the row (1-based) and field. */
function issueError(issue: {
  path: readonly PropertyKey[];
  message: string;
  keys?: readonly string[];
}) {
  const [top, index, field] = issue.path;
  const unknown = issue.keys?.[0];
  if (top === "runs" && typeof index === "number") {
    const name = String(field ?? unknown ?? "");
    const where = name ? rowField(index, name) : `runs[${index}]`;
    const message = unknown
      ? `unknown field; a run has params, tokens, loss or flops, loss`
      : issue.message;
    return new ApiError(400, "invalid_input", `${where} (row ${index + 1}): ${message}`, where);
  }
  const where = [...issue.path, ...(unknown ? [unknown] : [])].map(String).join(".") || "body";
  const message = unknown ? "unknown field; expected runs, name, bootstrap" : issue.message;
  return new ApiError(400, "invalid_input", `${where}: ${message}`, where);
}

type RawRun = { params?: number; tokens?: number; flops?: number; loss: number };

/** Decides the kind from the first run and checks every run has that kind's fields. */
function runsFromJson(raw: readonly RawRun[]): Runs {
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
  // Every run was checked above to carry its kind's fields.
  return kind === "compute"
    ? { kind, runs: raw.map((r) => ({ flops: r.flops ?? 0, loss: r.loss })) }
    : {
        kind,
        runs: raw.map((r) => ({ params: r.params ?? 0, tokens: r.tokens ?? 0, loss: r.loss })),
      };
}

function bootstrapFromQuery(raw: string | undefined): number | undefined {
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

interface FitInput {
  input: Runs;
  name: string | undefined;
  bootstrap: number;
}

type FitBody = z.infer<typeof FitRequestSchema> | string | Record<string, never>;

/** Runs from CSV text (header params,tokens,loss or flops,loss), or a 400 naming row and field. */
function runsFromCsv(text: string): Runs {
  const parsed = parseRunsCsv(text, MAX_RUNS);
  if (parsed.ok) return parsed.input;
  const index = parsed.row - 1;
  const where =
    parsed.row === 0 ? "body" : parsed.field ? rowField(index, parsed.field) : `runs[${index}]`;
  const place =
    parsed.row === 0 ? `line ${parsed.line}` : `row ${parsed.row} (line ${parsed.line})`;
  throw new ApiError(400, "invalid_input", `${where}, ${place}: ${parsed.message}`, where);
}

async function readInput(
  c: Context<AppEnv>,
  body: FitBody,
  query: z.infer<typeof FitQuerySchema>,
): Promise<FitInput> {
  const isCsv = /^text\/csv\b/i.test(c.req.header("content-type") ?? "");
  let input: Runs;
  let name = query.name?.trim() || undefined;
  let bootstrap = bootstrapFromQuery(query.bootstrap);
  if (isCsv) {
    input = runsFromCsv(await c.req.text());
  } else {
    const json: Partial<z.infer<typeof FitRequestSchema>> = typeof body === "object" ? body : {};
    if (json.runs === undefined) {
      throw new ApiError(400, "invalid_input", "runs: required", "runs", "an array of runs");
    }
    input = runsFromJson(json.runs as RawRun[]);
    name = json.name ?? name;
    bootstrap = json.bootstrap ?? bootstrap;
  }
  return checkedInput(input, name, bootstrap);
}

/** Checks the runs (kinds, limits, values) and the bootstrap bound: a 400 naming row and field. */
function checkedInput(input: Runs, name: string | undefined, bootstrap?: number): FitInput {
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
  return { input, name, bootstrap: resamples };
}

/** SHA-256 of the canonical runs and options (WebCrypto). */
async function digestOf({ input, name, bootstrap }: FitInput): Promise<Uint8Array> {
  const runs = canonicalRuns<ParametricRun | ComputeRun>(input.runs).map((run) =>
    RUN_FIELDS[input.kind].map((field) => (run as unknown as Record<string, number>)[field]),
  );
  const canonical = JSON.stringify({ v: 1, kind: input.kind, runs, name: name ?? null, bootstrap });
  return new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(canonical)));
}

function linksOf(document: UserFitDocument) {
  const { id } = document.fit;
  const flops = 10 * document.report.range.flops[1];
  const params = Math.sqrt(flops / 120);
  return {
    self: `/api/v1/fits/${id}`,
    allocate:
      document.report.kind === "parametric"
        ? `/api/v1/allocate?fit=${id}&flops=${formatScientific(flops)}`
        : null,
    predict: `/api/v1/predict?fit=${id}&params=${formatScientific(params)}&tokens=${formatScientific(20 * params)}`,
  };
}

function answerOf(document: UserFitDocument) {
  return { ...document.report, fit: document.fit, links: linksOf(document) };
}

/** Seconds a client is asked to wait after hitting the write rate limit (its 60 s window). */
export const RATE_LIMIT_RETRY_SECONDS = 60;

function requireJsonOrCsv(type: string | undefined): void {
  if (!/^(application\/json|text\/csv)\b/i.test(type ?? "")) {
    throw new ApiError(
      415,
      "unsupported_media_type",
      `body: send JSON (Content-Type: application/json) or CSV (Content-Type: text/csv), got "${(type ?? "").slice(0, 100)}"`,
      "body",
      "application/json or text/csv",
    );
  }
}

/** The POST /api/v1/fits answer. */
export type UserFitAnswer = ReturnType<typeof answerOf>;

/** A fit answered from KV (200) or newly fitted and stored (201); 503 when it cannot be stored. */
export type StoredFit =
  | { status: 200 | 201; answer: UserFitAnswer }
  | { status: 503; error: ApiError };

function storageUnavailable(reason: string): StoredFit {
  const message = `storage: ${reason}; nothing was saved, retry in ${RETRY_AFTER_SECONDS} s`;
  return { status: 503, error: new ApiError(503, "storage_unavailable", message, "storage") };
}

async function storeFit(c: Context<AppEnv>, deps: AppDeps, fitInput: FitInput): Promise<StoredFit> {
  const kv = c.env?.FITS;
  if (!kv) return storageUnavailable("no FITS KV binding is configured");
  const digest = await digestOf(fitInput);
  const hex = Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
  const id = `${USER_FIT_PREFIX}${hex.slice(0, ID_HEX_DIGITS)}`;
  const options = { now: deps.now, waitUntil: waitUntilOf(c), log: deps.log };
  let existing: UserFitDocument | undefined;
  try {
    [existing] = await readUserFits(kv, [id], options);
  } catch (error) {
    deps.log(`user fit ${id}: KV read failed: ${String(error)}`);
  }
  if (existing) return { status: 200, answer: answerOf(existing) };

  const { input, name, bootstrap } = fitInput;
  const report = fitRuns(input, { bootstrap, random: seededRandom(seedFromBytes(digest)) });
  const now = deps.now();
  const createdAt = new Date(now).toISOString();
  const label =
    name ??
    `Fit to ${report.runs} user runs (${report.kind === "parametric" ? "L = E + A/N^α + B/D^β" : "L = a·C^b + c"})`;
  const fit = userFitDefinition(report, {
    id,
    label,
    date: createdAt.slice(0, 10),
    url: new URL(`/api/v1/fits/${id}`, c.req.url).href,
  });
  const document: UserFitDocument = {
    fit,
    report: { id, label, createdAt, ...report } as UserFitReport,
    runs: canonicalRuns<ParametricRun | ComputeRun>(input.runs),
  };
  try {
    await saveUserFit(kv, document, now);
  } catch (error) {
    deps.log(`user fit ${id}: KV write failed: ${String(error)}`);
    return storageUnavailable("the fit could not be written to KV");
  }
  return { status: 201, answer: answerOf(document) };
}

/**
 * Fits and stores the runs of a JSON fit request that FitRequestSchema has validated, as
 * POST /api/v1/fits does (the same id, answer and limits; MCP's fit_scaling_law calls it).
 * Throws ApiError 400 for bad runs; the write rate limit is the caller's.
 */
export function fitJsonRequest(
  c: Context<AppEnv>,
  deps: AppDeps,
  request: z.infer<typeof FitRequestSchema>,
): Promise<StoredFit> {
  const input = runsFromJson(request.runs as RawRun[]);
  return storeFit(c, deps, checkedInput(input, request.name, request.bootstrap));
}

/**
 * Fits and stores runs given as CSV text with an optional name and bootstrap count (as text),
 * as POST /api/v1/fits does for text/csv bodies (the page's form uses it). Throws ApiError 400.
 */
export function fitCsvRequest(
  c: Context<AppEnv>,
  deps: AppDeps,
  form: { csv: string; name?: string; bootstrap?: string },
): Promise<StoredFit> {
  const name = form.name?.trim() || undefined;
  return storeFit(
    c,
    deps,
    checkedInput(runsFromCsv(form.csv), name, bootstrapFromQuery(form.bootstrap)),
  );
}

/** Whether this client may write another fit now (FIT_WRITES: 10 a minute per client). */
export async function fitWriteAllowed(c: Context<AppEnv>): Promise<boolean> {
  const limiter = c.env?.FIT_WRITES;
  return !limiter || (await limiter.limit({ key: clientKey(c) })).success;
}

/** The 429 a client gets past the write rate limit. */
export const rateLimitedError = () =>
  new ApiError(
    429,
    "rate_limited",
    `too many fits from this client; at most 10 per minute, retry in ${RATE_LIMIT_RETRY_SECONDS} s`,
  );

async function postFit(
  c: Context<AppEnv>,
  deps: AppDeps,
  json: FitBody,
  query: z.infer<typeof FitQuerySchema>,
) {
  const result = await storeFit(c, deps, await readInput(c, json, query));
  if (result.status === 503) {
    return c.json(result.error.toBody(), 503, { "Retry-After": String(RETRY_AFTER_SECONDS) });
  }
  return c.json(result.answer, result.status);
}

/** Fitting a law to the user's own runs, `POST /api/v1/fits` (docs/fitting.md). */
export const registerUserFits: Register = (app, deps) => {
  app.on("POST", "/api/v1/fits", async (c, next) => {
    if (!(await fitWriteAllowed(c))) {
      return c.json(rateLimitedError().toBody(), 429, {
        "Retry-After": String(RATE_LIMIT_RETRY_SECONDS),
      });
    }
    requireJsonOrCsv(c.req.header("content-type"));
    await next();
  });
  app.on(
    "POST",
    "/api/v1/fits",
    bodyLimit({
      maxSize: MAX_FIT_BODY_BYTES,
      onError: () => {
        throw new ApiError(
          413,
          "payload_too_large",
          `body: at most ${MAX_FIT_BODY_BYTES} bytes (${MAX_RUNS} runs)`,
          "body",
        );
      },
    }),
  );
  app.openapi(
    fitsPost,
    (c) => postFit(c, deps, c.req.valid("json"), c.req.valid("query")),
    (result) => {
      if (!result.success)
        throw issueError(result.error.issues[0] ?? { path: [], message: "invalid" });
    },
  );
};
