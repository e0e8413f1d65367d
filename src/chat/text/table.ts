/** One column of a plain-text table. */
export interface Column<Row> {
  header: string;
  align: "left" | "right";
  cell: (row: Row) => string;
}

/** Aligned plain-text table lines (header first), columns two spaces apart, no trailing blanks. */
export function renderTable<Row>(columns: readonly Column<Row>[], rows: readonly Row[]): string[] {
  const cells = [
    columns.map((column) => column.header),
    ...rows.map((row) => columns.map((column) => column.cell(row))),
  ];
  const widths = columns.map((_, i) => Math.max(...cells.map((line) => line[i]?.length ?? 0)));
  return cells.map((line) =>
    line
      .map((cell, i) => {
        const width = widths[i] ?? 0;
        return columns[i]?.align === "right" ? cell.padStart(width) : cell.padEnd(width);
      })
      .join("  ")
      .trimEnd(),
  );
}

/** Numbers footnote texts in order of first use; `marks` gives a row's "[1,2]" marker. */
export class Footnotes {
  readonly #numbers = new Map<string, number>();

  marks(texts: readonly string[]): string {
    if (texts.length === 0) return "";
    const numbers = texts.map((text) => {
      const known = this.#numbers.get(text);
      if (known !== undefined) return known;
      const next = this.#numbers.size + 1;
      this.#numbers.set(text, next);
      return next;
    });
    return `[${[...new Set(numbers)].join(",")}]`;
  }

  lines(): string[] {
    return [...this.#numbers].map(([text, n]) => `[${n}] ${text}`);
  }
}

/** The width plain-text answers keep to: an 80-column terminal. */
export const TEXT_WIDTH = 80;

/** Wraps text at spaces to lines of at most `width` characters, continuing with `indent`. */
export function wrap(text: string, width = TEXT_WIDTH, indent = "    "): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    const candidate = line === "" ? word : `${line} ${word}`;
    if (candidate.length <= width || line.trim() === "") {
      line = candidate;
      continue;
    }
    lines.push(line);
    line = `${indent}${word}`;
  }
  if (line !== "") lines.push(line);
  return lines.flatMap((l) =>
    l.length <= width ? [l] : (l.match(new RegExp(`.{1,${width}}`, "g")) ?? [l]),
  );
}

/**
 * A table when every line fits `width`; otherwise one block per row: the first column's cell,
 * then the others as "header value" pairs, wrapped under it.
 */
export function renderTableOrBlocks<Row>(
  columns: readonly Column<Row>[],
  rows: readonly Row[],
  width = TEXT_WIDTH,
): string[] {
  const table = renderTable(columns, rows);
  if (table.every((line) => line.length <= width)) return table;
  const [first, ...rest] = columns;
  return rows.flatMap((row) => {
    const pairs = rest
      .map((column) => [column.header, column.cell(row)] as const)
      .filter(([, value]) => value !== "")
      .map(([header, value]) => `${header} ${value}`);
    const body = wrap(pairs.join(", "), width - 2, "").map((line) => `  ${line}`);
    return [first ? first.cell(row) : "", ...body];
  });
}
