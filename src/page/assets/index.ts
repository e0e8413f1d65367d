import type { App } from "../../types.ts";
import { CLIENT_SCRIPT } from "./client.ts";
import { ICON_SVG } from "./icon.ts";
import { OG_IMAGE_PNG_BASE64 } from "./og-image.ts";
import { STYLESHEET } from "./styles.ts";

/** FNV-1a (32-bit) of a text, as 8 hex digits: a version tag for cache-busting asset URLs. */
function versionOf(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, "0");
}

export const OG_IMAGE_SIZE = { width: 1200, height: 630 } as const;

interface Asset {
  path: string;
  contentType: string;
  body: () => string | Uint8Array<ArrayBuffer>;
  version: string;
}

let ogImageBytes: Uint8Array<ArrayBuffer> | undefined;

const ASSETS = {
  js: {
    path: "/assets/app.js",
    contentType: "text/javascript; charset=utf-8",
    body: () => CLIENT_SCRIPT,
    version: versionOf(CLIENT_SCRIPT),
  },
  css: {
    path: "/assets/app.css",
    contentType: "text/css; charset=utf-8",
    body: () => STYLESHEET,
    version: versionOf(STYLESHEET),
  },
  icon: {
    path: "/assets/icon.svg",
    contentType: "image/svg+xml",
    body: () => ICON_SVG,
    version: versionOf(ICON_SVG),
  },
  ogImage: {
    path: "/assets/og.png",
    contentType: "image/png",
    body: () => {
      ogImageBytes ??= Uint8Array.from(atob(OG_IMAGE_PNG_BASE64), (c) => c.charCodeAt(0));
      return ogImageBytes;
    },
    version: versionOf(OG_IMAGE_PNG_BASE64),
  },
} satisfies Record<string, Asset>;

/** Versioned URLs of the page's assets (the version changes with the content). */
export const ASSET_PATHS = Object.fromEntries(
  Object.entries(ASSETS).map(([name, asset]) => [name, `${asset.path}?v=${asset.version}`]),
) as Record<keyof typeof ASSETS, string>;

/** Assets are immutable under a versioned URL. */
const ASSET_CACHE_CONTROL = "public, max-age=31536000, immutable";

/** Serves the script, stylesheet, icon and preview image from the Worker. */
export function registerAssets(app: App): void {
  for (const asset of Object.values(ASSETS)) {
    app.get(asset.path, (c) =>
      c.body(asset.body(), 200, {
        "Content-Type": asset.contentType,
        "Cache-Control": ASSET_CACHE_CONTROL,
      }),
    );
  }
}
