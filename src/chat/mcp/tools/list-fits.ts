import { z } from "zod";
import { FitListSchema } from "../../../api/schemas.ts";
import { renderTable } from "../../text/table.ts";
import { defineTool } from "../tool.ts";

export const listFits = defineTool({
  name: "list_fits",
  title: "Scaling-law fits",
  description: [
    "Lists every scaling-law fit the calculator knows, with the ids the other tools accept in fits.",
    "For each fit: its kind (parametric loss law, power-law allocation rule, Kaplan frontier or a fixed tokens-per-parameter rule), constants, source paper with table or equation, parameter convention (total or non-embedding), FLOP convention, measured compute range, and whether it came from the live registry (kv) or the bundled defaults.",
    "Fits made from your own training runs (POST /api/v1/fits) are not listed here, but their ids (user-…) work in fits and fit wherever a fit id is accepted, for 30 days after they were last posted.",
    "The result is the JSON of GET /api/v1/fits.",
  ].join(" "),
  inputSchema: z.object({}),
  outputSchema: FitListSchema,
  async run(c) {
    const registry = await c.var.fits();
    const fits = registry.entries.map(({ fit, origin }) => ({ ...fit, origin }));
    const rows = renderTable(
      [
        { header: "id", align: "left", cell: (f) => f.id },
        { header: "kind", align: "left", cell: (f) => f.kind },
        { header: "label", align: "left", cell: (f) => f.label },
      ],
      fits,
    );
    return { structured: { fits }, text: `${rows.join("\n")}\n` };
  },
});
