import { cors } from "hono/cors";

/**
 * CORS for the public, credential-free API: any origin, GET/POST, preflight answered.
 * Not for /slack (server-to-server, signed).
 */
export const publicCors = cors({
  origin: "*",
  allowMethods: ["GET", "POST", "OPTIONS"],
  exposeHeaders: ["Mcp-Session-Id", "MCP-Protocol-Version"],
  maxAge: 86_400,
});
