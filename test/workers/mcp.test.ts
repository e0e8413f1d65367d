import { exports } from "cloudflare:workers";
import {
  Client as ClientV2,
  StreamableHTTPClientTransport as TransportV2,
} from "@modelcontextprotocol/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedAll } from "./helpers.ts";
import {
  apiJson,
  BASE,
  CLIENTS,
  MCP_URL,
  type McpTestClient,
  postAllocate,
  type ToolResult,
  USER_RUNS,
  userFitId,
} from "./mcp-clients.ts";

const query = (params: Record<string, string | undefined>) =>
  new URLSearchParams(
    Object.entries(params).filter((entry): entry is [string, string] => entry[1] !== undefined),
  ).toString();

/**
 * The MCP allocation summary says what the JSON API says, at its 4 significant digits: every
 * fit, in order, with the API's N, D, D/N, loss and 10x factors.
 */
function expectSummaryOf(structured: unknown, api: unknown) {
  const four = (x: number | null | undefined) => (x == null ? x : Number(x.toPrecision(4)));
  type Row = Record<string, number | null | undefined | unknown>;
  const summary = structured as { fits: Row[] };
  const answer = api as { allocations: Row[] };
  expect(summary.fits.map((f) => f.fit)).toEqual(answer.allocations.map((a) => a.fit));
  for (const [i, a] of answer.allocations.entries()) {
    const f = summary.fits[i] as Row;
    for (const key of ["params", "tokens", "tokensPerParam", "loss"]) {
      expect(f[key], `${String(a.fit)} ${key}`).toBe(four(a[key] as number | null));
    }
    const scale = a.scaleUp10x as { params: number; tokens: number };
    expect(f.scaleUp10x).toEqual([four(scale.params), four(scale.tokens)]);
  }
}

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
      expect.arrayContaining([
        "compute_optimal_allocation",
        "predict_loss",
        "plan_inference",
        "plan_data",
        "fit_scaling_law",
        "list_fits",
      ]),
    );
    expect(new Set(names).size).toBe(names.length);
    for (const tool of tools) {
      expect(tool.name).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
      expect(tool.description?.split(". ").length, tool.name).toBeGreaterThanOrEqual(3);
      expect(tool.inputSchema.type).toBe("object");
      expect(tool.outputSchema?.type, tool.name).toBe("object");
    }
    const allocation = tools.find((tool) => tool.name === "compute_optimal_allocation");
    const inputs = (name: string) =>
      Object.keys(tools.find((tool) => tool.name === name)?.inputSchema.properties as object);
    expect(Object.keys(allocation?.inputSchema.properties as object)).toEqual(
      expect.arrayContaining(["flops", "params", "tokens", "loss", "fits", "kaplanBudget"]),
    );
    expect(inputs("compute_optimal_allocation")).toEqual(
      expect.arrayContaining(["gpu", "gpus", "mfu", "pricePerGpuHour"]),
    );
    expect(inputs("predict_loss")).toEqual(
      expect.arrayContaining(["uniqueTokens", "kaplanBudget"]),
    );
    const hardware = ["gpu", "gpus", "mfu", "pricePerGpuHour"];
    expect(inputs("plan_inference").sort()).toEqual(
      ["fit", "flops", "inferenceTokens", "loss", ...hardware].sort(),
    );
    expect(inputs("plan_data").sort()).toEqual(
      ["fit", "flops", "uniqueTokens", ...hardware].sort(),
    );
    expect(inputs("fit_scaling_law").sort()).toEqual(["bootstrap", "name", "runs"]);
    const writer = tools.find((tool) => tool.name === "fit_scaling_law") as
      | { annotations?: Record<string, unknown> }
      | undefined;
    expect(writer?.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: false });
    const listFits = tools.find((tool) => tool.name === "list_fits");
    expect(listFits?.description).toMatch(/user-/);
  });

  it("promises only what each tool does with user fits (issue 11)", async () => {
    const { tools } = await client.listTools();
    const tool = (name: string) => tools.find((t) => t.name === name);
    const fitInput = (name: string) =>
      ((tool(name)?.inputSchema.properties ?? {}) as Record<string, { description?: string }>).fit
        ?.description ?? "";
    // plan_data answers only with a repeated-data law, which user fits never have.
    expect(fitInput("plan_data")).not.toMatch(/user-\) work too/);
    expect(fitInput("plan_data")).toMatch(/fits of your own runs have none/);
    expect(tool("plan_data")?.description).toMatch(/fits of your own runs have no such law/);
    // A compute-law fit cannot allocate or plan inference.
    const fitting = tool("fit_scaling_law")?.description ?? "";
    expect(fitting).toMatch(/compute-law fit only in predict_loss.*plan_data takes neither/);
    expect(fitInput("plan_inference")).toMatch(/compute-law fits L\(C\) do not/);
  });

  it("advertises the allocation intervals as fixed-length pairs every client reads", async () => {
    const { tools } = await client.listTools();
    const output = tools.find((tool) => tool.name === "compute_optimal_allocation")?.outputSchema;
    const path = ["properties", "fits", "items", "properties", "interval80", "properties"];
    const intervals = path.reduce<unknown>(
      (node, key) => (node as Record<string, unknown> | undefined)?.[key],
      output,
    ) as Record<string, Record<string, unknown>> | undefined;
    for (const field of ["params", "tokens", "loss"]) {
      expect(intervals?.[field], field).toMatchObject({ type: "array", minItems: 2, maxItems: 2 });
      expect(intervals?.[field]?.items, field).toEqual({
        anyOf: [{ type: "number" }, { type: "number" }],
      });
    }
  });

  it.each([
    [
      { flops: "1e24", gpu: "H100", gpus: 1024, mfu: "40%", pricePerGpuHour: 2.5 },
      { flops: "1e24", gpu: "H100", gpus: 1024, mfu: "40%", pricePerGpuHour: 2.5 },
    ],
    [
      { flops: "1M H100-hours @ 45% MFU", fits: ["epoch-2024", "chinchilla-approach3"] },
      { flops: "1M H100-hours @ 45% MFU", fit: ["epoch-2024", "chinchilla-approach3"] },
    ],
    [
      { params: "70B", gpu: "A100", mfu: 0.5, fits: ["epoch-2024"] },
      { params: "70B", gpu: "A100", mfu: 0.5, fit: ["epoch-2024"] },
    ],
  ])(
    "compute_optimal_allocation %j adds training time and intervals as the API does",
    async (args, body) => {
      const result = await client.callTool({ name: "compute_optimal_allocation", arguments: args });
      expect(result.isError ?? false, JSON.stringify(result.content)).toBe(false);
      const api = await postAllocate({ ...body, include: ["exact"] });
      expectSummaryOf(result.structuredContent, api);
      const answer = result.structuredContent as {
        fits: { fit: string; trainingDays?: number; interval80?: { params: number[] } }[];
      };
      for (const a of answer.fits) expect(a.trainingDays, a.fit).toBeGreaterThan(0);
      const epoch = answer.fits.find((a) => a.fit === "epoch-2024");
      expect(epoch?.interval80?.params).toHaveLength(2);
      expect(result.content[0]?.text).toMatch(/ (days|years)/);
    },
  );

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
    expectSummaryOf(result.structuredContent, await postAllocate({ ...body, include: ["exact"] }));
    const text = result.content.find((block) => block.type === "text")?.text ?? "";
    const answer = result.structuredContent as { fits: { fit: string }[] };
    for (const { fit } of answer.fits) expect(text).toMatch(new RegExp(`^${fit}: `, "m"));
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

  it("predict_loss with uniqueTokens equals GET /api/v1/predict", async () => {
    const args = { params: "8.7B", tokens: "178B", uniqueTokens: "25B" };
    const result = await client.callTool({
      name: "predict_loss",
      arguments: { ...args, fits: ["muennighoff-2023", "epoch-2024"] },
    });
    expect(result.isError ?? false).toBe(false);
    expect(result.structuredContent).toEqual(
      await apiJson(`/api/v1/predict?${query({ ...args, fit: "muennighoff-2023,epoch-2024" })}`),
    );
    const answer = result.structuredContent as { query: { uniqueTokens?: { value: number } } };
    expect(answer.query.uniqueTokens?.value).toBe(25e9);
  });

  it.each([
    { flops: "1e24", inferenceTokens: "2T" },
    { loss: "2.0", inferenceTokens: "2T", fit: "epoch-2024" },
    { flops: "5000 PF-days", inferenceTokens: "0" },
    { loss: "1.95", inferenceTokens: "10T", fit: "chinchilla-approach3" },
  ])("plan_inference %j equals GET /api/v1/plan/inference", async (args) => {
    const result = await client.callTool({ name: "plan_inference", arguments: args });
    expect(result.isError ?? false, JSON.stringify(result.content)).toBe(false);
    const api = (await apiJson(`/api/v1/plan/inference?${query(args)}`)) as {
      query: { interpretation: string };
      params: number;
    };
    expect(result.structuredContent).toEqual(api);
    expect(result.content[0]?.text?.startsWith(api.query.interpretation)).toBe(true);
    expect(result.content[0]?.text).toMatch(/^inference-aware\s/m);
  });

  it("plan_inference takes numbers as the API takes their text", async () => {
    const args = { flops: 1e24, inferenceTokens: 2e12 };
    const result = await client.callTool({ name: "plan_inference", arguments: args });
    expect(result.structuredContent).toEqual(
      await apiJson(
        `/api/v1/plan/inference?${query({ flops: "1e+24", inferenceTokens: "2000000000000" })}`,
      ),
    );
  });

  it.each([
    { flops: "1e24", uniqueTokens: "500B" },
    { flops: "1e22", uniqueTokens: "1B" },
    { flops: "5000 PF-days", uniqueTokens: "100B", fit: "muennighoff-2023" },
  ])("plan_data %j equals GET /api/v1/plan/data", async (args) => {
    const result = await client.callTool({ name: "plan_data", arguments: args });
    expect(result.isError ?? false, JSON.stringify(result.content)).toBe(false);
    const api = (await apiJson(`/api/v1/plan/data?${query(args)}`)) as { warnings: string[] };
    expect(result.structuredContent).toEqual(api);
    for (const warning of api.warnings) expect(result.content[0]?.text).toContain(warning);
    expect(result.content[0]?.text).toMatch(/^data-constrained\s/m);
  });

  it("answers under a fit made from the user's runs", async () => {
    const id = await userFitId();
    const allocation = await client.callTool({
      name: "compute_optimal_allocation",
      arguments: { flops: "1e22", fits: [id, "epoch-2024"] },
    });
    expect(allocation.isError ?? false, JSON.stringify(allocation.content)).toBe(false);
    expectSummaryOf(
      allocation.structuredContent,
      await postAllocate({ flops: "1e22", fit: [id, "epoch-2024"], include: ["exact"] }),
    );
    const plan = await client.callTool({
      name: "plan_inference",
      arguments: { flops: "1e22", inferenceTokens: "1T", fit: id },
    });
    expect(plan.isError ?? false, JSON.stringify(plan.content)).toBe(false);
    expect(plan.structuredContent).toMatchObject({ fit: id });
    expect(plan.structuredContent).toEqual(
      await apiJson(
        `/api/v1/plan/inference?${query({ flops: "1e22", inferenceTokens: "1T", fit: id })}`,
      ),
    );
    const predicted = await client.callTool({
      name: "predict_loss",
      arguments: { params: "1B", tokens: "20B", fits: [id] },
    });
    expect(predicted.structuredContent).toEqual(
      await apiJson(`/api/v1/predict?${query({ params: "1B", tokens: "20B", fit: id })}`),
    );
  });

  it.each([
    [{ runs: USER_RUNS.slice(0, 7), name: "mcp fit" }],
    [{ runs: USER_RUNS, bootstrap: 20 }],
    [{ runs: USER_RUNS.map(({ params, tokens, loss }) => ({ flops: 6 * params * tokens, loss })) }],
  ])("fit_scaling_law %# equals POST /api/v1/fits for the same runs", async (body) => {
    const result = await client.callTool({ name: "fit_scaling_law", arguments: body });
    expect(result.isError ?? false, JSON.stringify(result.content)).toBe(false);
    const res = await exports.default.fetch(`${BASE}/api/v1/fits`, {
      method: "POST",
      headers: { "content-type": "application/json", "cf-connecting-ip": "192.0.2.78" },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(200);
    const api = (await res.json()) as { id: string; kind: string };
    expect(result.structuredContent).toEqual(api);
    expect(result.content[0]?.text?.startsWith(`${api.id}: `)).toBe(true);
    if (api.kind === "parametric") {
      const allocation = await client.callTool({
        name: "compute_optimal_allocation",
        arguments: { flops: "1e21", fits: [api.id] },
      });
      expect(allocation.isError ?? false).toBe(false);
    }
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
    ["predict_loss", { params: "1B", tokens: "20B", uniqueTokens: "lots" }, /uniqueTokens/],
    ["compute_optimal_allocation", { flops: "1e24", gpu: "Z999" }, /unknown GPU/],
    ["compute_optimal_allocation", { flops: "1e24", gpus: 8 }, /gpu: required/],
    ["compute_optimal_allocation", { flops: "1e24", gpu: "H100", gpus: 0 }, /gpus/],
    ["compute_optimal_allocation", { flops: "1e24", gpu: "H100", mfu: "150%" }, /mfu/],
    [
      "compute_optimal_allocation",
      { flops: "1e24", gpu: "H100", pricePerGpuHour: "cheap" },
      /pricePerGpuHour/,
    ],
    ["plan_inference", { flops: "1e24" }, /inferenceTokens: required/],
    ["plan_inference", { inferenceTokens: "2T" }, /give exactly one/],
    ["plan_inference", { flops: "1e24", loss: 2, inferenceTokens: "2T" }, /exactly one/],
    ["plan_inference", { flops: "1e24", inferenceTokens: "-2T" }, /inferenceTokens/],
    ["plan_inference", { loss: 1.0, inferenceTokens: "2T" }, /irreducible/],
    [
      "plan_inference",
      { flops: "1e24", inferenceTokens: "2T", fit: "kaplan-2020" },
      /needs a fit with a parametric loss law/,
    ],
    ["plan_inference", { flops: "1e24", inferenceTokens: "2T", fit: "no-such-fit" }, /unknown fit/],
    ["plan_inference", { flops: "1e24", inferenceTokens: "2T", fit: ["epoch-2024"] }, /fit/],
    ["fit_scaling_law", { runs: USER_RUNS.slice(0, 4) }, /at least 5 runs/],
    ["fit_scaling_law", { runs: [] }, /at least 5 runs/],
    [
      "fit_scaling_law",
      { runs: USER_RUNS.map((r, i) => (i === 2 ? { ...r, loss: -1 } : r)) },
      /loss/,
    ],
    ["fit_scaling_law", { runs: [{ flops: 1e20, loss: 3 }, ...USER_RUNS] }, /runs\[1\]/],
    ["fit_scaling_law", { runs: USER_RUNS, bootstrap: 100_000 }, /bootstrap/],
    ["fit_scaling_law", { runs: USER_RUNS, color: "red" }, /color|unrecognized/i],
    ["fit_scaling_law", { runs: "params,tokens,loss" }, /runs/],
    ["plan_data", { flops: "1e24" }, /uniqueTokens: required/],
    ["plan_data", { uniqueTokens: "500B" }, /flops: required/],
    ["plan_data", { flops: "1e24", uniqueTokens: "0" }, /uniqueTokens/],
    [
      "plan_data",
      { flops: "1e24", uniqueTokens: "500B", fit: "chinchilla-approach3" },
      /needs a fit with a repeated-data law/,
    ],
  ])("%s(%j) is a tool error, not a failed request", async (name, args, message) => {
    const result = await client.callTool({ name, arguments: args });
    expect(result.isError).toBe(true);
    expect(result.structuredContent).toBeUndefined();
    expect(result.content[0]?.text).toMatch(message);
  });
});

describe("fit_scaling_law and the write rate limit", () => {
  it("is a tool error once a client passes 10 fits a minute, and only for that client", async () => {
    const fetchAs = (ip: string) => (input: string | URL | Request, init?: RequestInit) => {
      const request = new Request(input, init);
      request.headers.set("cf-connecting-ip", ip);
      return exports.default.fetch(request);
    };
    const client = new ClientV2({ name: "test", version: "0" });
    await client.connect(new TransportV2(MCP_URL, { fetch: fetchAs("203.0.113.77") }));
    const call = () =>
      client.callTool({
        name: "fit_scaling_law",
        arguments: { runs: USER_RUNS },
      }) as Promise<ToolResult>;
    const results: ToolResult[] = [];
    for (let i = 0; i < 11; i++) results.push(await call());
    expect(results.slice(0, 10).every((r) => !r.isError)).toBe(true);
    expect(results[10]?.isError).toBe(true);
    expect(results[10]?.content[0]?.text).toMatch(/429 rate_limited/);
    await client.close();
    const other = new ClientV2({ name: "test", version: "0" });
    await other.connect(new TransportV2(MCP_URL, { fetch: fetchAs("203.0.113.78") }));
    const ok = (await other.callTool({
      name: "fit_scaling_law",
      arguments: { runs: USER_RUNS },
    })) as ToolResult;
    expect(ok.isError ?? false).toBe(false);
    await other.close();
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
