import { exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { seedAll } from "./helpers.ts";
import {
  apiJson,
  CLIENTS,
  MCP_URL,
  postAllocate,
  type ToolResult,
  USER_RUNS,
} from "./mcp-clients.ts";

beforeAll(async () => {
  await seedAll();
});

describe("JSON-RPC batches and concurrent requests (issue 12)", () => {
  const rpc = (id: number, method: string, params: Record<string, unknown> = {}) => ({
    jsonrpc: "2.0",
    id,
    method,
    params,
  });
  const allocation = (id: number, flops: string) =>
    rpc(id, "tools/call", { name: "compute_optimal_allocation", arguments: { flops } });

  /** A raw 2025-era POST, as a 2025-03-26 client that still batches would send it. */
  const postRaw = (body: unknown, ip?: string) =>
    exports.default.fetch(MCP_URL, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        "mcp-protocol-version": "2025-11-25",
        ...(ip ? { "cf-connecting-ip": ip } : {}),
      },
      body: JSON.stringify(body),
    });

  /** The JSON-RPC responses in an SSE or JSON answer. */
  async function responses(res: Response): Promise<{ id: unknown; result?: unknown }[]> {
    const text = await res.text();
    const bodies = text.includes("data: ")
      ? text
          .split("\n")
          .filter((line) => line.startsWith("data: ") && line.length > 6)
          .map((line) => JSON.parse(line.slice(6)) as unknown)
      : [JSON.parse(text) as unknown];
    return bodies.flat() as { id: unknown; result?: unknown }[];
  }

  async function expectRefused(res: Response, size: number) {
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toMatch(/application\/json/);
    const body = (await res.json()) as {
      jsonrpc: string;
      error: { code: number; message: string };
    };
    expect(body).toMatchObject({ jsonrpc: "2.0", id: null, error: { code: -32600 } });
    expect(body.error.message).toMatch(/at most 4 messages/);
    expect(body.error.message).toContain(`holds ${size}`);
  }

  it.each([5, 62, 100])(
    "refuses a batch of %i tools/list with one error naming the cap",
    async (size) => {
      const batch = Array.from({ length: size }, (_, i) => rpc(i + 1, "tools/list"));
      await expectRefused(await postRaw(batch), size);
    },
  );

  it("refuses an empty batch as JSON-RPC 2.0 asks, without a 5xx", async () => {
    const res = await postRaw([]);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: -32600 }, id: null });
  });

  it("refuses an over-cap batch of tool calls before running any of them", async () => {
    // Three refused batches of 5 fits would pass the 10-a-minute write limit if they ran.
    const fits = Array.from({ length: 5 }, (_, i) =>
      rpc(i + 1, "tools/call", { name: "fit_scaling_law", arguments: { runs: USER_RUNS } }),
    );
    for (let i = 0; i < 3; i++) await expectRefused(await postRaw(fits, "203.0.113.90"), 5);
    const [answer] = await responses(await postRaw(fits[0], "203.0.113.90"));
    expect((answer?.result as ToolResult | undefined)?.isError ?? false).toBe(false);
    expect((answer?.result as ToolResult | undefined)?.structuredContent).toBeDefined();
  });

  it("serves a batch within the cap, each request answered under its own id", async () => {
    const client = await CLIENTS[2]?.connect();
    const listed = await client?.listTools();
    await client?.close();
    const batch = [
      rpc(1, "tools/list"),
      allocation(2, "1e24"),
      allocation(3, "5000 PF-days"),
      rpc(4, "tools/call", { name: "list_fits", arguments: {} }),
    ];
    const res = await postRaw(batch);
    expect(res.status).toBe(200);
    const byId = new Map((await responses(res)).map((r) => [r.id, r.result]));
    expect([...byId.keys()].sort()).toEqual([1, 2, 3, 4]);
    expect(byId.get(1)).toEqual(listed);
    for (const [id, flops] of [
      [2, "1e24"],
      [3, "5000 PF-days"],
    ] as const) {
      const summary = (byId.get(id) as ToolResult).structuredContent as {
        input: string;
        fits: { fit: string; params: number }[];
      };
      const api = (await postAllocate({ flops, include: ["exact"] })) as {
        allocations: { fit: string; params: number }[];
      };
      expect(summary.input).toBe(flops);
      expect(summary.fits.map((f) => [f.fit, f.params])).toEqual(
        api.allocations.map((a) => [a.fit, Number(a.params.toPrecision(4))]),
      );
    }
    expect((byId.get(4) as ToolResult).structuredContent).toEqual(await apiJson("/api/v1/fits"));
  });

  it("lists the same tools on repeated and concurrent calls, in both eras", async () => {
    const clients = await Promise.all(CLIENTS.map((spec) => spec.connect()));
    const first = await Promise.all(clients.map((client) => client.listTools()));
    // 2026-07-28 answers add cache hints and _meta around the same tools.
    for (const listed of first) expect(listed.tools).toEqual(first[0]?.tools);
    for (const [i, client] of clients.entries()) {
      expect(await client.listTools()).toEqual(first[i]);
    }
    const calls = Array.from({ length: 24 }, (_, k) => k % clients.length);
    const concurrent = await Promise.all(calls.map((i) => clients[i]?.listTools()));
    for (const [k, listed] of concurrent.entries()) {
      expect(listed, `call ${k}`).toEqual(first[calls[k] ?? 0]);
    }
    const raw = await Promise.all([1, 2, 3, 4].map(() => postRaw(rpc(7, "tools/list"))));
    for (const res of raw) expect((await responses(res))[0]?.result).toEqual(first[2]);
    await Promise.all(clients.map((client) => client.close()));
  });

  it("answers 20 concurrent compute_optimal_allocation calls each for its own arguments", async () => {
    const clients = await Promise.all(CLIENTS.map((spec) => spec.connect()));
    const budgets = Array.from({ length: 20 }, (_, k) => `${k + 1}e${20 + (k % 5)}`);
    const results = await Promise.all(
      budgets.map((flops, k) =>
        clients[k % clients.length]?.callTool({
          name: "compute_optimal_allocation",
          arguments: { flops, fits: k % 2 ? ["epoch-2024"] : undefined },
        }),
      ),
    );
    for (const [k, result] of results.entries()) {
      const answer = result?.structuredContent as { input: string; asked: number };
      expect(answer.input, `call ${k}`).toBe(budgets[k]);
      expect(answer.asked).toBe(Number(budgets[k]));
      const fits = (result?.structuredContent as { fits: { fit: string }[] } | undefined)?.fits;
      if (k % 2) expect(fits?.map((a) => a.fit)).toEqual(["epoch-2024"]);
      else expect(fits?.length).toBeGreaterThan(1);
    }
    await Promise.all(clients.map((client) => client.close()));
  });

  it("gives each concurrent tool call its own request's client (the write limit)", async () => {
    const limited = "203.0.113.91";
    const fresh = "203.0.113.92";
    const fitCall = (id: number) =>
      rpc(id, "tools/call", { name: "fit_scaling_law", arguments: { runs: USER_RUNS } });
    for (let i = 0; i < 10; i++) await (await postRaw(fitCall(i), limited)).text();
    const ips = Array.from({ length: 10 }, (_, k) => (k % 2 ? fresh : limited));
    const answers = await Promise.all(
      ips.map(
        async (ip, k) => (await responses(await postRaw(fitCall(k), ip)))[0]?.result as ToolResult,
      ),
    );
    for (const [k, answer] of answers.entries()) {
      expect(answer.isError ?? false, `call ${k} from ${ips[k]}`).toBe(ips[k] === limited);
      if (ips[k] === limited) expect(answer.content[0]?.text).toMatch(/429 rate_limited/);
    }
  });
});
