import { ApiError } from "../api/errors.ts";
import type { KaplanBudget } from "../core/frontier.ts";
import { QUANTITY_KINDS, type QuantityKind } from "../core/parse.ts";
import type { AllocateRequest } from "../service/allocate.ts";
import { fitIdsOf } from "../service/fit-ids.ts";

/** Longest `fit` selection read from a page URL, characters (as the JSON API). */
const MAX_FIT_SELECTION_LENGTH = 1000;

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
  if (params.has("ask") || params.has("q")) {
    const kind = isKind(ask) ? ask : "flops";
    const text = first(params, "q");
    return {
      kind,
      text,
      given: text.trim() === "" ? {} : { [kind]: text },
      fits,
      kaplanBudget,
      fromForm: true,
    };
  }
  const given: Partial<Record<QuantityKind, string>> = {};
  for (const kind of QUANTITY_KINDS) {
    const value = first(params, kind);
    if (value.trim() !== "") given[kind] = value;
  }
  const kind = QUANTITY_KINDS.find((k) => given[k] !== undefined) ?? "flops";
  return { kind, text: given[kind] ?? "", given, fits, kaplanBudget, fromForm: false };
}

export function hasQuestion(query: PageQuery): boolean {
  return Object.keys(query.given).length > 0;
}

/** The query as an allocate request; throws ApiError for a bad kaplanBudget or fit list. */
export function toAllocateRequest(query: PageQuery): AllocateRequest {
  if (
    query.kaplanBudget !== "" &&
    query.kaplanBudget !== "critical" &&
    query.kaplanBudget !== "all"
  ) {
    throw new ApiError(
      400,
      "invalid_input",
      `kaplanBudget: expected "critical" or "all", got "${query.kaplanBudget.slice(0, 40)}"`,
      "kaplanBudget",
      "critical or all",
    );
  }
  const fit = query.fits.join(",");
  if (fit.length > MAX_FIT_SELECTION_LENGTH) {
    throw new ApiError(
      400,
      "invalid_input",
      `fit: at most ${MAX_FIT_SELECTION_LENGTH} characters`,
      "fit",
    );
  }
  return {
    ...query.given,
    ...(fit === "" ? {} : { fit }),
    ...(query.kaplanBudget === "" ? {} : { kaplanBudget: query.kaplanBudget as KaplanBudget }),
  };
}

/** Encodes a query value readably: spaces as "+", and "'" escaped so URLs quote in a shell. */
function encodeValue(value: string): string {
  return encodeURIComponent(value).replace(/%20/g, "+").replace(/'/g, "%27");
}

/**
 * The canonical search string of a question (without "?"): the one question parameter, the
 * fit selection unless it is every published fit, and kaplanBudget unless it is the default.
 * The page's permalink and the JSON API take the same string.
 */
export function canonicalSearch(query: PageQuery, publishedIds: readonly string[]): string {
  const parts: string[] = [];
  for (const kind of QUANTITY_KINDS) {
    const value = query.given[kind];
    if (value !== undefined) parts.push(`${kind}=${encodeValue(value.trim())}`);
  }
  const everyPublished =
    query.fits.length === publishedIds.length &&
    publishedIds.every((id) => query.fits.includes(id));
  if (query.fits.length > 0 && !everyPublished) {
    parts.push(`fit=${query.fits.map(encodeValue).join(",")}`);
  }
  if (query.kaplanBudget === "all") parts.push("kaplanBudget=all");
  return parts.join("&");
}

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

export function questionLinks(search: string, origin: string): QuestionLinks {
  const suffix = search === "" ? "" : `?${search}`;
  const page = `/${suffix}`;
  const api = `/api/v1/allocate${suffix}`;
  return {
    page,
    embed: `/embed${suffix}`,
    api,
    pageUrl: `${origin}${page}`,
    apiUrl: `${origin}${api}`,
    curl: `curl '${origin}${api}'`,
  };
}
