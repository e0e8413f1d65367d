import { OpenAPIHono } from "@hono/zod-openapi";
import { HTTPException } from "hono/http-exception";
import { registerPlans } from "./api/plans.ts";
import { registerUserFits } from "./api/user-fits.ts";
import { registerApiV1 } from "./api/v1.ts";
import {
  publicCors,
  registerChat,
  registerShortPaths,
  renderAllocateText,
  renderPredictText,
  textAnswers,
} from "./chat/index.ts";
import { ApiError, fromZodIssues } from "./contract/errors.ts";
import { waitUntilOf } from "./http/context.ts";
import { securityHeaders } from "./http/security-headers.ts";
import { registerPage } from "./page/index.tsx";
import { fitIdsOf } from "./service/fit-ids.ts";
import { checkFitCount } from "./service/question.ts";
import { registerSlack } from "./slack/index.ts";
import {
  createRegistryCache,
  DEFAULT_REGISTRY_OPTIONS,
  loadRegistry,
  type RegistrySnapshot,
} from "./store/fit-registry.ts";
import { KV_TIMEOUT_MS } from "./store/kv.ts";
import {
  createUserFitCache,
  isUserFitId,
  readUserFitDefinitions,
  type UserFitStore,
} from "./store/user-fits.ts";
import type { AppDeps, AppEnv } from "./types.ts";

export type { AppDeps, AppEnv } from "./types.ts";

/**
 * The published registry plus the user fits a selection names: their coefficient records only,
 * from the isolate cache or one bulk KV read in parallel with the registry. (The number of ids
 * is checked before this, so before any KV access.)
 */
async function registryWith(
  published: Promise<RegistrySnapshot>,
  store: UserFitStore,
  ids: readonly string[],
): Promise<RegistrySnapshot> {
  const userIds = ids.filter(isUserFitId);
  if (userIds.length === 0) return published;
  const [snapshot, userFits] = await Promise.all([
    published,
    readUserFitDefinitions(store, userIds),
  ]);
  if (userFits.length === 0) return snapshot;
  const byId = new Map(snapshot.byId);
  for (const fit of userFits) byId.set(fit.id, { fit, origin: { store: "kv" } });
  return { ...snapshot, byId };
}

/** A fit upload or its CORS preflight. */
function isFitWrite(request: Request): boolean {
  if (new URL(request.url).pathname !== "/api/v1/fits") return false;
  return (
    request.method === "POST" ||
    (request.method === "OPTIONS" && request.headers.has("access-control-request-method"))
  );
}

/** Builds the Worker's Hono app. */
export function createApp(
  deps: AppDeps = { registryCache: createRegistryCache(), now: Date.now, log: console.warn },
) {
  const userFitCache = deps.userFitCache ?? createUserFitCache();
  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw fromZodIssues(result.error.issues);
    },
  });

  app.use("*", securityHeaders());
  app.use("*", async (c, next) => {
    const published = () =>
      loadRegistry(c.env?.FITS, deps.registryCache, {
        now: deps.now,
        log: deps.log,
        ttlMs: deps.registryTtlMs ?? DEFAULT_REGISTRY_OPTIONS.ttlMs,
        timeoutMs: deps.kvTimeoutMs ?? DEFAULT_REGISTRY_OPTIONS.timeoutMs,
        kvCacheTtlSeconds: DEFAULT_REGISTRY_OPTIONS.kvCacheTtlSeconds,
        waitUntil: waitUntilOf(c),
      });
    const userFits: UserFitStore = {
      kv: c.env?.FITS,
      cache: userFitCache,
      timeoutMs: deps.kvTimeoutMs ?? KV_TIMEOUT_MS,
      log: deps.log,
    };
    c.set("userFits", userFits);
    c.set("fits", (selection) => {
      const ids = fitIdsOf(selection);
      checkFitCount(ids);
      return registryWith(published(), userFits, ids);
    });
    await next();
  });

  app.get("/healthz", (c) => c.json({ ok: true }));

  // Reads are CORS for any origin; the write (POST /api/v1/fits) is not: no page of another site
  // may spend its visitors' write quota (the write also refuses foreign Origins, 403).
  app.use("/api/*", (c, next) => (isFitWrite(c.req.raw) ? next() : publicCors(c, next)));
  app.use("/openapi.json", publicCors);
  app.use("/mcp", publicCors);
  app.use("/api/v1/allocate", textAnswers(renderAllocateText));
  app.use("/api/v1/predict", textAnswers(renderPredictText));

  registerApiV1(app, deps);
  registerPlans(app, deps);
  registerUserFits(app, deps);
  registerChat(app, deps);
  registerSlack(app, deps);
  registerPage(app, deps);
  registerShortPaths(app, deps);

  app.notFound((c) =>
    c.json(
      new ApiError(
        404,
        "not_found",
        `no route for ${c.req.method} ${new URL(c.req.url).pathname.slice(0, 200)}`,
      ).toBody(),
      404,
    ),
  );

  app.onError((error, c) => {
    if (error instanceof ApiError) return c.json(error.toBody(), error.status, error.headers);
    if (error instanceof HTTPException && error.status < 500) {
      const apiError = /json/i.test(error.message)
        ? new ApiError(400, "invalid_json", "body: not valid JSON", "body")
        : new ApiError(400, "invalid_input", error.message);
      return c.json(apiError.toBody(), apiError.status);
    }
    console.error("unhandled error", c.req.method, new URL(c.req.url).pathname, error);
    return c.json(new ApiError(500, "internal", "internal error").toBody(), 500);
  });

  return app;
}
