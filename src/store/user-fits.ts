import { ApiError } from "../contract/errors.ts";
import {
  type StoredRun,
  type StoredRunColumns,
  type StoredUserFitReport,
  StoredUserFitReportSchema,
} from "../contract/user-fits.ts";
import { type FitDefinition, FitDefinitionSchema } from "../core/fits/schema.ts";
import { KvTimeout, withTimeout } from "./kv.ts";

/** Ids of fits made from a user's own runs (POST /api/v1/fits) start with this prefix. */
export const USER_FIT_PREFIX = "user-";
/** KV key prefix of user fits (docs/storage.md). */
export const USER_FIT_KEY_PREFIX = "userfit:v2:";
/**
 * A user fit is kept this long after it was last posted, seconds (30 days). Reading it never
 * renews it; posting the same runs again does.
 */
export const USER_FIT_MAX_AGE_SECONDS = 30 * 24 * 3600;
/** Largest stored coefficient record read per fit, bytes (a definition is about 1.5 KB). */
export const MAX_USER_FIT_DEFINITION_BYTES = 8 * 1024;
/** Largest stored report (with its runs) read, bytes. */
export const MAX_USER_FIT_REPORT_BYTES = 1024 * 1024;
/** New fits one client may store per UTC day. */
export const NEW_FITS_PER_CLIENT_PER_DAY = 100;
/** User-fit reports (with their runs, up to ~1 MB each) one isolate keeps in memory. */
export const USER_FIT_REPORT_CACHE_ENTRIES = 8;
/** User-fit coefficient records one isolate keeps in memory. */
export const USER_FIT_CACHE_ENTRIES = 256;
/** Seconds a client should wait before retrying after a KV failure. */
export const STORAGE_RETRY_SECONDS = 30;

const USER_FIT_ID = /^user-[0-9a-f]{20}$/;

export function isUserFitId(id: string): boolean {
  return id.startsWith(USER_FIT_PREFIX);
}

/** Whether `id` has the shape of a stored user fit's id. */
export function isWellFormedUserFitId(id: string): boolean {
  return USER_FIT_ID.test(id);
}

/** KV key of a user fit's coefficient record (its FitDefinition). */
export function userFitKey(id: string): string {
  return `${USER_FIT_KEY_PREFIX}${id}`;
}

/** KV key of a user fit's report and runs, kept apart from its coefficients. */
export function userFitReportKey(id: string): string {
  return `${USER_FIT_KEY_PREFIX}${id}:report`;
}

/** KV key of one client's count of new fits on one UTC day. */
export function userFitQuotaKey(day: string, client: string): string {
  return `quota:v1:${day}:${client}`;
}

/** The isolate's memory of user-fit coefficient records (immutable by id, so never stale). */
export interface UserFitCache {
  definitions: Map<string, FitDefinition>;
  /** The last few reports read (they never change for an id; bounded by count). */
  reports: Map<string, StoredUserFitReport>;
  /** Reads in flight, so concurrent requests for one id share one KV read. */
  pending: Map<string, Promise<void>>;
}

export function createUserFitCache(): UserFitCache {
  return { definitions: new Map(), reports: new Map(), pending: new Map() };
}

/** What the user-fit store needs: the namespace, the isolate cache, a timeout and a log. */
export interface UserFitStore {
  kv: KVNamespace | undefined;
  cache: UserFitCache;
  timeoutMs: number;
  log: (message: string) => void;
}

/** A user fit as stored: its coefficients (the registry definition), report and runs. */
export interface UserFitRecord {
  fit: FitDefinition;
  report: StoredUserFitReport["report"];
  runs: StoredUserFitReport["runs"];
}

/** The 503 every KV failure of a user fit becomes: nothing half-done, retry later. */
export function storageUnavailable(what: string, error?: unknown): ApiError {
  const detail =
    error instanceof KvTimeout ? "KV did not answer in time" : "KV could not be reached";
  return new ApiError(
    503,
    "storage_unavailable",
    `storage: ${what} failed (${detail}); retry in ${STORAGE_RETRY_SECONDS} s`,
    "storage",
    undefined,
    { "Retry-After": String(STORAGE_RETRY_SECONDS) },
  );
}

async function guarded<T>(store: UserFitStore, what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await withTimeout(work(), store.timeoutMs);
  } catch (error) {
    store.log(JSON.stringify({ event: "user_fit_kv_failure", what, error: String(error) }));
    throw storageUnavailable(what, error);
  }
}

function remember(cache: UserFitCache, fit: FitDefinition): void {
  cache.definitions.delete(fit.id);
  cache.definitions.set(fit.id, fit);
  if (cache.definitions.size > USER_FIT_CACHE_ENTRIES) {
    const oldest = cache.definitions.keys().next().value;
    if (oldest !== undefined) cache.definitions.delete(oldest);
  }
}

/** Parses one stored coefficient record; null when absent, oversized, malformed or another id. */
function definitionOf(id: string, raw: string | null | undefined): FitDefinition | null {
  if (typeof raw !== "string" || raw.length > MAX_USER_FIT_DEFINITION_BYTES) return null;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return null;
  }
  const parsed = FitDefinitionSchema.safeParse(json);
  return parsed.success && parsed.data.id === id ? parsed.data : null;
}

/**
 * The coefficient records of the named user fits: from the isolate cache, else one bulk KV read
 * (bounded: at most `ids.length` records of at most 8 KB each). Unknown, expired or malformed ids
 * are left out (the caller answers 404). A KV failure or timeout is a 503, never a 500.
 */
export async function readUserFitDefinitions(
  store: UserFitStore,
  ids: readonly string[],
): Promise<FitDefinition[]> {
  const wanted = [...new Set(ids)].filter(isWellFormedUserFitId);
  const { definitions, pending } = store.cache;
  const missing = wanted.filter((id) => !definitions.has(id) && !pending.has(id));
  if (missing.length > 0 && store.kv) {
    const kv = store.kv;
    const read = guarded(store, "reading user fits", () =>
      kv.get(missing.map(userFitKey), { type: "text" }),
    ).then((stored) => {
      for (const id of missing) {
        const fit = definitionOf(id, stored.get(userFitKey(id)));
        if (fit) remember(store.cache, fit);
      }
    });
    const settled = read.finally(() => {
      for (const id of missing) pending.delete(id);
    });
    for (const id of missing) pending.set(id, settled);
  }
  await Promise.all(wanted.flatMap((id) => pending.get(id) ?? []));
  return wanted.flatMap((id) => {
    const fit = definitions.get(id);
    return fit ? [fit] : [];
  });
}

/** A user fit's stored report and runs: null when absent, "invalid" when it fails validation. */
export async function readUserFitReport(
  store: UserFitStore,
  id: string,
): Promise<StoredUserFitReport | null | "invalid"> {
  if (!store.kv || !isWellFormedUserFitId(id)) return null;
  const cached = store.cache.reports.get(id);
  if (cached) return cached;
  const kv = store.kv;
  const raw = await guarded(store, "reading a fit report", () =>
    kv.get(userFitReportKey(id), "text"),
  );
  if (raw === null) return null;
  if (raw.length > MAX_USER_FIT_REPORT_BYTES) return "invalid";
  try {
    const parsed = StoredUserFitReportSchema.safeParse(JSON.parse(raw));
    return parsed.success
      ? { report: parsed.data.report, runs: rowsOf(parsed.data.runs) }
      : "invalid";
  } catch {
    return "invalid";
  }
}

/** Runs as columns, as KV keeps them (about half the bytes of one object per run). */
function columnsOf(runs: readonly StoredRun[]): StoredRunColumns {
  if (runs.every((run) => "flops" in run)) {
    return { flops: runs.map((r) => ("flops" in r ? r.flops : 0)), loss: runs.map((r) => r.loss) };
  }
  return {
    params: runs.map((r) => ("params" in r ? r.params : 0)),
    tokens: runs.map((r) => ("tokens" in r ? r.tokens : 0)),
    loss: runs.map((r) => r.loss),
  };
}

/** Columns back to one object per run. */
function rowsOf(columns: StoredRunColumns): StoredRun[] {
  if ("flops" in columns) {
    return columns.flops.map((flops, i) => ({ flops, loss: columns.loss[i] ?? 0 }));
  }
  return columns.params.map((params, i) => ({
    params,
    tokens: columns.tokens[i] ?? 0,
    loss: columns.loss[i] ?? 0,
  }));
}

/**
 * Stores a user fit for {@link USER_FIT_MAX_AGE_SECONDS}: the report and runs first, then the
 * coefficient record, so a fit that can be used can also be shown. Posting the same runs again
 * calls this again, which renews both. A failure is a 503 (retry); a half-written fit is
 * unusable until the retry completes it.
 */
export async function saveUserFit(store: UserFitStore, record: UserFitRecord): Promise<void> {
  const kv = store.kv;
  if (!kv) throw storageUnavailable("storing the fit (no FITS KV binding is configured)");
  const options = { expirationTtl: USER_FIT_MAX_AGE_SECONDS };
  const report = JSON.stringify({ report: record.report, runs: columnsOf(record.runs) });
  await guarded(store, "storing the fit", () =>
    kv.put(userFitReportKey(record.fit.id), report, options),
  );
  await guarded(store, "storing the fit", () =>
    kv.put(userFitKey(record.fit.id), JSON.stringify(record.fit), options),
  );
  remember(store.cache, record.fit);
  store.cache.reports.delete(record.fit.id);
}

/**
 * Counts one new fit against a client's daily quota; false when the quota is spent. KV is
 * eventually consistent across locations, so the count is approximate (it can run over by the
 * writes in flight elsewhere), which bounds storage per client per day within a small factor.
 * @param day the UTC date, YYYY-MM-DD
 */
export async function takeDailyQuota(
  store: UserFitStore,
  client: string,
  day: string,
): Promise<boolean> {
  const kv = store.kv;
  if (!kv) return true;
  const key = userFitQuotaKey(day, client);
  const used =
    Number(await guarded(store, "reading the daily quota", () => kv.get(key, "text"))) || 0;
  if (used >= NEW_FITS_PER_CLIENT_PER_DAY) return false;
  await guarded(store, "counting the daily quota", () =>
    kv.put(key, String(used + 1), { expirationTtl: 2 * 24 * 3600 }),
  );
  return true;
}
