/**
 * A local KV store for workerd's `kvNamespace` binding: an HTTP server in the bench's own Node
 * process that keeps every value in memory and counts the reads. workerd turns KV calls into
 * HTTP requests to the service the binding names (bench/workerd.ts points an `external` service
 * at this server), in the protocol Miniflare's KV namespace serves:
 *
 *   GET /<key>          the value, or 404
 *   PUT /<key>          stores the body (expiration is accepted and ignored)
 *   DELETE /<key>       removes the key
 *   POST /bulk/get      {"keys": [...], "type": "text" | "json"} -> {key: value | null}
 *
 * Unlike bench/kv-stub.js (empty, forgets writes), what the Worker writes is there to read back,
 * also after workerd restarts (a new isolate with cold caches). Its CPU is the bench's, not
 * workerd's, as a real KV's CPU is not the Worker's.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";

export class LocalKv {
  readonly values = new Map<string, string>();
  private server: Server | undefined;
  private keysRead: string[] = [];
  /** PUTs so far. */
  writes = 0;

  /** Starts listening on a free loopback port; resolves to it. */
  start(): Promise<number> {
    const server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        response.statusCode = 500;
        response.end(String(error));
      });
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => {
        const address = server.address();
        resolve(typeof address === "object" && address ? address.port : 0);
      });
    });
  }

  close(): void {
    this.server?.closeAllConnections();
    this.server?.close();
    this.server = undefined;
  }

  /** How many keys were read so far (a counter to diff around one request). */
  readCount(): number {
    return this.keysRead.length;
  }

  /** Keys read since `since` (a {@link readCount}) whose name starts with `prefix`. */
  readsSince(since: number, prefix = ""): number {
    return this.keysRead.slice(since).filter((key) => key.startsWith(prefix)).length;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", "http://kv");
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    if (request.method === "POST" && url.pathname === "/bulk/get") {
      const { keys, type } = JSON.parse(body) as { keys: string[]; type?: string };
      this.keysRead.push(...keys);
      const answer: Record<string, unknown> = {};
      for (const key of keys) {
        const value = this.values.get(key);
        answer[key] = value === undefined ? null : type === "json" ? JSON.parse(value) : value;
      }
      response.setHeader("content-type", "application/json");
      response.end(JSON.stringify(answer));
      return;
    }
    const raw = url.pathname.slice(1);
    const key = url.searchParams.get("urlencoded") === "true" ? decodeURIComponent(raw) : raw;
    if (request.method === "GET") {
      this.keysRead.push(key);
      const value = this.values.get(key);
      response.statusCode = value === undefined ? 404 : 200;
      response.end(value ?? "");
    } else if (request.method === "PUT") {
      this.writes++;
      this.values.set(key, body);
      response.end();
    } else if (request.method === "DELETE") {
      this.values.delete(key);
      response.end();
    } else {
      response.statusCode = 405;
      response.end();
    }
  }
}
