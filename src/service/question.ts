import { ApiError } from "../api/errors.ts";
import {
  type ParsedQuantity,
  type ParseResult,
  parseQuantity,
  QUANTITY_KINDS,
  type QuantityKind,
  quantityFromNumber,
} from "../core/parse.ts";
import type { RegistryEntry, RegistrySnapshot } from "../store/fit-registry.ts";
import { fitIdsOf } from "./fit-ids.ts";

/** A quantity as a client sent it: text with units, or a JSON number. */
export type RawQuantity = string | number | undefined;

/** Most fits one request may name. */
export const MAX_FITS_PER_REQUEST = 32;

/** Parses one quantity or throws a 400 naming the field. */
export function readQuantity(
  raw: string | number,
  kind: QuantityKind,
  field: string = kind,
): ParsedQuantity {
  const result: ParseResult =
    typeof raw === "number" ? quantityFromNumber(raw, kind) : parseQuantity(raw, kind);
  if (!result.ok) {
    throw new ApiError(400, "invalid_input", `${field}: ${result.message}`, field, result.expected);
  }
  return result.quantity;
}

/**
 * Reads the one question of an allocate request: exactly one of flops, params, tokens, loss.
 */
export function readQuestion(input: Partial<Record<QuantityKind, RawQuantity>>): ParsedQuantity {
  const given = QUANTITY_KINDS.filter((kind) => input[kind] !== undefined && input[kind] !== "");
  if (given.length === 0) {
    throw new ApiError(
      400,
      "missing_question",
      "give exactly one of flops (a training budget), params (a model size), tokens (a data size) or loss (a target loss)",
      "flops",
      "one of flops, params, tokens, loss",
    );
  }
  const [kind, second] = given;
  if (second !== undefined || kind === undefined) {
    throw new ApiError(
      400,
      "conflicting_question",
      `give exactly one of flops, params, tokens or loss; got ${given.join(" and ")}`,
      second,
      "one of flops, params, tokens, loss",
    );
  }
  return readQuantity(input[kind] as string | number, kind);
}

/**
 * The registry entries a request selects, in the order asked (default: all, registry order).
 * `fit` is a comma-separated list or an array of ids; unknown ids are a 404.
 */
export function selectFits(
  registry: RegistrySnapshot,
  fit: string | readonly string[] | undefined,
): RegistryEntry[] {
  const ids = fitIdsOf(fit);
  if (ids.length === 0) return [...registry.entries];
  if (ids.length > MAX_FITS_PER_REQUEST) {
    throw new ApiError(
      400,
      "invalid_input",
      `fit: at most ${MAX_FITS_PER_REQUEST} fits per request`,
      "fit",
    );
  }
  const unique = [...new Set(ids)];
  return unique.map((id) => {
    const entry = registry.byId.get(id);
    if (!entry) {
      throw new ApiError(
        404,
        "unknown_fit",
        `fit: unknown fit "${id.slice(0, 64)}"; known fits: ${[...registry.byId.keys()].join(", ")}`,
        "fit",
        "ids from GET /api/v1/fits",
      );
    }
    return entry;
  });
}
