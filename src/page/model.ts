import type { RegistrySnapshot } from "../core/fits/registry.ts";
import type { FitDefinition } from "../core/fits/schema.ts";
import type { KaplanBudget } from "../core/frontier.ts";
import type { AllocateAnswer } from "../service/allocate.ts";
import {
  extent,
  frontierBand,
  frontierSegment,
  isoflopCurve,
  type SeriesStyle,
  seriesStyle,
} from "./chart-data.ts";
import type { FrontierSeries, IsoflopSeries } from "./charts.tsx";

/** IsoFLOP curves one chart draws at most (41 points each); the table lists every fit. */
export const MAX_ISOFLOP_SERIES = 12;

/** The frontier chart spans at least these budgets, FLOPs. */
export const FRONTIER_FLOPS: readonly [number, number] = [1e18, 1e28];

export interface ChartModel {
  frontier: FrontierSeries[];
  budget?: number;
  isoflop: IsoflopSeries[];
  isoflopNote?: string;
}

/** Series styles by fit id, in the order fits are listed (so table and charts agree). */
export function stylesFor(ids: readonly string[]): Map<string, SeriesStyle> {
  return new Map(ids.map((id, index) => [id, seriesStyle(index)]));
}

/** The fits a page shows: every published fit, plus any other fit the selection names. */
export function listedFits(
  registry: RegistrySnapshot,
  selected: readonly string[],
): FitDefinition[] {
  const fits = registry.entries.map((e) => e.fit);
  for (const id of selected) {
    const extra = registry.byId.get(id);
    if (extra && !fits.includes(extra.fit)) fits.push(extra.fit);
  }
  return fits;
}

/**
 * What the charts draw: the frontier of every answered fit (or every fit, before a question),
 * with each answer marked, and the isoFLOP loss curve of every answered fit with a loss law.
 */
export function chartModel(
  registry: RegistrySnapshot,
  answer: AllocateAnswer | null,
  kaplanBudget: KaplanBudget,
  styles: ReadonlyMap<string, SeriesStyle>,
): ChartModel {
  const options = { kaplanBudget };
  const style = (id: string, index: number) => styles.get(id) ?? seriesStyle(index);
  if (!answer) {
    return {
      frontier: registry.entries.map(({ fit }, index) => ({
        id: fit.id,
        label: fit.label,
        style: style(fit.id, index),
        segment: frontierSegment(fit, FRONTIER_FLOPS, options),
        band: frontierBand(fit, FRONTIER_FLOPS, options),
      })),
      isoflop: [],
    };
  }
  const answered = answer.allocations.flatMap((allocation) => {
    const fit = registry.byId.get(allocation.fit)?.fit;
    return fit ? [{ allocation, fit }] : [];
  });
  const [low, high] = extent(
    answered.map((a) => a.allocation.flops),
    [FRONTIER_FLOPS[0], FRONTIER_FLOPS[1]],
  );
  const range: [number, number] = [
    Math.min(FRONTIER_FLOPS[0], low / 3),
    Math.max(FRONTIER_FLOPS[1], high * 3),
  ];
  const frontier = answered.map(({ allocation, fit }, index) => ({
    id: fit.id,
    label: fit.label,
    style: style(fit.id, index),
    segment: frontierSegment(fit, range, options),
    band: frontierBand(fit, range, options),
    mark: { x: allocation.flops, y: allocation.params },
  }));
  const isoflop = answered.flatMap(({ allocation, fit }, index) => {
    // A loss withheld far outside the fit's data is not drawn either.
    const curve = allocation.loss === null ? null : isoflopCurve(fit, allocation.flops);
    return curve
      ? [
          {
            id: fit.id,
            label: fit.label,
            style: style(fit.id, index),
            flops: allocation.flops,
            curve,
          },
        ]
      : [];
  });
  const drawn = isoflop.slice(0, MAX_ISOFLOP_SERIES);
  const notes = [
    ...(drawn.some((series) => registry.byId.get(series.id)?.fit.kind === "kaplan")
      ? [
          "Kaplan's curve is its L(N, D) of eq. (1.5); its minimum differs from the Table 6 allocation, which assumes early stopping.",
        ]
      : []),
    ...(isoflop.length > drawn.length
      ? [
          `Curves for the first ${drawn.length} of ${isoflop.length} fits with a loss law; the table lists them all.`,
        ]
      : []),
  ];
  return {
    frontier,
    ...(answer.query.flops === undefined ? {} : { budget: answer.query.flops }),
    isoflop: drawn,
    ...(notes.length > 0 ? { isoflopNote: notes.join(" ") } : {}),
  };
}
