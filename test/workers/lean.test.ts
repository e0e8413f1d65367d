/**
 * Lean answers (issue 13): what never changes between calls is served by the registry, so the
 * answers a client or a model reads stay small. Tokens are counted with a real tokenizer (o200k).
 */
import { exports } from "cloudflare:workers";
import { countTokens } from "gpt-tokenizer/encoding/o200k_base";
import { beforeAll, describe, expect, it } from "vitest";
import { seedAll } from "./helpers.ts";
import { CLIENTS } from "./mcp-clients.ts";

const BASE = "http://calc.test";

beforeAll(async () => {
  await seedAll();
});

describe("answer budgets", () => {
  it("GET /api/v1/allocate?flops=1e24 (all fits) is at most 5,000 bytes", async () => {
    const res = await exports.default.fetch(`${BASE}/api/v1/allocate?flops=1e24`);
    const bytes = (await res.arrayBuffer()).byteLength;
    console.log("allocate bytes", bytes);
    expect(res.status).toBe(200);
    expect(bytes).toBeLessThanOrEqual(5_000);
    const full = await exports.default.fetch(
      `${BASE}/api/v1/allocate?flops=1e24&include=notes,sources`,
    );
    console.log("allocate full bytes", (await full.arrayBuffer()).byteLength);
  });

  it("the MCP allocation result is at most 1,500 tokens, and tools/list at most 3,000", async () => {
    const spec = CLIENTS[1];
    if (!spec) throw new Error("no client");
    const client = await spec.connect();
    const result = await client.callTool({
      name: "compute_optimal_allocation",
      arguments: { flops: "1e24" },
    });
    const tokens = countTokens(
      JSON.stringify(result.structuredContent) + (result.content[0]?.text ?? ""),
    );
    const textTokens = countTokens(result.content[0]?.text ?? "");
    const { tools } = await client.listTools();
    const visible = tools.map(({ name, description, inputSchema }) => ({
      name,
      description,
      inputSchema,
    }));
    const listTokens = countTokens(JSON.stringify(visible));
    console.log("mcp result tokens", tokens, "text", textTokens, "tools/list", listTokens);
    expect(tokens).toBeLessThanOrEqual(1_500);
    // The text carries the same facts, intervals included, in fewer tokens.
    expect(textTokens).toBeLessThan(countTokens(JSON.stringify(result.structuredContent)));
    expect(result.content[0]?.text).toMatch(/epoch-2024: N 95\.9B \(73\.3B-125B\)/);
    expect(listTokens).toBeLessThanOrEqual(3_000);
    await client.close();
  });
});

describe("what a GPT Action can request stays under 100,000 characters", () => {
  it("a user fit of 5,000 runs is served without its runs unless include=runs", async () => {
    const runs = Array.from({ length: 5000 }, (_, i) => {
      const params = 1e7 * 10 ** ((i % 50) / 20);
      const tokens = 2e8 * 10 ** (Math.floor(i / 50) / 40);
      return { params, tokens, loss: 1.69 + 406.4 / params ** 0.34 + 410.7 / tokens ** 0.28 };
    });
    const res = await exports.default.fetch(`${BASE}/api/v1/fits`, {
      method: "POST",
      headers: { "content-type": "application/json", "cf-connecting-ip": "192.0.2.250" },
      body: JSON.stringify({ runs }),
    });
    const { id } = (await res.json()) as { id: string };
    const lean = await (await exports.default.fetch(`${BASE}/api/v1/fits/${id}`)).text();
    const full = await (
      await exports.default.fetch(`${BASE}/api/v1/fits/${id}?include=runs`)
    ).text();
    expect(lean.length).toBeLessThan(100_000);
    expect(full.length).toBeGreaterThan(100_000);
    const list = await (await exports.default.fetch(`${BASE}/api/v1/fits`)).text();
    expect(list.length).toBeLessThan(100_000);
  });
});
