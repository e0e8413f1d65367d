import type { FitDefinition } from "./schema.ts";

/** Where a fit served in an answer came from. */
export interface FitOrigin {
  store: "kv" | "bundled";
  /** Why the bundled default was used instead of KV. */
  reason?: string;
}

/** One fit of the registry with where it came from. */
export interface RegistryEntry {
  fit: FitDefinition;
  origin: FitOrigin;
}

/** The fit registry as loaded at one moment. */
export interface RegistrySnapshot {
  /** Entries in display order. */
  entries: readonly RegistryEntry[];
  byId: ReadonlyMap<string, RegistryEntry>;
  loadedAt: number;
}
