import type { Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import {
  fitInputOfCsv,
  fitWriteAllowed,
  MAX_FIT_BODY_BYTES,
  rateLimitedError,
  requireSameSiteWrite,
  storeFit,
} from "../api/user-fits.ts";
import { ApiError } from "../contract/errors.ts";
import type { StoredUserFitReport } from "../contract/user-fits.ts";
import type { FitDefinition } from "../core/fits/schema.ts";
import type { ComputeRun, ParametricRun } from "../core/fitting/runs.ts";
import { MAX_RUNS } from "../core/fitting/runs.ts";
import { formatCount, formatFlops, formatScientific, significant } from "../core/format.ts";
import { evaluate, frontierOf } from "../core/frontier.ts";
import { frontierLoss, parametricLoss } from "../core/loss.ts";
import { publicUrl } from "../http/context.ts";
import { isUserFitId, readUserFitReport } from "../store/user-fits.ts";
import type { App, AppDeps, AppEnv } from "../types.ts";
import { Actions } from "./answer.tsx";
import type { Point } from "./chart-data.ts";
import {
  FitLossChart,
  type LossCurve,
  MAX_PLOTTED_RUNS,
  ParityChart,
  thin,
} from "./fit-charts.tsx";
import { Layout, SITE_NAME, SiteHeader } from "./layout.tsx";
import { Num } from "./numbers.tsx";
import type { QuestionLinks } from "./query.ts";

/** Characters of CSV the page form accepts (the API's body limit). */
const MAX_CSV_CHARS = MAX_FIT_BODY_BYTES;
/** Points sampled along the fitted curve. */
const CURVE_POINTS = 80;
/** How far the fitted curve is drawn beyond the largest run, decades of compute. */
const EXTRAPOLATION_DECADES = 3;
/** Bootstrap resamples the form offers at most (the API allows more via JSON). */
const FORM_MAX_BOOTSTRAP = 200;

/** A problem shown next to the CSV: an API error, or the page's own. */
interface FormProblem {
  status: number;
  message: string;
}

type UserFitReport = StoredUserFitReport["report"];

/** A stored user fit: its coefficient record, and its report and runs (validated when read). */
interface StoredFit {
  fit: FitDefinition;
  report: UserFitReport;
  runs: (ParametricRun | ComputeRun)[];
}

const flopsOf = (run: ParametricRun | ComputeRun) =>
  "flops" in run ? run.flops : 6 * run.params * run.tokens;

/** A small example: runs generated from L = 1.69 + 406.4/N^0.34 + 410.7/D^0.28 (Hoffmann et al. 2022, eq. 10). */
const EXAMPLE_CSV = (() => {
  const lines = ["params,tokens,loss"];
  for (const params of [2e7, 6e7, 2e8, 6e8]) {
    for (const tokens of [4e8, 2e9, 1e10]) {
      const loss = 1.69 + 406.4 / params ** 0.34 + 410.7 / tokens ** 0.28;
      lines.push(
        `${formatScientific(params, 2)},${formatScientific(tokens, 2)},${loss.toFixed(4)}`,
      );
    }
  }
  return lines.join("\n");
})();

function FitForm({
  csv = "",
  name = "",
  bootstrap = "",
  error,
}: {
  csv?: string;
  name?: string;
  bootstrap?: string;
  error?: FormProblem | undefined;
}) {
  return (
    <form id="fit-form" class="ask" method="post" action="/fit">
      <div class="field">
        <label for="csv">Your runs as CSV</label>
        <p id="csv-help" class="help">
          A header <code>params,tokens,loss</code> (fits L = E + A/N^α + B/D^β, at least 5 runs) or{" "}
          <code>flops,loss</code> (fits L(C) = a·C^b + c, at least 3 runs), then one run per line;
          at most {MAX_RUNS.toLocaleString("en-US")} runs. Lines starting with # are skipped.
        </p>
        <textarea
          id="csv"
          name="csv"
          rows={12}
          required
          spellcheck={false}
          maxlength={MAX_CSV_CHARS}
          placeholder={EXAMPLE_CSV.split("\n").slice(0, 4).join("\n")}
          aria-describedby="csv-error csv-help"
          aria-invalid={error ? "true" : "false"}
        >
          {csv}
        </textarea>
        <p
          id="csv-error"
          class="error"
          role="alert"
          data-status={error ? String(error.status) : "200"}
        >
          {error?.message ?? ""}
        </p>
      </div>
      <div class="fit-options">
        <label for="fit-name">
          Name <span class="hint">(optional)</span>
          <input id="fit-name" name="name" type="text" maxlength={120} value={name} />
        </label>
        <label for="bootstrap">
          Bootstrap resamples <span class="hint">(0 to {FORM_MAX_BOOTSTRAP}, for uncertainty)</span>
          <input
            id="bootstrap"
            name="bootstrap"
            type="number"
            min="0"
            max={String(FORM_MAX_BOOTSTRAP)}
            step="1"
            value={bootstrap}
            placeholder="0"
          />
        </label>
        <button type="submit">Fit</button>
      </div>
      <details class="options">
        <summary>Example runs</summary>
        <p class="help">
          Generated from Chinchilla's fitted law (Hoffmann et al. 2022, eq. 10), so the fit should
          give back E = 1.69, A = 406.4, B = 410.7, α = 0.34, β = 0.28.
        </p>
        <pre id="csv-example">{EXAMPLE_CSV}</pre>
        <button type="button" class="secondary" data-fill-example="csv-example" hidden>
          Use these runs
        </button>
      </details>
    </form>
  );
}

function FitShell({
  title,
  description,
  url,
  children,
}: {
  title: string;
  description: string;
  url: URL;
  children: unknown;
}) {
  return (
    <Layout
      preview={{ title, description, url: url.href, origin: url.origin }}
      bodyClass="fit-page"
    >
      <SiteHeader />
      <main>{children}</main>
      <footer class="foot">
        The API: <a href="/api/v1/fits">POST /api/v1/fits</a> (JSON or text/csv) · back to the{" "}
        <a href="/">calculator</a>
      </footer>
    </Layout>
  );
}

function FitFormPage({
  url,
  error,
  csv,
  name,
  bootstrap,
}: {
  url: URL;
  error?: FormProblem;
  csv?: string;
  name?: string;
  bootstrap?: string;
}) {
  return (
    <FitShell
      title={`Fit a scaling law to your own runs · ${SITE_NAME}`}
      description="Paste the final losses of your small training runs and get your own scaling law, its uncertainty, a chart against your runs, and a fit id to plan the big run with."
      url={url}
    >
      <h2>Fit a scaling law to your own runs</h2>
      <p>
        Paste the losses of your small runs. The fit minimises the summed Huber loss of log-loss
        residuals (δ = 1e-3), as Hoffmann et al. and Besiroglu et al. did, and stores the result for
        30 days (posting the same runs again renews it). Its page shows the law against your runs;
        its id plans the big run with the calculator.
      </p>
      <FitForm csv={csv} name={name} bootstrap={bootstrap} error={error} />
    </FitShell>
  );
}

const COEFFICIENT_NAMES: Record<string, string> = {
  E: "E (irreducible loss)",
  A: "A",
  B: "B",
  alpha: "α (parameter exponent)",
  beta: "β (data exponent)",
  allocationParams: "a = β/(α+β) (N_opt ∝ C^a)",
  a: "a",
  b: "b (compute exponent)",
  c: "c (irreducible loss)",
};

function CoefficientTable({ report }: { report: UserFitReport }) {
  const values: Record<string, number> = { ...report.coefficients };
  if (report.allocationExponents) values.allocationParams = report.allocationExponents.params;
  const u = report.uncertainty as {
    resamples: number;
    standardErrors: Record<string, number>;
    intervals80: Record<string, [number, number]>;
    intervals95: Record<string, [number, number]>;
  } | null;
  return (
    <table class="compare coefficients">
      <caption>
        Fitted constants
        {u ? `, with bootstrap standard errors and intervals over ${u.resamples} resamples` : ""}
      </caption>
      <thead>
        <tr>
          <th scope="col">Constant</th>
          <th scope="col">Value</th>
          {u && (
            <>
              <th scope="col">Std. error</th>
              <th scope="col">80% interval</th>
              <th scope="col">95% interval</th>
            </>
          )}
        </tr>
      </thead>
      <tbody>
        {Object.entries(values).map(([key, value]) => {
          const se = u?.standardErrors[key];
          const i80 = u?.intervals80[key];
          const i95 = u?.intervals95[key];
          return (
            <tr data-key={key}>
              <th scope="row">{COEFFICIENT_NAMES[key] ?? key}</th>
              <td data-label="Value">
                <data value={String(value)} title={String(value)}>
                  {significant(value, 5)}
                </data>
              </td>
              {u && (
                <>
                  <td data-label="Std. error">{se === undefined ? "—" : significant(se, 3)}</td>
                  <td data-label="80% interval">
                    {i80 ? `${significant(i80[0], 4)} – ${significant(i80[1], 4)}` : "—"}
                  </td>
                  <td data-label="95% interval">
                    {i95 ? `${significant(i95[0], 4)} – ${significant(i95[1], 4)}` : "—"}
                  </td>
                </>
              )}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** Budgets beyond the largest run (×10, ×100, ×1000) with the law's loss and allocation. */
function Predictions({ stored }: { stored: StoredFit }) {
  const { fit, report } = stored;
  const largest = report.range.flops[1];
  const frontier = fit.kind === "parametric" ? frontierOf(fit, { kaplanBudget: "critical" }) : null;
  const rows = [10, 100, 1000].map((factor) => {
    const flops = largest * factor;
    return {
      factor,
      flops,
      loss: frontierLoss(fit, flops, { kaplanBudget: "critical" }),
      params: frontier ? evaluate(frontier.params, flops) : null,
      tokens: frontier ? evaluate(frontier.tokens, flops) : null,
    };
  });
  return (
    <table class="compare predictions">
      <caption>What the law predicts beyond your largest run ({formatFlops(largest)})</caption>
      <thead>
        <tr>
          <th scope="col">Compute</th>
          <th scope="col">Predicted loss</th>
          {frontier && (
            <>
              <th scope="col">Parameters</th>
              <th scope="col">Tokens</th>
            </>
          )}
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr>
            <th scope="row">
              <Num kind="flops" value={r.flops} unit="FLOPs" /> (×{r.factor})
            </th>
            <td data-label="Predicted loss">
              {r.loss === null ? "—" : <Num kind="loss" value={r.loss} />}
            </td>
            {frontier && (
              <>
                <td data-label="Parameters">
                  <Num kind="count" value={r.params ?? 0} unit="parameters" />
                </td>
                <td data-label="Tokens">
                  <Num kind="count" value={r.tokens ?? 0} unit="tokens" />
                </td>
              </>
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The fitted law's loss along compute, from below the smallest run to beyond the largest. */
function lossCurve({ fit, report }: StoredFit): LossCurve {
  const [low, high] = report.range.flops;
  const from = Math.log10(low) - 0.3;
  const to = Math.log10(high) + EXTRAPOLATION_DECADES;
  const points: Point[] = [];
  for (let i = 0; i < CURVE_POINTS; i++) {
    const flops = 10 ** (from + ((to - from) * i) / (CURVE_POINTS - 1));
    const loss = frontierLoss(fit, flops, { kaplanBudget: "critical" });
    if (loss !== null && Number.isFinite(loss) && loss > 0) points.push({ x: flops, y: loss });
  }
  points.push({ x: high, y: frontierLoss(fit, high, { kaplanBudget: "critical" }) ?? 0 });
  points.sort((a, b) => a.x - b.x);
  return {
    points: points.filter((p) => p.y > 0),
    dataEnd: high,
    label:
      report.kind === "parametric"
        ? "the compute-optimal loss L*(C) of the fitted law"
        : "the fitted L(C) = a·C^b + c",
  };
}

function fittedLoss({ fit }: StoredFit, run: ParametricRun | ComputeRun): number | null {
  if ("flops" in run) return frontierLoss(fit, run.flops, { kaplanBudget: "critical" });
  return fit.kind === "parametric" ? parametricLoss(fit, run.params, run.tokens) : null;
}

function fitLinks(id: string, origin: string): QuestionLinks {
  const page = `/fit/${id}`;
  const api = `/api/v1/fits/${id}`;
  return {
    page,
    embed: page,
    api,
    pageUrl: `${origin}${page}`,
    apiUrl: `${origin}${api}`,
    curl: `curl '${origin}${api}'`,
  };
}

function FitReportPage({ stored, url }: { stored: StoredFit; url: URL }) {
  const { fit, report, runs } = stored;
  const links = fitLinks(fit.id, url.origin);
  const plotted = thin(runs, MAX_PLOTTED_RUNS);
  const pairs = plotted.flatMap((run) => {
    const predicted = fittedLoss(stored, run);
    return predicted !== null && Number.isFinite(predicted) ? [{ x: run.loss, y: predicted }] : [];
  });
  const planFlops = formatScientific(10 * report.range.flops[1]);
  const canAllocate = report.kind === "parametric";
  const r = report.residuals;
  return (
    <FitShell
      title={`${report.label} · ${SITE_NAME}`}
      description={`${report.law} — fitted to ${report.runs} runs (log-residual RMS ${significant(r.rms, 3)}).`}
      url={new URL(links.pageUrl)}
    >
      <section id="fit" data-fit-id={fit.id}>
        <div class="headline">
          <p class="asked">
            Fitted to {report.runs} runs on {report.createdAt.slice(0, 10)} · id{" "}
            <code>{fit.id}</code>
          </p>
          <h2>{report.label}</h2>
          <p class="law">{report.law}</p>
        </div>
        <Actions links={links} />
        {canAllocate ? (
          <form class="plan-with" method="get" action="/">
            <input type="hidden" name="ask" value="flops" />
            <input type="hidden" name="fit" value={fit.id} />
            <label for="plan-q">Plan a run with this law: compute</label>
            <div class="row">
              <input id="plan-q" name="q" type="text" value={planFlops} maxlength={200} />
              <button type="submit">Plan</button>
            </div>
            <p class="help">
              e.g.{" "}
              <a href={`/?flops=${planFlops}&fit=${fit.id}`}>
                {formatFlops(10 * report.range.flops[1])}
              </a>{" "}
              (10x your largest run), or with the published fits:{" "}
              <a href={`/?flops=${planFlops}&fit=${fit.id},chinchilla-approach3,epoch-2024`}>
                compared
              </a>
              .
            </p>
          </form>
        ) : (
          <p class="help">
            A law of compute alone predicts loss but not the split into parameters and tokens:{" "}
            <a href={`/api/v1/predict?fit=${fit.id}&flops=${planFlops}`}>
              predict the loss at {planFlops} FLOPs
            </a>
            .
          </p>
        )}
        {report.warnings.length > 0 && (
          <ul class="warnings">
            {report.warnings.map((w: string) => (
              <li class="warning">⚠ {w}</li>
            ))}
          </ul>
        )}
        <div class="charts">
          <FitLossChart
            runs={plotted.map((run) => ({ x: flopsOf(run), y: run.loss }))}
            curve={lossCurve(stored)}
            total={runs.length}
          />
          {pairs.length > 0 && <ParityChart pairs={pairs} total={runs.length} />}
        </div>
        <div class="table-wrap">
          <CoefficientTable report={report} />
        </div>
        <div class="table-wrap">
          <Predictions stored={stored} />
        </div>
        <details class="notes" open>
          <summary>Fit quality and range</summary>
          <ul>
            <li>
              Objective (summed Huber, δ = 1e-3): {formatScientific(report.objective, 6)};{" "}
              {report.converged ? "converged" : "did not converge"} after {report.iterations} Newton
              steps from {report.starts} starts.
            </li>
            <li>
              Log-loss residuals: RMS {significant(r.rms, 3)}, mean {significant(r.mean, 3)}, median
              |r| {significant(r.medianAbs, 3)}, max |r| {significant(r.maxAbs, 3)}; {r.withinDelta}{" "}
              of {r.count} runs within δ.
            </li>
            <li>
              Range: compute {formatFlops(report.range.flops[0])} to{" "}
              {formatFlops(report.range.flops[1])}
              {report.range.params
                ? `; parameters ${formatCount(report.range.params[0])} to ${formatCount(report.range.params[1])}`
                : ""}
              {report.range.tokens
                ? `; tokens ${formatCount(report.range.tokens[0])} to ${formatCount(report.range.tokens[1])}`
                : ""}
              .
            </li>
            {report.allocationExponents && (
              <li>
                Compute-optimal allocation: N_opt ∝ C^
                {significant(report.allocationExponents.params, 4)}, D_opt ∝ C^
                {significant(report.allocationExponents.tokens, 4)}.
              </li>
            )}
            <li>{report.method}</li>
          </ul>
        </details>
      </section>
    </FitShell>
  );
}

/** The form's fields from a urlencoded POST (no JavaScript): bounded by the body limit. */
async function readFitForm(c: Context<AppEnv>) {
  const form = await c.req.parseBody();
  const text = (key: string) => (typeof form[key] === "string" ? (form[key] as string) : "");
  return {
    csv: text("csv"),
    name: text("name").slice(0, 120),
    bootstrap: text("bootstrap").slice(0, 10),
  };
}

/** The "your own runs" pages: the CSV form (`/fit`) and one fit's report (`/fit/<id>`). */
export function registerFitPages(app: App, deps: AppDeps): void {
  app.get("/fit", (c) => c.html(<FitFormPage url={publicUrl(c)} />));

  // Before the body is read: the site (a same-origin form post only) and the write rate limit;
  // neither refusal echoes anything that was sent.
  app.post("/fit", async (c, next) => {
    try {
      requireSameSiteWrite(c);
      if (!(await fitWriteAllowed(c))) throw rateLimitedError();
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      await c.req.raw.body?.cancel();
      return c.html(
        <FitFormPage url={publicUrl(c)} error={error} />,
        error.status as 400,
        error.headers,
      );
    }
    await next();
  });
  app.post(
    "/fit",
    bodyLimit({
      maxSize: 3 * MAX_FIT_BODY_BYTES,
      onError: (c) =>
        c.html(
          <FitFormPage
            url={publicUrl(c)}
            error={
              new ApiError(
                413,
                "payload_too_large",
                `body: at most ${MAX_FIT_BODY_BYTES} bytes of CSV`,
                "csv",
              )
            }
          />,
          413,
        ),
    }),
    async (c) => {
      const fields = await readFitForm(c);
      try {
        const result = await storeFit(c, deps, fitInputOfCsv(fields));
        return c.redirect(`/fit/${result.answer.id}`, 303);
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        // Bad runs come back in the form to be corrected; other refusals echo nothing.
        const echo = error.status === 400 ? fields : {};
        return c.html(
          <FitFormPage url={publicUrl(c)} error={error} {...echo} />,
          error.status as 400,
          error.headers,
        );
      }
    },
  );

  app.get("/fit/:id", async (c) => {
    const id = c.req.param("id");
    const url = publicUrl(c);
    try {
      const entry = isUserFitId(id) ? (await c.var.fits(id)).byId.get(id) : undefined;
      const stored = entry ? await readUserFitReport(c.var.userFits, id) : null;
      if (!entry || !stored || stored === "invalid") {
        const why =
          stored === "invalid"
            ? "its stored report could not be read"
            : "fits are kept 30 days after they were posted";
        throw new ApiError(
          404,
          "unknown_fit",
          `id: no stored fit "${id.slice(0, 64)}" (${why}); paste your runs again to refit them`,
          "id",
        );
      }
      return c.html(<FitReportPage stored={{ fit: entry.fit, ...stored }} url={url} />);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      return c.html(<FitFormPage url={url} error={error} />, error.status as 404, error.headers);
    }
  });
}
