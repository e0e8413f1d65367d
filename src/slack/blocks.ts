import {
  formatCount,
  formatDays,
  formatFlops,
  formatGrouped,
  formatLoss,
  significant,
} from "../core/format.ts";
import type { QuantityKind } from "../core/parse.ts";
import type { AllocateAnswer, AllocationAnswer } from "../service/allocate.ts";
import type { HardwarePlan } from "../service/hardware.ts";

/** Slack Block Kit limits for messages (docs.slack.dev reference/block-kit; node-slack-sdk types). */
export const SLACK_LIMITS = {
  blocks: 50,
  headerText: 150,
  sectionText: 3000,
  fields: 10,
  fieldText: 2000,
  contextElements: 10,
  text: 3000,
} as const;

interface TextObject {
  type: "plain_text" | "mrkdwn";
  text: string;
}

export type Block =
  | { type: "header"; text: TextObject & { type: "plain_text" } }
  | { type: "section"; text: TextObject; fields?: TextObject[] }
  | { type: "context"; elements: TextObject[] };

/** A slash-command response (docs.slack.dev/interactivity/implementing-slash-commands). */
export interface SlackMessage {
  response_type: "ephemeral" | "in_channel";
  text: string;
  blocks?: Block[];
}

/** Escapes the three characters Slack's mrkdwn treats as control characters. */
export function escapeMrkdwn(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

/** Cuts text to at most `max` UTF-16 units, ending in "…", without splitting a pair or an escape. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, max - 1);
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut.replace(/&[a-z]{0,4}$/, "")}…`;
}

export const mrkdwn = (text: string, max: number = SLACK_LIMITS.sectionText): TextObject => ({
  type: "mrkdwn",
  text: clip(text, max),
});

/** A link in mrkdwn; the URL must be http(s), and `|`/`>` cannot occur in it. */
export function link(url: string, label: string): string {
  if (!/^https?:\/\/[^\s<>|]+$/.test(url)) return escapeMrkdwn(label);
  return `<${escapeMrkdwn(url)}|${escapeMrkdwn(label)}>`;
}

/** "Hoffmann et al. 2022" from "Hoffmann et al. 2022, Training Compute-Optimal …". */
export function shortSource(source: string): string {
  return clip(/^(.*?\b(?:19|20)\d\d)\b/.exec(source)?.[1] ?? source, 60);
}

interface FitGroup {
  title: string;
  holds: (allocation: AllocationAnswer) => boolean;
}

const CHINCHILLA_FAMILY = /^(chinchilla-|epoch-)/;

/** Fit groups in display order; the last one takes every fit the others do not. */
const FIT_GROUPS: readonly FitGroup[] = [
  {
    title: "Chinchilla (Hoffmann et al. 2022) and the Besiroglu et al. 2024 re-fit",
    holds: (a) => CHINCHILLA_FAMILY.test(a.fit),
  },
  { title: "Kaplan et al. 2020", holds: (a) => a.kaplan !== undefined },
  { title: "Other fits", holds: () => true },
];

function questionTitle(query: AllocateAnswer["query"]): string {
  const value = query[query.question] ?? 0;
  switch (query.question) {
    case "flops":
      return `Compute-optimal model for ${formatFlops(value)}`;
    case "params":
      return `Compute-optimal training for ${formatCount(value)} parameters`;
    case "tokens":
      return `Compute-optimal model for ${formatCount(value)} tokens`;
    case "loss":
      return `Least compute to reach loss ${significant(value, 4)} nats/token`;
  }
}

/** "1,024 × NVIDIA H100 SXM at 40% MFU, 2.5 per GPU-hour". */
export function hardwareText(plan: HardwarePlan): string {
  const mfu = `${significant(100 * plan.mfu, 3)}% MFU${plan.mfuIsDefault ? " (default)" : ""}`;
  const price =
    plan.pricePerGpuHour === undefined ? "" : `, ${significant(plan.pricePerGpuHour)} per GPU-hour`;
  return `${formatGrouped(plan.gpus)} × ${plan.gpuLabel} at ${mfu}${price}`;
}

/** Training days, GPU-hours and cost of one allocation on the requested hardware. */
function trainingFields(a: AllocationAnswer): string[] {
  if (!a.training) return [];
  const { days, gpuHours, gpus, cost } = a.training;
  const time = `*Training time*\n${formatDays(days)} on ${formatGrouped(gpus)} GPU${gpus === 1 ? "" : "s"} (${formatCount(gpuHours)} GPU-hours)`;
  return cost === undefined ? [time] : [time, `*Training cost*\n${formatCount(cost)}`];
}

/** The numbers of one allocation as section fields (the same formatting as the page). */
export function allocationFields(a: AllocationAnswer, question: QuantityKind): TextObject[] {
  const fields = [
    `*Parameters*\n${formatCount(a.params)} (${a.parameterConvention})`,
    `*Tokens*\n${formatCount(a.tokens)}`,
    `*Tokens per parameter*\n${significant(a.tokensPerParam)}`,
    `*Loss*\n${a.loss === null ? "— (no loss law)" : `${formatLoss(a.loss)} nats/token`}`,
  ];
  if (question !== "flops") fields.push(`*Compute*\n${formatFlops(a.flops)}`);
  fields.push(...trainingFields(a));
  return fields.map((text) => mrkdwn(text, SLACK_LIMITS.fieldText));
}

function allocationSection(a: AllocationAnswer, question: QuantityKind): Block {
  const lines = [`*${escapeMrkdwn(a.label)}* (\`${escapeMrkdwn(a.fit)}\`)`];
  if (a.warnings.length > 0) {
    const gist = a.warnings.map((w) => w.summary).join("; ");
    lines.push(`_${clip(escapeMrkdwn(gist), 300)}_`);
  }
  return { type: "section", text: mrkdwn(lines.join("\n")), fields: allocationFields(a, question) };
}

/** "*Read* `input` *as* interpretation", with the user's text escaped. */
export function readLine(input: string, interpretation: string): string {
  return `*Read* \`${escapeMrkdwn(input.replaceAll("`", "'"))}\` *as* ${escapeMrkdwn(interpretation)}`;
}

export interface AnswerOptions {
  public: boolean;
  /** The calculator page for this question. */
  permalink: string;
}

/**
 * The Block Kit answer to an allocate question: a header with the question, how the input was
 * read, a section per fit (grouped: Chinchilla and re-fit, Kaplan, others), conventions and
 * sources, and a link to the page. Stays within {@link SLACK_LIMITS} for any number of fits.
 */
export function answerMessage(answer: AllocateAnswer, options: AnswerOptions): SlackMessage {
  const { query } = answer;
  const title = questionTitle(query);
  const blocks: Block[] = [
    { type: "header", text: { type: "plain_text", text: clip(title, SLACK_LIMITS.headerText) } },
    {
      type: "section",
      text: mrkdwn(
        [
          readLine(query.input, query.interpretation),
          ...(query.training
            ? [`*Training on* ${escapeMrkdwn(hardwareText(query.training))}`]
            : []),
          `${link(options.permalink, "Open in the calculator")} for charts and every detail.`,
        ].join("\n"),
      ),
    },
  ];

  const tail: Block[] = [];
  if (answer.skipped.length > 0) {
    const skipped = answer.skipped.map((s) => `\`${escapeMrkdwn(s.fit)}\` (${s.reason})`);
    tail.push({ type: "context", elements: [mrkdwn(`Not answered by: ${skipped.join(", ")}`)] });
  }
  const sources = new Map(answer.allocations.map((a) => [a.sourceUrl, shortSource(a.source)]));
  const sourceLinks: string[] = [];
  for (const [url, label] of sources) {
    const next = link(url, label);
    if (sourceLinks.join(" · ").length + next.length > SLACK_LIMITS.sectionText - 100) break;
    sourceLinks.push(next);
  }
  const { flops, pfDay, params, loss } = answer.conventions;
  tail.push({
    type: "context",
    elements: [flops, pfDay, params, loss]
      .map((text) => mrkdwn(escapeMrkdwn(text)))
      .concat(mrkdwn(`Sources: ${sourceLinks.join(" · ")}`)),
  });

  // Room for fit sections and group titles, keeping one block for a "more fits" note.
  const room = SLACK_LIMITS.blocks - blocks.length - tail.length - 1;
  const body: Block[] = [];
  let shown = 0;
  for (const [index, group] of FIT_GROUPS.entries()) {
    const earlier = FIT_GROUPS.slice(0, index);
    const members = answer.allocations.filter(
      (a) => group.holds(a) && !earlier.some((other) => other.holds(a)),
    );
    if (members.length === 0 || body.length + 2 > room) continue;
    body.push({ type: "section", text: mrkdwn(`*${group.title}*`) });
    for (const a of members.slice(0, room - body.length)) {
      body.push(allocationSection(a, query.question));
      shown += 1;
    }
  }
  const hidden = answer.allocations.length - shown;
  if (hidden > 0) {
    body.push({
      type: "context",
      elements: [mrkdwn(`…and ${hidden} more fits: ${link(options.permalink, "see the page")}`)],
    });
  }

  const headline = answer.headline ? `: ${escapeMrkdwn(answer.headline.text)}` : "";
  return {
    response_type: options.public ? "in_channel" : "ephemeral",
    text: clip(`${escapeMrkdwn(title)}${headline}`, SLACK_LIMITS.text),
    blocks: [...blocks, ...body, ...tail],
  };
}

/** The usage text for a command name. */
export function usageText(command: string): string {
  const c = escapeMrkdwn(command);
  return [
    `*Usage:* \`${c} <question> [public]\``,
    `• \`${c} 1e24\`: the best model for a training budget in FLOPs (also \`3.8×10^25\`)`,
    `• \`${c} 5000 PF-days\` or \`${c} 1M H100-hours @ 40% MFU\` or \`${c} 1024 H100 x 30 days\``,
    `• \`${c} params 70B\`: tokens and compute that make a 70B model compute-optimal`,
    `• \`${c} tokens 2T\`: model size and compute for 2T tokens`,
    `• \`${c} loss 2.0\`: least compute to reach a loss (nats/token, fits with a loss law)`,
    `• \`${c} 1e24 inference 2T\`: the model with the least training + inference compute when it will serve 2T tokens (also \`${c} loss 2.0 inference 2T\`)`,
    `• \`${c} 1e24 unique 500B\`: the best model when only 500B unique tokens exist (repeated epochs)`,
    `• add \`gpu H100 gpus 1024\` (and \`mfu 40%\`, \`price 2.5\` per GPU-hour) for training days and cost`,
    `• add \`fit chinchilla-approach3,epoch-2024\` to pick fits (your own \`user-…\` fits too); \`public\` to post to the channel`,
  ].join("\n");
}

/** The ephemeral reply to help or empty text. */
export function helpMessage(command: string): SlackMessage {
  return {
    response_type: "ephemeral",
    text: `Compute-optimal model size, tokens and loss for a training budget, under every published scaling-law fit.\n${usageText(command)}`,
  };
}

/**
 * The ephemeral reply to text that cannot be answered: what went wrong, the commands that ask
 * each reading of an ambiguous input (`suggestions`, full command lines), then the usage.
 */
export function errorMessage(
  command: string,
  input: string,
  problem: string,
  expected?: string,
  suggestions: readonly string[] = [],
): SlackMessage {
  const echo = escapeMrkdwn(clip(input.trim(), 100).replaceAll("`", "'"));
  const lines = [
    `:warning: Could not answer \`${escapeMrkdwn(command)} ${echo}\`: ${escapeMrkdwn(clip(problem, 1000))}`,
  ];
  if (suggestions.length > 0) {
    const code = (line: string) => `\`${escapeMrkdwn(clip(line, 200).replaceAll("`", "'"))}\``;
    lines.push(`_Did you mean_ ${suggestions.map(code).join(" or ")}?`);
  }
  if (expected) lines.push(`_Expected_ ${escapeMrkdwn(clip(expected, 500))}`);
  return { response_type: "ephemeral", text: `${lines.join("\n")}\n\n${usageText(command)}` };
}
