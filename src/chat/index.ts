import type { Register } from "../types.ts";

/** Chat-bot and terminal interfaces: OpenAPI, /docs, MCP, plain text (issue 5). Placeholder. */
export const registerChat: Register = () => {};
