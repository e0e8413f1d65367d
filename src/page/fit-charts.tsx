import { scaleLinear, scaleLog } from "d3-scale";
import { formatFlops, significant } from "../core/format.ts";
import { extent, type Point } from "./chart-data.ts";
import {
  Axes,
  ChartFrame,
  exponentLabel,
  linearTicks,
  logTicks,
  PLOT,
  pathOf,
  round,
  type Scale,
} from "./charts.tsx";

/** Most runs drawn as points; larger sets are thinned evenly (the caption says so). */
export const MAX_PLOTTED_RUNS = 600;
const RUN_COLOR = "#0072B2";
const CURVE_COLOR = "#D55E00";

/** Every k-th item so at most `limit` remain, in order. */
/** The runs as translucent dots. */
function RunDots(props: {
  points: readonly { x: number; y: number }[];
  x: (value: number) => number;
  y: (value: number) => number;
}) {
  return (
    <g class="runs">
      {props.points.map((p) => (
        <circle
          cx={round(props.x(p.x))}
          cy={round(props.y(p.y))}
          r="3"
          fill={RUN_COLOR}
          fill-opacity="0.6"
        />
      ))}
    </g>
  );
}

export function thin<T>(items: readonly T[], limit: number): T[] {
  if (items.length <= limit) return [...items];
  const step = items.length / limit;
  return Array.from({ length: limit }, (_, i) => items[Math.floor(i * step)] as T);
}

/** Labelled ticks of a log axis over a narrow range (losses): d3's own ticks, at most 6 labels. */
function narrowLogTicks(scale: Scale) {
  const ticks = scale.ticks(6);
  const step = Math.ceil(ticks.length / 6);
  return ticks.map((value, i) => ({
    value,
    position: round(scale(value)),
    label: i % step === 0 ? significant(value, 3) : "",
  }));
}

export interface LossCurve {
  /** Fitted loss along compute, C ascending; points beyond the runs are the extrapolation. */
  points: Point[];
  /** Largest compute among the runs, FLOPs: the curve is dashed beyond it. */
  dataEnd: number;
  label: string;
}

/** Loss against compute on log-log axes: the runs as points and the fitted law as a curve. */
export function FitLossChart({
  runs,
  curve,
  total,
}: {
  /** (C, loss) of each run drawn. */
  runs: readonly Point[];
  curve: LossCurve;
  /** How many runs there are in all (more than drawn when thinned). */
  total: number;
}) {
  const inside = curve.points.filter((p) => p.x <= curve.dataEnd);
  const beyond = curve.points.filter((p) => p.x >= curve.dataEnd);
  const x = scaleLog()
    .domain(
      extent(
        [...runs, ...curve.points].map((p) => p.x),
        [1e18, 1e24],
      ),
    )
    .range([PLOT.left, PLOT.right]);
  const [lowLoss, highLoss] = extent(
    [...runs, ...curve.points].map((p) => p.y),
    [1, 4],
  );
  const y = scaleLog()
    .domain([lowLoss / 1.03, highLoss * 1.03])
    .range([PLOT.bottom, PLOT.top]);
  const last = curve.points.at(-1);
  const desc = `Final loss against training compute, both on log scales: ${runs.length} of ${total} runs as points and ${curve.label} as a curve, extrapolated beyond the largest run (${formatFlops(curve.dataEnd)})${
    last ? ` to ${formatFlops(last.x)}, where it predicts loss ${significant(last.y, 4)}` : ""
  }.`;
  return (
    <figure class="figure">
      <ChartFrame id="fit-loss" title="Your runs and the fitted law" desc={desc}>
        <Axes
          x={logTicks(x, exponentLabel)}
          y={narrowLogTicks(y)}
          xLabel="training compute C (FLOPs)"
          yLabel="final loss"
        />
        <line
          class="data-end"
          x1={round(x(curve.dataEnd))}
          x2={round(x(curve.dataEnd))}
          y1={PLOT.top}
          y2={PLOT.bottom}
          stroke="#555555"
          stroke-dasharray="3 3"
        />
        <text x={round(x(curve.dataEnd)) + 4} y={PLOT.top + 12} font-size="12">
          largest run
        </text>
        <RunDots points={runs} x={x} y={y} />
        <path d={pathOf(inside, x, y)} fill="none" stroke={CURVE_COLOR} stroke-width="2.5">
          <title>{curve.label}</title>
        </path>
        <path
          d={pathOf(beyond, x, y)}
          fill="none"
          stroke={CURVE_COLOR}
          stroke-width="2.5"
          stroke-dasharray="7 4"
        >
          <title>{curve.label}, extrapolated</title>
        </path>
      </ChartFrame>
      <figcaption>
        <strong>Your runs and the fitted law.</strong> Points:{" "}
        {runs.length < total ? "a sample of " : ""}
        {runs.length} of {total} runs. Line: {curve.label}; dashed beyond your largest run.
      </figcaption>
    </figure>
  );
}

/** Fitted against observed loss, one point per run, with the line of perfect agreement. */
export function ParityChart({ pairs, total }: { pairs: readonly Point[]; total: number }) {
  const [low, high] = extent(
    pairs.flatMap((p) => [p.x, p.y]),
    [1, 4],
  );
  const pad = (high - low) * 0.05 || 0.05;
  const domain: [number, number] = [low - pad, high + pad];
  const x = scaleLinear().domain(domain).range([PLOT.left, PLOT.right]).nice(5);
  const y = scaleLinear().domain(domain).range([PLOT.bottom, PLOT.top]).nice(5);
  const [d0, d1] = x.domain() as [number, number];
  const desc = `Fitted loss against observed loss for ${pairs.length} of ${total} runs; points on the diagonal are fitted exactly.`;
  return (
    <figure class="figure">
      <ChartFrame id="fit-parity" title="Fitted against observed loss" desc={desc}>
        <Axes
          x={linearTicks(x, (v) => significant(v, 3))}
          y={linearTicks(y, (v) => significant(v, 3))}
          xLabel="observed loss"
          yLabel="fitted loss"
        />
        <line
          x1={round(x(d0))}
          y1={round(y(d0))}
          x2={round(x(d1))}
          y2={round(y(d1))}
          stroke="#555555"
          stroke-dasharray="3 3"
        />
        <RunDots points={pairs} x={x} y={y} />
      </ChartFrame>
      <figcaption>
        <strong>Fitted against observed loss.</strong> Points on the dashed diagonal are fitted
        exactly; above it the law overestimates the loss.
      </figcaption>
    </figure>
  );
}
