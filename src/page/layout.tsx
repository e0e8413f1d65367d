import { raw } from "hono/html";
import type { Child } from "hono/jsx";
import { ASSET_PATHS, OG_IMAGE_SIZE } from "./assets/index.ts";

export const SITE_NAME = "compute-optimal";
export const THEME_COLOR = "#0072B2";

/** What a link preview shows (Open Graph and Twitter card tags). */
export interface Preview {
  title: string;
  description: string;
  /** Absolute URL of the page. */
  url: string;
  /** Origin of the request, for absolute asset URLs. */
  origin: string;
}

/** The one document layout: meta tags first, then styles; the script only when asked for. */
export function Layout({
  preview,
  bodyClass,
  script = true,
  children,
}: {
  preview: Preview;
  bodyClass?: string;
  script?: boolean;
  children: Child;
}) {
  const image = `${preview.origin}${ASSET_PATHS.ogImage}`;
  return (
    <>
      {raw("<!doctype html>")}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>{preview.title}</title>
          <meta name="description" content={preview.description} />
          <meta property="og:type" content="website" />
          <meta property="og:site_name" content={SITE_NAME} />
          <meta property="og:title" content={preview.title} />
          <meta property="og:description" content={preview.description} />
          <meta property="og:url" content={preview.url} />
          <meta property="og:image" content={image} />
          <meta property="og:image:type" content="image/png" />
          <meta property="og:image:width" content={String(OG_IMAGE_SIZE.width)} />
          <meta property="og:image:height" content={String(OG_IMAGE_SIZE.height)} />
          <meta
            property="og:image:alt"
            content="Compute-optimal model size against training compute under several scaling-law fits"
          />
          <meta name="twitter:card" content="summary_large_image" />
          <meta name="twitter:title" content={preview.title} />
          <meta name="twitter:description" content={preview.description} />
          <meta name="twitter:image" content={image} />
          <meta name="theme-color" content={THEME_COLOR} />
          <meta name="color-scheme" content="light" />
          <link rel="canonical" href={preview.url} />
          <link rel="icon" href={ASSET_PATHS.icon} type="image/svg+xml" />
          <link rel="stylesheet" href={ASSET_PATHS.css} />
          {script && <script src={ASSET_PATHS.js} defer />}
        </head>
        <body class={bodyClass}>{children}</body>
      </html>
    </>
  );
}

/** The site's name and what it does, at the top of every full page. */
export function SiteHeader() {
  return (
    <header class="site">
      <h1>
        <a href="/">compute-optimal</a>
      </h1>
      <p>
        How big a model, how many tokens and what loss for your training compute, under Chinchilla,
        Kaplan and later scaling-law fits.
      </p>
    </header>
  );
}
