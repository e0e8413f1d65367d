import { leanAllocateAnswer, readInclude } from "../../api/lean.ts";
import { AllocateQuerySchema } from "../../api/schemas.ts";
import { ApiError, fromZodIssues } from "../../contract/errors.ts";
import { answerAllocate } from "../../service/allocate.ts";
import type { Register } from "../../types.ts";
import { textResponse } from "./negotiate.ts";
import { renderAllocateText, renderErrorText } from "./render.ts";

/** Every allocate option but the question itself (the path is the budget); others are refused. */
const ShortPathQuerySchema = AllocateQuerySchema.omit({
  flops: true,
  params: true,
  tokens: true,
  loss: true,
}).strict();

/**
 * `GET /<budget>` (e.g. `/1e24`, `/5000%20PF-days`): the allocate answer for a training budget
 * as plain text, for curl. Only paths that start with a digit match; register it last.
 */
export const registerShortPaths: Register = (app) => {
  app.get("/:budget{[0-9][^/]*}", async (c) => {
    try {
      const { format, ...asked } = c.req.queries();
      if (format !== undefined && (format.length !== 1 || format[0] !== "text")) {
        throw new ApiError(
          400,
          "invalid_input",
          "format: a short path answers text only",
          "format",
          "text",
        );
      }
      const single = Object.fromEntries(
        Object.entries(asked).map(([key, values]) => [
          key,
          values.length === 1 ? values[0] : values,
        ]),
      );
      const query = ShortPathQuerySchema.safeParse(single);
      if (!query.success) throw fromZodIssues(query.error.issues);
      const request = { ...query.data, flops: c.req.param("budget") };
      const answer = answerAllocate(await c.var.fits(request.fit), request);
      return textResponse(
        renderAllocateText(leanAllocateAnswer(answer, readInclude(query.data.include))),
        200,
      );
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      return textResponse(renderErrorText(error.status, error.toBody()), error.status);
    }
  });
};
