import { ApiError } from "../contract/errors.ts";
import type { RegistryEntry, RegistrySnapshot } from "../core/fits/registry.ts";
import { formatFlops } from "../core/format.ts";
import {
  type ParsedQuantity,
  type ParseResult,
  parseQuantity,
  QUANTITY_KINDS,
  type QuantityKind,
  quantityFromNumber,
} from "../core/parse.ts";
import { fitIdsOf } from "./fit-ids.ts";
import { readRequestMfu } from "./hardware.ts";

/** A quantity as a client sent it: text with units, or a JSON number. */
export type RawQuantity = string | number | undefined;

/** Most fits one request may name. */
export const MAX_FITS_PER_REQUEST = 32;

/** How a service reads a quantity. */
export interface ReadOptions {
  /** The request's MFU (a fraction), at which a budget given as GPU time is read. */
  mfu?: number;
  /** The question fields the endpoint takes: the readings of an ambiguous count it offers. */
  accepts?: readonly QuantityKind[];
}

const READING_NOTES: Record<QuantityKind, (value: number) => string> = {
  params: () => "a model size",
  tokens: () => "a data size",
  flops: (value) => `a budget of ${formatFlops(value)}`,
  loss: () => "a target loss",
};

/** The 400 for a refused quantity: ambiguous_quantity, conflicting_question or invalid_input. */
function refusal(
  result: Extract<ParseResult, { ok: false }>,
  field: string,
  accepts: readonly QuantityKind[],
): ApiError {
  const { problem } = result;
  if (problem?.kind === "conflicting-mfu") {
    return new ApiError(
      400,
      "conflicting_question",
      `mfu: ${result.message}`,
      "mfu",
      "one MFU: in the budget (@ 40% MFU) or as mfu, or the same in both",
    );
  }
  if (problem?.kind === "ambiguous") {
    const readings = problem.readings.filter((r) => accepts.includes(r.field));
    if (readings.length === 0) {
      const message = `${field}: ${result.message}; write the budget with its unit, e.g. 1e24 FLOPs`;
      return new ApiError(400, "invalid_input", message, field, result.expected);
    }
    const named = readings.map(
      (r) => `${r.field}=${r.value} (${READING_NOTES[r.field](problem.value)})`,
    );
    const choice =
      named.length > 1 ? `${named.slice(0, -1).join(", ")} or ${named.at(-1)}` : named.join("");
    return new ApiError(
      400,
      "ambiguous_quantity",
      `${field}: ${result.message}; did you mean ${choice}?`,
      field,
      result.expected,
    ).withReadings(readings);
  }
  return new ApiError(400, "invalid_input", `${field}: ${result.message}`, field, result.expected);
}

/**
 * Parses one quantity (FLOPs, parameters, tokens or nats per token) or throws a 400 naming the
 * field: `ambiguous_quantity` with its readings for a bare count as a budget (`70B`),
 * `conflicting_question` naming `mfu` when the budget's MFU differs from `options.mfu`.
 */
export function readQuantity(
  raw: string | number,
  kind: QuantityKind,
  field: string = kind,
  options: ReadOptions = {},
): ParsedQuantity {
  const result: ParseResult =
    typeof raw === "number"
      ? quantityFromNumber(raw, kind)
      : parseQuantity(raw, kind, { mfu: options.mfu });
  if (!result.ok) throw refusal(result, field, options.accepts ?? QUANTITY_KINDS);
  return result.quantity;
}

/**
 * Reads a budget that may be GPU time: with the request's `mfu`, GPU time with no MFU in its
 * text is read at that MFU (one MFU for the budget and the training time), and a different
 * MFU in the text is a 400 naming `mfu`. The MFU is only read when the budget is GPU time.
 * @param mfu the request's MFU, a fraction (0.4) or a percentage ("40%")
 * @returns the budget, in FLOPs
 */
export function readBudget(
  raw: string | number,
  mfu: number | string | undefined,
  options: { field?: string; accepts?: readonly QuantityKind[] } = {},
): ParsedQuantity {
  const { field = "flops", accepts } = options;
  const quantity = readQuantity(raw, "flops", field, { accepts });
  const requestMfu = quantity.hardware ? readRequestMfu(mfu) : undefined;
  if (requestMfu === undefined) return quantity;
  return readQuantity(raw, "flops", field, { mfu: requestMfu, accepts });
}

/**
 * Reads the one question of a request: exactly one of flops, params, tokens, loss (of those in
 * `accepts`, which also bounds the readings offered for an ambiguous count). A budget given as
 * GPU time is read at the request's `mfu` ({@link readBudget}).
 */
export function readQuestion(
  input: Partial<Record<QuantityKind, RawQuantity>> & { mfu?: number | string },
  accepts: readonly QuantityKind[] = QUANTITY_KINDS,
): ParsedQuantity {
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
  const raw = input[kind] as string | number;
  if (kind === "flops") return readBudget(raw, input.mfu, { accepts });
  return readQuantity(raw, kind, kind, { accepts });
}

/** Refuses a selection of more than {@link MAX_FITS_PER_REQUEST} fits (before any KV read). */
export function checkFitCount(ids: readonly string[]): void {
  if (ids.length > MAX_FITS_PER_REQUEST) {
    throw new ApiError(
      400,
      "invalid_input",
      `fit: at most ${MAX_FITS_PER_REQUEST} fits per request; got ${ids.length}`,
      "fit",
    );
  }
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
  checkFitCount(ids);
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
