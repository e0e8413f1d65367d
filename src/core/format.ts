import { COUNT_SUFFIXES } from "./units.ts";

/** Shortest decimal form of x with `digits` significant digits (no trailing zeros). */
export function significant(x: number, digits = 3): string {
  return String(Number(x.toPrecision(digits)));
}

/**
 * Scientific notation for people: 1.0e24, 5.76e23 (3 significant digits, trailing zeros
 * trimmed but at least one decimal).
 * @example formatScientific(5.76e23) // "5.76e23"
 */
export function formatScientific(x: number, digits = 3): string {
  const [mantissa = "0", exponent = "0"] = x.toExponential(digits - 1).split("e");
  let m = mantissa.replace(/0+$/, "");
  if (m.endsWith(".")) m += "0";
  if (!m.includes(".")) m += ".0";
  return `${m}e${Number(exponent)}`;
}

/** A FLOP count for people: "1.0e24 FLOPs". */
export function formatFlops(flops: number): string {
  return `${formatScientific(flops)} FLOPs`;
}

/**
 * A count (parameters, tokens) with a k/M/B/T suffix and 3 significant digits: 52.1B, 3.2T.
 * Counts of 1e15 and above use scientific notation.
 * @example formatCount(7e10) // "70B"
 */
export function formatCount(x: number, digits = 3): string {
  const rounded = Number(x.toPrecision(digits));
  if (rounded >= 1e15) return formatScientific(x, digits);
  for (const { suffix, value } of COUNT_SUFFIXES) {
    if (rounded >= value) return `${significant(rounded / value, digits)}${suffix}`;
  }
  return significant(rounded, digits);
}

const GROUPED = new Intl.NumberFormat("en-US", { maximumFractionDigits: 20 });

/** A number with thousands separators, rounded to `digits` significant digits: 6,666.67. */
export function formatGrouped(x: number, digits = 6): string {
  return GROUPED.format(Number(x.toPrecision(digits)));
}

/**
 * A loss for people, in nats per token, at 3 decimals: every door shows losses this way (the
 * fits' own data are good to about 1e-3).
 */
export function formatLoss(loss: number): string {
  return loss.toFixed(3);
}

/**
 * A training duration for people, as every door shows it: 3 significant digits of days
 * ("28.6 days", "1,230 days"), or of years from two years on ("4.1 years").
 * @param days wall-clock days
 */
export function formatDays(days: number): string {
  if (days >= 730) return `${significant(days / 365.25, 3)} years`;
  return `${formatGrouped(days, 3)} days`;
}
