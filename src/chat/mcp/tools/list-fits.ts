import { z } from "zod";
import { FitListSchema } from "../../../api/schemas.ts";
import { renderTable } from "../../text/table.ts";
import { defineTool } from "../tool.ts";

export const listFits = defineTool({
  name: "list_fits",
  title: "Scaling-law fits",
  description: [
    "Lists every scaling-law fit the calculator knows, with the ids the other tools accept in fits.",
    "For each fit: its kind, constants, source paper with table or equation, parameter and FLOP conventions, measured compute range, notes, and whether it came from KV or the bundled defaults.",
    "Fits of your own runs (ids user-…) are not listed but work wherever a fit id does, for 30 days after they were last posted.",
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
