/** Security headers on every kind of response the Worker sends. */
import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { freshApp, seedAll } from "./helpers.ts";

const BASE = "http://calc.test";

const RESPONSES: [string, RequestInit?][] = [
  ["/healthz"],
  ["/api/v1/allocate?flops=1e24"],
  ["/api/v1/allocate?flops=-1"],
  ["/api/v1/allocate?flops=1e24&format=text"],
  ["/1e24"],
  ["/no/such/route"],
  ["/openapi.json"],
  ["/docs"],
  ["/"],
  ["/?flops=-1"],
  ["/embed?flops=1e24"],
  ["/assets/app.js"],
  ["/assets/og.png"],
  ["/mcp", { method: "GET" }],
  ["/slack/commands", { method: "POST", body: "text=1e24" }],
  [
    "/api/v1/allocate",
    {
      method: "OPTIONS",
      headers: { origin: "https://example.com", "access-control-request-method": "GET" },
    },
  ],
];

beforeAll(async () => {
  await seedAll();
});

describe("security headers", () => {
  it.each(RESPONSES)("%s carries nosniff and a referrer policy", async (path, init) => {
    const res = await exports.default.fetch(`${BASE}${path}`, init);
    expect(res.status).toBeLessThan(500);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
    const type = res.headers.get("content-type") ?? "";
    const csp = res.headers.get("content-security-policy") ?? "";
    if (type.includes("text/html")) {
      expect(csp).toMatch(/default-src 'self'/);
      expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
      expect(csp).toMatch(/object-src 'none'/);
    } else if (res.status !== 204 && (await res.clone().arrayBuffer()).byteLength > 0) {
      expect(csp).toMatch(/default-src 'none'|default-src 'self'/);
    }
  });

  it("refuses framing of every HTML page but the embed card", async () => {
    for (const path of ["/", "/?flops=1e24", "/docs"]) {
      const res = await exports.default.fetch(`${BASE}${path}`);
      expect(res.headers.get("x-frame-options"), path).toBe("DENY");
      expect(res.headers.get("content-security-policy"), path).toMatch(/frame-ancestors 'none'/);
    }
    const embed = await exports.default.fetch(`${BASE}/embed?flops=1e24`);
    expect(embed.headers.get("x-frame-options")).toBeNull();
    expect(embed.headers.get("content-security-policy")).toMatch(/frame-ancestors \*/);
  });

  it("never logs or reflects the Slack signing secret", async () => {
    const secret = "s3cr3t-signing-value";
    const { app, logs } = freshApp();
    const bindings = { ...env, SLACK_SIGNING_SECRET: secret };
    const timestamp = String(Math.floor(Date.now() / 1000));
    const attempts: RequestInit[] = [
      { method: "POST", body: "text=1e24" },
      {
        method: "POST",
        body: "text=1e24",
        headers: {
          "x-slack-request-timestamp": timestamp,
          "x-slack-signature": `v0=${"0".repeat(64)}`,
        },
      },
      { method: "POST", body: `text=${secret}` },
    ];
    for (const init of attempts) {
      const res = await app.request("/slack/commands", init, bindings);
      expect(res.status).toBe(401);
      const text = await res.text();
      expect(text).not.toContain(secret.slice(0, 8));
    }
    const noSecret = freshApp();
    await noSecret.app.request("/slack/commands", attempts[0], env);
    expect(noSecret.logs.join(" ")).toMatch(/SLACK_SIGNING_SECRET is not set/);
    expect([...logs, ...noSecret.logs].join(" ")).not.toContain(secret.slice(0, 8));
  });
});
