import { AllocateQuerySchema } from "../../api/schemas.ts";
import { ApiError, fromZodIssues } from "../../contract/errors.ts";
import { answerAllocate } from "../../service/allocate.ts";
import type { Register } from "../../types.ts";
import { textResponse } from "./negotiate.ts";
import { renderAllocateText, renderErrorText } from "./render.ts";

const ShortPathQuerySchema = AllocateQuerySchema.pick({ fit: true, kaplanBudget: true });

/**
 * `GET /<budget>` (e.g. `/1e24`, `/5000%20PF-days`): the allocate answer for a training budget
 * as plain text, for curl. Only paths that start with a digit match; register it last.
 */
export const registerShortPaths: Register = (app) => {
  app.get("/:budget{[0-9][^/]*}", async (c) => {
    try {
      const query = ShortPathQuerySchema.safeParse({
        fit: c.req.query("fit"),
        kaplanBudget: c.req.query("kaplanBudget"),
      });
      if (!query.success) throw fromZodIssues(query.error.issues);
      const request = { ...query.data, flops: c.req.param("budget") };
      const answer = answerAllocate(await c.var.fits(request.fit), request);
      return textResponse(renderAllocateText(answer), 200);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      return textResponse(renderErrorText(error.status, error.toBody()), error.status);
    }
  });
};
