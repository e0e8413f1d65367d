import { z } from "@hono/zod-openapi";

export const ERROR_CODES = [
  "invalid_input",
  "invalid_json",
  "missing_question",
  "conflicting_question",
  "unknown_fit",
  "unreachable",
  "not_found",
  "method_not_allowed",
  "payload_too_large",
  "unsupported_media_type",
  "invalid_signature",
  "not_configured",
  "rate_limited",
  "storage_unavailable",
  "internal",
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export type ErrorStatus = 400 | 401 | 404 | 405 | 413 | 415 | 422 | 429 | 500 | 503;

/** The one error envelope every route answers with. */
export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.enum(ERROR_CODES).openapi({ example: "invalid_input" }),
      message: z.string().openapi({ example: 'flops: "-1" must be greater than zero' }),
      field: z.string().optional().openapi({ example: "flops" }),
      expected: z.string().optional(),
    }),
  })
  .openapi("Error");

export type ErrorBody = z.infer<typeof ErrorSchema>;

/** An expected failure, turned into the error envelope by the app's error handler. */
export class ApiError extends Error {
  readonly status: ErrorStatus;
  readonly code: ErrorCode;
  readonly field: string | undefined;
  readonly expected: string | undefined;

  constructor(
    status: ErrorStatus,
    code: ErrorCode,
    message: string,
    field?: string,
    expected?: string,
  ) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
    this.expected = expected;
  }

  toBody(): ErrorBody {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.field === undefined ? {} : { field: this.field }),
        ...(this.expected === undefined ? {} : { expected: this.expected }),
      },
    };
  }
}

/** The first zod issue as an ApiError (400, naming the field). */
export function fromZodIssues(
  issues: readonly { path: readonly PropertyKey[]; message: string; keys?: readonly string[] }[],
): ApiError {
  const issue = issues[0];
  const field =
    [...(issue?.path ?? []), ...(issue?.keys?.slice(0, 1) ?? [])].map(String).join(".") ||
    undefined;
  const message = issue ? `${field ? `${field}: ` : ""}${issue.message}` : "invalid request";
  return new ApiError(400, "invalid_input", message, field);
}
