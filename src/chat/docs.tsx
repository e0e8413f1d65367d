import type { FC } from "hono/jsx";
import { publicOrigin } from "../http/context.ts";
import type { App } from "../types.ts";
import { CHAT_TOOLS } from "./mcp/index.ts";
import type { OpenApiDocument } from "./openapi.ts";

type Operation = NonNullable<NonNullable<OpenApiDocument["paths"]>[string]["get"]>;

interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  description?: string;
  example?: unknown;
  schema?: { example?: unknown };
}

/** Curl examples for operations whose parameters are alternatives (not all at once). */
const CURL_EXAMPLES: Record<string, { query?: string; body?: unknown }> = {
  allocate: { query: "flops=1e24" },
  allocatePost: { body: { flops: "5000 PF-days", fit: ["chinchilla-approach3", "epoch-2024"] } },
  predictLoss: { query: "params=70B&tokens=1.4T" },
};

const METHODS = ["get", "post", "put", "patch", "delete"] as const;

const shellQuote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;

function exampleOf(parameter: Parameter): unknown {
  return parameter.example ?? parameter.schema?.example;
}

function curlLine(origin: string, method: string, path: string, operation: Operation): string {
  const parameters = (operation.parameters ?? []) as Parameter[];
  const curated = CURL_EXAMPLES[operation.operationId ?? ""];
  const filledPath = path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const parameter = parameters.find((p) => p.in === "path" && p.name === name);
    return encodeURIComponent(String(exampleOf(parameter ?? { name, in: "path" }) ?? name));
  });
  const query = curated?.query ? `?${curated.query}` : "";
  const url = shellQuote(`${origin}${filledPath}${query}`);
  if (method === "get") return `curl ${url}`;
  const body = curated?.body === undefined ? "" : ` -d ${shellQuote(JSON.stringify(curated.body))}`;
  return `curl -X ${method.toUpperCase()} ${url} -H 'Content-Type: application/json'${body}`;
}

const Parameters: FC<{ parameters: Parameter[] }> = ({ parameters }) =>
  parameters.length === 0 ? null : (
    <table>
      <thead>
        <tr>
          <th>name</th>
          <th>in</th>
          <th>description</th>
          <th>example</th>
        </tr>
      </thead>
      <tbody>
        {parameters.map((p) => (
          <tr>
            <td>
              <code>{p.name}</code>
              {p.required ? " (required)" : ""}
            </td>
            <td>{p.in}</td>
            <td>{p.description ?? ""}</td>
            <td>
              <code>{exampleOf(p) === undefined ? "" : String(exampleOf(p))}</code>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );

function schemaName(schema: unknown): string {
  const ref = (schema as { $ref?: string } | undefined)?.$ref;
  return ref ? ref.replace("#/components/schemas/", "") : "JSON";
}

const OperationSection: FC<{
  origin: string;
  method: string;
  path: string;
  operation: Operation;
}> = ({ origin, method, path, operation }) => {
  const responses = Object.entries(operation.responses ?? {}) as [
    string,
    { description?: string; content?: Record<string, { schema?: unknown }> },
  ][];
  return (
    <section id={operation.operationId}>
      <h2>
        <code>
          {method.toUpperCase()} {path}
        </code>{" "}
        <small>{operation.operationId}</small>
      </h2>
      <p>
        <strong>{operation.summary}</strong>
      </p>
      <p>{operation.description}</p>
      <Parameters parameters={(operation.parameters ?? []) as Parameter[]} />
      <pre>{curlLine(origin, method, path, operation)}</pre>
      <ul>
        {responses.map(([status, response]) => (
          <li>
            <code>{status}</code> {response.description}{" "}
            {response.content?.["application/json"] ? (
              <em>({schemaName(response.content["application/json"].schema)})</em>
            ) : null}
          </li>
        ))}
      </ul>
    </section>
  );
};

const STYLE = `body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
code,pre{font-family:ui-monospace,monospace;font-size:13px}pre{background:#f4f4f4;padding:.6rem;overflow-x:auto}
table{border-collapse:collapse;width:100%}td,th{border:1px solid #ddd;padding:.3rem;vertical-align:top;text-align:left}
section{border-top:1px solid #ccc;margin-top:2rem}small{color:#666;font-weight:normal}`;

/** Human-readable API documentation rendered from the OpenAPI document; no external assets. */
export const DocsPage: FC<{ document: OpenApiDocument; origin: string; tools: string[] }> = ({
  document,
  origin,
  tools,
}) => {
  const operations = Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
    METHODS.flatMap((method) => {
      const operation = item[method];
      return operation ? [{ path, method, operation }] : [];
    }),
  );
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{document.info.title} API</title>
        <style>{STYLE}</style>
      </head>
      <body>
        <h1>{document.info.title} API</h1>
        <p>{document.info.description}</p>
        <p>
          OpenAPI 3.1: <a href="/openapi.json">/openapi.json</a> (server {origin}).
        </p>
        <nav>
          <ul>
            {operations.map(({ path, method, operation }) => (
              <li>
                <a href={`#${operation.operationId}`}>
                  {method.toUpperCase()} {path}
                </a>{" "}
                {operation.summary}
              </li>
            ))}
          </ul>
        </nav>
        <h2>Plain text</h2>
        <p>
          Add <code>format=text</code> or send <code>Accept: text/plain</code> to{" "}
          <code>/api/v1/allocate</code> and <code>/api/v1/predict</code> for an aligned table, one
          row per fit. Errors then come as text with the same status. A budget alone as the path
          answers the same table.
        </p>
        <pre>
          {[
            `curl -H 'Accept: text/plain' ${shellQuote(`${origin}/api/v1/allocate?flops=1e24`)}`,
            `curl ${shellQuote(`${origin}/1e24`)}`,
            `curl ${shellQuote(`${origin}/5000%20PF-days`)}`,
          ].join("\n")}
        </pre>
        <h2>MCP</h2>
        <p>
          Streamable HTTP, stateless, at <code>{origin}/mcp</code> (protocol revisions 2025-11-25
          and 2026-07-28). Tools:{" "}
          {tools.map((name) => (
            <code>{name} </code>
          ))}
        </p>
        {operations.map(({ path, method, operation }) => (
          <OperationSection origin={origin} method={method} path={path} operation={operation} />
        ))}
      </body>
    </html>
  );
};

/** `GET /docs`: the page above for the origin asked. */
export function registerDocs(app: App, documentFor: (origin: string) => OpenApiDocument): void {
  app.get("/docs", (c) => {
    const origin = publicOrigin(c);
    return c.html(
      <DocsPage
        document={documentFor(origin)}
        origin={origin}
        tools={CHAT_TOOLS.map((tool) => tool.name)}
      />,
    );
  });
}
