import type { App } from "../types.ts";

export type OpenApiDocument = ReturnType<App["getOpenAPI31Document"]>;

export const OPENAPI_PATH = "/openapi.json";

const INFO = {
  title: "compute-optimal",
  version: "0.1.0",
  description: [
    "How big a language model to train, on how many tokens, and what loss to expect, for a training compute budget, under every published scaling-law fit (Chinchilla approaches 1-3, the Besiroglu et al. re-fit, Kaplan et al., DeepSeek, Llama 3, 20 tokens/param).",
    "Conventions: training compute C ≈ 6·N·D FLOPs; 1 PF-day = 8.64e19 FLOPs; each fit counts parameters its own way (total, or non-embedding for Kaplan and DeepSeek); losses are nats/token on each fit's own dataset and are not comparable across fits.",
    "Every error is the envelope {error: {code, message, field?, expected?}}.",
    "Also: plain-text tables with Accept: text/plain or format=text on /api/v1/allocate and /api/v1/predict, and an MCP server at POST /mcp.",
    "Budgets per request: every read (each GET, MCP tool other than fitting, Slack) within 10 ms of CPU; a fit within about 300 ms through a bounded amount of work (converged: false when cut short); at most 32 fits per request, checked before storage is read; reads never write to storage; MCP batches of at most 4 messages.",
  ].join(" "),
};

const ERROR_REF = { $ref: "#/components/schemas/Error" };

/** Gives every operation a `default` response with the error envelope (500s, 404s, 405s). */
function withDefaultErrors(document: OpenApiDocument): OpenApiDocument {
  const paths = Object.fromEntries(
    Object.entries(document.paths ?? {}).map(([path, item]) => [
      path,
      Object.fromEntries(
        Object.entries(item).map(([method, operation]) => {
          if (typeof operation !== "object" || operation === null || !("responses" in operation)) {
            return [method, operation];
          }
          const responses = operation.responses ?? {};
          return [
            method,
            {
              ...operation,
              responses: {
                ...responses,
                default: responses.default ?? {
                  description: "Any other error, in the error envelope.",
                  content: { "application/json": { schema: ERROR_REF } },
                },
              },
            },
          ];
        }),
      ),
    ]),
  );
  return { ...document, paths };
}

/**
 * The app's OpenAPI 3.1 document, generated from the routes' zod schemas on first use (after
 * every feature has registered its routes), with `servers` set to the origin asked.
 */
export function openApiDocumentOf(app: App): (origin: string) => OpenApiDocument {
  let base: OpenApiDocument | undefined;
  return (origin) => {
    base ??= withDefaultErrors(app.getOpenAPI31Document({ openapi: "3.1.0", info: INFO }));
    return { ...base, servers: [{ url: origin, description: "This server" }] };
  };
}
