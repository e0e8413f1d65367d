import { DEFAULT_FIT_IDS, DEFAULT_FITS } from "../core/fits/defaults.ts";
import type { FitOrigin, RegistryEntry, RegistrySnapshot } from "../core/fits/registry.ts";
import { type FitDefinition, FitDefinitionSchema } from "../core/fits/schema.ts";

import { fitKey } from "./keys.ts";
import { KV_TIMEOUT_MS, KvTimeout, withTimeout } from "./kv.ts";

export type { FitOrigin, RegistryEntry, RegistrySnapshot } from "../core/fits/registry.ts";
export { FIT_KEY_PREFIX, fitKey } from "./keys.ts";

/** Per-isolate cache of the registry; create one per isolate (module scope) or per test. */
export interface RegistryCache {
  snapshot?: RegistrySnapshot;
  pending?: Promise<RegistrySnapshot>;
  /** Problems already logged, so each is logged once per isolate. */
  logged: Set<string>;
}

export function createRegistryCache(): RegistryCache {
  return { logged: new Set() };
}

export interface RegistryOptions {
  /** Milliseconds since the epoch. */
  now: () => number;
  /** How long a snapshot is served without a refresh, ms. */
  ttlMs: number;
  /** How long to wait for KV before answering from the bundled defaults, ms. */
  timeoutMs: number;
  /** KV edge cache TTL, seconds (KV's minimum is 30). */
  kvCacheTtlSeconds: number;
  /** Runs a background refresh after the response (ExecutionContext.waitUntil). */
  waitUntil?: (promise: Promise<unknown>) => void;
  log: (message: string) => void;
}

export const DEFAULT_REGISTRY_OPTIONS = {
  ttlMs: 60_000,
  timeoutMs: KV_TIMEOUT_MS,
  kvCacheTtlSeconds: 300,
} as const;

/** Validates one stored document against the bundled fit of the same id. */
function readDocument(id: string, raw: string | null): FitOrigin & { fit?: FitDefinition } {
  if (raw === null) return { store: "bundled", reason: `${fitKey(id)} is not in KV` };
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { store: "bundled", reason: `${fitKey(id)} in KV is not valid JSON` };
  }
  const version = (json as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (version !== 1) {
    return {
      store: "bundled",
      reason: `${fitKey(id)} in KV has schemaVersion ${JSON.stringify(version)}; this Worker reads version 1`,
    };
  }
  const parsed = FitDefinitionSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      store: "bundled",
      reason: `${fitKey(id)} in KV is malformed (${issue?.path.join(".") || "document"}: ${issue?.message})`,
    };
  }
  if (parsed.data.id !== id) {
    return { store: "bundled", reason: `${fitKey(id)} in KV holds the fit "${parsed.data.id}"` };
  }
  return { store: "kv", fit: parsed.data };
}

function snapshotOf(
  stored: ReadonlyMap<string, string | null> | Error,
  now: number,
): RegistrySnapshot {
  const entries = DEFAULT_FITS.map((bundled): RegistryEntry => {
    if (stored instanceof Error) {
      return { fit: bundled, origin: { store: "bundled", reason: stored.message } };
    }
    const { fit, ...origin } = readDocument(bundled.id, stored.get(fitKey(bundled.id)) ?? null);
    return { fit: fit ?? bundled, origin };
  });
  return { entries, byId: new Map(entries.map((e) => [e.fit.id, e])), loadedAt: now };
}

async function load(
  kv: KVNamespace | undefined,
  cache: RegistryCache,
  options: RegistryOptions,
): Promise<RegistrySnapshot> {
  let stored: ReadonlyMap<string, string | null> | Error;
  if (!kv) {
    stored = new Error("no FITS KV binding is configured");
  } else {
    try {
      stored = await withTimeout(
        kv.get(
          DEFAULT_FIT_IDS.map((id) => fitKey(id)),
          { type: "text", cacheTtl: options.kvCacheTtlSeconds },
        ),
        options.timeoutMs,
      );
    } catch (error) {
      stored =
        error instanceof KvTimeout
          ? error
          : new Error(`KV read failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const snapshot = snapshotOf(stored, options.now());
  for (const { origin } of snapshot.entries) {
    if (origin.reason && !cache.logged.has(origin.reason)) {
      cache.logged.add(origin.reason);
      options.log(`fit registry: ${origin.reason}; answering from the bundled default`);
    }
  }
  cache.snapshot = snapshot;
  return snapshot;
}

/**
 * The fit registry: published fits read from KV (`fit:v1:<id>`, validated), falling back per
 * fit to the bundled defaults when KV is unbound, empty, failing, slow or malformed.
 *
 * A fresh snapshot is served from the isolate without touching KV. A stale one is served at
 * once while a single refresh runs in the background; only a cold isolate waits, once, for
 * one bulk KV read.
 */
export function loadRegistry(
  kv: KVNamespace | undefined,
  cache: RegistryCache,
  options: RegistryOptions,
): Promise<RegistrySnapshot> {
  const { snapshot } = cache;
  if (snapshot && options.now() - snapshot.loadedAt < options.ttlMs)
    return Promise.resolve(snapshot);
  if (!cache.pending) {
    cache.pending = load(kv, cache, options).finally(() => {
      cache.pending = undefined;
    });
  }
  if (snapshot) {
    options.waitUntil?.(cache.pending);
    return Promise.resolve(snapshot);
  }
  return cache.pending;
}

/** Writes the bundled defaults to KV (used by the seeding script's logic and tests). */
export async function seedFits(kv: KVNamespace, fits: readonly FitDefinition[] = DEFAULT_FITS) {
  await Promise.all(fits.map((fit) => kv.put(fitKey(fit.id), JSON.stringify(fit))));
}
