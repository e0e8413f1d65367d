import type { QuantityKind } from "../core/parse.ts";
import type { AllocateRequest } from "../service/allocate.ts";

/** Longest command text read, in characters (each quantity is further capped by the parser). */
export const MAX_TEXT_CHARS = 500;

/** What a slash command's text asks for. `public` posts the answer to the channel. */
export type SlackCommand =
  | { kind: "help"; public: boolean }
  | { kind: "allocate"; request: AllocateRequest; public: boolean }
  | { kind: "invalid"; message: string; public: boolean };

type Clause = QuantityKind | "fit";

/**
 * Words that start a clause. A clause runs until the next clause word; text before the first
 * one is a FLOP budget (or params/tokens/loss when it ends in that unit: `70B params`).
 * New words (e.g. `inference`, `unique`) are added here.
 */
const CLAUSE_WORDS: Record<string, Clause> = {
  flops: "flops",
  flop: "flops",
  compute: "flops",
  budget: "flops",
  params: "params",
  param: "params",
  parameters: "params",
  model: "params",
  tokens: "tokens",
  token: "tokens",
  data: "tokens",
  loss: "loss",
  fit: "fit",
  fits: "fit",
};

/** Unit words that, ending a clause with no clause word, say which quantity it is. */
const TRAILING_UNITS: Record<string, QuantityKind> = {
  params: "params",
  param: "params",
  parameters: "params",
  parameter: "params",
  tokens: "tokens",
  token: "tokens",
  toks: "tokens",
  nats: "loss",
  "nats/token": "loss",
};

const KEY_VALUE = /^(\p{L}+)[=:](.*)$/u;
const STARTS_NUMERIC = /^[+\-.\d⁰¹²³⁴⁵⁶⁷⁸⁹０-９]/u;

const fold = (word: string) => word.normalize("NFKC").toLowerCase();

/** Splits `params=70B` and `loss:2.0` into a clause word and its value. */
function splitWords(text: string): string[] {
  return text
    .split(/\s+/u)
    .filter((word) => word !== "")
    .flatMap((word) => {
      const match = KEY_VALUE.exec(word);
      if (!match?.[1] || !(fold(match[1]) in CLAUSE_WORDS)) return [word];
      return match[2] ? [match[1], match[2]] : [match[1]];
    });
}

function clauseAt(words: readonly string[], index: number): Clause | undefined {
  const word = words[index];
  const clause = word === undefined ? undefined : CLAUSE_WORDS[fold(word)];
  if (clause === undefined) return undefined;
  if (index === 0) return clause;
  // Later, a clause word must be followed by its value (so `2T tokens` stays one quantity).
  const next = words[index + 1];
  if (next === undefined) return undefined;
  return clause === "fit" || STARTS_NUMERIC.test(next) ? clause : undefined;
}

function leadingKind(words: readonly string[]): QuantityKind {
  const last = words.at(-1);
  return (words.length > 1 && last !== undefined && TRAILING_UNITS[fold(last)]) || "flops";
}

/**
 * Reads a slash command's text: `1e24`, `5000 PF-days`, `1M H100-hours @ 40% MFU`,
 * `params 70B`, `tokens 2T`, `loss 2.0`, `fit a,b`, `help`, and `public` anywhere.
 * Never throws; the quantities themselves are parsed later by the allocate service.
 */
export function parseCommandText(raw: string): SlackCommand {
  if (raw.length > MAX_TEXT_CHARS) {
    return {
      kind: "invalid",
      message: `the text is ${raw.length} characters; at most ${MAX_TEXT_CHARS} are read`,
      public: false,
    };
  }
  const all = splitWords(raw);
  const words = all.filter((word) => fold(word) !== "public");
  const isPublic = words.length < all.length;
  if (words.length === 0 || (words.length === 1 && fold(words[0] ?? "") === "help")) {
    return { kind: "help", public: isPublic };
  }

  const clauses: { clause: Clause; words: string[] }[] = [];
  for (let i = 0; i < words.length; i++) {
    const clause = clauseAt(words, i);
    if (clause !== undefined) clauses.push({ clause, words: [] });
    else if (clauses.length === 0) clauses.push({ clause: "flops", words: [words[i] ?? ""] });
    else clauses.at(-1)?.words.push(words[i] ?? "");
  }
  const first = clauses[0];
  if (first && clauseAt(words, 0) === undefined) first.clause = leadingKind(first.words);

  const request: AllocateRequest = {};
  for (const { clause, words: values } of clauses) {
    const value = values.join(" ");
    if (value === "") {
      return { kind: "invalid", message: `${clause}: needs a value after it`, public: isPublic };
    }
    if (request[clause] !== undefined) {
      return { kind: "invalid", message: `${clause}: given twice`, public: isPublic };
    }
    request[clause] =
      clause === "fit"
        ? value
            .split(/[\s,]+/u)
            .filter((id) => id !== "")
            .join(",")
        : value;
  }
  return { kind: "allocate", request, public: isPublic };
}
