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
