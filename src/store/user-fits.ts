import { type FitDefinition, FitDefinitionSchema } from "../core/fits/schema.ts";
import type { FitReport } from "../core/fitting/fit.ts";
import type { ComputeRun, ParametricRun } from "../core/fitting/runs.ts";
import type { RegistryEntry } from "./fit-registry.ts";

/** Ids of fits made from a user's own runs (POST /api/v1/fits) start with this prefix. */
export const USER_FIT_PREFIX = "user-";
/** KV key prefix of user fit documents (docs/storage.md). */
export const USER_FIT_KEY_PREFIX = "userfit:v1:";
/** A user fit expires after this long without use, seconds (30 days). */
export const USER_FIT_TTL_SECONDS = 30 * 24 * 3600;
/** Reading a fit re-puts it (refreshing its expiry) at most this often, ms (1 day). */
export const USER_FIT_REFRESH_MS = 24 * 3600 * 1000;

const USER_FIT_ID = /^user-[0-9a-f]{20}$/;
/** Most user fits one registry read loads (a selection names at most 32 fits anyway). */
const MAX_IDS_PER_READ = 64;

export function isUserFitId(id: string): boolean {
  return id.startsWith(USER_FIT_PREFIX);
}

export function userFitKey(id: string): string {
  return `${USER_FIT_KEY_PREFIX}${id}`;
}

/** The POST /api/v1/fits answer as stored: the fit report with its id, label and date. */
export type UserFitReport = FitReport & { id: string; label: string; createdAt: string };

/** A stored user fit: the registry definition, the report and the runs it was fitted to. */
export interface UserFitDocument {
  fit: FitDefinition;
  report: UserFitReport;
  runs: (ParametricRun | ComputeRun)[];
}

/** KV metadata: when the value was last put, ms since the epoch. */
interface UserFitMetadata {
  refreshedAt: number;
}

export interface UserFitStoreOptions {
  /** Milliseconds since the epoch. */
  now?: () => number;
  /** Runs the expiry refresh after the response (ExecutionContext.waitUntil). */
  waitUntil?: (promise: Promise<unknown>) => void;
  log?: (message: string) => void;
}

function put(kv: KVNamespace, id: string, value: string, now: number): Promise<void> {
  const metadata: UserFitMetadata = { refreshedAt: now };
  return kv.put(userFitKey(id), value, { expirationTtl: USER_FIT_TTL_SECONDS, metadata });
}

/**
 * Stores a user fit under `userfit:v1:<id>` as one JSON value: the FitDefinition's fields plus
 * `report` and `runs`, expiring after 30 days without use. One put, so a failure stores
 * nothing; the caller answers 503.
 */
export async function saveUserFit(
  kv: KVNamespace,
  document: UserFitDocument,
  now: number,
): Promise<void> {
  const value = JSON.stringify({ ...document.fit, report: document.report, runs: document.runs });
  await put(kv, document.fit.id, value, now);
}

/** Parses one stored value; null when absent, malformed or holding another id. */
function readDocument(id: string, raw: string | null): UserFitDocument | null {
  if (raw === null) return null;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return null;
  }
  const parsed = FitDefinitionSchema.safeParse(json);
  if (!parsed.success || parsed.data.id !== id) return null;
  const { report, runs } = json as { report?: unknown; runs?: unknown };
  if (typeof report !== "object" || report === null || !Array.isArray(runs)) return null;
  return { fit: parsed.data, report: report as UserFitReport, runs };
}

/**
 * Reads user fits by id from KV in one bulk read. Unknown, expired or malformed ids are left
 * out (the caller answers 404). A fit last put more than a day ago is put again in the
 * background, which restarts its 30-day expiry.
 */
export async function readUserFits(
  kv: KVNamespace | undefined,
  ids: readonly string[],
  options: UserFitStoreOptions = {},
): Promise<UserFitDocument[]> {
  const wanted = [...new Set(ids)].filter((id) => USER_FIT_ID.test(id)).slice(0, MAX_IDS_PER_READ);
  if (!kv || wanted.length === 0) return [];
  const now = (options.now ?? Date.now)();
  const stored = await kv.getWithMetadata<UserFitMetadata>(wanted.map(userFitKey), "text");
  const documents: UserFitDocument[] = [];
  for (const id of wanted) {
    const entry = stored.get(userFitKey(id));
    const document = readDocument(id, entry?.value ?? null);
    if (!entry?.value || !document) continue;
    documents.push(document);
    const refreshedAt = entry.metadata?.refreshedAt;
    if (typeof refreshedAt !== "number" || now - refreshedAt >= USER_FIT_REFRESH_MS) {
      const refresh = put(kv, id, entry.value, now).catch((error: unknown) => {
        options.log?.(`user fit ${id}: expiry refresh failed: ${String(error)}`);
      });
      options.waitUntil?.(refresh);
    }
  }
  return documents;
}

/**
 * User fits as registry entries, so `answerAllocate` and `answerPredict` use them like any
 * published fit. Each entry's fit also carries the stored `report` and `runs`, which
 * GET /api/v1/fits/<id> shows.
 */
export async function loadUserFits(
  kv: KVNamespace | undefined,
  ids: readonly string[],
  options: UserFitStoreOptions = {},
): Promise<RegistryEntry[]> {
  const documents = await readUserFits(kv, ids, options);
  return documents.map(({ fit, report, runs }) => ({
    fit: Object.assign({}, fit, { report, runs }),
    origin: { store: "kv" },
  }));
}
