import type { ScaleContinuousNumeric } from "d3-scale";
import { scaleLinear, scaleLog } from "d3-scale";
import { formatCount, formatFlops, significant } from "../core/format.ts";
import {
  type Band,
  extent,
  type IsoflopCurve,
  type Point,
  type SeriesStyle,
} from "./chart-data.ts";

/** Chart geometry in SVG user units; the SVG scales to its container through its viewBox. */
export const WIDTH = 480;
export const HEIGHT = 330;
const MARGIN = { top: 16, right: 26, bottom: 48, left: 60 };
export const PLOT = {
  left: MARGIN.left,
  right: WIDTH - MARGIN.right,
  top: MARGIN.top,
  bottom: HEIGHT - MARGIN.bottom,
};
/** Most labelled ticks per axis, so labels stay apart on a phone. */
const MAX_LABELS = 6;

export type Scale = ScaleContinuousNumeric<number, number>;

export interface Tick {
  value: number;
  position: number;
  label: string;
}

export const round = (x: number) => Math.round(x * 10) / 10;

function isPowerOfTen(x: number): boolean {
  const exponent = Math.log10(x);
  return Math.abs(exponent - Math.round(exponent)) < 1e-9;
}

/** Powers of ten from d3's log ticks, every few labelled so at most MAX_LABELS show. */
export function logTicks(scale: Scale, format: (value: number) => string): Tick[] {
  const decades = scale.ticks().filter(isPowerOfTen);
  const step = Math.ceil(decades.length / MAX_LABELS);
  return decades.map((value) => ({
    value,
    position: round(scale(value)),
    label: Math.round(Math.log10(value)) % step === 0 ? format(value) : "",
  }));
}

export function linearTicks(scale: Scale, format: (value: number) => string): Tick[] {
  return scale
    .ticks(5)
    .map((value) => ({ value, position: round(scale(value)), label: format(value) }));
}

export const exponentLabel = (value: number) => `1e${Math.round(Math.log10(value))}`;

export function Axes({
  x,
  y,
  xLabel,
  yLabel,
}: {
  x: Tick[];
  y: Tick[];
  xLabel: string;
  yLabel: string;
}) {
  return (
    <g class="axes">
      {x.map((t) => (
        <g>
          <line class="grid" x1={t.position} x2={t.position} y1={PLOT.top} y2={PLOT.bottom} />
          {t.label && (
            <text x={t.position} y={PLOT.bottom + 18} text-anchor="middle">
              {t.label}
            </text>
          )}
        </g>
      ))}
      {y.map((t) => (
        <g>
          <line class="grid" x1={PLOT.left} x2={PLOT.right} y1={t.position} y2={t.position} />
          {t.label && (
            <text x={PLOT.left - 6} y={t.position + 4} text-anchor="end">
              {t.label}
            </text>
          )}
        </g>
      ))}
      <rect
        class="frame"
        x={PLOT.left}
        y={PLOT.top}
        width={PLOT.right - PLOT.left}
        height={PLOT.bottom - PLOT.top}
        fill="none"
      />
      <text class="axis-label" x={(PLOT.left + PLOT.right) / 2} y={HEIGHT - 8} text-anchor="middle">
        {xLabel}
      </text>
      <text
        class="axis-label"
        transform={`translate(14 ${(PLOT.top + PLOT.bottom) / 2}) rotate(-90)`}
        text-anchor="middle"
      >
        {yLabel}
      </text>
    </g>
  );
}

export function ChartFrame({
  id,
  title,
  desc,
  children,
}: {
  id: string;
  title: string;
  desc: string;
  children: unknown;
}) {
  return (
    <svg
      class="chart"
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      role="img"
      aria-labelledby={`${id}-title ${id}-desc`}
      font-size="13"
    >
      <title id={`${id}-title`}>{title}</title>
      <desc id={`${id}-desc`}>{desc}</desc>
      {children}
    </svg>
  );
}

export function pathOf(points: readonly Point[], x: Scale, y: Scale): string {
  return points.map((p, i) => `${i === 0 ? "M" : "L"}${round(x(p.x))},${round(y(p.y))}`).join("");
}

/** A legend entry's line sample, drawn like its series. */
export function Swatch({ style }: { style: SeriesStyle }) {
  return (
    <svg class="swatch" viewBox="0 0 28 10" width="28" height="10" aria-hidden="true">
      <line
        x1="1"
        x2="27"
        y1="5"
        y2="5"
        stroke={style.color}
        stroke-width="3"
        stroke-dasharray={style.dash || undefined}
      />
    </svg>
  );
}

export function Legend({
  items,
}: {
  items: readonly { id: string; label: string; style: SeriesStyle }[];
}) {
  return (
    <ul class="legend">
      {items.map((item) => (
        <li>
          <Swatch style={item.style} /> {item.label}
        </li>
      ))}
    </ul>
  );
}

export interface FrontierSeries {
  id: string;
  label: string;
  style: SeriesStyle;
  /** Two points (C, N_opt) spanning the chart. */
  segment: readonly [Point, Point];
  /** The fit's answer (C, N), marked on its line. */
  mark?: Point;
  /** The 80% interval band of N_opt(C), for fits that publish uncertainty. */
  band?: Band | null;
}

/** A closed area between a band's edges: along the high edge, back along the low one. */
function bandPath(band: Band, x: Scale, y: Scale): string {
  return `${pathOf(band.high, x, y)}${pathOf([...band.low].reverse(), x, y).replace(/^M/, "L")}Z`;
}

/** N_opt(C) of every fit on log-log axes, with each fit's answer and the user's budget marked. */
export function FrontierChart({
  series,
  budget,
}: {
  series: readonly FrontierSeries[];
  budget?: number;
}) {
  const xs = series.flatMap((s) => [s.segment[0].x, s.segment[1].x]);
  const ys = series.flatMap((s) => [
    s.segment[0].y,
    s.segment[1].y,
    ...(s.mark ? [s.mark.y] : []),
    ...(s.band ? [...s.band.low, ...s.band.high].map((p) => p.y) : []),
  ]);
  const banded = series.filter((s) => s.band);
  const x = scaleLog()
    .domain(extent(xs, [1e18, 1e28]))
    .range([PLOT.left, PLOT.right]);
  const y = scaleLog()
    .domain(extent(ys, [1e6, 1e15]))
    .range([PLOT.bottom, PLOT.top])
    .nice();
  const marked = series.filter((s) => s.mark);
  const sentences = [
    `Compute-optimal parameters N_opt against training compute C, both on log scales, for ${series.length} fits.`,
    budget === undefined ? "" : `Budget marked at ${formatFlops(budget)}.`,
    marked.length === 0
      ? ""
      : `${marked
          .map(
            (s) =>
              `${s.label}: ${formatCount(s.mark?.y ?? 0)} parameters at ${formatFlops(s.mark?.x ?? 0)}`,
          )
          .join("; ")}.`,
    banded.length === 0
      ? ""
      : `Shaded bands: 80% intervals of N_opt for ${banded.map((s) => s.label).join(", ")}.`,
  ];
  const desc = sentences.filter((t) => t !== "").join(" ");
  return (
    <figure class="figure">
      <ChartFrame id="frontier" title="Compute-optimal model size by fit" desc={desc}>
        <Axes
          x={logTicks(x, exponentLabel)}
          y={logTicks(y, (v) => formatCount(v))}
          xLabel="training compute C (FLOPs)"
          yLabel="parameters N_opt"
        />
        {budget !== undefined && (
          <g class="budget">
            <line
              x1={round(x(budget))}
              x2={round(x(budget))}
              y1={PLOT.top}
              y2={PLOT.bottom}
              stroke="#555555"
              stroke-dasharray="3 3"
            />
            <text x={round(x(budget)) + 4} y={PLOT.top + 12} font-size="12">
              your budget
            </text>
          </g>
        )}
        {banded.map((s) => (
          <path
            class="band"
            d={s.band ? bandPath(s.band, x, y) : ""}
            fill={s.style.color}
            fill-opacity="0.16"
            stroke="none"
          >
            <title>
              {s.label}: {Math.round((s.band?.level ?? 0.8) * 100)}% interval of N_opt(C)
            </title>
          </path>
        ))}
        {series.map((s) => (
          <path
            d={pathOf(s.segment, x, y)}
            fill="none"
            stroke={s.style.color}
            stroke-width="2"
            stroke-dasharray={s.style.dash || undefined}
          >
            <title>{s.label}</title>
          </path>
        ))}
        {marked.map((s) => (
          <circle
            cx={round(x(s.mark?.x ?? 1))}
            cy={round(y(s.mark?.y ?? 1))}
            r="4.5"
            fill={s.style.color}
            stroke="#ffffff"
            stroke-width="1.5"
          >
            <title>
              {s.label}: {formatCount(s.mark?.y ?? 0)} parameters at {formatFlops(s.mark?.x ?? 0)}
            </title>
          </circle>
        ))}
      </ChartFrame>
      <figcaption>
        <strong>Compute-optimal model size.</strong> N_opt(C) from 1e18 to 1e28 FLOPs under each
        fit; dots mark each fit's answer
        {banded.length > 0 ? "; shaded bands are 80% intervals where a fit publishes them" : ""}.
        <Legend items={series} />
      </figcaption>
    </figure>
  );
}

export interface IsoflopSeries {
  id: string;
  label: string;
  style: SeriesStyle;
  /** Training compute of this curve, FLOPs. */
  flops: number;
  curve: IsoflopCurve;
}

/** L(N) at fixed compute for every fit with a loss law, each minimum marked. */
export function IsoflopChart({
  series,
  note,
}: {
  series: readonly IsoflopSeries[];
  /** A caveat appended to the caption. */
  note?: string;
}) {
  const xs = series.flatMap((s) => s.curve.points.map((p) => p.x));
  const ys = series.flatMap((s) => s.curve.points.map((p) => p.y));
  const x = scaleLog()
    .domain(extent(xs, [1e6, 1e12]))
    .range([PLOT.left, PLOT.right]);
  const y = scaleLinear()
    .domain(extent(ys, [1, 4]))
    .range([PLOT.bottom, PLOT.top])
    .nice(5);
  const budgets = [...new Set(series.map((s) => formatFlops(s.flops)))];
  const desc = `Predicted loss against model size N along the isoFLOP line C = 6ND at ${budgets.join(
    ", ",
  )}, for ${series.length} fits with a loss law. Minima: ${series
    .map(
      (s) =>
        `${s.label}: loss ${significant(s.curve.optimum.y, 4)} at ${formatCount(s.curve.optimum.x)} parameters`,
    )
    .join("; ")}.`;
  return (
    <figure class="figure">
      <ChartFrame id="isoflop" title="Loss along your isoFLOP line" desc={desc}>
        <Axes
          x={logTicks(x, (v) => formatCount(v))}
          y={linearTicks(y, (v) => significant(v, 3))}
          xLabel="parameters N (tokens D = C / 6N)"
          yLabel="loss (nats per token)"
        />
        {series.map((s) => (
          <g>
            <path
              d={pathOf(s.curve.points, x, y)}
              fill="none"
              stroke={s.style.color}
              stroke-width="2"
              stroke-dasharray={s.style.dash || undefined}
            >
              <title>
                {s.label} at {formatFlops(s.flops)}
              </title>
            </path>
            <circle
              cx={round(x(s.curve.optimum.x))}
              cy={round(y(s.curve.optimum.y))}
              r="4.5"
              fill={s.style.color}
              stroke="#ffffff"
              stroke-width="1.5"
            >
              <title>
                {s.label}: minimum loss {significant(s.curve.optimum.y, 4)} at{" "}
                {formatCount(s.curve.optimum.x)} parameters
              </title>
            </circle>
          </g>
        ))}
      </ChartFrame>
      <figcaption>
        <strong>Loss along the isoFLOP line.</strong> L(N) at fixed compute C = 6ND (
        {budgets.join(", ")}
        ); dots mark each minimum. Each fit predicts loss on its own dataset, so the levels are not
        comparable across fits.{note ? ` ${note}` : ""}
        <Legend items={series} />
      </figcaption>
    </figure>
  );
}
