import { parseFlops } from "./parse-flops.ts";
import {
  checkValue,
  describe,
  fail,
  MAX_INPUT_LENGTH,
  normalise,
  type ParseOptions,
  type ParseResult,
  type QuantityKind,
  radixLiteralProblem,
  readNumber,
} from "./quantity.ts";

export {
  EXPECTED_FORMS,
  type HardwareBudget,
  MAX_INPUT_LENGTH,
  type ParsedQuantity,
  type ParseOptions,
  type ParseProblem,
  type ParseResult,
  QUANTITY_BOUNDS,
  QUANTITY_KINDS,
  type QuantityKind,
  type Reading,
  radixLiteralProblem,
} from "./quantity.ts";

const UNIT_WORDS: Record<Exclude<QuantityKind, "flops">, readonly string[]> = {
  params: ["", "p", "param", "params", "parameter", "parameters"],
  tokens: ["", "tok", "toks", "token", "tokens"],
  loss: ["", "nat", "nats", "nats/token", "nats per token"],
};

/**
 * Parses a quantity written the way people write it, and explains how it was read.
 *
 * Numbers: `1e24`, `1.5E+24`, `3.8×10^25`, `3.8x10^25`, `10^24`, `10²⁴`, `5,000`, with k/M/B/T
 * (thousand, million, billion, trillion) for counts. FLOP budgets (in FLOPs) also accept
 * `FLOPs`, SI-prefixed FLOPs (`5 EFLOPs`, `3 zettaFLOPs`, kilo to yotta), `PF-days`
 * (× 8.64e19, Kaplan et al. 2020 §1.3), and GPU time as `1M H100-hours @ 40% MFU`,
 * `1024 H100 x 30 days` or `1024 x H100 x 30 days` (peak dense BF16 × MFU, the MFU in the text,
 * else `options.mfu`, else 40%). A bare count as a budget (`70B`) is refused as ambiguous,
 * with its readings in `problem`; so is an MFU in the text other than `options.mfu`.
 * Parameters are counted in parameters, tokens in tokens, a loss in nats per token.
 *
 * Never throws; refuses (with a message) anything non-finite, non-positive, out of
 * {@link QUANTITY_BOUNDS}, or written as a hexadecimal, octal or binary literal (`0x10`).
 */
export function parseQuantity(
  raw: string,
  kind: QuantityKind,
  options: ParseOptions = {},
): ParseResult {
  if (raw.length > MAX_INPUT_LENGTH) {
    return fail(kind, `input is ${raw.length} characters; at most ${MAX_INPUT_LENGTH} are read`);
  }
  const input = raw.trim();
  const text = normalise(raw);
  if (text === "") return fail(kind, "is empty");
  const radix = radixLiteralProblem(text);
  if (radix) return fail(kind, radix);
  const number = readNumber(text, kind !== "loss");
  if (!number) return fail(kind, `could not read a number in "${input}"`);
  if (number.negative) return fail(kind, `"${input}" must be greater than zero`);
  if (kind === "flops") return parseFlops(number, input, options);

  const unit = number.rest.toLowerCase();
  if (!UNIT_WORDS[kind].includes(unit)) {
    return fail(kind, `could not read the unit "${number.rest}"`);
  }
  const problem = checkValue(kind, number.value, input);
  if (problem) return fail(kind, problem);
  const value = number.value;
  return { ok: true, quantity: { kind, value, input, interpretation: describe(kind, value) } };
}

/**
 * Accepts a JSON number as a quantity (in FLOPs, parameters, tokens or nats per token), with
 * the same checks as {@link parseQuantity}. A number is never ambiguous: 7e10 as flops is FLOPs.
 */
export function quantityFromNumber(value: number, kind: QuantityKind): ParseResult {
  const input = String(value);
  const problem = checkValue(kind, value, input);
  if (problem) return fail(kind, problem);
  return { ok: true, quantity: { kind, value, input, interpretation: describe(kind, value) } };
}
