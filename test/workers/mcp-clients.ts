/** The real MCP SDK clients over the Worker in-process, and API helpers, shared by the MCP tests. */
import { exports } from "cloudflare:workers";
import {
  Client as ClientV2,
  StreamableHTTPClientTransport as TransportV2,
} from "@modelcontextprotocol/client";
import { Client as ClientV1 } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport as TransportV1 } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { expect } from "vitest";
import { parametricLossOf } from "../../src/core/fitting/parametric.ts";

export const BASE = "http://calc.test";
export const MCP_URL = new URL(`${BASE}/mcp`);

let requests = 0;

/**
 * The Worker's fetch, so the real client talks to the real Worker in-process. Each request
 * comes from its own address, so fit_scaling_law's write rate limit (tested below) stays out
 * of the way.
 */
export const workerFetch = (input: string | URL | Request, init?: RequestInit) => {
  requests += 1;
  const request = new Request(input, init);
  request.headers.set("cf-connecting-ip", `198.18.${(requests >> 8) & 255}.${requests & 255}`);
  return exports.default.fetch(request);
};

export interface ToolResult {
  content: { type: string; text?: string }[];
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
}

export interface McpTestClient {
  listTools(): Promise<{
    tools: {
      name: string;
      description?: string;
      inputSchema: Record<string, unknown>;
      outputSchema?: Record<string, unknown>;
    }[];
  }>;
  callTool(request: { name: string; arguments: Record<string, unknown> }): Promise<ToolResult>;
  close(): Promise<void>;
}

export const CLIENTS: { name: string; protocol: string; connect: () => Promise<McpTestClient> }[] =
  [
    {
      name: "SDK v2 client, legacy negotiation",
      protocol: "2025-11-25",
      async connect() {
        const client = new ClientV2(
          { name: "test", version: "0" },
          { versionNegotiation: { mode: "legacy" } },
        );
        await client.connect(new TransportV2(MCP_URL, { fetch: workerFetch }));
        expect(client.getNegotiatedProtocolVersion()).toBe(this.protocol);
        return client as unknown as McpTestClient;
      },
    },
    {
      name: "SDK v2 client pinned to 2026-07-28",
      protocol: "2026-07-28",
      async connect() {
        const client = new ClientV2(
          { name: "test", version: "0" },
          { versionNegotiation: { mode: { pin: "2026-07-28" } } },
        );
        await client.connect(new TransportV2(MCP_URL, { fetch: workerFetch }));
        expect(client.getNegotiatedProtocolVersion()).toBe(this.protocol);
        return client as unknown as McpTestClient;
      },
    },
    {
      name: "SDK v1 client",
      protocol: "2025-11-25",
      async connect() {
        const client = new ClientV1({ name: "test", version: "0" });
        const transport = new TransportV1(MCP_URL, { fetch: workerFetch });
        await client.connect(transport);
        expect(transport.protocolVersion).toBe(this.protocol);
        return client as unknown as McpTestClient;
      },
    },
  ];

export async function apiJson(path: string, init?: RequestInit): Promise<unknown> {
  const res = await exports.default.fetch(`${BASE}${path}`, init);
  expect(res.status, path).toBe(200);
  return res.json();
}

export const postAllocate = (body: unknown) =>
  apiJson("/api/v1/allocate", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });

/** A known law (Hoffmann et al. 2022 eq. 10, unrounded; scaling-laws.md §2) sampled on 3 budgets. */
export const LAW = { E: 1.693374, A: 406.401, B: 410.7228, alpha: 0.33917084, beta: 0.2849083 };
export const USER_RUNS = [1e18, 1e19, 1e20].flatMap((flops) =>
  [0.5, 1, 2].map((factor) => {
    const params = Math.sqrt(flops / 120) * factor;
    const tokens = flops / (6 * params);
    return { params, tokens, loss: parametricLossOf(LAW, params, tokens) };
  }),
);

/** A fit to the user's runs through the HTTP API; the same runs always give the same id. */
export async function userFitId(): Promise<string> {
  const res = await exports.default.fetch(`${BASE}/api/v1/fits`, {
    method: "POST",
    headers: { "content-type": "application/json", "cf-connecting-ip": "192.0.2.77" },
    body: JSON.stringify({ runs: USER_RUNS, name: "mcp test runs" }),
  });
  expect([200, 201]).toContain(res.status);
  return ((await res.json()) as { id: string }).id;
}
