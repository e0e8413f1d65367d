/**
 * Replaces zod's bundle of ~70 error-message locales with English only (wrangler.toml [alias]):
 * the Worker answers in English, and the locales cost about 38 KB gzip of the bundle.
 */
export { default as en } from "zod/v4/locales/en.js";
