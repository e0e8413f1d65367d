import { secureHeaders } from "hono/secure-headers";
import type { ApiError } from "../contract/errors.ts";
import type { Register } from "../types.ts";
import { AllocateResult, ResultRegion } from "./answer.tsx";
import { registerAssets } from "./assets/index.ts";
import { EmbedCard } from "./embed.tsx";
import { registerFitPages } from "./fit-page.tsx";
import { AdvancedErrorSlots, ErrorMessage, QuestionForm } from "./form.tsx";
import { Layout, type Preview, SITE_NAME, SiteHeader } from "./layout.tsx";
import { chartModel, listedFits, stylesFor } from "./model.ts";
import {
  DataResult,
  dataDescription,
  dataTitle,
  InferenceResult,
  inferenceDescription,
  inferenceTitle,
} from "./plans.tsx";
import { headlineTitle, previewText } from "./preview.ts";
import { allocateAnswerOf, type Resolved, resolve } from "./resolve.ts";

/** The Content-Security-Policy every page and asset shares; framing is set per route. */
const CSP = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", "data:"],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
};

const REFERRER_POLICY = "strict-origin-when-cross-origin";

/** Pages that refuse to be framed. */
const pageHeaders = secureHeaders({
  contentSecurityPolicy: { ...CSP, frameAncestors: ["'none'"] },
  xFrameOptions: "DENY",
  referrerPolicy: REFERRER_POLICY,
});

/** The embed card: any origin may frame it. */
const embedHeaders = secureHeaders({
  contentSecurityPolicy: { ...CSP, frameAncestors: ["*"] },
  xFrameOptions: false,
  crossOriginResourcePolicy: "cross-origin",
  referrerPolicy: REFERRER_POLICY,
});

/** Assets: the preview image must load from anywhere (link unfurlers, chat clients). */
const assetHeaders = secureHeaders({
  contentSecurityPolicy: { ...CSP, frameAncestors: ["'none'"] },
  xFrameOptions: "DENY",
  crossOriginResourcePolicy: "cross-origin",
  referrerPolicy: REFERRER_POLICY,
});

/** Everything below the form, in the page's mode. */
function resultOf(resolved: Resolved) {
  const { registry, outcome, query, links, kaplanBudget } = resolved;
  const fits = listedFits(registry, query.fits);
  const title = titleOf(resolved);
  if (outcome.mode === "inference" || outcome.mode === "data") {
    const body =
      outcome.plan === null ? null : outcome.mode === "inference" ? (
        <InferenceResult plan={outcome.plan} training={outcome.training} links={links} />
      ) : (
        <DataResult plan={outcome.plan} training={outcome.training} links={links} />
      );
    return {
      fits,
      result: (
        <ResultRegion links={links} title={title}>
          {body}
        </ResultRegion>
      ),
    };
  }
  const styles = stylesFor(fits.map((f) => f.id));
  const answer = outcome.answer;
  return {
    fits,
    result: (
      <ResultRegion links={links} title={title}>
        <AllocateResult
          answer={answer}
          links={links}
          styles={styles}
          charts={chartModel(registry, answer, kaplanBudget, styles)}
        />
      </ResultRegion>
    ),
  };
}

function titleOf({ outcome }: Resolved): string {
  if (outcome.mode === "inference" && outcome.plan) {
    return `${inferenceTitle(outcome.plan)} · ${SITE_NAME}`;
  }
  if (outcome.mode === "data" && outcome.plan) return `${dataTitle(outcome.plan)} · ${SITE_NAME}`;
  return headlineTitle(outcome.mode === "allocate" ? outcome.answer : null);
}

function descriptionOf({ outcome }: Resolved): string {
  if (outcome.mode === "inference" && outcome.plan) return inferenceDescription(outcome.plan);
  if (outcome.mode === "data" && outcome.plan) return dataDescription(outcome.plan);
  return previewText(outcome.mode === "allocate" ? outcome.answer : null);
}

function previewOf(resolved: Resolved): Preview {
  const origin = new URL(resolved.links.pageUrl).origin;
  return {
    title: titleOf(resolved),
    description: descriptionOf(resolved),
    url: resolved.links.pageUrl,
    origin,
  };
}

const statusOf = (error: ApiError | undefined) => (error ? error.status : 200);

function Page({ resolved }: { resolved: Resolved }) {
  const { fits, result } = resultOf(resolved);
  return (
    <Layout preview={previewOf(resolved)}>
      <SiteHeader />
      <main>
        <QuestionForm query={resolved.query} fits={fits} error={resolved.error} />
        {result}
      </main>
      <footer class="foot">
        Same answers as JSON: <a href={resolved.links.api}>{resolved.links.api.split("?")[0]}</a> ·
        fits: <a href="/api/v1/fits">/api/v1/fits</a> · your own runs: <a href="/fit">fit a law</a>{" "}
        · embed a card: <a href={resolved.links.embed}>/embed</a>
      </footer>
    </Layout>
  );
}

/** The calculator page (`/`), its live-update fragment and the embeddable card. */
export const registerPage: Register = (app, deps) => {
  app.use("/", pageHeaders);
  app.use("/partials/*", pageHeaders);
  app.use("/fit", pageHeaders);
  app.use("/fit/*", pageHeaders);
  app.use("/embed", embedHeaders);
  app.use("/assets/*", assetHeaders);
  registerAssets(app);
  registerFitPages(app, deps);

  app.get("/", async (c) => {
    const resolved = await resolve(c);
    if (resolved.query.fromForm) return c.redirect(resolved.links.page, 303);
    return c.html(<Page resolved={resolved} />, statusOf(resolved.error));
  });

  // The answer region for the page's script: always 200; the error (if any) is in the fragment.
  app.get("/partials/result", async (c) => {
    const resolved = await resolve(c);
    const { result } = resultOf(resolved);
    return c.html(
      <>
        <ErrorMessage error={resolved.error} query={resolved.query} />
        {result}
        <AdvancedErrorSlots error={resolved.error} />
      </>,
    );
  });

  app.get("/embed", async (c) => {
    const resolved = await resolve(c, { requireQuestion: true, allocateOnly: true });
    return c.html(
      <Layout preview={previewOf(resolved)} bodyClass="embed" script={false}>
        <EmbedCard
          answer={allocateAnswerOf(resolved)}
          error={resolved.error}
          pageUrl={resolved.links.pageUrl}
        />
      </Layout>,
      statusOf(resolved.error),
    );
  });
};
