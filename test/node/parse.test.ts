import { describe, expect, it } from "vitest";
import { formatCount, formatFlops, formatScientific } from "../../src/core/format.ts";
import { parseQuantity, type QuantityKind } from "../../src/core/parse.ts";

function value(text: string, kind: QuantityKind = "flops"): number {
  const parsed = parseQuantity(text, kind);
  if (!parsed.ok) throw new Error(`${text}: ${parsed.message}`);
  return parsed.quantity.value;
}

function refusal(text: string, kind: QuantityKind = "flops"): string {
  const parsed = parseQuantity(text, kind);
  if (parsed.ok) throw new Error(`${text} was accepted as ${parsed.quantity.value}`);
  return parsed.message;
}

describe("reading budgets the way people write them", () => {
  it.each([
    ["1e24", 1e24],
    ["1.5E+24", 1.5e24],
    ["1.5E 24", 1.5e24], // an unencoded "+" in a URL arrives as a space
    ["3.8×10^25", 3.8e25],
    ["3.8 x 10^25", 3.8e25],
    ["3.8*10**25", 3.8e25],
    ["10^24", 1e24],
    ["10²⁴", 1e24],
    ["2e24 FLOPs", 2e24],
    ["2e24 flop", 2e24],
    ["5000 PF-days", 5000 * 8.64e19],
    ["5,000 pf-days", 5000 * 8.64e19],
    ["5k petaflop/s-days", 5000 * 8.64e19],
    ["1M H100-hours @ 40% MFU", 1e6 * 3600 * 989e12 * 0.4],
    ["1M H100 GPU-hours", 1e6 * 3600 * 989e12 * 0.4],
    ["2M A100-hours at 50% MFU", 2e6 * 3600 * 312e12 * 0.5],
    ["1024 H100 x 30 days", 1024 * 30 * 24 * 3600 * 989e12 * 0.4],
    ["1024 H100s for 2 weeks, mfu 0.35", 1024 * 14 * 24 * 3600 * 989e12 * 0.35],
  ])("%s", (text, expected) => {
    expect(value(text) / expected).toBeCloseTo(1, 12);
  });

  it("states the default MFU and the GPU figure it used", () => {
    const parsed = parseQuantity("1024 H100 x 30 days", "flops");
    expect(parsed.ok && parsed.quantity.interpretation).toMatch(
      /989 TFLOP\/s.*40% MFU \(default\)/,
    );
    expect(parsed.ok && parsed.quantity.hardware).toMatchObject({
      gpu: "H100",
      gpuHours: 737280,
      mfuIsDefault: true,
    });
  });

  it("reads counts with k/M/B/T suffixes and words", () => {
    expect(value("70B", "params")).toBe(70e9);
    expect(value("70b params", "params")).toBe(70e9);
    expect(value("70 billion parameters", "params")).toBe(70e9);
    expect(value("1.4T", "tokens")).toBe(1.4e12);
    expect(value("2T tokens", "tokens")).toBe(2e12);
    expect(value("125M", "params")).toBe(125e6);
    expect(value("2 tokens", "tokens")).toBe(2);
  });

  it("reads a loss without count suffixes", () => {
    expect(value("2.0", "loss")).toBe(2);
    expect(refusal("2k", "loss")).toMatch(/unit/);
  });
});

describe("refusing bad input with a reason", () => {
  it.each([
    ["", /empty/],
    ["   ", /empty/],
    ["-1", /greater than zero/],
    ["-0", /greater than zero/],
    ["0", /greater than zero/],
    ["1e400", /overflows/],
    ["1e-400", /greater than zero/],
    ["NaN", /could not read a number/],
    ["Infinity", /could not read a number/],
    ["0x1F", /unit/],
    ["1e24 bananas", /unit "bananas"/],
    ["1M B200-hours", /unknown GPU "B200"/],
    ["1M H100-hours @ 140% MFU", /MFU must be/],
    ["1M H100-hours @ 0% MFU", /MFU must be/],
    ["1e40", /outside the supported range/],
    ["١٠", /could not read a number/],
    ["x".repeat(201), /at most 200/],
    ["1e24; DROP TABLE fits", /unit/],
  ])("%s", (text, message) => {
    expect(refusal(text)).toMatch(message);
  });
});

describe("formatting for people", () => {
  it.each([
    [52.1e9, "52.1B"],
    [3.2e12, "3.2T"],
    [70e9, "70B"],
    [1.4e12, "1.4T"],
    [125e6, "125M"],
    [999.6e9, "1T"],
    [512, "512"],
    [1.5e15, "1.5e15"],
  ])("formatCount(%d) = %s", (x, text) => {
    expect(formatCount(x)).toBe(text);
  });

  it("writes FLOPs in scientific notation with one decimal at least", () => {
    expect(formatFlops(1e24)).toBe("1.0e24 FLOPs");
    expect(formatScientific(5.76e23)).toBe("5.76e23");
    expect(formatScientific(4.32e23)).toBe("4.32e23");
  });
});
