import { describe, expect, it } from "vitest";
import { z } from "zod";
import { portableSchema } from "../../src/chat/mcp/portable-schema.ts";

describe("portableSchema", () => {
  const schema = z.object({ range: z.tuple([z.number(), z.number()]), label: z.string() });
  const options = { target: "draft-2020-12" } as const;

  it("advertises tuples that draft-07 validators read as fixed-length arrays", () => {
    const original = schema["~standard"].jsonSchema.output(options) as {
      properties: { range: Record<string, unknown> };
    };
    expect(original.properties.range.items).toBe(false);
    const portable = portableSchema(schema)["~standard"].jsonSchema.output(options) as {
      properties: { range: Record<string, unknown> };
    };
    expect(portable.properties.range).toMatchObject({
      type: "array",
      prefixItems: [{ type: "number" }, { type: "number" }],
      items: { anyOf: [{ type: "number" }, { type: "number" }] },
      minItems: 2,
      maxItems: 2,
    });
  });

  it("validates exactly like the zod schema", async () => {
    const portable = portableSchema(schema)["~standard"];
    const good = { range: [1, 2], label: "x" };
    expect(await portable.validate(good)).toEqual(await schema["~standard"].validate(good));
    const bad = await portable.validate({ range: [1], label: "x" });
    expect("issues" in bad && bad.issues?.length).toBeGreaterThan(0);
  });
});
