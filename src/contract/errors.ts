import { z } from "@hono/zod-openapi";

export const ERROR_CODES = [
  "invalid_input",
  "invalid_json",
  "missing_question",
  "conflicting_question",
  "ambiguous_quantity",
  "unknown_fit",
  "unreachable",
  "not_found",
  "method_not_allowed",
  "payload_too_large",
  "unsupported_media_type",
  "invalid_signature",
  "forbidden",
  "unfittable",
  "not_configured",
  "rate_limited",
  "storage_unavailable",
  "internal",
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export type ErrorStatus = 400 | 401 | 403 | 404 | 405 | 413 | 415 | 422 | 429 | 500 | 503;

/** The one error envelope every route answers with. */
export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.enum(ERROR_CODES).openapi({ example: "invalid_input" }),
      message: z.string().openapi({ example: 'flops: "-1" must be greater than zero' }),
      field: z.string().optional().openapi({ example: "flops" }),
      expected: z.string().optional(),
      readings: z
        .array(z.object({ field: z.string(), value: z.string() }))
        .optional()
        .openapi({
          description:
            "With ambiguous_quantity: the ways to read the input, each a field and the text to give it.",
          example: [
            { field: "params", value: "70B" },
            { field: "tokens", value: "70B" },
            { field: "flops", value: "70B FLOPs" },
          ],
        }),
    }),
  })
  .openapi("Error");

export type ErrorBody = z.infer<typeof ErrorSchema>;

/** One reading of an ambiguous input: the request field and the text to give it. */
export interface ErrorReading {
  field: string;
  value: string;
}

/** An expected failure, turned into the error envelope by the app's error handler. */
export class ApiError extends Error {
  readonly status: ErrorStatus;
  readonly code: ErrorCode;
  readonly field: string | undefined;
  readonly expected: string | undefined;
  /** Response headers the error carries, such as Retry-After. */
  readonly headers: Record<string, string>;
  /** With ambiguous_quantity: the readings the message names, for links and commands. */
  readings: readonly ErrorReading[] | undefined;

  constructor(
    status: ErrorStatus,
    code: ErrorCode,
    message: string,
    field?: string,
    expected?: string,
    headers: Record<string, string> = {},
  ) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
    this.expected = expected;
    this.headers = headers;
    this.readings = undefined;
  }

  /** Attaches the readings of an ambiguous input (the envelope's `readings`); returns this. */
  withReadings(readings: readonly ErrorReading[]): this {
    this.readings = readings;
    return this;
  }

  toBody(): ErrorBody {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.field === undefined ? {} : { field: this.field }),
        ...(this.expected === undefined ? {} : { expected: this.expected }),
        ...(this.readings === undefined
          ? {}
          : { readings: this.readings.map(({ field, value }) => ({ field, value })) }),
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
