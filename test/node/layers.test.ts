/**
 * The layers (README, code tour): core < contract < store < service < doors. A module may import
 * its own layer and the ones below, never one above or a door; the core imports only itself and
 * zod, and the service no web framework.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const SRC = path.resolve(import.meta.dirname, "../../src");

/** What each layer may import: folders under src/, and packages. */
const ALLOWED: Record<string, { folders: string[]; packages: RegExp }> = {
  core: { folders: ["core"], packages: /^zod$/ },
  contract: { folders: ["core", "contract"], packages: /^(zod|@hono\/zod-openapi)$/ },
  store: { folders: ["core", "contract", "store"], packages: /^$/ },
  service: { folders: ["core", "contract", "store", "service"], packages: /^$/ },
};

function filesUnder(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) return filesUnder(full);
    return /\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

/** Every module a file imports or re-exports (static and dynamic), as written. */
function importsOf(file: string): string[] {
  const source = readFileSync(file, "utf8");
  const found = [...source.matchAll(/(?:^|\n)\s*(?:import|export)[^;]*?from\s+"([^"]+)"/g)];
  const dynamic = [...source.matchAll(/import\(\s*"([^"]+)"\s*\)/g)];
  return [...found, ...dynamic].map((match) => match[1] ?? "");
}

describe("layers", () => {
  for (const [layer, allowed] of Object.entries(ALLOWED)) {
    it(`src/${layer} imports only ${[...allowed.folders].join(", ")} and ${allowed.packages.source}`, () => {
      const problems: string[] = [];
      for (const file of filesUnder(path.join(SRC, layer))) {
        for (const specifier of importsOf(file)) {
          if (specifier.startsWith(".")) {
            const target = path.relative(SRC, path.resolve(path.dirname(file), specifier));
            const folder = target.split(path.sep)[0] ?? "";
            if (!allowed.folders.includes(folder)) {
              problems.push(`${path.relative(SRC, file)} imports ${target}`);
            }
          } else if (!allowed.packages.test(specifier)) {
            problems.push(`${path.relative(SRC, file)} imports the package ${specifier}`);
          }
        }
      }
      expect(problems).toEqual([]);
    });
  }

  it("finds imports, so the rule above can fail", () => {
    const problems = importsOf(path.join(SRC, "app.ts"));
    expect(problems).toContain("./service/fit-ids.ts");
    expect(problems.some((p) => p.startsWith("@hono/"))).toBe(true);
  });
});
