import type { StandardSchemaWithJSON } from "@modelcontextprotocol/server";

type JsonSchema = Record<string, unknown>;
type Io = "input" | "output";

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/**
 * The same schema, converting itself to JSON Schema once per isolate and conversion target.
 *
 * The SDK converts every tool's input and output schema on every `tools/list` (and the input
 * schema again on every 2026 `tools/call`), and `createMcpHandler` needs a fresh server per
 * request, so without this each request paid for zod's conversion of every tool. The converted
 * schema is deep-frozen because every request shares it: code that tried to change it would
 * throw instead of changing what later requests advertise. Validation is the original's.
 */
export function convertedOnce<Schema extends StandardSchemaWithJSON>(schema: Schema): Schema {
  const standard = schema["~standard"];
  const converted = new Map<string, JsonSchema>();
  const convert =
    (io: Io) =>
    (options: Parameters<typeof standard.jsonSchema.input>[0]): JsonSchema => {
      const key = `${io} ${JSON.stringify(options)}`;
      let json = converted.get(key);
      if (json === undefined) {
        json = deepFreeze(standard.jsonSchema[io](options));
        converted.set(key, json);
      }
      return json;
    };
  return {
    "~standard": {
      ...standard,
      jsonSchema: { input: convert("input"), output: convert("output") },
    },
  } as Schema;
}
