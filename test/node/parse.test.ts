import { describe, expect, it } from "vitest";
import { formatCount, formatFlops, formatScientific } from "../../src/core/format.ts";
import { type ParseOptions, parseQuantity, type QuantityKind } from "../../src/core/parse.ts";

function value(text: string, kind: QuantityKind = "flops", options?: ParseOptions): number {
  const parsed = parseQuantity(text, kind, options);
  if (!parsed.ok) throw new Error(`${text}: ${parsed.message}`);
  return parsed.quantity.value;
}

function refusal(text: string, kind: QuantityKind = "flops", options?: ParseOptions): string {
  const parsed = parseQuantity(text, kind, options);
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
    ["0x1F", /hexadecimal literal.*0x1F would be 31/],
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

const H100_DAY = 24 * 3600 * 989e12;

describe("a bare count as a budget is ambiguous", () => {
  it.each([
    ["70B", 70e9],
    ["70 billion", 70e9],
    ["1.5T", 1.5e12],
    ["2M", 2e6],
  ])("%s is refused with its three readings", (text, count) => {
    const parsed = parseQuantity(text, "flops");
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.message).toMatch(/no unit, so it is ambiguous/);
    expect(parsed.problem).toEqual({
      kind: "ambiguous",
      value: count,
      readings: [
        { field: "params", value: text },
        { field: "tokens", value: text },
        { field: "flops", value: `${text} FLOPs` },
      ],
    });
    // Each reading parses as its own quantity, to the same number.
    expect(value(text, "params")).toBe(count);
    expect(value(text, "tokens")).toBe(count);
    expect(value(`${text} FLOPs`)).toBe(count);
  });

  it("offers only the readings in range", () => {
    const parsed = parseQuantity("5k", "flops");
    expect(!parsed.ok && parsed.problem).toEqual({
      kind: "ambiguous",
      value: 5e3,
      readings: [
        { field: "params", value: "5k" },
        { field: "tokens", value: "5k" },
      ],
    });
    expect(refusal("1e30T")).toMatch(/outside the supported range/);
  });

  it.each([
    ["70B FLOPs", 7e10],
    ["70 billion flop", 7e10],
    ["7e10", 7e10],
    ["70e9", 7e10],
    ["70,000,000,000", 7e10],
    ["1e24", 1e24],
  ])("%s still means FLOPs", (text, expected) => {
    expect(value(text)).toBe(expected);
  });

  it("counts with a suffix stay counts for params and tokens", () => {
    expect(value("70B", "params")).toBe(70e9);
    expect(value("15T", "tokens")).toBe(15e12);
  });
});

describe("phrasings of budgets", () => {
  it.each([
    ["1024 x H100 x 30 days @ 35% MFU", 1024 * 30 * H100_DAY * 0.35],
    ["1024 × H100 × 30 days", 1024 * 30 * H100_DAY * 0.4],
    ["8 x A100 for 2 weeks at 50% MFU", 8 * 14 * 24 * 3600 * 312e12 * 0.5],
    ["1 yottaFLOP", 1e24],
    ["1 YFLOP", 1e24],
    ["3 zettaFLOPs", 3e21],
    ["2 ZFLOPs", 2e21],
    ["5 EFLOP", 5e18],
    ["5 exaFLOPs", 5e18],
    ["7 petaFLOPs", 7e15],
    ["7 PFLOPs", 7e15],
    ["4 teraFLOP", 4e12],
    ["4 TFLOPs", 4e12],
    ["9 gigaFLOPs", 9e9],
    ["9 GFLOP", 9e9],
    ["3 megaFLOPs", 3e6],
    ["3 MFLOPs", 3e6],
    ["2000 kiloFLOPs", 2e6],
    ["2000 kFLOP", 2e6],
    ["1.5 exa-FLOPs", 1.5e18],
    ["2.5e3 EFLOPs", 2.5e21],
    ["1e24 FLOPs", 1e24],
    ["1E24", 1e24],
  ])("%s", (text, expected) => {
    expect(value(text) / expected).toBeCloseTo(1, 12);
  });

  it("says which prefix it read", () => {
    const parsed = parseQuantity("5 EFLOP", "flops");
    expect(parsed.ok && parsed.quantity.interpretation).toMatch(/^5 exaFLOPs × 1e18 = 5\.0e18/);
  });

  it("reads the count of N x GPU x time as the GPUs", () => {
    const parsed = parseQuantity("1024 x H100 x 30 days @ 35% MFU", "flops");
    expect(parsed.ok && parsed.quantity.hardware).toMatchObject({
      gpu: "H100",
      gpus: 1024,
      gpuHours: 737280,
      mfu: 0.35,
      mfuIsDefault: false,
    });
  });
});

describe("zero and other radixes", () => {
  it.each([
    ["0T", "flops"],
    ["0e0", "flops"],
    ["0 EFLOP", "flops"],
    ["0 H100-hours", "flops"],
    ["0 x H100 x 30 days", "flops"],
    ["0T", "tokens"],
    ["0e0", "params"],
    ["0B", "params"],
  ] as const)("%s as %s is zero, not unreadable", (text, kind) => {
    expect(refusal(text, kind)).toMatch(/must be greater than zero/);
  });

  it.each([
    ["0x10", "hexadecimal", 16],
    ["0X1f", "hexadecimal", 31],
    ["0o17", "octal", 15],
    ["0b101", "binary", 5],
  ])("%s is refused (%s literal)", (text, radix, decimal) => {
    for (const kind of ["flops", "params", "tokens", "loss"] as const) {
      expect(refusal(text, kind)).toMatch(
        new RegExp(`${radix} literal.*decimal digits.*would be ${decimal}`),
      );
    }
  });

  it("still reads 0 x 10^24 as the number zero", () => {
    expect(refusal("0x10^24")).toMatch(/greater than zero/);
  });
});

describe("one MFU for a GPU-time budget", () => {
  it("reads GPU time with no MFU in its text at the request's MFU", () => {
    const flops = value("1024 H100 x 30 days", "flops", { mfu: 0.5 });
    expect(flops / (1024 * 30 * H100_DAY * 0.5)).toBeCloseTo(1, 12); // 1.3125e24, not 1.05e24
    const parsed = parseQuantity("1024 H100 x 30 days", "flops", { mfu: 0.5 });
    expect(parsed.ok && parsed.quantity.interpretation).toMatch(/50% MFU \(the request's mfu\)/);
    expect(parsed.ok && parsed.quantity.hardware).toMatchObject({ mfu: 0.5, mfuIsDefault: false });
  });

  it("accepts the same MFU in the text and the request", () => {
    expect(value("1M H100-hours @ 50% MFU", "flops", { mfu: 0.5 })).toBe(1e6 * 3600 * 989e12 * 0.5);
  });

  it("refuses different MFUs in the text and the request", () => {
    const parsed = parseQuantity("1024 H100 x 30 days @ 35% MFU", "flops", { mfu: 0.5 });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.message).toMatch(/35% MFU but mfu is 50%/);
    expect(parsed.problem).toEqual({ kind: "conflicting-mfu", budgetMfu: 0.35, requestMfu: 0.5 });
  });

  it("leaves plain FLOPs alone", () => {
    expect(value("1e24", "flops", { mfu: 0.5 })).toBe(1e24);
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
