import type { Context } from "hono";
import { secureHeaders } from "hono/secure-headers";
import { ApiError } from "../api/errors.ts";
import type { KaplanBudget } from "../core/frontier.ts";
import { type AllocateAnswer, answerAllocate } from "../service/allocate.ts";
import type { RegistrySnapshot } from "../store/fit-registry.ts";
import type { AppEnv, Register } from "../types.ts";
import { Result } from "./answer.tsx";
import { registerAssets } from "./assets/index.ts";
import { EmbedCard } from "./embed.tsx";
import { ErrorMessage, QuestionForm } from "./form.tsx";
import { Layout, type Preview } from "./layout.tsx";
import { chartModel, listedFits, stylesFor } from "./model.ts";
import { headlineTitle, previewText } from "./preview.ts";
import {
  canonicalSearch,
  hasQuestion,
  type PageQuery,
  type QuestionLinks,
  questionLinks,
  readPageQuery,
  toAllocateRequest,
} from "./query.ts";

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

type PageContext = Context<AppEnv>;

interface Resolved {
  query: PageQuery;
  registry: RegistrySnapshot;
  answer: AllocateAnswer | null;
  error?: ApiError;
  links: QuestionLinks;
  kaplanBudget: KaplanBudget;
}

/** Reads the request's question and answers it; bad input becomes `error`, not a throw. */
async function resolve(c: PageContext, { requireQuestion = false } = {}): Promise<Resolved> {
  const url = new URL(c.req.url);
  const query = readPageQuery(url);
  const registry = await c.var.fits(query.fits);
  const links = questionLinks(
    canonicalSearch(
      query,
      registry.entries.map((e) => e.fit.id),
    ),
    url.origin,
  );
  const kaplanBudget: KaplanBudget = query.kaplanBudget === "all" ? "all" : "critical";
  const base = { query, registry, links, kaplanBudget, answer: null };
  if (!requireQuestion && !hasQuestion(query)) return base;
  try {
    return { ...base, answer: answerAllocate(registry, toAllocateRequest(query)) };
  } catch (error) {
    if (error instanceof ApiError) return { ...base, error };
    throw error;
  }
}

function resultProps(resolved: Resolved) {
  const { registry, answer, query, links, kaplanBudget } = resolved;
  const fits = listedFits(registry, query.fits);
  const styles = stylesFor(fits.map((f) => f.id));
  return {
    fits,
    result: {
      answer,
      links,
      styles,
      charts: chartModel(registry, answer, kaplanBudget, styles),
      title: headlineTitle(answer),
    },
  };
}

function previewOf(resolved: Resolved): Preview {
  const origin = new URL(resolved.links.pageUrl).origin;
  return {
    title: headlineTitle(resolved.answer),
    description: previewText(resolved.answer),
    url: resolved.links.pageUrl,
    origin,
  };
}

const statusOf = (error: ApiError | undefined) => (error ? error.status : 200);

function Page({ resolved }: { resolved: Resolved }) {
  const { fits, result } = resultProps(resolved);
  return (
    <Layout preview={previewOf(resolved)}>
      <header class="site">
        <h1>
          <a href="/">compute-optimal</a>
        </h1>
        <p>
          How big a model, how many tokens and what loss for your training compute, under
          Chinchilla, Kaplan and later scaling-law fits.
        </p>
      </header>
      <main>
        <QuestionForm query={resolved.query} fits={fits} error={resolved.error} />
        <Result {...result} />
      </main>
      <footer class="foot">
        Same answers as JSON: <a href="/api/v1/allocate?flops=1e24">/api/v1/allocate</a> · fits:{" "}
        <a href="/api/v1/fits">/api/v1/fits</a> · embed a card:{" "}
        <a href={resolved.links.embed}>/embed</a>
      </footer>
    </Layout>
  );
}

/** The calculator page (`/`), its live-update fragment and the embeddable card. */
export const registerPage: Register = (app) => {
  app.use("/", pageHeaders);
  app.use("/partials/*", pageHeaders);
  app.use("/embed", embedHeaders);
  app.use("/assets/*", assetHeaders);
  registerAssets(app);

  app.get("/", async (c) => {
    const resolved = await resolve(c);
    if (resolved.query.fromForm) return c.redirect(resolved.links.page, 303);
    return c.html(<Page resolved={resolved} />, statusOf(resolved.error));
  });

  // The answer region for the page's script: always 200; the error (if any) is in the fragment.
  app.get("/partials/result", async (c) => {
    const resolved = await resolve(c);
    const { result } = resultProps(resolved);
    return c.html(
      <>
        <ErrorMessage error={resolved.error} />
        <Result {...result} />
      </>,
    );
  });

  app.get("/embed", async (c) => {
    const resolved = await resolve(c, { requireQuestion: true });
    return c.html(
      <Layout preview={previewOf(resolved)} bodyClass="embed" script={false}>
        <EmbedCard
          answer={resolved.answer}
          error={resolved.error}
          pageUrl={resolved.links.pageUrl}
        />
      </Layout>,
      statusOf(resolved.error),
    );
  });
};
