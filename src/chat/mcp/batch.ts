import { isJsonContentType, readRequestBody } from "@modelcontextprotocol/server";

/**
 * Most JSON-RPC messages one `POST /mcp` may carry. MCP 2025-06-18 and later (and the
 * 2026-07-28 revision) have no batches at all; 2025-03-26 clients may still send small ones,
 * which the SDK's stateless legacy leg serves (it allows up to 100). A batch costs what its
 * messages cost together, so a cap of a few keeps one POST within a few requests' CPU.
 */
export const MAX_MCP_BATCH = 4;

/** What `createMcpHandler().fetch` gets: the same bytes, and the body when it parsed as JSON. */
export interface McpForward {
  request: Request;
  parsedBody?: unknown;
}

/** The refusal message for a batch over the cap (or an empty one, as JSON-RPC 2.0 §6 asks). */
export function batchRefusalMessage(size: number): string {
  return size === 0
    ? "Invalid Request: an empty JSON-RPC batch"
    : `Invalid Request: a JSON-RPC batch may hold at most ${MAX_MCP_BATCH} messages; this one ` +
        `holds ${size}. Send one request per POST (MCP 2025-06-18 and later have no batches).`;
}

/**
 * Reads a JSON `POST /mcp` body once, under `maxBytes`, and refuses a batch over
 * {@link MAX_MCP_BATCH} before the SDK parses or serves anything. Otherwise hands back a new
 * Request with the same bytes (the original's body is spent) and the parsed body, so the SDK
 * neither reads nor parses it again. Other methods and content types pass through untouched:
 * the SDK answers them (405, 415) as before.
 */
export async function guardMcpBody(
  request: Request,
  maxBytes: number,
  onRefused: (message: string) => void,
): Promise<Response | McpForward> {
  // A refusal in the SDK's own form: the JSON-RPC error envelope, id null.
  const jsonRpcError = (status: number, code: number, message: string) => {
    onRefused(message);
    return Response.json({ jsonrpc: "2.0", error: { code, message }, id: null }, { status });
  };
  if (
    request.method.toUpperCase() !== "POST" ||
    !isJsonContentType(request.headers.get("content-type"))
  ) {
    return { request };
  }
  let text: string;
  try {
    const read = await readRequestBody(request, maxBytes);
    if (read.tooLarge) {
      return jsonRpcError(
        413,
        -32000,
        `Payload Too Large: Request body must not exceed ${maxBytes} bytes`,
      );
    }
    text = read.text;
  } catch {
    return jsonRpcError(400, -32700, "Parse error: the request body could not be read");
  }
  let parsedBody: unknown;
  try {
    parsedBody = text === "" ? undefined : JSON.parse(text);
  } catch {
    // Not JSON: the SDK reads the same bytes again and answers its parse error.
  }
  if (Array.isArray(parsedBody) && (parsedBody.length > MAX_MCP_BATCH || parsedBody.length === 0)) {
    return jsonRpcError(400, -32600, batchRefusalMessage(parsedBody.length));
  }
  const headers = new Headers(request.headers);
  headers.delete("content-length");
  const forward = new Request(request.url, {
    method: request.method,
    headers,
    body: text,
    signal: request.signal,
  });
  return parsedBody === undefined ? { request: forward } : { request: forward, parsedBody };
}
