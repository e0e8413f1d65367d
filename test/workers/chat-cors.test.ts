import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

const BASE = "http://calc.test";
const ORIGIN = "https://some-app.example";

const preflight = (path: string, method: string, headers = "content-type") =>
  exports.default.fetch(`${BASE}${path}`, {
    method: "OPTIONS",
    headers: {
      origin: ORIGIN,
      "access-control-request-method": method,
      "access-control-request-headers": headers,
    },
  });

describe("CORS", () => {
  it.each([
    ["/api/v1/allocate", "GET"],
    ["/api/v1/allocate", "POST"],
    ["/api/v1/predict", "GET"],
    ["/openapi.json", "GET"],
    ["/mcp", "POST"],
  ])("answers the preflight for %s %s", async (path, method) => {
    const res = await preflight(path, method, "content-type, mcp-protocol-version");
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("access-control-allow-methods")).toMatch(new RegExp(method));
    expect(res.headers.get("access-control-allow-headers")).toMatch(/content-type/i);
    expect(res.headers.get("access-control-allow-headers")).toMatch(/mcp-protocol-version/i);
    expect(res.headers.get("access-control-allow-credentials")).toBeNull();
  });

  it("marks answers and error envelopes readable from any origin", async () => {
    for (const path of [
      "/api/v1/allocate?flops=1e24",
      "/api/v1/allocate?flops=-1",
      "/api/v1/fits/nope",
      "/openapi.json",
    ]) {
      const res = await exports.default.fetch(`${BASE}${path}`, { headers: { origin: ORIGIN } });
      expect(res.headers.get("access-control-allow-origin"), path).toBe("*");
      expect(res.headers.get("access-control-allow-credentials"), path).toBeNull();
    }
    const post = await exports.default.fetch(`${BASE}/api/v1/allocate`, {
      method: "POST",
      headers: { origin: ORIGIN, "content-type": "application/json" },
      body: JSON.stringify({ flops: 1e24 }),
    });
    expect(post.status).toBe(200);
    expect(post.headers.get("access-control-allow-origin")).toBe("*");
  });

  it("is not offered on the Slack endpoint", async () => {
    const res = await preflight("/slack/commands", "POST");
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
  });
});
