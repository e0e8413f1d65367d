/**
 * Reading a training FLOP budget: plain FLOPs, SI-prefixed FLOPs, PF-days and GPU time.
 */
import { formatFlops, formatGrouped, significant } from "./format.ts";
import { DEFAULT_MFU, findGpu, GPUS, type Gpu, MIN_MFU } from "./hardware.ts";
import {
  checkNumber,
  checkValue,
  describe,
  fail,
  type ParseOptions,
  type ParseResult,
  type ReadNumber,
} from "./quantity.ts";
import { FLOPS_PER_PF_DAY, SECONDS_PER_HOUR } from "./units.ts";

const GPU_NAME = String.raw`[a-z]\d{2,4}(?:[- ]?(?:sxm|pcie))?`;
const PF_DAYS = /^(?:pf|petaflops?)(?:\/s)?[- ]?(?:s[- ])?days?$/i;
const GPU_HOURS = new RegExp(
  String.raw`^(${GPU_NAME})[- ]?(?:gpu[- ]?)?(?:hours?|hrs?|h)\b(.*)$`,
  "i",
);
/** `H100 x 30 days`, `H100s for 2 weeks`, and with the count's own "x": `x H100 x 30 days`. */
const GPU_TIME = new RegExp(
  String.raw`^(?:(?:x|\*)\s*)?(${GPU_NAME})s?(?:\s*gpus?)?\s*(?:x|\*|for|over)\s*(\d+(?:\.\d+)?)\s*(weeks?|w|days?|d|hours?|hrs?|h)\b(.*)$`,
  "i",
);
const MFU_PERCENT_FIRST = /^(?:,|@|at|with)?\s*(\d+(?:\.\d+)?)\s*(%)?\s*(mfu)?$/i;
const MFU_WORD_FIRST = /^(?:,|@|at|with)?\s*mfu\s*(?:=|:|of)?\s*(\d+(?:\.\d+)?)\s*(%)?$/i;
const HOURS_PER_UNIT: Record<string, number> = { w: 168, d: 24, h: 1 };

/** SI prefixes of FLOP amounts, spelled out and abbreviated (`3 zettaFLOPs`, `5 EFLOP`). */
const SI_PREFIXES: readonly { word: string; symbol: string; exponent: number }[] = [
  { word: "kilo", symbol: "k", exponent: 3 },
  { word: "mega", symbol: "M", exponent: 6 },
  { word: "giga", symbol: "G", exponent: 9 },
  { word: "tera", symbol: "T", exponent: 12 },
  { word: "peta", symbol: "P", exponent: 15 },
  { word: "exa", symbol: "E", exponent: 18 },
  { word: "zetta", symbol: "Z", exponent: 21 },
  { word: "yotta", symbol: "Y", exponent: 24 },
];
const SI_FLOPS = new RegExp(
  `^(${SI_PREFIXES.map((p) => p.word).join("|")}|[${SI_PREFIXES.map((p) => p.symbol).join("")}])[- ]?flops?$`,
  "i",
);

/** Relative tolerance within which two MFUs are the same (0.5 and 50%). */
const MFU_TOLERANCE = 1e-9;

type MfuResult =
  | { ok: true; mfu: number; from: "text" | "request" | "default" }
  | { ok: false; message: string; conflict?: { budgetMfu: number; requestMfu: number } };

function readMfu(text: string, requestMfu: number | undefined): MfuResult {
  const clause = text.trim();
  if (clause === "") {
    return requestMfu === undefined
      ? { ok: true, mfu: DEFAULT_MFU, from: "default" }
      : { ok: true, mfu: requestMfu, from: "request" };
  }
  const match = MFU_WORD_FIRST.exec(clause) ?? MFU_PERCENT_FIRST.exec(clause);
  if (!match || (match[2] === undefined && !/mfu/i.test(clause))) {
    return {
      ok: false,
      message: `could not read the utilisation "${clause}" (write e.g. @ 40% MFU)`,
    };
  }
  const number = Number(match[1]);
  const mfu = match[2] === "%" ? number / 100 : number;
  if (!(mfu >= MIN_MFU && mfu <= 1)) {
    return {
      ok: false,
      message: `MFU must be from ${MIN_MFU * 100}% to 100% (or a fraction from ${MIN_MFU} to 1); got "${clause}"`,
    };
  }
  if (requestMfu !== undefined && Math.abs(mfu - requestMfu) > MFU_TOLERANCE * requestMfu) {
    return {
      ok: false,
      message: `the budget says ${significant(mfu * 100)}% MFU but mfu is ${significant(requestMfu * 100)}%; give the MFU once (in the budget or as mfu)`,
      conflict: { budgetMfu: mfu, requestMfu },
    };
  }
  return { ok: true, mfu, from: "text" };
}

const MFU_NOTES = { text: "", request: " (the request's mfu)", default: " (default)" } as const;

function gpuBudget(
  gpuName: string,
  gpuHours: number,
  mfuText: string,
  hoursExplained: string,
  input: string,
  options: ParseOptions,
  gpus?: number,
): ParseResult {
  const gpu: Gpu | undefined = findGpu(gpuName);
  if (!gpu) {
    return fail(
      "flops",
      `unknown GPU "${gpuName}"; known: ${GPUS.map((g) => g.id).join(", ")} (see /api/v1/gpus)`,
    );
  }
  const mfu = readMfu(mfuText, options.mfu);
  if (!mfu.ok) {
    return fail(
      "flops",
      mfu.message,
      mfu.conflict ? { kind: "conflicting-mfu", ...mfu.conflict } : undefined,
    );
  }
  const value = gpuHours * SECONDS_PER_HOUR * gpu.peakFlops * mfu.mfu;
  const problem = checkValue("flops", value, input);
  if (problem) return fail("flops", problem);
  const mfuShown = `${significant(mfu.mfu * 100)}% MFU${MFU_NOTES[mfu.from]}`;
  return {
    ok: true,
    quantity: {
      kind: "flops",
      value,
      input,
      interpretation: `${hoursExplained} × ${significant(gpu.peakFlops / 1e12)} TFLOP/s (${gpu.label}, peak dense BF16) × ${mfuShown} × 3600 s/h = ${formatFlops(value)}`,
      hardware: {
        gpu: gpu.id,
        gpuLabel: gpu.label,
        gpuHours,
        ...(gpus === undefined ? {} : { gpus }),
        mfu: mfu.mfu,
        mfuIsDefault: mfu.from === "default",
        peakFlops: gpu.peakFlops,
        gpuSource: gpu.source,
      },
    },
  };
}

/** A budget of `value` FLOPs, checked against the bounds, explained as `interpretation`. */
function flopsOf(value: number, input: string, interpretation: string): ParseResult {
  const problem = checkValue("flops", value, input);
  if (problem) return fail("flops", problem);
  return { ok: true, quantity: { kind: "flops", value, input, interpretation } };
}

/**
 * Reads a FLOP budget from the number at the start of `input` and the unit after it
 * (`number.rest`). A count with a count suffix and no unit (`70B`) is refused as ambiguous.
 * GPU time is read at the MFU in its text, else `options.mfu`, else the default (40%).
 * @returns the budget in FLOPs
 */
export function parseFlops(number: ReadNumber, input: string, options: ParseOptions): ParseResult {
  const unit = number.rest;
  const shown = formatGrouped(number.value);
  if (unit === "" && number.multiplierWord !== undefined) {
    const problem = checkNumber(number.value, input);
    if (problem) return fail("flops", problem);
    // The readings in range: `5k` may be parameters or tokens, but 5e3 FLOPs is no budget.
    const readings = (
      [
        { field: "params", value: input },
        { field: "tokens", value: input },
        { field: "flops", value: `${input} FLOPs` },
      ] as const
    ).filter(({ field }) => checkValue(field, number.value, input) === undefined);
    if (readings.length === 0) return flopsOf(number.value, input, "");
    return fail(
      "flops",
      `"${input}" is a count (${number.multiplierWord}s) with no unit, so it is ambiguous`,
      { kind: "ambiguous", value: number.value, readings },
    );
  }
  if (unit === "" || /^flops?$/i.test(unit)) {
    return flopsOf(number.value, input, describe("flops", number.value));
  }
  const si = SI_FLOPS.exec(unit)?.[1]?.toLowerCase();
  const prefix = SI_PREFIXES.find((p) => p.word === si || p.symbol.toLowerCase() === si);
  if (prefix) {
    const value = number.value * 10 ** prefix.exponent;
    return flopsOf(
      value,
      input,
      `${shown} ${prefix.word}FLOPs × 1e${prefix.exponent} = ${describe("flops", value)}`,
    );
  }
  if (PF_DAYS.test(unit)) {
    const value = number.value * FLOPS_PER_PF_DAY;
    return flopsOf(
      value,
      input,
      `${shown} PF-days × 8.64e19 FLOPs per PF-day (Kaplan et al. 2020, §1.3) = ${formatFlops(value)}`,
    );
  }
  const hours = GPU_HOURS.exec(unit);
  if (hours?.[1] !== undefined) {
    return gpuBudget(
      hours[1],
      number.value,
      hours[2] ?? "",
      `${shown} ${findGpu(hours[1])?.id ?? hours[1]} GPU-hours`,
      input,
      options,
    );
  }
  const time = GPU_TIME.exec(unit);
  if (time?.[1] !== undefined && time[2] !== undefined && time[3] !== undefined) {
    const duration = Number(time[2]);
    const perUnit = HOURS_PER_UNIT[time[3].toLowerCase().charAt(0)] ?? 1;
    const gpuHours = number.value * duration * perUnit;
    const gpuId = findGpu(time[1])?.id ?? time[1];
    return gpuBudget(
      time[1],
      gpuHours,
      time[4] ?? "",
      `${shown} ${gpuId} × ${significant(duration, 6)} ${time[3]} = ${formatGrouped(gpuHours)} GPU-hours`,
      input,
      options,
      number.value,
    );
  }
  return fail("flops", `could not read the unit "${unit}"`);
}
