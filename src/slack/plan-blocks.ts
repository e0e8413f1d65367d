import {
  formatCount,
  formatDays,
  formatFlops,
  formatGrouped,
  formatLoss,
  significant,
} from "../core/format.ts";
import type { DataPlanAnswer, InferencePlanAnswer, PlanTraining } from "../service/plans.ts";
import {
  type AnswerOptions,
  type Block,
  clip,
  escapeMrkdwn,
  link,
  mrkdwn,
  readLine,
  SLACK_LIMITS,
  type SlackMessage,
  shortSource,
} from "./blocks.ts";

/** The paper behind the inference-aware plan (Sardana et al. 2024, arXiv:2401.00448). */
const SARDANA_2024 = { url: "https://arxiv.org/abs/2401.00448", label: "Sardana et al. 2024" };

interface PlanMessage {
  title: string;
  /** Lines of the first section (how the input was read), before the calculator link. */
  read: string[];
  fit: { id: string; label: string };
  /** Italic lines under the fit's name. */
  warnings: readonly string[];
  /** `[title, value]` pairs, at most ten. */
  fields: [string, string][];
  sources: { url: string; label: string }[];
  conventions: string[];
  /** The one-line answer: notification and fallback text. */
  summary: string;
}

/** Header, how the input was read, the plan's fields under its fit, and a context line. */
function planMessage(plan: PlanMessage, options: AnswerOptions): SlackMessage {
  const fitLines = [
    `*${escapeMrkdwn(plan.fit.label)}* (\`${escapeMrkdwn(plan.fit.id)}\`)`,
    ...plan.warnings.map((warning) => `_${clip(escapeMrkdwn(warning), 400)}_`),
  ];
  const sources = plan.sources.map(({ url, label }) => link(url, label)).join(" · ");
  const blocks: Block[] = [
    {
      type: "header",
      text: { type: "plain_text", text: clip(plan.title, SLACK_LIMITS.headerText) },
    },
    {
      type: "section",
      text: mrkdwn(
        [
          ...plan.read,
          `${link(options.permalink, "Open in the calculator")} for charts and every detail.`,
        ].join("\n"),
      ),
    },
    {
      type: "section",
      text: mrkdwn(fitLines.join("\n")),
      fields: plan.fields
        .slice(0, SLACK_LIMITS.fields)
        .map(([name, value]) => mrkdwn(`*${name}*\n${value}`, SLACK_LIMITS.fieldText)),
    },
    {
      type: "context",
      elements: [
        ...plan.conventions.map((text) => mrkdwn(escapeMrkdwn(text))),
        mrkdwn(`Sources: ${sources}`),
      ],
    },
  ];
  return {
    response_type: options.public ? "in_channel" : "ephemeral",
    text: clip(escapeMrkdwn(`${plan.title}: ${plan.summary}`), SLACK_LIMITS.text),
    blocks,
  };
}

const nats = (loss: number) => `${formatLoss(loss)} nats/token`;
const percent = (fraction: number) => `${significant(100 * fraction)}%`;

/** The Block Kit answer to `1e24 inference 2T` or `loss 2.0 inference 2T`. */
export function inferenceMessage(
  answer: InferencePlanAnswer,
  options: AnswerOptions,
): SlackMessage {
  const { query, computeOptimal: optimal } = answer;
  const serving = `serving ${formatCount(query.inferenceTokens)} tokens`;
  const target =
    query.question === "flops" && query.flops !== undefined
      ? formatFlops(query.flops)
      : `loss ${formatLoss(query.loss)}`;
  return planMessage(
    {
      title: `Inference-aware plan for ${target}, ${serving}`,
      read: [
        readLine(query.input, query.interpretation),
        query.inferenceTokens === 0
          ? "*Serving* nothing: without inference demand this is the compute-optimal model"
          : `*Serving* ${escapeMrkdwn(query.inferenceTokensInterpretation)} over the model's life`,
        `Least training (6·N·D) + inference (2·N·D_inf) compute that reaches ${nats(answer.loss)}.`,
      ],
      fit: { id: answer.fit, label: answer.label },
      warnings: [],
      fields: [
        ["Parameters", formatCount(answer.params)],
        ["Tokens", formatCount(answer.tokens)],
        ["Tokens per parameter", significant(answer.tokensPerParam)],
        ["Loss", nats(answer.loss)],
        ["Training compute", formatFlops(answer.trainingFlops)],
        ["Inference compute", formatFlops(answer.inferenceFlops)],
        ["Total compute", formatFlops(answer.totalFlops)],
        [
          "Saving",
          `${formatFlops(answer.savingFlops)} (${percent(answer.savingFraction)} of the compute-optimal total)`,
        ],
        [
          "Compute-optimal instead",
          `${formatCount(optimal.params)} parameters on ${formatCount(optimal.tokens)} tokens, ${formatFlops(optimal.totalFlops)} in total`,
        ],
        ...trainingField(answer.training),
      ],
      sources: [{ url: answer.sourceUrl, label: shortSource(answer.source) }, SARDANA_2024],
      conventions: [answer.conventions.flops, answer.conventions.loss],
      summary: `${formatCount(answer.params)} parameters on ${formatCount(answer.tokens)} tokens, ${formatFlops(answer.totalFlops)} in total (${percent(answer.savingFraction)} less than compute-optimal)`,
    },
    options,
  );
}

/** The plan's training time on the named hardware, as the allocate answer words it. */
function trainingField(training: PlanTraining | undefined): [string, string][] {
  if (!training) return [];
  const { days, gpus, gpuHours, cost } = training.plan;
  const price = cost === undefined ? "" : `, cost ${formatCount(cost)}`;
  return [
    [
      "Training time",
      `${formatDays(days)} on ${formatGrouped(gpus)} GPU${gpus === 1 ? "" : "s"} (${formatCount(gpuHours)} GPU-hours)${price}`,
    ],
  ];
}

/** The Block Kit answer to `1e24 unique 500B`. */
export function dataMessage(answer: DataPlanAnswer, options: AnswerOptions): SlackMessage {
  const { query, unlimited } = answer;
  return planMessage(
    {
      title: `Best model for ${formatFlops(query.flops)} with ${formatCount(query.uniqueTokens)} unique tokens`,
      read: [
        readLine(query.input, query.interpretation),
        `*Unique data* ${escapeMrkdwn(query.uniqueTokensInterpretation)}`,
      ],
      fit: { id: answer.fit, label: answer.label },
      warnings: answer.warnings.map((w) => w.message),
      fields: [
        ["Parameters", formatCount(answer.params)],
        ["Tokens", formatCount(answer.tokens)],
        ["Tokens per parameter", significant(answer.tokensPerParam)],
        ["Epochs", significant(answer.epochs)],
        ["Loss", nats(answer.loss)],
        [
          "Loss with unlimited data",
          `${nats(unlimited.loss)} (${formatCount(unlimited.params)} parameters on ${formatCount(unlimited.tokens)} tokens)`,
        ],
        ["Loss penalty", `+${significant(answer.lossPenalty)} nats/token`],
        ...trainingField(answer.training),
      ],
      sources: [{ url: answer.sourceUrl, label: shortSource(answer.source) }],
      conventions: [answer.conventions.flops, answer.conventions.loss],
      summary: `${formatCount(answer.params)} parameters on ${formatCount(answer.tokens)} tokens (${significant(answer.epochs)} epochs), loss ${nats(answer.loss)} (${nats(unlimited.loss)} with unlimited data)`,
    },
    options,
  );
}
