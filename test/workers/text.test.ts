import { exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { AllocateAnswerJson as AllocateAnswer } from "../../src/api/lean.ts";
import { formatCount, formatScientific } from "../../src/core/format.ts";
import { CONVENTIONS } from "../../src/service/conventions.ts";
import type { PredictAnswer } from "../../src/service/predict.ts";
import { type ErrorEnvelope, seedAll } from "./helpers.ts";

const BASE = "http://calc.test";

const get = (path: string, headers: Record<string, string> = {}) =>
  exports.default.fetch(`${BASE}${path}`, { headers });

async function json<T>(path: string): Promise<T> {
  const res = await get(path, { accept: "application/json" });
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

async function text(path: string, headers: Record<string, string> = {}) {
  const res = await get(path, headers);
  expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
  return { status: res.status, body: await res.text(), headers: res.headers };
}

/** Every line of a text answer fits an 80-column terminal. */
function expectWithin80Columns(body: string) {
  for (const line of body.split("\n")) expect(line.length, line).toBeLessThanOrEqual(80);
}

/** The text with wrapped lines (continued with four spaces) joined back. */
const unwrapped = (body: string) => body.replace(/\n {4}/g, " ");

/** The table of a text answer: from the header line (starting "fit ") to the next blank line. */
function tableOf(body: string): string[] {
  const lines = body.split("\n");
  const start = lines.findIndex((line) => line.startsWith("fit "));
  expect(start).toBeGreaterThan(0);
  const end = lines.indexOf("", start);
  return lines.slice(start, end);
}

/** Cells of a table line (cells are two or more spaces apart) with their start and end. */
function cellsOf(line: string) {
  return [...line.matchAll(/\S+(?: \S+)*/g)].map((m) => ({
    text: m[0],
    start: m.index,
    end: m.index + m[0].length,
  }));
}

const NUMBER = /^(\$?[\d.,]+(e-?\d+)?[kMBTx]?\*?|-)$/;

/**
 * Each column is aligned on every line: numeric columns on the right (same ends), the others
 * on the left (same starts).
 */
function expectAligned(table: string[]) {
  const rows = table.map(cellsOf);
  const [header = [], ...body] = rows;
  for (const [i, column] of header.entries()) {
    const cells = body.flatMap((row) => (row[i] ? [row[i]] : []));
    const numeric = cells.length > 0 && cells.every((cell) => NUMBER.test(cell.text));
    const aligned = numeric
      ? cells.every((cell) => cell.end === column.end)
      : cells.every((cell) => cell.start === column.start);
    expect(aligned, `column "${column.text}" is not aligned:\n${table.join("\n")}`).toBe(true);
  }
}

beforeAll(async () => {
  await seedAll();
});

describe("plain-text allocate", () => {
  it.each([
    ["format=text", "flops=5000%20PF-days&format=text", {}],
    ["Accept: text/plain", "params=70B", { accept: "text/plain" }],
    ["text preferred by q", "loss=1.95", { accept: "application/json;q=0.5, text/plain" }],
  ])("%s: one aligned row per fit, matching the JSON answer", async (_, query, headers) => {
    const answer = await json<AllocateAnswer>(
      `/api/v1/allocate?${query.replace("&format=text", "")}`,
    );
    const { status, body } = await text(`/api/v1/allocate?${query}`, headers);
    expect(status).toBe(200);
    expectWithin80Columns(body);
    expect(unwrapped(body).split("\n")[0]).toBe(answer.query.interpretation);
    const table = tableOf(body);
    expectAligned(table);
    expect(table.length - 1).toBe(answer.allocations.length);
    const withFlops = answer.query.question === "flops" ? 0 : 1;
    for (const [i, allocation] of answer.allocations.entries()) {
      const cells = cellsOf(table[i + 1] ?? "").map((cell) => cell.text);
      const star = allocation.parameterConvention === "total" ? "" : "*";
      expect(cells.slice(0, 3)).toEqual([
        allocation.fit,
        `${formatCount(allocation.params)}${star}`,
        formatCount(allocation.tokens),
      ]);
      if (withFlops) expect(cells[4]).toBe(formatScientific(allocation.flops));
      expect(cells[4 + withFlops]).toBe(
        allocation.loss === null ? "-" : allocation.loss.toFixed(3),
      );
      if (answer.warnings.some((w) => w.fits.includes(allocation.fit))) {
        expect(cells.at(-1)).toMatch(/^\[\d+(,\d+)*\]$/);
      }
    }
    for (const skipped of answer.skipped) expect(body).toContain(skipped.fit);
    expect(unwrapped(body)).toContain(CONVENTIONS.loss);
    for (const { message } of answer.warnings) {
      expect(
        unwrapped(body)
          .split("\n")
          .some((line) => /^\[\d+\] /.test(line) && line.endsWith(`] ${message}`)),
        message,
      ).toBe(true);
    }
  });

  it("keeps JSON for */*, browsers and format=json, and varies on Accept", async () => {
    for (const accept of [
      "*/*",
      "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
      "application/json, text/plain;q=0.5",
    ]) {
      const res = await get("/api/v1/allocate?flops=1e24", { accept });
      expect(res.headers.get("content-type"), accept).toMatch(/^application\/json/);
      expect(res.headers.get("vary")).toMatch(/Accept/);
    }
    const forced = await get("/api/v1/allocate?flops=1e24&format=json", { accept: "text/plain" });
    expect(forced.headers.get("content-type")).toMatch(/^application\/json/);
  });

  it("adds GPU-hours, days and cost per fit when hardware is named, one block per fit", async () => {
    const query = "flops=1e24&gpu=H100&gpus=1024&pricePerGpuHour=2&fit=epoch-2024,kaplan-2020";
    const answer = await json<AllocateAnswer>(`/api/v1/allocate?${query}`);
    const { body } = await text(`/api/v1/allocate?${query}&format=text`);
    // The row would pass 80 columns, so each fit gets a block: its id, then its numbers.
    expectWithin80Columns(body);
    const lines = body.split("\n");
    for (const allocation of answer.allocations) {
      const at = lines.indexOf(allocation.fit);
      expect(at, allocation.fit).toBeGreaterThan(0);
      const block = lines
        .slice(at + 1)
        .filter((_line, k, rest) => rest.slice(0, k + 1).every((l) => l.startsWith("  ")))
        .join(" ");
      expect(block).toContain(`GPU-hours ${formatCount(allocation.training?.gpuHours ?? 0)}`);
      expect(block).toContain(`cost $${formatCount(allocation.training?.cost ?? 0)}`);
    }
  });

  it("answers POST with format=text", async () => {
    const res = await exports.default.fetch(`${BASE}/api/v1/allocate?format=text`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ tokens: 1.4e12, fit: ["epoch-2024", "kaplan-2020"] }),
    });
    expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
    const table = tableOf(await res.text());
    expectAligned(table);
    expect(table.slice(1).map((line) => line.split(" ")[0])).toEqual(["epoch-2024", "kaplan-2020"]);
  });

  it("answers errors as text with the JSON envelope's status and message", async () => {
    for (const query of ["flops=-1", "flops=1e24&fit=nope", "params=70B&tokens=1T"]) {
      const envelopeRes = await get(`/api/v1/allocate?${query}`);
      const envelope = (await envelopeRes.json()) as ErrorEnvelope;
      const { status, body } = await text(`/api/v1/allocate?${query}&format=text`);
      expect(status).toBe(envelopeRes.status);
      expect(body).toContain(`error ${status} ${envelope.error.code}: ${envelope.error.message}`);
      if (envelope.error.expected) expect(body).toContain(`expected: ${envelope.error.expected}`);
    }
  });

  it("rejects an unknown format in the envelope", async () => {
    const res = await get("/api/v1/allocate?flops=1e24&format=xml");
    expect(res.status).toBe(400);
    expect(((await res.json()) as ErrorEnvelope).error.field).toBe("format");
  });
});

describe("plain-text predict", () => {
  it("renders one aligned row per fit with a loss law", async () => {
    const query = "params=70B&tokens=1.4T";
    const answer = await json<PredictAnswer>(`/api/v1/predict?${query}`);
    const { status, body } = await text(`/api/v1/predict?${query}`, { accept: "text/plain" });
    expect(status).toBe(200);
    expectWithin80Columns(body);
    expect(unwrapped(body).split("\n")[0]).toContain(answer.query.params.interpretation);
    expect(unwrapped(body).split("\n")[0]).toContain(formatScientific(answer.flops));
    const table = tableOf(body);
    expectAligned(table);
    expect(table.slice(1).map((line) => cellsOf(line).map((c) => c.text))).toEqual(
      answer.predictions.map((p) => [
        p.fit,
        p.loss === null ? "-" : p.loss.toFixed(3),
        p.optimalLoss === null ? "-" : p.optimalLoss.toFixed(3),
        expect.any(String),
        `${formatCount(p.optimalParams)}${p.parameterConvention === "total" ? "" : "*"}`,
        formatCount(p.optimalTokens),
        expect.any(String),
        ...([...p.warnings, ...p.notes, ...Object.values(p.nullReasons)].length > 0
          ? [expect.stringMatching(/^\[[\d,]+\]$/)]
          : []),
      ]),
    );
  });
});

describe("short path GET /<budget>", () => {
  it.each([
    ["/1e24", "1e24"],
    ["/5000%20PF-days", "5000 PF-days"],
    ["/1M%20H100-hours%20@%2040%25%20MFU", "1M H100-hours @ 40% MFU"],
  ])("%s answers the allocate table as text", async (path, flops) => {
    const answer = await json<AllocateAnswer>(
      `/api/v1/allocate?flops=${encodeURIComponent(flops)}`,
    );
    const { status, body } = await text(path);
    expect(status).toBe(200);
    const expected = await text(`/api/v1/allocate?flops=${encodeURIComponent(flops)}&format=text`);
    expect(body).toBe(expected.body);
    expectWithin80Columns(body);
    for (const { fit } of answer.allocations) expect(body).toMatch(new RegExp(`^${fit}\\b`, "m"));
  });

  it("honours fit and kaplanBudget", async () => {
    const { body } = await text("/1e24?fit=kaplan-2020,epoch-2024&kaplanBudget=all");
    const expected = await text(
      "/api/v1/allocate?flops=1e24&fit=kaplan-2020,epoch-2024&kaplanBudget=all&format=text",
    );
    expect(body).toBe(expected.body);
  });

  it("answers bad budgets with a text error, and leaves other paths alone", async () => {
    const bad = await text("/1abc");
    expect(bad.status).toBe(400);
    expect(bad.body).toMatch(/^error 400 invalid_input: flops: /);
    const badFit = await text("/1e24?fit=nope");
    expect(badFit.status).toBe(404);

    const junk = await get("/abc");
    expect(junk.status).toBe(404);
    expect(((await junk.json()) as ErrorEnvelope).error.code).toBe("not_found");
    expect((await get("/healthz")).status).toBe(200);
    expect((await get("/1e24/more")).status).toBe(404);
  });
});

describe("short path options (issue 13: honoured or refused, never dropped)", () => {
  it("honours every allocate option and refuses what it does not take", async () => {
    const withGpu = await text("/1e24?gpu=H100&gpus=1024");
    expect(withGpu.status).toBe(200);
    expect(withGpu.body).toMatch(/days/);
    for (const [path, field] of [
      ["/1e24?flops=1e23", "flops"],
      ["/1e24?colour=red", "colour"],
      ["/1e24?format=json", "format"],
    ] as const) {
      const { status, body } = await text(path);
      expect(status, path).toBe(400);
      expect(body, path).toContain(field);
    }
  });
});
