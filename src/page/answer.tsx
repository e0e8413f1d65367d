import type { AllocateAnswer, AllocationAnswer } from "../service/allocate.ts";
import type { SeriesStyle } from "./chart-data.ts";
import { FrontierChart, IsoflopChart, Swatch } from "./charts.tsx";
import type { ChartModel } from "./model.ts";
import { describeAsked, Num } from "./numbers.tsx";
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
        <Num kind="count" value={chosen.params} unit="parameters" /> parameters on{" "}
        <Num kind="count" value={chosen.tokens} unit="tokens" /> tokens
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

function Actions({ links }: { links: QuestionLinks }) {
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

function AllocationRow({
  a,
  style,
  showCompute,
}: {
  a: AllocationAnswer;
  style: SeriesStyle | undefined;
  showCompute: boolean;
}) {
  return (
    <tr>
      <th scope="row">
        {style && <Swatch style={style} />} {a.label}
        <a class="source" href={a.sourceUrl} title={a.source} rel="noopener">
          {shortSource(a.source)}
        </a>
        {a.warnings.map((w) => (
          <Warning text={w} />
        ))}
      </th>
      <td data-label="Parameters">
        <Num kind="count" value={a.params} unit="parameters" />
      </td>
      <td data-label="Tokens">
        <Num kind="count" value={a.tokens} unit="tokens" />
      </td>
      <td data-label="Tokens / param">
        <Num kind="ratio" value={a.tokensPerParam} />
      </td>
      {showCompute && (
        <td data-label="Compute">
          <Num kind="flops" value={a.flops} unit="FLOPs" />
        </td>
      )}
      <td data-label="Loss">
        {a.loss === null ? "—" : <Num kind="loss" value={a.loss} unit="nats/token" />}
      </td>
      <td data-label="10x compute" class="scale">
        <span>
          N <Num kind="factor" value={a.scaleUp10x.params} />, D{" "}
          <Num kind="factor" value={a.scaleUp10x.tokens} />
        </span>
      </td>
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
          <th scope="col">Parameters counted</th>
        </tr>
      </thead>
      <tbody>
        {answer.allocations.map((a) => (
          <AllocationRow a={a} style={styles.get(a.fit)} showCompute={showCompute} />
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
  /** The document title this result belongs to (the script updates it). */
  title: string;
}

/** Everything below the form: the answer, its links, the table and the charts. */
export function Result({ answer, links, styles, charts, title }: ResultProps) {
  return (
    <section id="result" aria-live="polite" data-permalink={links.page} data-title={title}>
      {answer && (
        <>
          <Headline answer={answer} />
          <Actions links={links} />
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
    </section>
  );
}
