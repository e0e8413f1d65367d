import type { QuantityKind } from "../core/parse.ts";
import type { AllocateRequest } from "../service/allocate.ts";
import type { DataPlanRequest, InferencePlanRequest } from "../service/plans.ts";

/** Longest command text read, in characters (each quantity is further capped by the parser). */
export const MAX_TEXT_CHARS = 500;

/** What a slash command's text asks for. `public` posts the answer to the channel. */
export type SlackCommand =
  | { kind: "help"; public: boolean }
  | { kind: "allocate"; request: AllocateRequest; public: boolean }
  | { kind: "inference"; request: InferencePlanRequest; public: boolean }
  | { kind: "data"; request: DataPlanRequest; public: boolean }
  | { kind: "invalid"; message: string; public: boolean };

/** A command that asks a question (not help, not invalid). */
export type QuestionCommand = Exclude<SlackCommand, { kind: "help" | "invalid" }>;

type HardwareClause = "gpu" | "gpus" | "mfu" | "pricePerGpuHour";
type Clause = QuantityKind | "fit" | "inferenceTokens" | "uniqueTokens" | HardwareClause;

/** How messages name a clause: the word the user typed for it. */
const CLAUSE_NAMES: Partial<Record<Clause, string>> = {
  inferenceTokens: "inference",
  uniqueTokens: "unique",
  pricePerGpuHour: "price",
};
const nameOf = (clause: Clause) => CLAUSE_NAMES[clause] ?? clause;

/** Clauses whose value need not start with a digit (`fit epoch-2024`, `gpu H100`). */
const WORD_VALUED: ReadonlySet<Clause> = new Set(["fit", "gpu"]);

/**
 * Words that start a clause. A clause runs until the next clause word; text before the first
 * one is a FLOP budget (or params/tokens/loss when it ends in that unit: `70B params`).
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
  inference: "inferenceTokens",
  inferencetokens: "inferenceTokens",
  serving: "inferenceTokens",
  unique: "uniqueTokens",
  uniquetokens: "uniqueTokens",
  gpu: "gpu",
  gpus: "gpus",
  mfu: "mfu",
  price: "pricePerGpuHour",
  pricepergpuhour: "pricePerGpuHour",
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
/** A value starts like a number (or a price: `price $2.5`). */
const STARTS_NUMERIC = /^[$+\-.\d⁰¹²³⁴⁵⁶⁷⁸⁹０-９]/u;

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
  return WORD_VALUED.has(clause) || STARTS_NUMERIC.test(next) ? clause : undefined;
}

function leadingKind(words: readonly string[]): QuantityKind {
  const last = words.at(-1);
  return (words.length > 1 && last !== undefined && TRAILING_UNITS[fold(last)]) || "flops";
}

/**
 * Reads a slash command's text: `1e24`, `5000 PF-days`, `1M H100-hours @ 40% MFU`,
 * `params 70B`, `tokens 2T`, `loss 2.0`, `fit a,b`, `gpu H100 gpus 1024 mfu 40% price 2.5`,
 * `1e24 inference 2T`, `1e24 unique 500B`, `help`, and `public` anywhere.
 * Never throws; the quantities themselves are parsed later by the services.
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

  const given: Partial<Record<Clause, string>> = {};
  for (const { clause, words: values } of clauses) {
    const value = values.join(" ");
    if (value === "") {
      return {
        kind: "invalid",
        message: `${nameOf(clause)}: needs a value after it`,
        public: isPublic,
      };
    }
    if (given[clause] !== undefined) {
      return { kind: "invalid", message: `${nameOf(clause)}: given twice`, public: isPublic };
    }
    given[clause] = clause === "fit" ? fitList(value) : value;
  }
  return commandOf(given, isPublic);
}

function fitList(value: string): string {
  return value
    .split(/[\s,]+/u)
    .filter((id) => id !== "")
    .join(",");
}

const HARDWARE: readonly HardwareClause[] = ["gpu", "gpus", "mfu", "pricePerGpuHour"];

/** The clauses each plan takes, and the example its messages show. */
const PLANS = {
  inferenceTokens: {
    kind: "inference",
    takes: ["flops", "loss", "fit", "inferenceTokens", ...HARDWARE],
    example: "`1e24 inference 2T` or `loss 2.0 inference 2T`",
  },
  uniqueTokens: {
    kind: "data",
    takes: ["flops", "fit", "uniqueTokens", ...HARDWARE],
    example: "`1e24 unique 500B`",
  },
} as const;

/** Decides which question the clauses ask; combinations no answer takes are invalid. */
function commandOf(given: Partial<Record<Clause, string>>, isPublic: boolean): SlackCommand {
  const invalid = (message: string): SlackCommand => ({
    kind: "invalid",
    message,
    public: isPublic,
  });
  const named = Object.keys(given) as Clause[];
  if (given.inferenceTokens !== undefined && given.uniqueTokens !== undefined) {
    return invalid("ask about inference demand or about unique data, not both at once");
  }
  const plan =
    given.inferenceTokens !== undefined
      ? PLANS.inferenceTokens
      : given.uniqueTokens !== undefined
        ? PLANS.uniqueTokens
        : undefined;
  // "$2.5" reads as 2.5 (per GPU-hour, in the user's currency).
  const hardware = {
    ...(given.gpu === undefined ? {} : { gpu: given.gpu }),
    ...(given.gpus === undefined ? {} : { gpus: given.gpus }),
    ...(given.mfu === undefined ? {} : { mfu: given.mfu }),
    ...(given.pricePerGpuHour === undefined
      ? {}
      : { pricePerGpuHour: given.pricePerGpuHour.replace(/^\$\s*/u, "") }),
  };
  if (plan === undefined) {
    const { pricePerGpuHour: _price, ...question } = given;
    const request: AllocateRequest = { ...question, ...hardware };
    return { kind: "allocate", request, public: isPublic };
  }
  const takes: readonly Clause[] = plan.takes;
  const extra = named.filter((clause) => !takes.includes(clause));
  if (extra.length > 0) {
    return invalid(`${extra.map(nameOf).join(" and ")}: not with this plan; write ${plan.example}`);
  }
  if (plan.kind === "inference") {
    if (given.flops === undefined && given.loss === undefined) {
      return invalid(`inference: give a budget or a target loss too, e.g. ${plan.example}`);
    }
    const { flops, loss, inferenceTokens, fit } = given;
    return {
      kind: "inference",
      request: { flops, loss, inferenceTokens, fit, ...hardware },
      public: isPublic,
    };
  }
  if (given.flops === undefined) {
    return invalid(`unique: give a training budget too, e.g. ${plan.example}`);
  }
  const { flops, uniqueTokens, fit } = given;
  return { kind: "data", request: { flops, uniqueTokens, fit, ...hardware }, public: isPublic };
}

/** The clause word that writes each request field back as text, in the order written. */
const WRITTEN_CLAUSES: readonly [Exclude<Clause, "flops">, string][] = [
  ["params", "params"],
  ["tokens", "tokens"],
  ["loss", "loss"],
  ["inferenceTokens", "inference"],
  ["uniqueTokens", "unique"],
  ["fit", "fit"],
  ["gpu", "gpu"],
  ["gpus", "gpus"],
  ["mfu", "mfu"],
  ["pricePerGpuHour", "price"],
];

/**
 * The command text (without the command name) asking `command` again with its question
 * replaced by one reading of it, e.g. `params 70B` or `70B FLOPs fit epoch-2024`: how an
 * ambiguous input's readings are offered. {@link parseCommandText} reads it back to the same
 * request with `reading.field` set to `reading.value`.
 */
export function commandWithReading(
  command: QuestionCommand,
  reading: { field: string; value: string },
): string {
  const fields: Record<string, unknown> = { ...command.request };
  for (const kind of ["flops", "params", "tokens", "loss"]) delete fields[kind];
  fields[reading.field] = reading.value;
  const text = (value: unknown) =>
    typeof value === "string" || typeof value === "number" ? String(value).trim() : "";
  // A leading budget needs no clause word (and `70B FLOPs` would end a `flops` clause anyway).
  const parts = text(fields.flops) === "" ? [] : [text(fields.flops)];
  for (const [field, word] of WRITTEN_CLAUSES) {
    if (text(fields[field]) !== "") parts.push(`${word} ${text(fields[field])}`);
  }
  if (command.public) parts.push("public");
  return parts.join(" ");
}
