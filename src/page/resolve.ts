import type { Context } from "hono";
import { ApiError } from "../contract/errors.ts";
import type { RegistrySnapshot } from "../core/fits/registry.ts";
import type { KaplanBudget } from "../core/frontier.ts";
import type { TrainingTime } from "../core/planning/training.ts";
import { publicUrl } from "../http/context.ts";
import { type AllocateAnswer, answerAllocate } from "../service/allocate.ts";
import type { HardwarePlan } from "../service/hardware.ts";
import {
  answerDataPlan,
  answerInferencePlan,
  type DataPlanAnswer,
  type InferencePlanAnswer,
} from "../service/plans.ts";
import type { AppEnv } from "../types.ts";
import {
  API_PATHS,
  canonicalSearch,
  checkAdvancedLengths,
  hardwareOf,
  hasQuestion,
  modeOf,
  type PageMode,
  type PageQuery,
  pageModeOf,
  planFitOf,
  type QuestionLinks,
  questionLinks,
  readPageQuery,
  toAllocateRequest,
} from "./query.ts";

/** Training time of a plan on the hardware of the "Advanced" section. */
export interface PlanTraining {
  hardware: HardwarePlan;
  /** For the plan's training compute. */
  plan: TrainingTime;
  /** For the plan it is compared with, when that trains on other compute. */
  reference?: TrainingTime;
}

/** The page's answer in its mode (null before a question or after bad input). */
export type Outcome =
  | { mode: "allocate"; answer: AllocateAnswer | null }
  | { mode: "inference"; plan: InferencePlanAnswer | null; training?: PlanTraining }
  | { mode: "data"; plan: DataPlanAnswer | null; training?: PlanTraining };

export interface Resolved {
  query: PageQuery;
  registry: RegistrySnapshot;
  outcome: Outcome;
  error?: ApiError;
  links: QuestionLinks;
  kaplanBudget: KaplanBudget;
}

const emptyOutcome = (mode: PageMode): Outcome =>
  mode === "allocate" ? { mode, answer: null } : { mode, plan: null };

function requireKinds(query: PageQuery, field: string, kinds: readonly string[], what: string) {
  if (!kinds.includes(query.kind)) {
    throw new ApiError(
      400,
      "invalid_input",
      `${query.kind}: ${field} plans ${what}; switch the question to ${kinds.length > 1 ? "Compute or Target loss" : "Compute"}`,
      query.kind,
      kinds.join(" or "),
    );
  }
}

function answer(query: PageQuery, registry: RegistrySnapshot, published: string[]): Outcome {
  checkAdvancedLengths(query);
  const mode = modeOf(query);
  if (mode === "allocate") {
    return { mode, answer: answerAllocate(registry, toAllocateRequest(query)) };
  }
  const fit = planFitOf(query, published);
  if (mode === "inference") {
    requireKinds(query, "inferenceTokens", ["flops", "loss"], "from a compute budget or a loss");
    const plan = answerInferencePlan(registry, {
      ...hardwareOf(query),
      flops: query.given.flops,
      loss: query.given.loss,
      inferenceTokens: query.advanced.inferenceTokens,
      ...(fit === undefined ? {} : { fit }),
    });
    const { training } = plan;
    return {
      mode,
      plan,
      ...(training
        ? {
            training: {
              hardware: training.hardware,
              plan: training.plan,
              ...(training.computeOptimal ? { reference: training.computeOptimal } : {}),
            },
          }
        : {}),
    };
  }
  requireKinds(query, "uniqueTokens", ["flops"], "a compute budget");
  const plan = answerDataPlan(registry, {
    ...hardwareOf(query),
    flops: query.given.flops,
    uniqueTokens: query.advanced.uniqueTokens,
    ...(fit === undefined ? {} : { fit }),
  });
  const { training } = plan;
  return {
    mode,
    plan,
    ...(training ? { training: { hardware: training.hardware, plan: training.plan } } : {}),
  };
}

/**
 * Reads the request's question and answers it in its mode; bad input becomes `error` (with the
 * API's status), never a throw. `allocateOnly` refuses the planning fields (the embed card).
 */
export async function resolve(
  c: Context<AppEnv>,
  { requireQuestion = false, allocateOnly = false } = {},
): Promise<Resolved> {
  const url = publicUrl(c);
  const query = readPageQuery(url);
  const registry = await c.var.fits(query.fits);
  const published = registry.entries.map((e) => e.fit.id);
  const mode = pageModeOf(query);
  const links = questionLinks(canonicalSearch(query, published), url.origin, {
    apiPath: API_PATHS[mode],
    apiSearch: canonicalSearch(query, published, { forApi: true }),
  });
  const kaplanBudget: KaplanBudget = query.kaplanBudget === "all" ? "all" : "critical";
  const base = { query, registry, links, kaplanBudget, outcome: emptyOutcome(mode) };
  if (!requireQuestion && !hasQuestion(query) && mode === "allocate") return base;
  try {
    if (allocateOnly && mode !== "allocate") {
      const field = mode === "inference" ? "inferenceTokens" : "uniqueTokens";
      throw new ApiError(
        400,
        "invalid_input",
        `${field}: the embed card shows compute-optimal allocations only; open the page for plans`,
        field,
      );
    }
    return { ...base, outcome: answer(query, registry, published) };
  } catch (error) {
    if (error instanceof ApiError) return { ...base, error };
    throw error;
  }
}

/** The allocate answer of a resolved page, if that is its mode. */
export function allocateAnswerOf(resolved: Resolved): AllocateAnswer | null {
  return resolved.outcome.mode === "allocate" ? resolved.outcome.answer : null;
}
