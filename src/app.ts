import { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import { ApiError, fromZodIssues } from "./api/errors.ts";
import {
  allocateGet,
  allocatePost,
  fitsGet,
  fitsList,
  gpusList,
  predictGet,
} from "./api/routes.ts";
import { DEFAULT_MFU, DEFAULT_MFU_SOURCE, GPUS } from "./core/hardware.ts";
import { answerAllocate } from "./service/allocate.ts";
import { answerPredict } from "./service/predict.ts";
import {
  createRegistryCache,
  DEFAULT_REGISTRY_OPTIONS,
  loadRegistry,
  type RegistryCache,
  type RegistrySnapshot,
} from "./store/fit-registry.ts";

/** What the app needs from the outside world; tests pass their own. */
export interface AppDeps {
  registryCache: RegistryCache;
  now: () => number;
  log: (message: string) => void;
  registryTtlMs?: number;
  kvTimeoutMs?: number;
}

export type AppEnv = {
  Bindings: Cloudflare.Env;
  Variables: { registry: () => Promise<RegistrySnapshot> };
};

/** Largest JSON body accepted by the API, bytes. */
export const MAX_JSON_BODY_BYTES = 16 * 1024;

function waitUntilOf(c: Context): ((promise: Promise<unknown>) => void) | undefined {
  try {
    const ctx = c.executionCtx;
    return (promise) => ctx.waitUntil(promise);
  } catch {
    return undefined;
  }
}

function errorResponse(c: Context, error: ApiError) {
  return c.json(error.toBody(), error.status);
}

/** Builds the Worker's Hono app. */
export function createApp(
  deps: AppDeps = { registryCache: createRegistryCache(), now: Date.now, log: console.warn },
) {
  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw fromZodIssues(result.error.issues);
    },
  });

  app.use("*", async (c, next) => {
    c.set("registry", () =>
      loadRegistry(c.env?.FITS, deps.registryCache, {
        now: deps.now,
        log: deps.log,
        ttlMs: deps.registryTtlMs ?? DEFAULT_REGISTRY_OPTIONS.ttlMs,
        timeoutMs: deps.kvTimeoutMs ?? DEFAULT_REGISTRY_OPTIONS.timeoutMs,
        kvCacheTtlSeconds: DEFAULT_REGISTRY_OPTIONS.kvCacheTtlSeconds,
        waitUntil: waitUntilOf(c),
      }),
    );
    await next();
  });

  app.get("/healthz", (c) => c.json({ ok: true }));

  app.get("/", (c) =>
    c.json({
      name: "compute-optimal",
      description:
        "Compute-optimal model size, tokens and loss for a training budget, under Chinchilla, Kaplan and later fits.",
      endpoints: {
        allocate: "/api/v1/allocate?flops=1e24",
        predict: "/api/v1/predict?params=70B&tokens=1.4T",
        fits: "/api/v1/fits",
        gpus: "/api/v1/gpus",
      },
    }),
  );

  app.openapi(allocateGet, async (c) => {
    const query = c.req.valid("query");
    return c.json(answerAllocate(await c.var.registry(), query), 200);
  });

  app.use(
    "/api/v1/allocate",
    bodyLimit({
      maxSize: MAX_JSON_BODY_BYTES,
      onError: () => {
        throw new ApiError(
          413,
          "payload_too_large",
          `body: at most ${MAX_JSON_BODY_BYTES} bytes`,
          "body",
        );
      },
    }),
  );
  app.use("/api/v1/allocate", async (c, next) => {
    if (c.req.method === "POST") {
      const type = c.req.header("content-type") ?? "";
      if (!/^application\/json\b/i.test(type)) {
        throw new ApiError(
          415,
          "unsupported_media_type",
          `body: send JSON with Content-Type: application/json (got "${type.slice(0, 100)}")`,
          "body",
        );
      }
    }
    await next();
  });

  app.openapi(allocatePost, async (c) => {
    const body = c.req.valid("json");
    return c.json(answerAllocate(await c.var.registry(), body), 200);
  });

  app.openapi(predictGet, async (c) => {
    const query = c.req.valid("query");
    return c.json(answerPredict(await c.var.registry(), query), 200);
  });

  app.openapi(fitsList, async (c) => {
    const registry = await c.var.registry();
    return c.json({ fits: registry.entries.map(({ fit, origin }) => ({ ...fit, origin })) }, 200);
  });

  app.openapi(fitsGet, async (c) => {
    const { id } = c.req.valid("param");
    const entry = (await c.var.registry()).byId.get(id);
    if (!entry) {
      throw new ApiError(
        404,
        "unknown_fit",
        `id: unknown fit "${id}"`,
        "id",
        "ids from GET /api/v1/fits",
      );
    }
    return c.json({ ...entry.fit, origin: entry.origin }, 200);
  });

  app.openapi(gpusList, (c) =>
    c.json(
      {
        gpus: GPUS.map((g) => ({ ...g, aliases: [...g.aliases] })),
        defaultMfu: DEFAULT_MFU,
        defaultMfuSource: DEFAULT_MFU_SOURCE,
      },
      200,
    ),
  );

  app.notFound((c) =>
    errorResponse(
      c,
      new ApiError(
        404,
        "not_found",
        `no route for ${c.req.method} ${new URL(c.req.url).pathname.slice(0, 200)}`,
      ),
    ),
  );

  app.onError((error, c) => {
    if (error instanceof ApiError) return errorResponse(c, error);
    if (error instanceof HTTPException && error.status < 500) {
      const apiError = /json/i.test(error.message)
        ? new ApiError(400, "invalid_json", "body: not valid JSON", "body")
        : new ApiError(400, "invalid_input", error.message);
      return errorResponse(c, apiError);
    }
    console.error("unhandled error", c.req.method, new URL(c.req.url).pathname, error);
    return errorResponse(c, new ApiError(500, "internal", "internal error"));
  });

  return app;
}
