// biome-ignore-all lint/style/noNonNullAssertion: numeric code indexes arrays within their bounds.
import { RUN_FIELDS, type Runs, type RunsKind } from "./runs.ts";

export type CsvResult =
  | { ok: true; input: Runs }
  | {
      ok: false;
      /** 1-based data row (0 for the header), and 1-based line of the text. */
      row: number;
      line: number;
      field: string | null;
      message: string;
    };

/** A plain decimal number: 70000000000, 7e10, 2.5, .5E-3. */
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

const unquote = (cell: string) =>
  cell
    .trim()
    .replace(/^"(.*)"$/, "$1")
    .trim();

/**
 * Reads runs from CSV text with a header `params,tokens,loss` or `flops,loss` (any column order,
 * any case). Blank lines and lines starting with `#` are skipped. Every value must be a finite
 * number greater than 0; the first problem is reported with its row, line and field. Stops
 * after `maxRows` data rows (reporting too many).
 */
export function parseRunsCsv(text: string, maxRows: number): CsvResult {
  const lines = text.split(/\r?\n/);
  let headerLine = -1;
  let columns: string[] = [];
  const fail = (row: number, line: number, field: string | null, message: string): CsvResult => ({
    ok: false,
    row,
    line,
    field,
    message,
  });
  const parametric: { params: number; tokens: number; loss: number }[] = [];
  const compute: { flops: number; loss: number }[] = [];
  let kind: RunsKind | undefined;
  let rows = 0;
  for (let index = 0; index < lines.length; index++) {
    const raw = lines[index]!;
    const lineNumber = index + 1;
    if (raw.trim() === "" || raw.trimStart().startsWith("#")) continue;
    const cells = raw.split(",").map(unquote);
    if (headerLine < 0) {
      headerLine = lineNumber;
      columns = cells.map((c) => c.toLowerCase());
      const sorted = [...columns].sort().join(",");
      if (sorted === [...RUN_FIELDS.parametric].sort().join(",")) kind = "parametric";
      else if (sorted === [...RUN_FIELDS.compute].sort().join(",")) kind = "compute";
      else {
        return fail(
          0,
          lineNumber,
          null,
          `header: expected the columns params,tokens,loss or flops,loss, got "${raw.trim().slice(0, 100)}"`,
        );
      }
      continue;
    }
    rows++;
    if (rows > maxRows) return fail(rows, lineNumber, null, `at most ${maxRows} runs`);
    if (cells.length !== columns.length) {
      return fail(
        rows,
        lineNumber,
        null,
        `expected ${columns.length} values (${columns.join(",")}), got ${cells.length}`,
      );
    }
    const values: Record<string, number> = {};
    for (let c = 0; c < columns.length; c++) {
      const field = columns[c]!;
      const cell = cells[c]!;
      const value = NUMBER.test(cell) ? Number(cell) : Number.NaN;
      if (!Number.isFinite(value) || value <= 0) {
        return fail(
          rows,
          lineNumber,
          field,
          `must be a finite number greater than 0, got "${cell.slice(0, 40)}"`,
        );
      }
      values[field] = value;
    }
    if (kind === "parametric") {
      parametric.push({ params: values.params!, tokens: values.tokens!, loss: values.loss! });
    } else {
      compute.push({ flops: values.flops!, loss: values.loss! });
    }
  }
  if (!kind)
    return fail(0, 1, null, "header: the CSV is empty; expected params,tokens,loss or flops,loss");
  return {
    ok: true,
    input: kind === "parametric" ? { kind, runs: parametric } : { kind, runs: compute },
  };
}
