import { formatDays, significant } from "../core/format.ts";
import type { AllocateAnswer, AllocationAnswer } from "../service/allocate.ts";
import type { HardwarePlan } from "../service/hardware.ts";
import { isUserFitId } from "../store/user-fits.ts";
import type { SeriesStyle } from "./chart-data.ts";
import { FrontierChart, IsoflopChart, Swatch } from "./charts.tsx";
import type { ChartModel } from "./model.ts";
import { describeAsked, formatFor, Num, type NumberKind, ParamsOnTokens } from "./numbers.tsx";
import type { QuestionLinks } from "./query.ts";

/** The allocation the headline names (the service's choice), or the first. */
export function headlineAllocation(answer: AllocateAnswer): AllocationAnswer | undefined {
  return answer.allocations.find((a) => a.fit === answer.headline?.fit) ?? answer.allocations[0];
}

/** The asked quantity in words, e.g. "1.0e24 FLOPs". */
export function askedText(answer: AllocateAnswer): string {
  const { question } = answer.query;
  return describeAsked(question, answer.query[question] ?? 0);
}

function Headline({ answer }: { answer: AllocateAnswer }) {
  const chosen = headlineAllocation(answer);
  if (!chosen) return null;
  return (
    <div class="headline">
      <p class="asked">
        {askedText(answer)}
        <span class="interpretation"> ({answer.query.interpretation})</span>
      </p>
      <h2>
        <ParamsOnTokens params={chosen.params} tokens={chosen.tokens} />
      </h2>
      <p class="under">
        under {chosen.label}: <Num kind="flops" value={chosen.flops} unit="FLOPs" />
        {chosen.loss === null ? (
          ""
        ) : (
          <>
            , predicted loss <Num kind="loss" value={chosen.loss} />
          </>
        )}
      </p>
    </div>
  );
}

export function Actions({ links }: { links: QuestionLinks }) {
  return (
    <div class="actions">
      <a class="button" href={links.page} data-copy={links.pageUrl}>
        Copy link
      </a>
      <a class="button" href={links.api} type="application/json">
        JSON
      </a>
      <details class="curl">
        <summary class="button">curl</summary>
        <pre>
          <code>{links.curl}</code>
        </pre>
      </details>
    </div>
  );
}

/** The authors and year of a source: "Hoffmann et al. 2022". */
const shortSource = (source: string) => /^.*?\b(?:19|20)\d\d\b/.exec(source)?.[0] ?? source;

/** A warning as its first clause, with the whole text one click away (no script needed). */
function Warning({ text }: { text: string }) {
  const cut = text.indexOf(" (");
  if (cut < 0) return <span class="warning">⚠ {text}</span>;
  return (
    <details class="warning">
      <summary>⚠ {text.slice(0, cut)}</summary>
      {text}
    </details>
  );
}

/** A published interval under its point estimate: "80%: 45.1B–61.2B", the method on hover. */
export function Interval({
  kind,
  range,
  level,
  method,
}: {
  kind: NumberKind;
  range: readonly [number, number] | undefined;
  level: number;
  method: string;
}) {
  if (!range) return null;
  const [low, high] = range;
  return (
    <small
      class="interval"
      title={`${Math.round(level * 100)}% interval [${low}, ${high}]: ${method}`}
      data-low={String(low)}
      data-high={String(high)}
    >
      {Math.round(level * 100)}%: {formatFor(kind, low)}–{formatFor(kind, high)}
    </small>
  );
}

/** Days for people: "3.2 days", "41 days", "1.4 years". */
export { formatDays };

/** Money without a currency symbol (the price's own currency): 1.2M, 950k, 12.5. */
export const formatCost = (value: number) => formatFor("count", value);

/** Training-time cells of a row, when the question named hardware. */
export function TrainingCells({
  training,
  withCost,
}: {
  training: AllocationAnswer["training"];
  withCost: boolean;
}) {
  if (!training) return null;
  return (
    <>
      <td data-label="Training time">
        <data
          value={String(training.days)}
          title={`${training.days} days on ${training.gpus} GPUs`}
        >
          {formatDays(training.days)}
        </data>
      </td>
      <td data-label="GPU-hours">
        <Num kind="count" value={training.gpuHours} unit="GPU-hours" />
      </td>
      {withCost && (
        <td data-label="Cost">
          {training.cost === undefined ? (
            "—"
          ) : (
            <data value={String(training.cost)} title={`${training.cost} (GPU-hours × price)`}>
              {formatCost(training.cost)}
            </data>
          )}
        </td>
      )}
    </>
  );
}

/** Header cells matching TrainingCells. */
export function TrainingHeaders({ withCost }: { withCost: boolean }) {
  return (
    <>
      <th scope="col" title="Wall-clock days on the chosen GPUs at the chosen MFU">
        Training time
      </th>
      <th scope="col" title="GPU-hours = C / (peak FLOP/s × MFU × 3600)">
        GPU-hours
      </th>
      {withCost && (
        <th scope="col" title="GPU-hours × price per GPU-hour, in the price's currency">
          Cost
        </th>
      )}
    </>
  );
}

/**
 * The hardware a training time assumes, in words; with `time` (one budget for every row), the
 * training time itself: "29 days, 702k GPU-hours, cost 1.76M".
 */
export function HardwareLine({
  hardware,
  time,
}: {
  hardware: HardwarePlan;
  time?: AllocationAnswer["training"];
}) {
  return (
    <p class="hardware">
      {time ? (
        <strong class="training-time">
          Training time:{" "}
          <data value={String(time.days)} title={`${time.days} days`}>
            {formatDays(time.days)}
          </data>
          , <Num kind="count" value={time.gpuHours} unit="GPU-hours" /> GPU-hours
          {time.cost === undefined ? (
            ""
          ) : (
            <>
              , cost{" "}
              <data value={String(time.cost)} title={`${time.cost} (GPU-hours × price)`}>
                {formatCost(time.cost)}
              </data>
            </>
          )}{" "}
        </strong>
      ) : (
        "Training time "
      )}
      on {hardware.gpus.toLocaleString("en-US")} × {hardware.gpuLabel} at{" "}
      {significant(hardware.mfu * 100, 3)}% MFU{hardware.mfuIsDefault ? " (default)" : ""}
      {hardware.pricePerGpuHour === undefined
        ? ""
        : `, ${significant(hardware.pricePerGpuHour, 4)} per GPU-hour`}
      .{" "}
      <span class="hint" title={hardware.gpuSource}>
        Peak {significant(hardware.peakFlops / 1e12, 4)} TFLOP/s dense BF16.
      </span>
    </p>
  );
}

function AllocationRow({
  a,
  style,
  showCompute,
  withTime,
  withCost,
}: {
  a: AllocationAnswer;
  style: SeriesStyle | undefined;
  showCompute: boolean;
  withTime: boolean;
  withCost: boolean;
}) {
  const intervals = a.intervals;
  // The asked quantity is fixed: its interval has no width and is not shown.
  const band = (kind: NumberKind, range: readonly [number, number] | undefined) =>
    intervals && range && range[0] !== range[1] ? (
      <Interval kind={kind} range={range} level={intervals.level} method={intervals.method} />
    ) : null;
  return (
    <tr>
      <th scope="row">
        {style && <Swatch style={style} />} {a.label}
        <a class="source" href={a.sourceUrl} title={a.source} rel="noopener">
          {shortSource(a.source)}
        </a>
        {isUserFitId(a.fit) && (
          <a class="source" href={`/fit/${a.fit}`}>
            your runs and fit
          </a>
        )}
        {a.warnings.map((w) => (
          <Warning text={w.message} />
        ))}
      </th>
      <td data-label="Parameters">
        <Num kind="count" value={a.params} unit="parameters" />
        {band("count", intervals?.params)}
      </td>
      <td data-label="Tokens">
        <Num kind="count" value={a.tokens} unit="tokens" />
        {band("count", intervals?.tokens)}
      </td>
      <td data-label="Tokens / param">
        <Num kind="ratio" value={a.tokensPerParam} />
      </td>
      {showCompute && (
        <td data-label="Compute">
          <Num kind="flops" value={a.flops} unit="FLOPs" />
          {band("flops", intervals?.flops)}
        </td>
      )}
      <td data-label="Loss">
        {a.loss === null ? "—" : <Num kind="loss" value={a.loss} unit="nats/token" />}
        {band("loss", intervals?.loss)}
      </td>
      <td data-label="10x compute" class="scale">
        <span>
          N <Num kind="factor" value={a.scaleUp10x.params} />, D{" "}
          <Num kind="factor" value={a.scaleUp10x.tokens} />
        </span>
      </td>
      {withTime && <TrainingCells training={a.training} withCost={withCost} />}
      <td data-label="Parameters counted">{a.parameterConvention}</td>
    </tr>
  );
}

function ComparisonTable({
  answer,
  styles,
}: {
  answer: AllocateAnswer;
  styles: ReadonlyMap<string, SeriesStyle>;
}) {
  // Every fit spends the asked budget, so a compute column would only repeat it.
  const showCompute = answer.query.question !== "flops";
  // Likewise training time: one budget, one time (shown under the headline instead).
  const training = showCompute ? answer.query.training : undefined;
  const withCost = training?.pricePerGpuHour !== undefined;
  return (
    <table class="compare">
      <caption>Every selected fit's compute-optimal allocation for {askedText(answer)}</caption>
      <thead>
        <tr>
          <th scope="col">Fit and source</th>
          <th scope="col">Parameters</th>
          <th scope="col">Tokens</th>
          <th scope="col">Tokens / param</th>
          {showCompute && <th scope="col">Compute</th>}
          <th scope="col" title="Predicted cross-entropy, nats per token, on the fit's own dataset">
            Loss
          </th>
          <th scope="col" title="How N_opt and D_opt grow when compute grows 10x">
            10x compute
          </th>
          {training && <TrainingHeaders withCost={withCost} />}
          <th scope="col">Parameters counted</th>
        </tr>
      </thead>
      <tbody>
        {answer.allocations.map((a) => (
          <AllocationRow
            a={a}
            style={styles.get(a.fit)}
            showCompute={showCompute}
            withTime={training !== undefined}
            withCost={withCost}
          />
        ))}
      </tbody>
    </table>
  );
}

function Notes({ answer }: { answer: AllocateAnswer }) {
  return (
    <details class="notes">
      <summary>Notes and conventions</summary>
      <ul>
        {Object.values(answer.conventions).map((text) => (
          <li>{text}</li>
        ))}
      </ul>
      {answer.allocations.map((a) => (
        <>
          <h3>{a.label}</h3>
          <ul>
            <li>
              Dataset: {a.dataset}. FLOPs: {a.flopsConvention}.
            </li>
            {a.notes.map((note) => (
              <li>{note}</li>
            ))}
          </ul>
        </>
      ))}
    </details>
  );
}

export interface ResultProps {
  answer: AllocateAnswer | null;
  links: QuestionLinks;
  styles: ReadonlyMap<string, SeriesStyle>;
  charts: ChartModel;
}

/** The answer region the script swaps: it carries the permalink and the document title. */
export function ResultRegion({
  links,
  title,
  children,
}: {
  links: QuestionLinks;
  /** The document title this result belongs to (the script updates it). */
  title: string;
  children?: unknown;
}) {
  return (
    <section id="result" aria-live="polite" data-permalink={links.page} data-title={title}>
      {children}
    </section>
  );
}

/** The compute-optimal answer: headline, links, the table and the charts. */
export function AllocateResult({ answer, links, styles, charts }: ResultProps) {
  const training = answer?.query.training;
  return (
    <>
      {answer && (
        <>
          <Headline answer={answer} />
          <Actions links={links} />
          {training && (
            <HardwareLine
              hardware={training}
              time={answer.query.question === "flops" ? answer.allocations[0]?.training : undefined}
            />
          )}
          <div class="table-wrap">
            <ComparisonTable answer={answer} styles={styles} />
          </div>
          {answer.skipped.length > 0 && (
            <p class="skipped">
              Not shown:{" "}
              {answer.skipped.map((s, i) => (
                <>
                  {i > 0 && "; "}
                  {s.fit} ({s.message})
                </>
              ))}
              .
            </p>
          )}
        </>
      )}
      <div class="charts">
        <FrontierChart series={charts.frontier} budget={charts.budget} />
        {charts.isoflop.length > 0 && (
          <IsoflopChart series={charts.isoflop} note={charts.isoflopNote} />
        )}
      </div>
      {answer && <Notes answer={answer} />}
    </>
  );
}
