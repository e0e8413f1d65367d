import type { RegistrySnapshot } from "../core/fits/registry.ts";

/** Most answers kept per registry snapshot. */
export const ANSWER_CACHE_SIZE = 512;

const caches = new WeakMap<RegistrySnapshot, Map<string, Uint8Array>>();
const encoder = new TextEncoder();

/**
 * Answers memoised per registry snapshot as UTF-8 JSON bytes (answers are a pure function of
 * the snapshot and the request; keeping bytes spares each hit the string encoding, the largest
 * cost for these mostly non-ASCII answers). A new snapshot starts an empty cache; the oldest
 * entry is evicted beyond {@link ANSWER_CACHE_SIZE}. Errors are not cached.
 */
export function cachedAnswer(
  registry: RegistrySnapshot,
  key: string,
  compute: () => unknown,
): Uint8Array {
  let cache = caches.get(registry);
  if (!cache) {
    cache = new Map();
    caches.set(registry, cache);
  }
  const hit = cache.get(key);
  if (hit !== undefined) {
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const body = encoder.encode(JSON.stringify(compute()));
  cache.set(key, body);
  if (cache.size > ANSWER_CACHE_SIZE) {
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
  }
  return body;
}
