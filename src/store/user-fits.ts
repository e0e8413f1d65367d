import type { RegistryEntry } from "./fit-registry.ts";

/** Ids of fits made from a user's own runs (POST /api/v1/fits) start with this prefix. */
export const USER_FIT_PREFIX = "user-";

export function isUserFitId(id: string): boolean {
  return id.startsWith(USER_FIT_PREFIX);
}

/**
 * Reads user fits by id from KV. Unknown ids are left out (the caller answers 404).
 * Placeholder until fitting to a user's runs lands (issue 6).
 */
export async function loadUserFits(
  _kv: KVNamespace | undefined,
  _ids: readonly string[],
): Promise<RegistryEntry[]> {
  return [];
}
