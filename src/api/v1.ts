import { bodyLimit } from "hono/body-limit";
import { ApiError } from "../contract/errors.ts";
import { DEFAULT_MFU, DEFAULT_MFU_SOURCE, GPUS } from "../core/hardware.ts";
import { answerAllocate } from "../service/allocate.ts";
import { cachedAnswer } from "../service/answer-cache.ts";
import { answerPredict } from "../service/predict.ts";
import { isUserFitId, readUserFitReport } from "../store/user-fits.ts";
import type { Register } from "../types.ts";
import { leanAllocateAnswer, readInclude } from "./lean.ts";
import { allocateGet, allocatePost, fitsGet, fitsList, gpusList, predictGet } from "./routes.ts";

/** Largest JSON body accepted by the allocate API, bytes. */
export const MAX_JSON_BODY_BYTES = 16 * 1024;

/** Requires `Content-Type: application/json` on a POST, else 415 in the error envelope. */
export function requireJson(type: string | undefined): void {
  if (!/^application\/json\b/i.test(type ?? "")) {
    throw new ApiError(
      415,
      "unsupported_media_type",
      `body: send JSON with Content-Type: application/json (got "${(type ?? "").slice(0, 100)}")`,
      "body",
    );
  }
}

/**
 * A 200 response with an already serialised answer. Typed `never` so it satisfies the route's
 * typed JSON response: the body is the JSON of exactly that answer (see cachedAnswer).
 */
function jsonText(body: Uint8Array): never {
  return new Response(body, {
    headers: { "content-type": "application/json; charset=UTF-8" },
  }) as never;
}

/** The v1 JSON API: allocate, predict, the fit registry and GPUs. */
export const registerApiV1: Register = (app) => {
  app.openapi(allocateGet, async (c) => {
    const query = c.req.valid("query");
    const registry = await c.var.fits(query.fit);
    const body = cachedAnswer(registry, `allocate:${JSON.stringify(query)}`, () =>
      leanAllocateAnswer(answerAllocate(registry, query), readInclude(query.include)),
    );
    return jsonText(body);
  });

  app.on("POST", "/api/v1/allocate", async (c, next) => {
    requireJson(c.req.header("content-type"));
    await next();
  });
  app.on(
    "POST",
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
  app.openapi(allocatePost, async (c) => {
    const body = c.req.valid("json");
    const answer = answerAllocate(await c.var.fits(body.fit), body);
    return c.json(leanAllocateAnswer(answer, readInclude(body.include)), 200);
  });

  app.openapi(predictGet, async (c) => {
    const query = c.req.valid("query");
    const registry = await c.var.fits(query.fit);
    const body = cachedAnswer(registry, `predict:${JSON.stringify(query)}`, () =>
      answerPredict(registry, query),
    );
    return jsonText(body);
  });

  app.openapi(fitsList, async (c) => {
    const registry = await c.var.fits();
    return c.json({ fits: registry.entries.map(({ fit, origin }) => ({ ...fit, origin })) }, 200);
  });

  app.openapi(fitsGet, async (c) => {
    const { id } = c.req.valid("param");
    const { include } = c.req.valid("query");
    const entry = (await c.var.fits(id)).byId.get(id);
    const stored = entry && isUserFitId(id) ? await readUserFitReport(c.var.userFits, id) : null;
    if (stored === "invalid") {
      throw new ApiError(
        404,
        "unknown_fit",
        `id: the stored report of "${id}" could not be read; post its runs again`,
        "id",
      );
    }
    if (entry && stored) {
      const { report, runs } = stored;
      return c.json(
        { ...entry.fit, origin: entry.origin, report, ...(include === "runs" ? { runs } : {}) },
        200,
      );
    }
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
        gpus: GPUS.map((gpu) => ({ ...gpu, aliases: [...gpu.aliases] })),
        defaultMfu: DEFAULT_MFU,
        defaultMfuSource: DEFAULT_MFU_SOURCE,
      },
      200,
    ),
  );
};
