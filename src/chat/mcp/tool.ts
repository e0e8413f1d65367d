import type { McpServer } from "@modelcontextprotocol/server";
import type { Context } from "hono";
import type { z } from "zod";
import { ApiError } from "../../contract/errors.ts";
import type { AppDeps, AppEnv } from "../../types.ts";
import { renderErrorText } from "../text/render.ts";
import { portableSchema } from "./portable-schema.ts";
import { convertedOnce } from "./schema-cache.ts";

/** What a tool answers: the JSON API's answer and a short text rendering of it. */
export interface ToolAnswer<Structured> {
  structured: Structured;
  text: string;
}

/** The definition of one MCP tool; `run` gets the request's Hono context. */
export interface ToolSpec<Input extends z.ZodObject, Output extends z.ZodObject> {
  name: string;
  title: string;
  description: string;
  inputSchema: Input;
  outputSchema: Output;
  /** Tools that store something (fit_scaling_law) say so; the rest are read-only. */
  writes?: boolean;
  run: (
    c: Context<AppEnv>,
    input: z.output<Input>,
    deps: AppDeps,
  ) => Promise<ToolAnswer<z.output<Output>>>;
}

/**
 * A tool ready to be registered on a per-request server. Its schemas (and their JSON Schema,
 * converted on first use) are shared by every request in the isolate; the handler registered
 * on each request's server closes over that request's Hono context only.
 */
export interface ChatTool {
  name: string;
  register: (server: McpServer, c: Context<AppEnv>, deps: AppDeps) => void;
}

/**
 * Turns a spec into a registrable tool. ApiErrors (bad arguments, unknown fits, unreachable
 * questions) become tool results with `isError: true` carrying the error envelope's text.
 */
export function defineTool<Input extends z.ZodObject, Output extends z.ZodObject>(
  spec: ToolSpec<Input, Output>,
): ChatTool {
  const inputSchema: z.ZodObject = convertedOnce(portableSchema(spec.inputSchema));
  const outputSchema: z.ZodObject = convertedOnce(portableSchema(spec.outputSchema));
  return {
    name: spec.name,
    register(server, c, deps) {
      server.registerTool(
        spec.name,
        {
          title: spec.title,
          description: spec.description,
          inputSchema,
          outputSchema,
          annotations: spec.writes
            ? {
                readOnlyHint: false,
                destructiveHint: false,
                idempotentHint: true,
                openWorldHint: false,
              }
            : { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
        },
        async (input) => {
          try {
            const { structured, text } = await spec.run(c, input as z.output<Input>, deps);
            return {
              content: [{ type: "text", text }],
              structuredContent: structured as Record<string, unknown>,
            };
          } catch (error) {
            if (!(error instanceof ApiError)) {
              console.error("mcp tool failed", spec.name, error);
              throw error;
            }
            return {
              content: [{ type: "text", text: renderErrorText(error.status, error.toBody()) }],
              isError: true,
            };
          }
        },
      );
    },
  };
}
