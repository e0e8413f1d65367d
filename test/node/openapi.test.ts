/**
 * Validates the served OpenAPI document with a real validator. The validator needs Node (it
 * reads its meta-schemas from disk and compiles them with ajv), so this runs in the node
 * project against the built Worker (`npm run build` first) inside Miniflare.
 */
import { existsSync, readFileSync } from "node:fs";
import { Validator } from "@seriousme/openapi-schema-validator";
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const BUNDLE = "dist/index.js";

let mf: Miniflare;

beforeAll(async () => {
  if (!existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run npm run build first`);
  mf = new Miniflare({
    cf: false,
    workers: [
      {
        config: {
          name: "compute-optimal",
          compatibilityDate: "2026-11-01",
          compatibilityFlags: ["nodejs_compat"],
          manifest: {
            mainModule: "index.js",
            modules: { "index.js": { type: "esm", contents: readFileSync(BUNDLE, "utf8") } },
          },
          env: { FITS: { type: "kv", id: "FITS" } },
        },
      },
    ],
  });
});

afterAll(async () => {
  await mf?.dispose();
});

async function documentFrom(origin: string): Promise<Record<string, unknown>> {
  const res = await mf.dispatchFetch(`${origin}/openapi.json`);
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

describe("the built Worker's /openapi.json", () => {
  it("is a valid OpenAPI 3.1 document", async () => {
    const document = await documentFrom("https://calc.example.com");
    const validator = new Validator();
    const result = await validator.validate(document);
    expect(result.errors, JSON.stringify(result.errors, null, 1)?.slice(0, 2000)).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
  });

  it("names the host it was served from", async () => {
    for (const origin of ["https://calc.example.com", "http://127.0.0.1:8790"]) {
      const document = await documentFrom(origin);
      expect(document.servers).toEqual([expect.objectContaining({ url: origin })]);
    }
  });

  it("rejects a broken document (the validator is not a rubber stamp)", async () => {
    const document = await documentFrom("https://calc.example.com");
    const broken = { ...document, paths: { "/x": { get: { responses: "none" } } } };
    expect((await new Validator().validate(broken)).valid).toBe(false);
  });
});
