import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

interface Parameter {
  name: string;
  in: string;
  description?: string;
  example?: unknown;
  schema?: { example?: unknown };
}

interface Operation {
  operationId?: string;
  summary?: string;
  description?: string;
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: Record<string, unknown> }> };
  responses: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }>;
}

interface Document {
  openapi: string;
  servers: { url: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, { properties?: Record<string, { example?: unknown }> }> };
}

const METHODS = new Set(["get", "post", "put", "patch", "delete"]);

async function documentFrom(origin: string): Promise<Document> {
  const res = await exports.default.fetch(`${origin}/openapi.json`);
  expect(res.status).toBe(200);
  return (await res.json()) as Document;
}

function operationsOf(document: Document) {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.has(method))
      .map(([method, operation]) => ({ label: `${method.toUpperCase()} ${path}`, operation })),
  );
}

describe("GET /openapi.json", () => {
  it("is OpenAPI 3.1 with the serving host as its server", async () => {
    for (const origin of ["https://calc.example.com", "http://localhost:8788"]) {
      const document = await documentFrom(origin);
      expect(document.openapi).toBe("3.1.0");
      expect(document.servers).toEqual([expect.objectContaining({ url: origin })]);
    }
  });

  it("gives every operation a unique operationId, and a summary and description within GPT limits", async () => {
    const operations = operationsOf(await documentFrom("https://calc.example.com"));
    expect(operations.length).toBeGreaterThanOrEqual(6);
    const ids = operations.map(({ operation }) => operation.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { label, operation } of operations) {
      // OpenAI "Production notes on GPT Actions": 300 characters per summary/description,
      // operationId as a function name ^[a-zA-Z0-9_-]{1,64}$.
      expect(operation.operationId, label).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
      expect(operation.summary?.length ?? 0, label).toBeGreaterThan(10);
      expect(operation.summary?.length ?? 0, label).toBeLessThanOrEqual(300);
      expect(operation.description?.length ?? 0, label).toBeGreaterThan(20);
      expect(operation.description?.length ?? 0, label).toBeLessThanOrEqual(300);
    }
  });

  it("describes every parameter within 700 characters, with an example", async () => {
    const operations = operationsOf(await documentFrom("https://calc.example.com"));
    for (const { label, operation } of operations) {
      for (const parameter of operation.parameters ?? []) {
        const where = `${label} ${parameter.name}`;
        expect(parameter.description?.length ?? 0, where).toBeGreaterThan(0);
        expect(parameter.description?.length ?? 0, where).toBeLessThanOrEqual(700);
        expect(parameter.example ?? parameter.schema?.example, where).toBeDefined();
      }
    }
  });

  it("gives every JSON request body examples", async () => {
    const document = await documentFrom("https://calc.example.com");
    for (const { label, operation } of operationsOf(document)) {
      const schema = operation.requestBody?.content["application/json"]?.schema;
      if (!schema) continue;
      const ref = (schema.$ref as string | undefined)?.replace("#/components/schemas/", "");
      const properties = ref ? document.components.schemas[ref]?.properties : schema.properties;
      const examples = Object.values(properties ?? {}).filter((p) => p.example !== undefined);
      expect(examples.length, label).toBeGreaterThan(0);
    }
  });

  it("answers errors with the error envelope in every operation", async () => {
    const document = await documentFrom("https://calc.example.com");
    expect(Object.keys(document.components.schemas)).toContain("Error");
    for (const { label, operation } of operationsOf(document)) {
      const errors = Object.entries(operation.responses).filter(
        ([status]) => status === "default" || Number(status) >= 400,
      );
      expect(errors.length, label).toBeGreaterThan(0);
      for (const [status, response] of errors) {
        expect(response.content?.["application/json"]?.schema?.$ref, `${label} ${status}`).toBe(
          "#/components/schemas/Error",
        );
      }
    }
  });
});

describe("GET /docs", () => {
  it("renders every operation offline, with curl lines for the serving host", async () => {
    const origin = "https://calc.example.com";
    const res = await exports.default.fetch(`${origin}/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await res.text();
    for (const { operation } of operationsOf(await documentFrom(origin))) {
      expect(html).toContain(`id="${operation.operationId}"`);
    }
    const urls = [...html.matchAll(/https?:\/\/[^\s"'<&]+/g)].map((m) => m[0]);
    expect(urls.length).toBeGreaterThan(0);
    for (const url of urls) expect(url.startsWith(origin), url).toBe(true);
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|<img /);
    expect(html).toContain(`curl &#39;${origin}/api/v1/allocate?flops=1e24&#39;`);
  });
});
