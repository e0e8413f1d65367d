import { KaplanBudgetSchema, TEXT_LIMITS } from "../api/schemas.ts";
import { ApiError } from "../contract/errors.ts";
import type { KaplanBudget } from "../core/frontier.ts";
import { MAX_INPUT_LENGTH, QUANTITY_KINDS, type QuantityKind } from "../core/parse.ts";
import type { AllocateRequest } from "../service/allocate.ts";
import { fitIdsOf } from "../service/fit-ids.ts";

/** The hardware fields of the "Advanced" section (the allocate API's names), as typed. */
export const HARDWARE_FIELDS = ["gpu", "gpus", "mfu", "pricePerGpuHour"] as const;
export type HardwareField = (typeof HARDWARE_FIELDS)[number];

/** The planning fields: each turns the page into a plan of its own (the plan APIs' names). */
export const PLAN_FIELDS = ["inferenceTokens", "uniqueTokens"] as const;
export type PlanField = (typeof PLAN_FIELDS)[number];

/** Every field of the "Advanced" section. */
export const ADVANCED_FIELDS = [...HARDWARE_FIELDS, ...PLAN_FIELDS] as const;
export type AdvancedField = (typeof ADVANCED_FIELDS)[number];

/**
 * What the page answers: compute-optimal allocations (`allocate`), the inference-aware plan
 * (`inference`, with inferenceTokens) or the data-constrained plan (`data`, with uniqueTokens).
 */
export type PageMode = "allocate" | "inference" | "data";

/** The question a page URL asks, as the user typed it. */
export interface PageQuery {
  kind: QuantityKind;
  /** The user's text for the question, untrimmed ("" when none was given). */
  text: string;
  /** Every non-empty question parameter given (more than one is a conflict the API reports). */
  given: Partial<Record<QuantityKind, string>>;
  /** Selected fit ids; empty means all. */
  fits: string[];
  /** The raw kaplanBudget parameter ("" when absent). */
  kaplanBudget: string;
  /** The non-empty "Advanced" fields as typed (hardware and planning). */
  advanced: Partial<Record<AdvancedField, string>>;
  /** True when the URL came from the form (`ask` + `q`) rather than a permalink. */
  fromForm: boolean;
}

/** Reads one query parameter (the first, when repeated) from URL search params. */
function first(params: URLSearchParams, name: string): string {
  return params.get(name) ?? "";
}

function isKind(value: string): value is QuantityKind {
  return (QUANTITY_KINDS as readonly string[]).includes(value);
}

/**
 * Reads the page's query: a permalink (`?flops=1e24&fit=a,b&kaplanBudget=all`) or the form's
 * submission (`?ask=flops&q=1e24&fit=a&fit=b&kaplanBudget=critical`).
 */
export function readPageQuery(url: URL): PageQuery {
  const params = url.searchParams;
  const fits = fitIdsOf(params.getAll("fit").join(","));
  const kaplanBudget = first(params, "kaplanBudget");
  const ask = first(params, "ask");
  const advanced: Partial<Record<AdvancedField, string>> = {};
  for (const field of ADVANCED_FIELDS) {
    const value = first(params, field);
    if (value.trim() !== "") advanced[field] = value;
  }
  if (params.has("ask") || params.has("q")) {
    const kind = isKind(ask) ? ask : "flops";
    const text = first(params, "q");
    return {
      kind,
      text,
      given: text.trim() === "" ? {} : { [kind]: text },
      fits,
      kaplanBudget,
      advanced,
      fromForm: true,
    };
  }
  const given: Partial<Record<QuantityKind, string>> = {};
  for (const kind of QUANTITY_KINDS) {
    const value = first(params, kind);
    if (value.trim() !== "") given[kind] = value;
  }
  const kind = QUANTITY_KINDS.find((k) => given[k] !== undefined) ?? "flops";
  return { kind, text: given[kind] ?? "", given, fits, kaplanBudget, advanced, fromForm: false };
}

/** The plan a query asks for; both planning fields at once is a 400 naming the second. */
export function modeOf(query: PageQuery): PageMode {
  const { inferenceTokens, uniqueTokens } = query.advanced;
  if (inferenceTokens !== undefined && uniqueTokens !== undefined) {
    throw new ApiError(
      400,
      "invalid_input",
      "uniqueTokens: plan for inference demand (inferenceTokens) or for scarce data (uniqueTokens), not both at once",
      "uniqueTokens",
      "leave one of inferenceTokens and uniqueTokens empty",
    );
  }
  if (inferenceTokens !== undefined) return "inference";
  if (uniqueTokens !== undefined) return "data";
  return "allocate";
}

/** The mode without throwing: a conflict reads as the inference plan, whose error the page shows. */
export function pageModeOf(query: PageQuery): PageMode {
  try {
    return modeOf(query);
  } catch {
    return "inference";
  }
}

/** Longest text read from each "Advanced" field, characters (the JSON API's limits). */
const ADVANCED_MAX_LENGTH: Record<AdvancedField, number> = {
  gpu: TEXT_LIMITS.gpu,
  gpus: TEXT_LIMITS.gpus,
  mfu: TEXT_LIMITS.mfu,
  pricePerGpuHour: TEXT_LIMITS.pricePerGpuHour,
  inferenceTokens: MAX_INPUT_LENGTH,
  uniqueTokens: MAX_INPUT_LENGTH,
};

/** Throws a 400 naming the first "Advanced" field longer than the JSON API reads. */
export function checkAdvancedLengths(query: PageQuery): void {
  for (const field of ADVANCED_FIELDS) {
    const value = query.advanced[field];
    const limit = ADVANCED_MAX_LENGTH[field];
    if (value !== undefined && value.length > limit) {
      throw new ApiError(400, "invalid_input", `${field}: at most ${limit} characters`, field);
    }
  }
}

/** The hardware fields of a query, for the allocate request and training time. */
export function hardwareOf(query: PageQuery): Partial<Record<HardwareField, string>> {
  const hardware: Partial<Record<HardwareField, string>> = {};
  for (const field of HARDWARE_FIELDS) {
    const value = query.advanced[field];
    if (value !== undefined) hardware[field] = value.trim();
  }
  return hardware;
}

export function hasQuestion(query: PageQuery): boolean {
  return Object.keys(query.given).length > 0;
}

/** The query as an allocate request; throws ApiError for a bad kaplanBudget or fit list. */
export function toAllocateRequest(query: PageQuery): AllocateRequest {
  const budgets = KaplanBudgetSchema.options;
  if (query.kaplanBudget !== "" && !KaplanBudgetSchema.safeParse(query.kaplanBudget).success) {
    throw new ApiError(
      400,
      "invalid_input",
      `kaplanBudget: expected ${budgets.map((b) => `"${b}"`).join(" or ")}, got "${query.kaplanBudget.slice(0, 40)}"`,
      "kaplanBudget",
      budgets.join(" or "),
    );
  }
  const fit = fitSelectionOf(query);
  return {
    ...query.given,
    ...(fit === "" ? {} : { fit }),
    ...(query.kaplanBudget === "" ? {} : { kaplanBudget: query.kaplanBudget as KaplanBudget }),
    ...hardwareOf(query),
  };
}

/** The selected fits as the API's comma-separated `fit`, bounded as the API bounds it. */
function fitSelectionOf(query: PageQuery): string {
  const fit = query.fits.join(",");
  if (fit.length > TEXT_LIMITS.fit) {
    throw new ApiError(400, "invalid_input", `fit: at most ${TEXT_LIMITS.fit} characters`, "fit");
  }
  return fit;
}

/** The fit selection of a plan: one id, or undefined for the plan's default fit. */
export function planFitOf(query: PageQuery, publishedIds: readonly string[]): string | undefined {
  if (query.fits.length === 0 || isEveryPublished(query.fits, publishedIds)) return undefined;
  const fit = fitSelectionOf(query);
  return fit;
}

const isEveryPublished = (fits: readonly string[], publishedIds: readonly string[]) =>
  fits.length === publishedIds.length && publishedIds.every((id) => fits.includes(id));

/** Encodes a query value readably: spaces as "+", and "'" escaped so URLs quote in a shell. */
function encodeValue(value: string): string {
  return encodeURIComponent(value).replace(/%20/g, "+").replace(/'/g, "%27");
}

/**
 * The canonical search string of a question (without "?"): the one question parameter, the
 * fit selection unless it is every published fit, kaplanBudget unless it is the default (and
 * only where it applies), then the "Advanced" fields given. The page's permalink takes this
 * string; `forApi` leaves out what the mode's JSON API does not read (hardware on a plan).
 */
export function canonicalSearch(
  query: PageQuery,
  publishedIds: readonly string[],
  { forApi = false }: { forApi?: boolean } = {},
): string {
  const mode = pageModeOf(query);
  const parts: string[] = [];
  for (const kind of QUANTITY_KINDS) {
    const value = query.given[kind];
    if (value !== undefined) parts.push(`${kind}=${encodeValue(value.trim())}`);
  }
  for (const field of PLAN_FIELDS) {
    const value = query.advanced[field];
    if (value !== undefined) parts.push(`${field}=${encodeValue(value.trim())}`);
  }
  if (query.fits.length > 0 && !isEveryPublished(query.fits, publishedIds)) {
    parts.push(`fit=${query.fits.map(encodeValue).join(",")}`);
  }
  if (query.kaplanBudget === "all" && mode === "allocate") parts.push("kaplanBudget=all");
  if (!forApi || mode === "allocate") {
    for (const field of HARDWARE_FIELDS) {
      const value = query.advanced[field];
      if (value !== undefined) parts.push(`${field}=${encodeValue(value.trim())}`);
    }
  }
  return parts.join("&");
}

/** The JSON API path that answers a mode's question. */
export const API_PATHS: Record<PageMode, string> = {
  allocate: "/api/v1/allocate",
  inference: "/api/v1/plan/inference",
  data: "/api/v1/plan/data",
};

/** Links for one question: the page's permalink, the embed card, the JSON API and curl. */
export interface QuestionLinks {
  /** Path and query of the page, e.g. "/?flops=1e24". */
  page: string;
  embed: string;
  api: string;
  /** Absolute URLs. */
  pageUrl: string;
  apiUrl: string;
  curl: string;
}

export function questionLinks(
  search: string,
  origin: string,
  {
    apiPath = API_PATHS.allocate,
    apiSearch = search,
  }: { apiPath?: string; apiSearch?: string } = {},
): QuestionLinks {
  const suffix = search === "" ? "" : `?${search}`;
  const page = `/${suffix}`;
  const api = `${apiPath}${apiSearch === "" ? "" : `?${apiSearch}`}`;
  return {
    page,
    embed: `/embed${suffix}`,
    api,
    pageUrl: `${origin}${page}`,
    apiUrl: `${origin}${api}`,
    curl: `curl '${origin}${api}'`,
  };
}
