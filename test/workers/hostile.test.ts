/**
 * Hostile and random input against every route, inside workerd. Properties: never a 5xx, API
 * errors are the JSON envelope, no NaN or Infinity in any body, and user input is never
 * reflected unescaped into HTML.
 */
import { env, exports } from "cloudflare:workers";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshApp, seedAll, signSlack } from "./helpers.ts";

const BASE = "http://calc.test";
let tried = 0;

const NASTY = [
  "1e400",
  "-1e400",
  "1e-400",
  "-0",
  "0",
  "NaN",
  "Infinity",
  "-Infinity",
  "0x1F",
  "1_000",
  "1,000,000",
  "١٠٠",
  "１０２４",
  "1e24; DROP TABLE fits;--",
  "' OR 1=1 --",
  "<script>alert(1)</script>",
  '"><img src=x onerror=alert(1)>',
  "{{7*7}}",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection probe, on purpose
  "${7*7}",
  "%00",
  "\u0000",
  "\uFFFF",
  "\uD800",
  "1e24\n2e24",
  "9".repeat(400),
  "1".padEnd(5000, "0"),
  "1e24 FLOPs ".repeat(30),
  "1M H100-hours @ 9999% MFU",
  "10^999999",
  "1.5E+24",
  "5000 PF-days",
  "70B",
];

const valueArb = fc.oneof(
  fc.constantFrom(...NASTY),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 30 }),
  fc.double().map(String),
  fc.integer().map(String),
  fc.constantFrom("1e24", "2T", "70B", "2.0"),
);

const KEYS = [
  "flops",
  "params",
  "tokens",
  "loss",
  "fit",
  "kaplanBudget",
  "gpu",
  "gpus",
  "mfu",
  "uniqueTokens",
  "inferenceTokens",
  "format",
];

const queryArb = fc
  .array(fc.tuple(fc.constantFrom(...KEYS), valueArb), { maxLength: 5 })
  .map((pairs) => {
    const params = new URLSearchParams();
    for (const [key, value] of pairs) params.append(key, value);
    return params.toString();
  });

const GET_PATHS = [
  "/api/v1/allocate",
  "/api/v1/predict",
  "/api/v1/plan/inference",
  "/api/v1/plan/data",
  "/api/v1/fits",
  "/",
  "/embed",
];

function isHtml(res: Response): boolean {
  return (res.headers.get("content-type") ?? "").includes("text/html");
}

/** Checks one response against the properties; returns a reason when one fails. */
async function violation(
  res: Response,
  inputs: readonly string[],
  protocol = false,
): Promise<string | undefined> {
  const text = await res.text();
  if (res.status >= 500) return `status ${res.status}: ${text.slice(0, 200)}`;
  const type = res.headers.get("content-type") ?? "";
  if (type.includes("application/json")) {
    const outsideStrings = text.replaceAll(/"(?:[^"\\]|\\.)*"/g, '""');
    if (/\bNaN\b|\bInfinity\b/.test(outsideStrings)) return "NaN or Infinity in JSON";
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return "invalid JSON";
    }
    if (res.status >= 400 && !protocol) {
      const error = (body as { error?: { code?: unknown; message?: unknown } }).error;
      if (typeof error?.code !== "string" || typeof error.message !== "string")
        return "error without the envelope";
    }
  }
  if (isHtml(res)) {
    for (const input of inputs) {
      if (/[<>"']/.test(input) && input.length > 3 && text.includes(input))
        return `unescaped reflection of ${input}`;
    }
  }
  return undefined;
}

beforeAll(async () => {
  await seedAll();
});

afterAll(() => {
  console.log(`hostile input: tried ${tried} requests`);
});

describe("hostile input", () => {
  it("GET routes never fail, leak NaN or reflect raw input", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...GET_PATHS), queryArb, async (path, query) => {
        tried += 1;
        const res = await exports.default.fetch(`${BASE}${path}?${query}`);
        const problem = await violation(res, [...new URLSearchParams(query).values()]);
        expect(problem, `${path}?${query}`).toBeUndefined();
      }),
      { numRuns: 400 },
    );
  });

  it("POST bodies of any shape and content type never fail", async () => {
    const bodyArb = fc.oneof(
      fc.json({ maxDepth: 3 }),
      fc
        .record({ flops: valueArb, fit: fc.oneof(valueArb, fc.array(valueArb, { maxLength: 40 })) })
        .map((o) => JSON.stringify(o)),
      fc.constantFrom(
        "{",
        "[]",
        "null",
        "1e400",
        '{"flops":1e400}',
        '{"flops":-0}',
        '{"runs":[]}',
        '{"runs":"x"}',
      ),
      fc.string({ maxLength: 200 }),
    );
    const typeArb = fc.constantFrom(
      "application/json",
      "text/csv",
      "text/plain",
      "application/x-www-form-urlencoded",
      "",
      "application/json; charset=utf-16",
    );
    const pathArb = fc.constantFrom("/api/v1/allocate", "/api/v1/fits", "/slack/commands", "/mcp");
    await fc.assert(
      fc.asyncProperty(pathArb, typeArb, bodyArb, async (path, type, body) => {
        tried += 1;
        const res = await exports.default.fetch(`${BASE}${path}`, {
          method: "POST",
          headers: type
            ? { "content-type": type, accept: "application/json, text/event-stream" }
            : {},
          body,
        });
        // /mcp answers protocol errors in JSON-RPC form, not the API envelope.
        const problem = await violation(res, [body], path === "/mcp");
        expect(problem, `${path} ${type} ${body.slice(0, 100)}`).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });

  it("survives a 1 MB body, invalid UTF-8 and repeated parameters", async () => {
    const huge = JSON.stringify({ flops: "1e24", pad: "x".repeat(1024 * 1024) });
    const bodies: [string, BodyInit, string][] = [
      ["/api/v1/allocate", huge, "application/json"],
      ["/api/v1/fits", huge, "application/json"],
      ["/api/v1/fits", `params,tokens,loss\n${"1,1,1\n".repeat(200_000)}`, "text/csv"],
      ["/slack/commands", `text=${"1".repeat(1024 * 1024)}`, "application/x-www-form-urlencoded"],
      [
        "/api/v1/allocate",
        new Uint8Array([0x7b, 0x22, 0x66, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]),
        "application/json",
      ],
      ["/mcp", huge, "application/json"],
    ];
    for (const [path, body, type] of bodies) {
      tried += 1;
      const res = await exports.default.fetch(`${BASE}${path}`, {
        method: "POST",
        headers: { "content-type": type },
        body,
      });
      expect(await violation(res, [], path === "/mcp"), path).toBeUndefined();
    }
    const repeated = `${BASE}/api/v1/allocate?${"flops=1e24&".repeat(500)}`;
    tried += 1;
    const res = await exports.default.fetch(repeated);
    expect(res.status).toBe(400);
    expect(await violation(res, [])).toBeUndefined();
  });

  it("signed Slack commands with hostile text answer 200 with escaped, bounded Block Kit", async () => {
    const secret = "hostile-test-secret";
    const { app } = freshApp();
    const bindings = { ...env, SLACK_SIGNING_SECRET: secret };
    const textArb = fc.oneof(
      valueArb,
      fc
        .array(
          fc.oneof(
            valueArb,
            fc.constantFrom(
              "params",
              "tokens",
              "loss",
              "fit",
              "inference",
              "unique",
              "gpu",
              "public",
              "help",
            ),
          ),
          { maxLength: 6 },
        )
        .map((w) => w.join(" ")),
    );
    await fc.assert(
      fc.asyncProperty(textArb, async (text) => {
        tried += 1;
        const body = new URLSearchParams({
          command: "/chinchilla",
          text,
          user_id: "U1",
          // Slack gives every command its own trigger_id, so no two are identical (replays are refused).
          trigger_id: `T${tried}`,
        }).toString();
        const timestamp = String(Math.floor(Date.now() / 1000));
        const signature = await signSlack(secret, timestamp, body);
        const res = await app.request(
          "/slack/commands",
          {
            method: "POST",
            headers: {
              "content-type": "application/x-www-form-urlencoded",
              "x-slack-request-timestamp": timestamp,
              "x-slack-signature": signature,
            },
            body,
          },
          bindings,
        );
        if (text.length > 8000) return;
        expect(res.status, text).toBe(200);
        const message = (await res.json()) as {
          response_type?: string;
          text?: string;
          blocks?: unknown[];
        };
        expect(["ephemeral", "in_channel"]).toContain(message.response_type);
        expect(message.blocks?.length ?? 0).toBeLessThanOrEqual(50);
        const raw = JSON.stringify(message);
        // User text is echoed in errors, but only escaped for mrkdwn.
        expect(raw).not.toMatch(/<script|<img/);
      }),
      { numRuns: 200 },
    );
  });

  it("MCP tool calls with hostile arguments give tool errors, never a failed request", async () => {
    const argsArb = fc.dictionary(
      fc.constantFrom(
        "flops",
        "params",
        "tokens",
        "loss",
        "fits",
        "fit",
        "kaplanBudget",
        "gpu",
        "gpus",
        "mfu",
        "inferenceTokens",
        "uniqueTokens",
        "runs",
        "bootstrap",
      ),
      fc.oneof(
        valueArb,
        fc.double(),
        fc.integer(),
        fc.array(valueArb, { maxLength: 3 }),
        fc.constant(null),
        fc.json({ maxDepth: 2 }).map((j) => JSON.parse(j) as unknown),
      ),
      { maxKeys: 4 },
    );
    const toolArb = fc.constantFrom(
      "compute_optimal_allocation",
      "predict_loss",
      "list_fits",
      "plan_inference",
      "plan_data",
      "fit_scaling_law",
      "no_such_tool",
    );
    await fc.assert(
      fc.asyncProperty(toolArb, argsArb, async (name, args) => {
        tried += 1;
        const res = await exports.default.fetch(`${BASE}/mcp`, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            accept: "application/json, text/event-stream",
            "mcp-protocol-version": "2025-11-25",
            "cf-connecting-ip": `198.18.${tried % 250}.${Math.floor(tried / 250) % 250}`,
          },
          body: JSON.stringify({
            jsonrpc: "2.0",
            id: 1,
            method: "tools/call",
            params: { name, arguments: args },
          }),
        });
        const text = await res.text();
        expect(res.status, text.slice(0, 300)).toBeLessThan(500);
        const data = text.startsWith("event:") ? (text.split("\ndata: ")[1] ?? "") : text;
        const message = JSON.parse(data) as { result?: { isError?: boolean }; error?: unknown };
        expect(message.result !== undefined || message.error !== undefined).toBe(true);
        expect(data).not.toMatch(/\bNaN\b/);
      }),
      { numRuns: 200 },
    );
  });
});
