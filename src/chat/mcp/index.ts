import { createMcpHandler, McpServer } from "@modelcontextprotocol/server";
import type { Context } from "hono";
import type { AppDeps, AppEnv, Register } from "../../types.ts";
import { guardMcpBody } from "./batch.ts";
import type { ChatTool } from "./tool.ts";
import { computeOptimalAllocation } from "./tools/compute-optimal-allocation.ts";
import { fitScalingLaw } from "./tools/fit-scaling-law.ts";
import { listFits } from "./tools/list-fits.ts";
import { planData } from "./tools/plan-data.ts";
import { planInference } from "./tools/plan-inference.ts";
import { predictLoss } from "./tools/predict-loss.ts";

/** The MCP tools, in the order clients list them. Add a tool here. */
export const CHAT_TOOLS: readonly ChatTool[] = [
  computeOptimalAllocation,
  predictLoss,
  planInference,
  planData,
  fitScalingLaw,
  listFits,
];

/** Largest MCP request body read, bytes. */
export const MAX_MCP_BODY_BYTES = 64 * 1024;

export const MCP_SERVER_INFO = { name: "compute-optimal", version: "0.1.0" };

function serverFor(c: Context<AppEnv>, deps: AppDeps): McpServer {
  const server = new McpServer(MCP_SERVER_INFO, {
    instructions:
      "Compute-optimal language-model training: model size, tokens and loss for a compute budget under every published scaling-law fit. Start with compute_optimal_allocation; plan_inference and plan_data go beyond compute-optimal (inference demand, scarce unique data).",
  });
  for (const tool of CHAT_TOOLS) tool.register(server, c, deps);
  return server;
}

/**
 * `POST /mcp`: a stateless MCP server over Streamable HTTP, serving 2026-07-28 clients and
 * 2025-era clients (stateless fallback). GET and DELETE get 405.
 *
 * The body is read once (bounded) and a JSON-RPC batch of more than MAX_MCP_BATCH messages is
 * refused before the SDK sees it (batch.ts). Each request gets a fresh server, as the SDK's
 * handler requires (it refuses an instance still serving another exchange, and requests in an
 * isolate interleave); its tools close over this request's context. What is costly to build,
 * the tools' JSON Schemas, is converted once per isolate and shared (tool.ts, schema-cache.ts).
 */
export const registerMcp: Register = (app, deps) => {
  app.all("/mcp", async (c) => {
    const guarded = await guardMcpBody(c.req.raw, MAX_MCP_BODY_BYTES, (message) =>
      deps.log(`mcp: ${message}`),
    );
    if (guarded instanceof Response) return guarded;
    const handler = createMcpHandler(() => serverFor(c, deps), {
      maxRequestBodySize: MAX_MCP_BODY_BYTES,
      keepAliveMs: 0,
      onerror: (error) => deps.log(`mcp: ${error.message}`),
    });
    const { request, parsedBody } = guarded;
    return handler.fetch(request, parsedBody === undefined ? undefined : { parsedBody });
  });
};
