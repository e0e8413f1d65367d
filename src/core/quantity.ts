/**
 * The quantities the parser reads, their bounds, and reading the number at the start of a text.
 * `parse.ts` puts these together (and re-exports them); `parse-flops.ts` reads FLOP budgets.
 */
import {
  formatCount,
  formatFlops,
  formatGrouped,
  formatScientific,
  significant,
} from "./format.ts";
import { COUNT_SUFFIXES, FLOPS_PER_PF_DAY } from "./units.ts";

/** The four questions the calculator answers. */
export type QuantityKind = "flops" | "params" | "tokens" | "loss";

export const QUANTITY_KINDS: readonly QuantityKind[] = ["flops", "params", "tokens", "loss"];

/** Longest input text accepted, in characters. */
export const MAX_INPUT_LENGTH = 200;

/** Accepted range of each quantity (inclusive). Outside it the parser refuses, never clamps. */
export const QUANTITY_BOUNDS: Record<QuantityKind, { min: number; max: number; unit: string }> = {
  flops: { min: 1e6, max: 1e36, unit: "FLOPs" },
  params: { min: 1, max: 1e18, unit: "parameters" },
  tokens: { min: 1, max: 1e20, unit: "tokens" },
  loss: { min: 1e-3, max: 100, unit: "nats per token" },
};

/** What each quantity accepts, for error messages. */
export const EXPECTED_FORMS: Record<QuantityKind, string> = {
  flops:
    "a training FLOP budget such as 1e24, 3.8×10^25, 70B FLOPs, 5 EFLOPs, 3 zettaFLOPs, 5000 PF-days, 1M H100-hours @ 40% MFU or 1024 x H100 x 30 days",
  params: "a parameter count such as 7e10, 70B or 70 billion parameters",
  tokens: "a token count such as 1.4e12, 1.4T or 2T tokens",
  loss: "a loss in nats per token such as 2.0",
};

/** GPU time behind a FLOP budget, when the budget was given in GPU-hours. */
export interface HardwareBudget {
  gpu: string;
  gpuLabel: string;
  gpuHours: number;
  /** GPUs in the budget, when it was given as "N GPUs × time". */
  gpus?: number;
  /** Model FLOPs utilisation, a fraction in (0, 1]. */
  mfu: number;
  mfuIsDefault: boolean;
  /** Peak dense BF16 throughput, FLOP/s. */
  peakFlops: number;
  gpuSource: string;
}

/** A quantity as the parser read it, with the reading spelled out for the user. */
export interface ParsedQuantity {
  kind: QuantityKind;
  value: number;
  input: string;
  interpretation: string;
  hardware?: HardwareBudget;
}

/** One way to read an ambiguous input: the question field and the text to give it. */
export interface Reading {
  field: QuantityKind;
  value: string;
}

/** Why a text was refused, when the reason is more than bad input. */
export type ParseProblem =
  /** A bare count (`70B`) given as a FLOP budget: `value` is the count, `readings` the options. */
  | { kind: "ambiguous"; value: number; readings: Reading[] }
  /** The budget's text names an MFU (fraction) other than the request's. */
  | { kind: "conflicting-mfu"; budgetMfu: number; requestMfu: number };

export type ParseResult =
  | { ok: true; quantity: ParsedQuantity }
  | { ok: false; message: string; expected: string; problem?: ParseProblem };

/** How a caller reads a quantity. */
export interface ParseOptions {
  /**
   * The request's model FLOPs utilisation (a fraction in (0, 1]): a budget given as GPU time
   * with no MFU in its text is read at it; a different MFU in the text is refused.
   */
  mfu?: number;
}

/** A refusal of `kind` with the forms it accepts. */
export function fail(kind: QuantityKind, message: string, problem?: ParseProblem): ParseResult {
  return { ok: false, message, expected: EXPECTED_FORMS[kind], ...(problem ? { problem } : {}) };
}

const SUPERSCRIPTS: Record<string, string> = {
  "⁰": "0",
  "¹": "1",
  "²": "2",
  "³": "3",
  "⁴": "4",
  "⁵": "5",
  "⁶": "6",
  "⁷": "7",
  "⁸": "8",
  "⁹": "9",
  "⁻": "-",
  "⁺": "+",
};

/** Collapses whitespace and folds Unicode (superscript exponents, ×, minus signs) to ASCII. */
export function normalise(raw: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the ASCII range is the point
  if (!/[^\x00-\x7f]/.test(raw)) return raw.replace(/\s+/g, " ").trim();
  const superscripted = raw.replace(
    /10\s*([⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺]+)/g,
    (_, exponent: string) => `10^${[...exponent].map((ch) => SUPERSCRIPTS[ch] ?? ch).join("")}`,
  );
  return superscripted
    .normalize("NFKC")
    .replace(/[×✕⋅·]/g, " x ")
    .replace(/[−–]/g, "-")
    .replace(/\s+/g, " ")
    .trim();
}

const NUMBER_SOURCE = String.raw`([+-]?)(?:(10)\s*(?:\^|\*\*)\s*([+-]?\d{1,6})|((?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?|\.\d+)(?:e\s?([+-]?\d{1,6}))?(?:\s*(?:x|\*)\s*10\s*(?:\^|\*\*)\s*([+-]?\d{1,6}))?)`;
const NUMBER = new RegExp(`^${NUMBER_SOURCE}`, "i");
const SUFFIX = /^\s*(k|m|b|t|thousand|million|billion|trillion)(?![a-z])/i;
/** `0x10`, `0o17`, `0b101` (but not `0x10^24`, which is 0 × 10^24, nor `0B`, zero billion). */
const RADIX_LITERAL = /^[+-]?0([xob])[0-9a-f_]+(?![0-9a-f_]|\s*(?:\^|\*\*))/i;
const RADIX_NAMES: Record<string, string> = {
  x: "a hexadecimal",
  o: "an octal",
  b: "a binary",
};

/** A number read from the start of a text. */
export interface ReadNumber {
  value: number;
  negative: boolean;
  /** The text after the number (and its count suffix), trimmed. */
  rest: string;
  /** The count suffix as a word ("billion"), when one was given. */
  multiplierWord?: string;
}

/** Reads a leading number (with optional exponent and count suffix) from normalised text. */
export function readNumber(text: string, allowSuffix: boolean): ReadNumber | undefined {
  const match = NUMBER.exec(text);
  if (!match) return undefined;
  const [whole, sign, tenBase, tenExponent, mantissa, eExponent, timesExponent] = match;
  let value: number;
  if (tenBase !== undefined) {
    value = Number(`1e${Number(tenExponent)}`);
  } else {
    const exponent = Number(eExponent ?? 0) + Number(timesExponent ?? 0);
    value = Number(`${(mantissa ?? "").replaceAll(",", "")}e${exponent}`);
  }
  let rest = text.slice(whole.length);
  let multiplierWord: string | undefined;
  if (allowSuffix) {
    const suffix = SUFFIX.exec(rest);
    if (suffix?.[1]) {
      const word = suffix[1].toLowerCase();
      const entry = COUNT_SUFFIXES.find((s) => s.suffix.toLowerCase() === word || s.word === word);
      if (entry) {
        value *= entry.value;
        multiplierWord = entry.word;
        rest = rest.slice(suffix[0].length);
      }
    }
  }
  return { value, negative: sign === "-", rest: rest.trim(), multiplierWord };
}

/**
 * Why a hexadecimal, octal or binary literal (`0x10`) is refused, or undefined for other text.
 * JavaScript's `Number()` reads them, so without this check `0x10` would count 16.
 */
export function radixLiteralProblem(text: string): string | undefined {
  const match = RADIX_LITERAL.exec(text.trim());
  if (!match?.[1]) return undefined;
  const literal = match[0];
  const decimal = Number(literal.replace(/^[+-]/, "").replaceAll("_", ""));
  const example = Number.isFinite(decimal) ? ` (${literal} would be ${decimal})` : "";
  return `"${literal}" is ${RADIX_NAMES[match[1].toLowerCase()]} literal, which is not read; write the number in decimal digits${example}`;
}

/** Why a value is no quantity at all (not a number, overflowing, or not above zero). */
export function checkNumber(value: number, shown: string): string | undefined {
  if (Number.isNaN(value)) return `${shown} is not a number`;
  if (!Number.isFinite(value))
    return `${shown} overflows a 64-bit float (largest is about 1.8e308)`;
  if (value <= 0) return `${shown} must be greater than zero`;
  return undefined;
}

/** Why a value is refused as `kind`: {@link checkNumber}, then {@link QUANTITY_BOUNDS}. */
export function checkValue(kind: QuantityKind, value: number, shown: string): string | undefined {
  const problem = checkNumber(value, shown);
  if (problem) return problem;
  const { min, max, unit } = QUANTITY_BOUNDS[kind];
  if (value < min || value > max) {
    return `${shown} = ${formatScientific(value)} ${unit} is outside the supported range ${formatScientific(min)} to ${formatScientific(max)} ${unit}`;
  }
  return undefined;
}

/** A value of `kind` in words: "7.0e10 FLOPs of training compute (…)", "70B = 7.0e10 parameters". */
export function describe(kind: QuantityKind, value: number): string {
  switch (kind) {
    case "flops":
      return `${formatFlops(value)} of training compute (${formatGrouped(value / FLOPS_PER_PF_DAY, 5)} PF-days)`;
    case "loss":
      return `target loss ${significant(value, 6)} nats per token`;
    default:
      return `${formatCount(value)} = ${formatScientific(value, 4)} ${QUANTITY_BOUNDS[kind].unit}`;
  }
}
