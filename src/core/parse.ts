import {
  formatCount,
  formatFlops,
  formatGrouped,
  formatScientific,
  significant,
} from "./format.ts";
import { DEFAULT_MFU, findGpu, GPUS, type Gpu } from "./hardware.ts";
import { COUNT_SUFFIXES, FLOPS_PER_PF_DAY, SECONDS_PER_HOUR } from "./units.ts";

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
    "a training FLOP budget such as 1e24, 3.8×10^25, 2e24 FLOPs, 5000 PF-days, 1M H100-hours @ 40% MFU or 1024 H100 x 30 days",
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

export type ParseResult =
  | { ok: true; quantity: ParsedQuantity }
  | { ok: false; message: string; expected: string };

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

const NUMBER_SOURCE = String.raw`([+-]?)(?:(10)\s*(?:\^|\*\*)\s*([+-]?\d{1,6})|((?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?|\.\d+)(?:e\s?([+-]?\d{1,6}))?(?:\s*(?:x|\*)\s*10\s*(?:\^|\*\*)\s*([+-]?\d{1,6}))?)`;
const NUMBER = new RegExp(`^${NUMBER_SOURCE}`, "i");
const SUFFIX = /^\s*(k|m|b|t|thousand|million|billion|trillion)(?![a-z])/i;
const GPU_NAME = String.raw`[a-z]\d{2,4}(?:[- ]?(?:sxm|pcie))?`;
const PF_DAYS = /^(?:pf|petaflops?)(?:\/s)?[- ]?(?:s[- ])?days?$/i;
const GPU_HOURS = new RegExp(
  String.raw`^(${GPU_NAME})[- ]?(?:gpu[- ]?)?(?:hours?|hrs?|h)\b(.*)$`,
  "i",
);
const GPU_TIME = new RegExp(
  String.raw`^(${GPU_NAME})s?(?:\s*gpus?)?\s*(?:x|\*|for|over)\s*(\d+(?:\.\d+)?)\s*(weeks?|w|days?|d|hours?|hrs?|h)\b(.*)$`,
  "i",
);
const MFU_PERCENT_FIRST = /^(?:,|@|at|with)?\s*(\d+(?:\.\d+)?)\s*(%)?\s*(mfu)?$/i;
const MFU_WORD_FIRST = /^(?:,|@|at|with)?\s*mfu\s*(?:=|:|of)?\s*(\d+(?:\.\d+)?)\s*(%)?$/i;
const HOURS_PER_UNIT: Record<string, number> = { w: 168, d: 24, h: 1 };

const UNIT_WORDS: Record<Exclude<QuantityKind, "flops">, readonly string[]> = {
  params: ["", "p", "param", "params", "parameter", "parameters"],
  tokens: ["", "tok", "toks", "token", "tokens"],
  loss: ["", "nat", "nats", "nats/token", "nats per token"],
};

function fail(kind: QuantityKind, message: string): ParseResult {
  return { ok: false, message, expected: EXPECTED_FORMS[kind] };
}

function normalise(raw: string): string {
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

interface ReadNumber {
  value: number;
  negative: boolean;
  rest: string;
  multiplierWord?: string;
}

/** Reads a leading number (with optional exponent and count suffix) from normalised text. */
function readNumber(text: string, allowSuffix: boolean): ReadNumber | undefined {
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

function checkValue(kind: QuantityKind, value: number, shown: string): string | undefined {
  if (Number.isNaN(value)) return `${shown} is not a number`;
  if (!Number.isFinite(value))
    return `${shown} overflows a 64-bit float (largest is about 1.8e308)`;
  if (value <= 0) return `${shown} must be greater than zero`;
  const { min, max, unit } = QUANTITY_BOUNDS[kind];
  if (value < min || value > max) {
    return `${shown} = ${formatScientific(value)} ${unit} is outside the supported range ${formatScientific(min)} to ${formatScientific(max)} ${unit}`;
  }
  return undefined;
}

type MfuResult = { ok: true; mfu: number; isDefault: boolean } | { ok: false; message: string };

function readMfu(text: string): MfuResult {
  const clause = text.trim();
  if (clause === "") return { ok: true, mfu: DEFAULT_MFU, isDefault: true };
  const match = MFU_WORD_FIRST.exec(clause) ?? MFU_PERCENT_FIRST.exec(clause);
  if (!match || (match[2] === undefined && !/mfu/i.test(clause))) {
    return {
      ok: false,
      message: `could not read the utilisation "${clause}" (write e.g. @ 40% MFU)`,
    };
  }
  const number = Number(match[1]);
  const mfu = match[2] === "%" ? number / 100 : number;
  if (!(mfu > 0 && mfu <= 1)) {
    return {
      ok: false,
      message: `MFU must be above 0% and at most 100% (or a fraction in (0, 1]); got "${clause}"`,
    };
  }
  return { ok: true, mfu, isDefault: false };
}

function gpuBudget(
  kind: QuantityKind,
  gpuName: string,
  gpuHours: number,
  mfuText: string,
  hoursExplained: string,
  input: string,
  gpus?: number,
): ParseResult {
  const gpu: Gpu | undefined = findGpu(gpuName);
  if (!gpu) {
    return fail(
      kind,
      `unknown GPU "${gpuName}"; known: ${GPUS.map((g) => g.id).join(", ")} (see /api/v1/gpus)`,
    );
  }
  const mfu = readMfu(mfuText);
  if (!mfu.ok) return fail(kind, mfu.message);
  const value = gpuHours * SECONDS_PER_HOUR * gpu.peakFlops * mfu.mfu;
  const problem = checkValue(kind, value, input);
  if (problem) return fail(kind, problem);
  const mfuShown = `${significant(mfu.mfu * 100)}% MFU${mfu.isDefault ? " (default)" : ""}`;
  return {
    ok: true,
    quantity: {
      kind,
      value,
      input,
      interpretation: `${hoursExplained} × ${significant(gpu.peakFlops / 1e12)} TFLOP/s (${gpu.label}, peak dense BF16) × ${mfuShown} × 3600 s/h = ${formatFlops(value)}`,
      hardware: {
        gpu: gpu.id,
        gpuLabel: gpu.label,
        gpuHours,
        ...(gpus === undefined ? {} : { gpus }),
        mfu: mfu.mfu,
        mfuIsDefault: mfu.isDefault,
        peakFlops: gpu.peakFlops,
        gpuSource: gpu.source,
      },
    },
  };
}

function parseFlops(number: ReadNumber, input: string): ParseResult {
  const unit = number.rest;
  const shown = formatGrouped(number.value);
  if (unit === "" || /^flops?$/i.test(unit)) {
    const problem = checkValue("flops", number.value, input);
    if (problem) return fail("flops", problem);
    return {
      ok: true,
      quantity: {
        kind: "flops",
        value: number.value,
        input,
        interpretation: describe("flops", number.value),
      },
    };
  }
  if (PF_DAYS.test(unit)) {
    const value = number.value * FLOPS_PER_PF_DAY;
    const problem = checkValue("flops", value, input);
    if (problem) return fail("flops", problem);
    return {
      ok: true,
      quantity: {
        kind: "flops",
        value,
        input,
        interpretation: `${shown} PF-days × 8.64e19 FLOPs per PF-day (Kaplan et al. 2020, §1.3) = ${formatFlops(value)}`,
      },
    };
  }
  const hours = GPU_HOURS.exec(unit);
  if (hours?.[1] !== undefined) {
    return gpuBudget(
      "flops",
      hours[1],
      number.value,
      hours[2] ?? "",
      `${shown} ${findGpu(hours[1])?.id ?? hours[1]} GPU-hours`,
      input,
    );
  }
  const time = GPU_TIME.exec(unit);
  if (time?.[1] !== undefined && time[2] !== undefined && time[3] !== undefined) {
    const duration = Number(time[2]);
    const perUnit = HOURS_PER_UNIT[time[3].toLowerCase().charAt(0)] ?? 1;
    const gpuHours = number.value * duration * perUnit;
    const gpuId = findGpu(time[1])?.id ?? time[1];
    return gpuBudget(
      "flops",
      time[1],
      gpuHours,
      time[4] ?? "",
      `${shown} ${gpuId} × ${significant(duration, 6)} ${time[3]} = ${formatGrouped(gpuHours)} GPU-hours`,
      input,
      number.value,
    );
  }
  return fail("flops", `could not read the unit "${unit}"`);
}

/**
 * Parses a quantity written the way people write it, and explains how it was read.
 *
 * Numbers: `1e24`, `1.5E+24`, `3.8×10^25`, `3.8x10^25`, `10^24`, `10²⁴`, `5,000`, with k/M/B/T
 * (thousand, million, billion, trillion) for counts. FLOP budgets also accept `FLOPs`,
 * `PF-days` (× 8.64e19, Kaplan et al. 2020 §1.3), GPU time as `1M H100-hours @ 40% MFU` or
 * `1024 H100 x 30 days` (peak dense BF16 × MFU; default MFU 40%).
 *
 * Never throws; refuses (with a message) anything non-finite, non-positive or out of
 * {@link QUANTITY_BOUNDS}.
 */
export function parseQuantity(raw: string, kind: QuantityKind): ParseResult {
  if (raw.length > MAX_INPUT_LENGTH) {
    return fail(kind, `input is ${raw.length} characters; at most ${MAX_INPUT_LENGTH} are read`);
  }
  const input = raw.trim();
  const text = normalise(raw);
  if (text === "") return fail(kind, "is empty");
  const number = readNumber(text, kind !== "loss");
  if (!number) return fail(kind, `could not read a number in "${input}"`);
  if (number.negative) return fail(kind, `"${input}" must be greater than zero`);
  if (kind === "flops") return parseFlops(number, input);

  const unit = number.rest.toLowerCase();
  if (!UNIT_WORDS[kind].includes(unit)) {
    return fail(kind, `could not read the unit "${number.rest}"`);
  }
  const problem = checkValue(kind, number.value, input);
  if (problem) return fail(kind, problem);
  const value = number.value;
  return { ok: true, quantity: { kind, value, input, interpretation: describe(kind, value) } };
}

/** Accepts a JSON number as a quantity, with the same checks as {@link parseQuantity}. */
export function quantityFromNumber(value: number, kind: QuantityKind): ParseResult {
  const input = String(value);
  const problem = checkValue(kind, value, input);
  if (problem) return fail(kind, problem);
  return { ok: true, quantity: { kind, value, input, interpretation: describe(kind, value) } };
}

function describe(kind: QuantityKind, value: number): string {
  switch (kind) {
    case "flops":
      return `${formatFlops(value)} of training compute (${formatGrouped(value / FLOPS_PER_PF_DAY, 5)} PF-days)`;
    case "loss":
      return `target loss ${significant(value, 6)} nats per token`;
    default:
      return `${formatCount(value)} = ${formatScientific(value, 4)} ${QUANTITY_BOUNDS[kind].unit}`;
  }
}
