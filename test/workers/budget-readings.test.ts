/**
 * Budgets through every door (issue 11): a bare count as a budget is ambiguous (400
 * ambiguous_quantity with its readings, as links on the page and commands in Slack), new
 * phrasings, zero and other radixes, and one MFU for a GPU-time budget and its training time.
 */
import { env, exports } from "cloudflare:workers";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AllocateAnswerJson as AllocateAnswer } from "../../src/api/lean.ts";
import type { DataPlanAnswer } from "../../src/service/plans.ts";
import type { SlackMessage } from "../../src/slack/blocks.ts";
import { commandWithReading, parseCommandText } from "../../src/slack/command.ts";
import { type ErrorEnvelope, fetchPage, freshApp, seedAll, signSlack } from "./helpers.ts";

const BASE = "http://calc.test";
const SECRET = "test-secret";
const READINGS = [
  { field: "params", value: "70B" },
  { field: "tokens", value: "70B" },
  { field: "flops", value: "70B FLOPs" },
];
const H100_30_DAYS_HOURS = 1024 * 30 * 24;

const get = (path: string, init?: RequestInit) => exports.default.fetch(`${BASE}${path}`, init);

async function refused(res: Response, status = 400) {
  const raw = await res.text();
  expect(res.status, raw).toBe(status);
  return JSON.parse(raw) as ErrorEnvelope & {
    error: { readings?: { field: string; value: string }[] };
  };
}

async function answer<T = AllocateAnswer>(path: string): Promise<T> {
  const res = await get(path);
  const raw = await res.text();
  expect(res.status, raw).toBe(200);
  return JSON.parse(raw) as T;
}

const postAllocate = (body: unknown) =>
  get("/api/v1/allocate", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });

/** Sends `text` as a correctly signed slash command and returns Slack's JSON message. */
async function slack(text: string): Promise<SlackMessage> {
  const body = new URLSearchParams({ command: "/chinchilla", text, user_id: "U1" }).toString();
  const timestamp = String(Math.floor(Date.now() / 1000));
  const { app } = freshApp();
  const res = await app.request(
    `${BASE}/slack/commands`,
    {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "x-slack-request-timestamp": timestamp,
        "x-slack-signature": await signSlack(SECRET, timestamp, body),
      },
      body,
    },
    { ...env, SLACK_SIGNING_SECRET: SECRET },
  );
  expect(res.status).toBe(200);
  return (await res.json()) as SlackMessage;
}

const hrefsOf = (html: string) =>
  [...html.matchAll(/<a href="([^"]+)" data-field="([a-z]+)"/g)].map((m) => ({
    href: (m[1] ?? "").replaceAll("&amp;", "&"),
    field: m[2],
  }));

beforeAll(async () => {
  await seedAll();
});

describe("a bare count as a budget is ambiguous", () => {
  it("GET /api/v1/allocate?flops=70B is 400 ambiguous_quantity with the three readings", async () => {
    const { error } = await refused(await get("/api/v1/allocate?flops=70B"));
    expect(Object.keys(error).sort()).toEqual(["code", "expected", "field", "message", "readings"]);
    expect(error.code).toBe("ambiguous_quantity");
    expect(error.field).toBe("flops");
    expect(error.message).toMatch(/params=70B .*tokens=70B .*flops=70B FLOPs/);
    expect(error.readings).toEqual(READINGS);
  });

  it("answers each reading, and FLOPs written as FLOPs", async () => {
    const params = await answer("/api/v1/allocate?params=70B");
    expect(params.query.params).toBe(70e9);
    const tokens = await answer("/api/v1/allocate?tokens=70B");
    expect(tokens.query.tokens).toBe(70e9);
    for (const flops of ["70B%20FLOPs", "7e10", "70e9"]) {
      expect((await answer(`/api/v1/allocate?flops=${flops}`)).query.flops).toBe(7e10);
    }
  });

  it("POST answers the same, and a JSON number is FLOPs", async () => {
    const { error } = await refused(await postAllocate({ flops: "70B" }));
    expect(error.code).toBe("ambiguous_quantity");
    expect(error.readings).toEqual(READINGS);
    const res = await postAllocate({ flops: 7e10 });
    expect(res.status).toBe(200);
    expect(((await res.json()) as AllocateAnswer).query.flops).toBe(7e10);
  });

  it("a plan offers only the budget reading", async () => {
    const { error } = await refused(await get("/api/v1/plan/data?flops=70B&uniqueTokens=500B"));
    expect(error.code).toBe("ambiguous_quantity");
    expect(error.readings).toEqual([{ field: "flops", value: "70B FLOPs" }]);
    expect(error.message).not.toMatch(/params=/);
  });

  it("the plain-text door: GET /70B", async () => {
    const res = await get("/70B");
    const body = await res.text();
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(body).toMatch(/^error 400 ambiguous_quantity: flops: .*params=70B.*70B FLOPs/);
    expect((await get("/70B%20FLOPs")).status).toBe(200);
  });

  it("the page shows the readings as links that answer", async () => {
    const { html } = await fetchPage(`${BASE}/?flops=70B`, 400);
    expect(html).toMatch(/ambiguous/);
    const links = hrefsOf(html);
    expect(links).toEqual([
      { href: "/?params=70B", field: "params" },
      { href: "/?tokens=70B", field: "tokens" },
      { href: "/?flops=70B+FLOPs", field: "flops" },
    ]);
    for (const { href } of links) await fetchPage(`${BASE}${href}`, 200);
    const partial = await fetchPage(`${BASE}/partials/result?flops=70B`, 200);
    expect(hrefsOf(partial.html)).toEqual(links);
  });

  it("the page's links keep the fit selection and hardware", async () => {
    const { html } = await fetchPage(
      `${BASE}/?flops=70B&fit=chinchilla-approach3&gpu=H100&gpus=8`,
      400,
    );
    expect(hrefsOf(html).map((l) => l.href)).toEqual([
      "/?params=70B&fit=chinchilla-approach3&gpu=H100&gpus=8",
      "/?tokens=70B&fit=chinchilla-approach3&gpu=H100&gpus=8",
      "/?flops=70B+FLOPs&fit=chinchilla-approach3&gpu=H100&gpus=8",
    ]);
  });

  it("Slack answers with commands for the readings, and each command answers", async () => {
    const message = await slack("70B");
    expect(message.text).toMatch(/^:warning: Could not answer `\/chinchilla 70B`: .*ambiguous/);
    expect(message.text).toContain(
      "_Did you mean_ `/chinchilla params 70B` or `/chinchilla tokens 70B` or `/chinchilla 70B FLOPs`?",
    );
    for (const suggestion of ["params 70B", "tokens 70B", "70B FLOPs"]) {
      const reply = await slack(suggestion);
      expect(reply.text, suggestion).not.toMatch(/:warning:/);
      expect(reply.blocks?.length, suggestion).toBeGreaterThan(0);
    }
  });

  it("Slack's commands keep the other clauses and read back to the same request", () => {
    const parsed = parseCommandText("70B fit chinchilla-approach3 gpu H100 gpus 8 public");
    if (parsed.kind !== "allocate") throw new Error(parsed.kind);
    for (const reading of READINGS) {
      const text = commandWithReading(parsed, reading);
      const again = parseCommandText(text);
      expect(again, text).toEqual({
        kind: "allocate",
        public: true,
        request: {
          [reading.field]: reading.value,
          fit: "chinchilla-approach3",
          gpu: "H100",
          gpus: "8",
        },
      });
    }
    const plan = parseCommandText("70B unique 500B");
    if (plan.kind !== "data") throw new Error(plan.kind);
    expect(parseCommandText(commandWithReading(plan, READINGS[2] as never))).toMatchObject({
      kind: "data",
      request: { flops: "70B FLOPs", uniqueTokens: "500B" },
    });
  });

  describe("MCP", () => {
    const client = new Client({ name: "test", version: "0" });
    beforeAll(async () => {
      const fetch = (input: string | URL | Request, init?: RequestInit) =>
        exports.default.fetch(new Request(input, init));
      await client.connect(new StreamableHTTPClientTransport(new URL(`${BASE}/mcp`), { fetch }));
    });
    afterAll(async () => {
      await client.close();
    });

    it("refuses flops '70B' naming the readings, and takes 7e10 as FLOPs", async () => {
      const refusedCall = (await client.callTool({
        name: "compute_optimal_allocation",
        arguments: { flops: "70B" },
      })) as { isError?: boolean; content: { text?: string }[] };
      expect(refusedCall.isError).toBe(true);
      expect(refusedCall.content[0]?.text).toMatch(
        /error 400 ambiguous_quantity: .*params=70B.*tokens=70B.*flops=70B FLOPs/,
      );
      const ok = (await client.callTool({
        name: "compute_optimal_allocation",
        arguments: { flops: 7e10 },
      })) as { isError?: boolean; structuredContent?: { asked: number } };
      expect(ok.isError).toBeFalsy();
      expect(ok.structuredContent?.asked).toBe(7e10);
    });
  });
});

describe("phrasings, zero and radixes", () => {
  it.each([
    ["1024%20x%20H100%20x%2030%20days%20%40%2035%25%20MFU", 1024 * 30 * 24 * 3600 * 989e12 * 0.35],
    ["1%20yottaFLOP", 1e24],
    ["1%20YFLOP", 1e24],
    ["3%20zettaFLOPs", 3e21],
    ["5%20EFLOP", 5e18],
    ["1e24", 1e24],
  ])("flops=%s", async (flops, expected) => {
    const { query } = await answer(`/api/v1/allocate?flops=${flops}&include=exact`);
    expect((query.flops ?? 0) / expected).toBeCloseTo(1, 12);
  });

  it.each(["0T", "0e0"])("flops=%s is refused as not above zero", async (flops) => {
    const { error } = await refused(await get(`/api/v1/allocate?flops=${flops}`));
    expect(error.message).toBe(`flops: ${flops} must be greater than zero`);
  });

  it.each([
    ["0x10", "hexadecimal", 16],
    ["0o17", "octal", 15],
    ["0b101", "binary", 5],
  ])("gpus=%s is refused (%s literal) through GET, the page and Slack", async (gpus, radix, n) => {
    const pattern = new RegExp(`gpus: "${gpus}" is an? ${radix} literal.*would be ${n}`);
    const { error } = await refused(await get(`/api/v1/allocate?flops=1e24&gpu=H100&gpus=${gpus}`));
    expect(error.field).toBe("gpus");
    expect(error.message).toMatch(pattern);
    const { html } = await fetchPage(`${BASE}/?flops=1e24&gpu=H100&gpus=${gpus}`, 400);
    expect(html).toMatch(new RegExp(`${radix} literal`));
    expect((await slack(`1e24 gpu H100 gpus ${gpus}`)).text).toMatch(
      new RegExp(`${radix} literal`),
    );
    const { error: asFlops } = await refused(await get(`/api/v1/allocate?params=${gpus}`));
    expect(asFlops.message).toMatch(new RegExp(`${radix} literal`));
  });
});

describe("one MFU for a GPU-time budget", () => {
  it("reads the budget at mfu=50% and trains it in the 30 days it names", async () => {
    const a = await answer(
      "/api/v1/allocate?flops=1024%20H100%20x%2030%20days&mfu=50%25&include=exact",
    );
    expect((a.query.flops ?? 0) / (H100_30_DAYS_HOURS * 3600 * 989e12 * 0.5)).toBeCloseTo(1, 12);
    expect(a.query.interpretation).toMatch(/50% MFU \(the request's mfu\)/);
    for (const allocation of a.allocations) {
      expect(allocation.training?.days).toBeCloseTo(30, 9);
      expect(allocation.training?.gpuHours).toBeCloseTo(H100_30_DAYS_HOURS, 6);
    }
  });

  it("refuses two different MFUs, naming mfu, and accepts the same one twice", async () => {
    const { error } = await refused(
      await get("/api/v1/allocate?flops=1024%20H100%20x%2030%20days%20%40%2035%25%20MFU&mfu=50%25"),
    );
    expect(error).toMatchObject({ code: "conflicting_question", field: "mfu" });
    expect(error.message).toMatch(/^mfu: the budget says 35% MFU but mfu is 50%/);
    await answer(
      "/api/v1/allocate?flops=1024%20H100%20x%2030%20days%20%40%2050%25%20MFU&mfu=0.5&include=exact",
    );
    const post = await postAllocate({ flops: "1M H100-hours @ 35% MFU", mfu: 0.5 });
    expect((await refused(post)).error.code).toBe("conflicting_question");
  });

  it("the page's plans read the budget at the section's MFU", async () => {
    const search = "flops=1024+H100+x+30+days&uniqueTokens=500B&mfu=50%25";
    const { html } = await fetchPage(`${BASE}/?${search}`, 200);
    expect(html).toMatch(/Training time: <data value="30"/);
    expect(html).toContain("× 50% MFU (the request&#39;s mfu) × 3600 s/h = 1.31e24 FLOPs");
    // The same budget as the plan API reads it with the MFU in its text.
    const plan = await answer<DataPlanAnswer>(
      "/api/v1/plan/data?flops=1024%20H100%20x%2030%20days%20%40%2050%25%20MFU&uniqueTokens=500B",
    );
    expect(html).toContain(`<data value="${plan.params}"`);
    await fetchPage(`${BASE}/?${search.replace("days", "days+%40+35%25+MFU")}`, 400);
  });

  it("Slack reads `mfu 50%` into the budget too", async () => {
    const message = await slack("1024 H100 x 30 days mfu 50%");
    const texts = JSON.stringify(message);
    expect(texts).toMatch(/30 days on 1,024 GPUs/);
    expect((await slack("1024 H100 x 30 days @ 35% MFU mfu 50%")).text).toMatch(
      /35% MFU but mfu is 50%/,
    );
  });
});
