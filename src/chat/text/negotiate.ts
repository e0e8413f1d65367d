import type { Context, MiddlewareHandler } from "hono";
import { accepts } from "hono/accepts";
import { ApiError, type ErrorBody } from "../../contract/errors.ts";
import type { AppEnv } from "../../types.ts";
import { renderErrorText } from "./render.ts";

export const TEXT_CONTENT_TYPE = "text/plain; charset=utf-8";

/**
 * Whether a request asks for plain text: `format=text`, or an Accept header that prefers
 * text/plain to application/json (`*` alone keeps JSON). `format=json` forces JSON.
 */
export function wantsText(c: Context): boolean {
  const format = c.req.query("format");
  if (format !== undefined && format !== "text" && format !== "json") {
    throw new ApiError(
      400,
      "invalid_input",
      `format: "${format.slice(0, 40)}" is not a format`,
      "format",
      "text or json",
    );
  }
  if (format !== undefined) return format === "text";
  const preferred = accepts(c, {
    header: "Accept",
    supports: ["application/json", "text/plain"],
    default: "application/json",
  });
  return preferred === "text/plain";
}

/** A plain-text response with the given status. */
export function textResponse(text: string, status: number): Response {
  return new Response(text, { status, headers: { "content-type": TEXT_CONTENT_TYPE } });
}

/**
 * Middleware for a JSON API route: when the client asks for text (see `wantsText`), renders
 * the route's JSON answer with `render` and its error envelope as text, keeping the status.
 */
export function textAnswers<Answer>(render: (answer: Answer) => string): MiddlewareHandler<AppEnv> {
  return async function textAnswers(c, next) {
    const text = wantsText(c);
    await next();
    c.res.headers.append("Vary", "Accept");
    if (!text || !/^application\/json/i.test(c.res.headers.get("content-type") ?? "")) return;
    const { status } = c.res;
    const body: unknown = await c.res.json();
    c.res = textResponse(
      status === 200 ? render(body as Answer) : renderErrorText(status, body as ErrorBody),
      status,
    );
  };
}
