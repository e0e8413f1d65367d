/**
 * Writes the bundled fit documents to the FITS KV namespace under fit:v1:<id>.
 *
 *   npm run kv:seed                 local KV (what `wrangler dev` reads)
 *   npm run kv:seed -- --remote     the deployed namespace (needs `wrangler login`)
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_FITS } from "../core/fits/defaults.ts";
import { fitKey } from "../store/keys.ts";

const remote = process.argv.includes("--remote");
const dir = ".wrangler";
mkdirSync(dir, { recursive: true });
const file = join(dir, "seed-fits.json");
writeFileSync(
  file,
  JSON.stringify(DEFAULT_FITS.map((fit) => ({ key: fitKey(fit.id), value: JSON.stringify(fit) }))),
);

const args = [
  "wrangler",
  "kv",
  "bulk",
  "put",
  file,
  "--binding",
  "FITS",
  remote ? "--remote" : "--local",
];
const result = spawnSync("npx", args, {
  stdio: "inherit",
  env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
});
if (result.status !== 0) process.exit(result.status ?? 1);
console.log(`Seeded ${DEFAULT_FITS.length} fits into ${remote ? "remote" : "local"} KV (FITS).`);
