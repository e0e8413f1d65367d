/**
 * Size of the built Worker bundle (dist/index.js), raw and gzip -9. A CI budget check:
 *
 *   node bench/bundle-size.ts               prints the sizes
 *   node bench/bundle-size.ts --max-kb 250  also exits 1 when the gzip size is above 250 KB
 *
 * CI runs it with --max-kb 250, the budget of {@link BUNDLE_BUDGET_KB}.
 * 1 KB = 1024 bytes. Build first (`npm run build`).
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { constants, gzipSync } from "node:zlib";

/** The bundle budget (gzip -9, KB) that CI enforces and `npm run bench` reports against. */
export const BUNDLE_BUDGET_KB = 250;

export const BUNDLE_PATH = join(dirname(dirname(fileURLToPath(import.meta.url))), "dist/index.js");

export interface BundleSize {
  bytes: number;
  gzipBytes: number;
  /** Raw size in KB, one decimal. */
  bundleKB: number;
  /** gzip -9 size in KB, one decimal. */
  bundleGzipKB: number;
}

const kb = (bytes: number) => Math.round((bytes / 1024) * 10) / 10;

export function bundleSize(path: string = BUNDLE_PATH): BundleSize {
  const source = readFileSync(path);
  const gzipBytes = gzipSync(source, { level: constants.Z_BEST_COMPRESSION }).length;
  return {
    bytes: source.length,
    gzipBytes,
    bundleKB: kb(source.length),
    bundleGzipKB: kb(gzipBytes),
  };
}

if (import.meta.main) {
  const args = process.argv.slice(2);
  const at = args.indexOf("--max-kb");
  const maxKB = at === -1 ? undefined : Number(args[at + 1]);
  if (maxKB !== undefined && !(maxKB > 0)) {
    console.error("usage: node bench/bundle-size.ts [--max-kb N]");
    process.exit(2);
  }
  let size: BundleSize;
  try {
    size = bundleSize();
  } catch {
    console.error(`${BUNDLE_PATH} not found: run \`npm run build\` first`);
    process.exit(2);
  }
  console.log(`dist/index.js: ${size.bundleKB} KB raw, ${size.bundleGzipKB} KB gzip -9`);
  if (maxKB !== undefined && size.gzipBytes > maxKB * 1024) {
    console.error(`bundle too large: ${size.bundleGzipKB} KB gzip > budget ${maxKB} KB`);
    process.exit(1);
  }
}
