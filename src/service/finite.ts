import { ApiError } from "../contract/errors.ts";

/** The path of the first number in `value` that is not finite, or null when all are. */
export function firstNonFinite(value: unknown, path = "answer"): string | null {
  if (typeof value === "number") return Number.isFinite(value) ? null : path;
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = firstNonFinite(item, `${path}[${index}]`);
      if (found) return found;
    }
    return null;
  }
  if (typeof value === "object" && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      const found = firstNonFinite(item, `${path}.${key}`);
      if (found) return found;
    }
  }
  return null;
}

/**
 * Returns the answer when every number in it is finite; otherwise a 422 naming the field, so an
 * answer never carries a null (JSON's rendering of NaN and Infinity) without a reason.
 */
export function finiteAnswer<T>(answer: T, fit: string): T {
  const found = firstNonFinite(answer);
  if (found) {
    throw new ApiError(
      422,
      "unreachable",
      `fit: under ${fit} this question leads outside the range of 64-bit numbers (${found} is not finite); try a fit measured nearer this scale`,
      "fit",
    );
  }
  return answer;
}

/**
 * The skip entry of a fit whose answer leaves the range of 64-bit numbers, or null when every
 * number in it is finite.
 */
export function overflowSkip(fit: string, answer: unknown, what: "allocation" | "prediction") {
  const found = firstNonFinite(answer, what);
  return found
    ? {
        fit,
        reason: "out-of-range" as const,
        message: `the ${what === "allocation" ? "answer" : "prediction"} leaves the range of 64-bit numbers (${found} is not finite)`,
      }
    : null;
}
