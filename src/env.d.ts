declare namespace Cloudflare {
  interface Env {
    /** The fit registry (docs/storage.md). */
    FITS: KVNamespace;
  }
  interface GlobalProps {
    mainModule: typeof import("./index.ts");
  }
}
