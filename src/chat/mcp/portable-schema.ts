import type { StandardSchemaWithJSON } from "@modelcontextprotocol/server";

type JsonSchema = Record<string, unknown>;

/**
 * Rewrites 2020-12 tuples (`prefixItems` + `items: false`) so that draft-07 validators, such
 * as the one in 2025-era SDK clients, read them the same way: every item matches one of the
 * tuple's schemas and the length is fixed. 2020-12 validators see the same constraint.
 */
export function portableTuples(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(portableTuples);
  if (typeof node !== "object" || node === null) return node;
  const schema = Object.fromEntries(
    Object.entries(node).map(([key, value]) => [key, portableTuples(value)]),
  ) as JsonSchema;
  const prefix = schema.prefixItems;
  if (Array.isArray(prefix) && schema.items === false) {
    schema.items = { anyOf: prefix };
    schema.minItems ??= prefix.length;
    schema.maxItems = prefix.length;
  }
  return schema;
}

/** The same schema, advertising JSON Schema that 2025-era and 2026 MCP clients both read. */
export function portableSchema<Schema extends StandardSchemaWithJSON>(schema: Schema): Schema {
  const standard = schema["~standard"];
  const convert =
    (io: "input" | "output") =>
    (options: Parameters<typeof standard.jsonSchema.input>[0]): JsonSchema =>
      portableTuples(standard.jsonSchema[io](options)) as JsonSchema;
  return {
    "~standard": {
      ...standard,
      jsonSchema: { input: convert("input"), output: convert("output") },
    },
  } as Schema;
}
