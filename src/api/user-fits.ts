import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { ApiError, ErrorSchema } from "../contract/errors.ts";
import {
  FitQuerySchema,
  type FitRequest,
  FitRequestSchema,
  UserFitAnswerSchema,
} from "../contract/user-fits.ts";
import { MAX_RUNS } from "../core/fitting/runs.ts";
import { readBodyWithin } from "../http/body.ts";
import { clientKey, publicOrigin } from "../http/context.ts";
import {
  bootstrapFromText,
  type CreatedFit,
  checkedInput,
  createUserFit,
  type FitInput,
  type RawRun,
  runsFromCsv,
  runsFromJson,
} from "../service/user-fits.ts";
import type { AppDeps, AppEnv, Register } from "../types.ts";

export type { UserFitAnswer } from "../contract/user-fits.ts";
export { FitRequestSchema, UserFitAnswerSchema } from "../contract/user-fits.ts";

/** Largest body POST /api/v1/fits reads, bytes (enough for MAX_RUNS runs as JSON or CSV). */
export const MAX_FIT_BODY_BYTES = 512 * 1024;
/** Seconds a client is asked to wait after hitting the write rate limit (its 60 s window). */
export const RATE_LIMIT_RETRY_SECONDS = 60;

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
    "Fits L = E + A/N^α + B/D^β (params, tokens, loss) or L(C) = a·C^b + c (flops, loss), JSON or text/csv; the id works as fit= elsewhere. Per client: 10 writes a minute, 100 new fits a day. Bounded work (converged: false when cut short). No cross-site browser posts (403).",
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
    201: fitResponse("A new fit, stored for 30 days."),
    200: fitResponse(
      "The same runs and options were fitted before: the stored fit, renewed for 30 days.",
    ),
    400: errorResponse("Invalid runs or options: the error names the row and field."),
    403: errorResponse("A cross-site browser request (foreign Origin)."),
    413: errorResponse("Body too large."),
    415: errorResponse("Body is neither application/json nor text/csv."),
    422: errorResponse("The runs give a fit that is not finite; nothing was stored."),
    429: errorResponse("Too many writes or new fits from this client; see Retry-After."),
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

/** The service's dependencies for this request. */
export function userFitDepsOf(c: Context<AppEnv>, deps: AppDeps) {
  return { store: c.var.userFits, now: deps.now, client: clientKey(c), origin: publicOrigin(c) };
}

/**
 * Refuses writes from another site's pages: a request whose `Origin` (or `Sec-Fetch-Site`) says
 * it comes from a foreign site gets 403 before it is rate-limited or read, so no page can spend
 * its visitors' quota. Clients that send no Origin (curl, servers, MCP hosts) pass.
 */
export function requireSameSiteWrite(c: Context<AppEnv>): void {
  const origin = c.req.header("origin");
  const site = c.req.header("sec-fetch-site");
  const own = [publicOrigin(c), new URL(c.req.url).origin];
  const foreignOrigin = origin !== undefined && origin !== "null" && !own.includes(origin);
  const foreignSite = site !== undefined && site !== "same-origin" && site !== "none";
  if (foreignOrigin || foreignSite || origin === "null") {
    throw new ApiError(
      403,
      "forbidden",
      "origin: fits are written only from this site's own pages or from clients without a browser Origin (curl, servers)",
      "origin",
    );
  }
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
    undefined,
    undefined,
    { "Retry-After": String(RATE_LIMIT_RETRY_SECONDS) },
  );

/** Reads a bounded body; 413 past {@link MAX_FIT_BODY_BYTES}, never buffering more. */
async function bodyText(c: Context<AppEnv>): Promise<string> {
  const body = await readBodyWithin(c.req.raw, MAX_FIT_BODY_BYTES);
  if (!body.ok) {
    throw new ApiError(
      413,
      "payload_too_large",
      `body: at most ${MAX_FIT_BODY_BYTES} bytes (${MAX_RUNS} runs)`,
      "body",
    );
  }
  return new TextDecoder().decode(body.bytes);
}

/** A JSON fit request validated by its schema, as a checked input. */
export function fitInputOfJson(request: FitRequest): FitInput {
  return checkedInput(runsFromJson(request.runs as RawRun[]), request.name, request.bootstrap);
}

/** A CSV body or form with an optional name and bootstrap count (as text), as a checked input. */
export function fitInputOfCsv(form: { csv: string; name?: string; bootstrap?: string }): FitInput {
  return checkedInput(runsFromCsv(form.csv), form.name, bootstrapFromText(form.bootstrap));
}

async function readFitInput(c: Context<AppEnv>): Promise<FitInput> {
  const text = await bodyText(c);
  const query = FitQuerySchema.safeParse(c.req.query());
  if (!query.success) throw issueError(query.error.issues[0] ?? { path: [], message: "invalid" });
  if (/^text\/csv\b/i.test(c.req.header("content-type") ?? "")) {
    return fitInputOfCsv({ csv: text, name: query.data.name, bootstrap: query.data.bootstrap });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ApiError(400, "invalid_json", "body: not valid JSON", "body");
  }
  if (typeof json !== "object" || json === null || !("runs" in json)) {
    throw new ApiError(400, "invalid_input", "runs: required", "runs", "an array of runs");
  }
  const parsed = FitRequestSchema.safeParse(json);
  if (!parsed.success) throw issueError(parsed.error.issues[0] ?? { path: [], message: "invalid" });
  // Options in the body win over the query's; the bounds are checked on what is used.
  return fitInputOfJson({
    ...parsed.data,
    name: parsed.data.name ?? query.data.name,
    bootstrap: parsed.data.bootstrap ?? bootstrapFromText(query.data.bootstrap),
  });
}

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

/** Stores a checked fit input for this request's client. */
export function storeFit(c: Context<AppEnv>, deps: AppDeps, input: FitInput): Promise<CreatedFit> {
  return createUserFit(userFitDepsOf(c, deps), input);
}

/**
 * Fitting a law to the user's own runs, `POST /api/v1/fits` (docs/fitting.md). In order, before
 * any body is read: the media type (415), the site (403), the write rate limit (429); then the
 * bounded body (413), the runs (400), the fit (422) and storage (503).
 */
export const registerUserFits: Register = (app, deps) => {
  // Documented with its schemas, but read by hand: the body is read only after the checks.
  app.openAPIRegistry.registerPath(fitsPost);
  app.post(fitsPost.path, async (c) => {
    requireJsonOrCsv(c.req.header("content-type"));
    requireSameSiteWrite(c);
    if (!(await fitWriteAllowed(c))) throw rateLimitedError();
    const result = await storeFit(c, deps, await readFitInput(c));
    return c.json(result.answer, result.status);
  });
};
