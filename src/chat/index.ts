import { publicOrigin } from "../http/context.ts";
import type { Register } from "../types.ts";
import { registerDocs } from "./docs.tsx";
import { registerMcp } from "./mcp/index.ts";
import { OPENAPI_PATH, openApiDocumentOf } from "./openapi.ts";

export { publicCors } from "./cors.ts";
export { textAnswers } from "./text/negotiate.ts";
export { renderAllocateText, renderPredictText } from "./text/render.ts";
export { registerShortPaths } from "./text/short-path.ts";

/** Chat-bot interfaces: `GET /openapi.json`, `GET /docs` and the MCP server at `/mcp`. */
export const registerChat: Register = (app, deps) => {
  const documentFor = openApiDocumentOf(app);
  app.get(OPENAPI_PATH, (c) => c.json(documentFor(publicOrigin(c))));
  registerDocs(app, documentFor);
  registerMcp(app, deps);
};
