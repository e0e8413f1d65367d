/**
 * The Chinchilla training runs digitised from Hoffmann et al. (2022), Figure 4, by Besiroglu et
 * al. (2024) (github.com/epoch-research/analyzing-chinchilla, data/svg_extracted_data.csv; see
 * that folder's README). The file is not in this repository; the bench skips the fit without it.
 */
import { existsSync, readFileSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import type { ParametricRun } from "../src/core/fitting/runs.ts";

/** Where the CSV is looked for, relative to the repository root (override: BENCH_CHINCHILLA_CSV). */
export const CHINCHILLA_CSV = "../shared/data/chinchilla/svg_extracted_data.csv";

/** Rows dropped before fitting: the 5 highest losses (upstream practice, README of the data). */
const DROPPED_HIGHEST_LOSSES = 5;

export type ChinchillaRuns =
  | { ok: true; path: string; rows: number; runs: ParametricRun[] }
  | { ok: false; path: string; reason: string };

/**
 * Reads the 245 rows and keeps those with loss strictly below the 5th-largest loss (240 runs),
 * with D = C / (6N) tokens, as Besiroglu et al. do.
 */
export function loadChinchillaRuns(root: string, path = CHINCHILLA_CSV): ChinchillaRuns {
  const file = isAbsolute(path) ? path : join(root, path);
  if (!existsSync(file)) return { ok: false, path, reason: `${path} not found` };
  const [header, ...lines] = readFileSync(file, "utf8").trim().split(/\r?\n/);
  const columns = (header ?? "").split(",");
  const at = (name: string) => columns.indexOf(name);
  const [paramsAt, flopsAt, lossAt] = [at("Model Size"), at("Training FLOP"), at("loss")];
  if (paramsAt < 0 || flopsAt < 0 || lossAt < 0) {
    return { ok: false, path, reason: `${path} lacks "Model Size", "Training FLOP" or "loss"` };
  }
  const rows = lines.map((line) => {
    const fields = line.split(",");
    return {
      params: Number(fields[paramsAt]),
      flops: Number(fields[flopsAt]),
      loss: Number(fields[lossAt]),
    };
  });
  if (rows.some((row) => !(row.params > 0 && row.flops > 0 && row.loss > 0))) {
    return { ok: false, path, reason: `${path} has a row without positive numbers` };
  }
  const cutoff = rows.map((row) => row.loss).sort((a, b) => b - a)[DROPPED_HIGHEST_LOSSES - 1];
  if (cutoff === undefined) return { ok: false, path, reason: `${path} has too few rows` };
  const runs = rows
    .filter((row) => row.loss < cutoff)
    .map((row) => ({ params: row.params, tokens: row.flops / (6 * row.params), loss: row.loss }));
  return { ok: true, path, rows: rows.length, runs };
}
