import { exports } from "cloudflare:workers";
import {
  Client as ClientV2,
  StreamableHTTPClientTransport as TransportV2,
} from "@modelcontextprotocol/client";
import { Client as ClientV1 } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport as TransportV1 } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedAll } from "./helpers.ts";

const BASE = "http://calc.test";
const MCP_URL = new URL(`${BASE}/mcp`);

/** The Worker's fetch, so the real client talks to the real Worker in-process. */
const workerFetch = (input: string | URL | Request, init?: RequestInit) =>
  exports.default.fetch(new Request(input, init));

interface ToolResult {
  content: { type: string; text?: string }[];
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
}

interface McpTestClient {
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

const CLIENTS: { name: string; protocol: string; connect: () => Promise<McpTestClient> }[] = [
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

async function apiJson(path: string, init?: RequestInit): Promise<unknown> {
  const res = await exports.default.fetch(`${BASE}${path}`, init);
  expect(res.status, path).toBe(200);
  return res.json();
}

const postAllocate = (body: unknown) =>
  apiJson("/api/v1/allocate", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });

beforeAll(async () => {
  await seedAll();
});

describe.each(CLIENTS)("$name", (spec) => {
  let client: McpTestClient;

  beforeAll(async () => {
    client = await spec.connect();
  });

  afterAll(async () => {
    await client.close();
  });

  it("lists the tools with descriptions, input and output schemas", async () => {
    const { tools } = await client.listTools();
    const names = tools.map((tool) => tool.name);
    expect(names).toEqual(
      expect.arrayContaining(["compute_optimal_allocation", "predict_loss", "list_fits"]),
    );
    expect(new Set(names).size).toBe(names.length);
    for (const tool of tools) {
      expect(tool.name).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
      expect(tool.description?.split(". ").length, tool.name).toBeGreaterThanOrEqual(3);
      expect(tool.inputSchema.type).toBe("object");
      expect(tool.outputSchema?.type, tool.name).toBe("object");
    }
    const allocation = tools.find((tool) => tool.name === "compute_optimal_allocation");
    expect(Object.keys(allocation?.inputSchema.properties as object)).toEqual(
      expect.arrayContaining(["flops", "params", "tokens", "loss", "fits", "kaplanBudget"]),
    );
  });

  it.each([
    [{ flops: "5000 PF-days" }, { flops: "5000 PF-days" }],
    [
      { flops: 1e24, fits: ["kaplan-2020"], kaplanBudget: "all" },
      { flops: 1e24, fit: ["kaplan-2020"], kaplanBudget: "all" },
    ],
    [{ params: "70B" }, { params: "70B" }],
    [
      { loss: 2.0, fits: ["chinchilla-approach3", "epoch-2024"] },
      { loss: 2.0, fit: ["chinchilla-approach3", "epoch-2024"] },
    ],
  ])("compute_optimal_allocation %j equals the JSON API's answer", async (args, body) => {
    const result = await client.callTool({ name: "compute_optimal_allocation", arguments: args });
    expect(result.isError ?? false, JSON.stringify(result.content)).toBe(false);
    expect(result.structuredContent).toEqual(await postAllocate(body));
    const text = result.content.find((block) => block.type === "text")?.text ?? "";
    const answer = result.structuredContent as { allocations: { fit: string }[] };
    for (const { fit } of answer.allocations) expect(text).toMatch(new RegExp(`^${fit} `, "m"));
  });

  it("predict_loss equals GET /api/v1/predict", async () => {
    const result = await client.callTool({
      name: "predict_loss",
      arguments: { params: "70B", tokens: 1.4e12, fits: ["epoch-2024", "kaplan-2020"] },
    });
    expect(result.isError ?? false).toBe(false);
    expect(result.structuredContent).toEqual(
      await apiJson("/api/v1/predict?params=70B&tokens=1400000000000&fit=epoch-2024,kaplan-2020"),
    );
    expect(result.content[0]?.text).toMatch(/^epoch-2024 /m);
  });

  it("list_fits equals GET /api/v1/fits", async () => {
    const result = await client.callTool({ name: "list_fits", arguments: {} });
    expect(result.isError ?? false).toBe(false);
    const fits = (await apiJson("/api/v1/fits")) as { fits: { id: string }[] };
    expect(result.structuredContent).toEqual(fits);
    for (const { id } of fits.fits) expect(result.content[0]?.text).toContain(id);
  });

  it.each([
    ["compute_optimal_allocation", { flops: "-1" }, /flops/],
    ["compute_optimal_allocation", { flops: "1e24", params: "70B" }, /exactly one/],
    ["compute_optimal_allocation", {}, /missing_question|give exactly one/],
    ["compute_optimal_allocation", { flops: "1e24", fits: ["no-such-fit"] }, /unknown fit/],
    ["compute_optimal_allocation", { flops: { value: 1 } }, /flops/],
    [
      "compute_optimal_allocation",
      { loss: 1.0, fits: ["chinchilla-approach3"] },
      /unreachable|no selected fit/,
    ],
    ["predict_loss", { params: "70B" }, /tokens/],
    ["predict_loss", { params: true, tokens: "1T" }, /params/],
  ])("%s(%j) is a tool error, not a failed request", async (name, args, message) => {
    const result = await client.callTool({ name, arguments: args });
    expect(result.isError).toBe(true);
    expect(result.structuredContent).toBeUndefined();
    expect(result.content[0]?.text).toMatch(message);
  });
});

describe("POST /mcp over HTTP", () => {
  it("answers GET and DELETE with 405", async () => {
    for (const method of ["GET", "DELETE"]) {
      const res = await exports.default.fetch(MCP_URL, {
        method,
        headers: { accept: "text/event-stream" },
      });
      expect(res.status, method).toBe(405);
    }
  });

  it("rejects a body that is not JSON-RPC without a 500", async () => {
    const res = await exports.default.fetch(MCP_URL, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
      },
      body: "{not json",
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });

  it("refuses bodies over the size bound", async () => {
    const res = await exports.default.fetch(MCP_URL, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
      },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "tools/list",
        params: { pad: "x".repeat(70_000) },
      }),
    });
    expect(res.status).toBe(413);
  });
});
