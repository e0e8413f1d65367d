import type { Context } from "hono";
import { ApiError } from "../contract/errors.ts";
import { publicUrl } from "../http/context.ts";
import { answerAllocate } from "../service/allocate.ts";
import { answerDataPlan, answerInferencePlan } from "../service/plans.ts";
import type { AppEnv, Register } from "../types.ts";
import { answerMessage, errorMessage, helpMessage, type SlackMessage } from "./blocks.ts";
import { commandWithReading, parseCommandText, type QuestionCommand } from "./command.ts";
import { dataMessage, inferenceMessage } from "./plan-blocks.ts";
import {
  importSigningKey,
  MAX_BODY_BYTES,
  ReplayMemory,
  readBodyWithin,
  verifySlackSignature,
} from "./verify.ts";

/** Where Slack sends the slash command (the manifest's request URL). */
export const SLACK_COMMANDS_PATH = "/slack/commands";

/** The command answered when `SLACK_COMMAND` is not set. */
export const DEFAULT_COMMAND = "/chinchilla";

function refusal(
  c: Context<AppEnv>,
  status: 401 | 405 | 413,
  code: "invalid_signature" | "not_configured" | "method_not_allowed" | "payload_too_large",
  message: string,
) {
  return c.json(new ApiError(status, code, message).toBody(), status);
}

/** The calculator page for the same question: the user's own text for each parameter. */
function permalinkOf(requestUrl: string, parameters: Record<string, unknown>): string {
  const url = new URL("/", requestUrl);
  for (const [name, value] of Object.entries(parameters)) {
    if (typeof value === "string" && value !== "") url.searchParams.set(name, value);
  }
  return url.href;
}

/** Answers a parsed question as Block Kit; throws ApiError for bad input, as the API does. */
async function answerOf(c: Context<AppEnv>, command: QuestionCommand): Promise<SlackMessage> {
  const registry = await c.var.fits(command.request.fit);
  const permalink = (parameters: Record<string, unknown>) =>
    permalinkOf(publicUrl(c).href, { ...parameters, fit: command.request.fit });
  const options = { public: command.public };
  switch (command.kind) {
    case "inference": {
      const { flops, loss, inferenceTokens } = command.request;
      const answer = answerInferencePlan(registry, command.request);
      return inferenceMessage(answer, {
        ...options,
        permalink: permalink({ flops, loss, inferenceTokens }),
      });
    }
    case "data": {
      const { flops, uniqueTokens } = command.request;
      const answer = answerDataPlan(registry, command.request);
      return dataMessage(answer, { ...options, permalink: permalink({ flops, uniqueTokens }) });
    }
    case "allocate": {
      const { gpu, gpus, mfu, pricePerGpuHour } = command.request;
      const answer = answerAllocate(registry, command.request);
      const { question, input } = answer.query;
      return answerMessage(answer, {
        ...options,
        permalink: permalink({ [question]: input, gpu, gpus, mfu, pricePerGpuHour }),
      });
    }
  }
}

async function reply(
  c: Context<AppEnv>,
  form: URLSearchParams,
  command: string,
  log: (message: string) => void,
): Promise<SlackMessage> {
  const asked = form.get("command");
  if (asked !== null && asked !== command) {
    return errorMessage(
      command,
      form.get("text") ?? "",
      `this endpoint answers ${command}, not ${asked.slice(0, 40)} (set SLACK_COMMAND to rename it)`,
    );
  }
  const text = form.get("text") ?? "";
  const parsed = parseCommandText(text);
  if (parsed.kind === "help") return helpMessage(command);
  if (parsed.kind === "invalid") return errorMessage(command, text, parsed.message);
  try {
    return await answerOf(c, parsed);
  } catch (error) {
    if (error instanceof ApiError) {
      const suggestions = (error.readings ?? []).map(
        (reading) => `${command} ${commandWithReading(parsed, reading)}`,
      );
      return errorMessage(command, text, error.message, error.expected, suggestions);
    }
    log(`slack: unexpected error answering a command: ${String(error)}`);
    return errorMessage(command, text, "internal error; please try again");
  }
}

/**
 * The Slack slash command, `POST /slack/commands` (docs/slack.md). Every request is bounded
 * (8 KB) and signature-checked before anything is computed; answers are Block Kit with HTTP 200.
 */
export const registerSlack: Register = (app, deps) => {
  let loggedMissingSecret = false;
  const replays = new ReplayMemory();
  let signingKey: { secret: string; key: Promise<CryptoKey> } | undefined;
  const keyFor = (secret: string) => {
    if (signingKey?.secret !== secret) signingKey = { secret, key: importSigningKey(secret) };
    return signingKey.key;
  };

  app.get(SLACK_COMMANDS_PATH, (c) =>
    c.req.query("ssl_check") === "1"
      ? c.body(null, 200)
      : refusal(c, 405, "method_not_allowed", "Slack commands arrive as POST"),
  );

  app.post(SLACK_COMMANDS_PATH, async (c) => {
    const secret = c.env?.SLACK_SIGNING_SECRET;
    if (!secret) {
      if (!loggedMissingSecret) {
        deps.log(
          "slack: SLACK_SIGNING_SECRET is not set, so every /slack/commands request is refused (see docs/slack.md)",
        );
        loggedMissingSecret = true;
      }
      await c.req.raw.body?.cancel();
      return refusal(
        c,
        401,
        "not_configured",
        "the Slack command is not configured on this server: no signing secret to verify requests with",
      );
    }

    const body = await readBodyWithin(c.req.raw, MAX_BODY_BYTES);
    if (!body.ok) return refusal(c, 413, "payload_too_large", body.reason);
    const form = new URLSearchParams(new TextDecoder().decode(body.bytes));
    // Slack's certificate check carries no signature and needs no answer (as Bolt does).
    if (form.get("ssl_check") === "1") return c.body(null, 200);

    const verdict = await verifySlackSignature(
      await keyFor(secret),
      {
        timestamp: c.req.header("x-slack-request-timestamp") ?? null,
        signature: c.req.header("x-slack-signature") ?? null,
      },
      body.bytes,
      Math.floor(deps.now() / 1000),
    );
    if (!verdict.ok) return refusal(c, 401, "invalid_signature", verdict.reason);
    const signature = c.req.header("x-slack-signature") ?? "";
    if (!replays.accept(signature.toLowerCase(), Math.floor(deps.now() / 1000))) {
      deps.log(JSON.stringify({ event: "slack_replay_refused" }));
      return refusal(
        c,
        401,
        "invalid_signature",
        "this exact signed request was already answered; Slack sends each command once",
      );
    }

    const command = c.env.SLACK_COMMAND?.trim() || DEFAULT_COMMAND;
    return c.json(await reply(c, form, command, deps.log));
  });
};
