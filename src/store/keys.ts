/** KV key prefix of published fit documents (docs/storage.md). */
export const FIT_KEY_PREFIX = "fit:v1:";

/** The KV key of a fit document. */
export function fitKey(id: string): string {
  return `${FIT_KEY_PREFIX}${id}`;
}
