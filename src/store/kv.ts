/** How long any KV read or write may take before the Worker gives up on it, ms. */
export const KV_TIMEOUT_MS = 1_000;

/** KV did not answer in time. */
export class KvTimeout extends Error {}

/** The promise, or a {@link KvTimeout} rejection after `ms` milliseconds. */
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new KvTimeout(`KV did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => {
    if (timer !== undefined) clearTimeout(timer);
  });
}
