/**
 * Sends a correctly signed Slack slash-command request to a server (by default the local
 * `npm start` server) and prints the answer, as Slack would send it.
 *
 *   node src/cli/slack-request.ts "1e24"
 *   node src/cli/slack-request.ts "params 70B public" --url http://127.0.0.1:8787/slack/commands
 *   node src/cli/slack-request.ts "1e24" --timestamp 1531420618     (a stale request: 401)
 *
 * The signing secret comes from SLACK_SIGNING_SECRET in the environment, else from .dev.vars.
 */
import { createHmac } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { parseArgs, parseEnv } from "node:util";

export const DEFAULT_URL = "http://127.0.0.1:8787/slack/commands";

/** Slack's signature: `v0=` + hex HMAC-SHA256 of `v0:{timestamp}:{body}` keyed by the secret. */
export function signSlackRequest(secret: string, timestamp: string, body: string): string {
  return `v0=${createHmac("sha256", secret).update(`v0:${timestamp}:${body}`).digest("hex")}`;
}

/** A form body shaped like Slack's (docs.slack.dev/interactivity/implementing-slash-commands). */
export function slashCommandBody(command: string, text: string): string {
  return new URLSearchParams({
    token: "local-test",
    team_id: "T0LOCAL",
    team_domain: "local",
    channel_id: "C0LOCAL",
    channel_name: "local",
    user_id: "U0LOCAL",
    user_name: "local",
    command,
    text,
    api_app_id: "A0LOCAL",
    response_url: "https://hooks.slack.com/commands/T0LOCAL/0/local",
    trigger_id: "0.0.local",
  }).toString();
}

/** The secret from the environment, else from a .dev.vars file; undefined when neither has it. */
export function findSecret(env: NodeJS.ProcessEnv, devVarsPath: string): string | undefined {
  if (env.SLACK_SIGNING_SECRET) return env.SLACK_SIGNING_SECRET;
  if (!existsSync(devVarsPath)) return undefined;
  return parseEnv(readFileSync(devVarsPath, "utf8")).SLACK_SIGNING_SECRET || undefined;
}

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      url: { type: "string", default: DEFAULT_URL },
      command: { type: "string", default: "/chinchilla" },
      "dev-vars": { type: "string", default: ".dev.vars" },
      timestamp: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(
      'usage: node src/cli/slack-request.ts "<text>" [--url URL] [--command /chinchilla] [--dev-vars .dev.vars] [--timestamp SECONDS]',
    );
    return;
  }
  const secret = findSecret(process.env, values["dev-vars"]);
  if (!secret) {
    console.error(
      `No signing secret: set SLACK_SIGNING_SECRET or put it in ${values["dev-vars"]} (see .dev.vars.example).`,
    );
    process.exit(2);
  }
  const body = slashCommandBody(values.command, positionals.join(" "));
  const timestamp = values.timestamp ?? String(Math.floor(Date.now() / 1000));
  const response = await fetch(values.url, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      "x-slack-request-timestamp": timestamp,
      "x-slack-signature": signSlackRequest(secret, timestamp, body),
    },
    body,
  });
  const text = await response.text();
  console.log(`HTTP ${response.status} ${response.headers.get("content-type") ?? ""}`.trim());
  try {
    console.log(JSON.stringify(JSON.parse(text), null, 2));
  } catch {
    if (text) console.log(text);
  }
  if (response.status !== 200) process.exit(1);
}

if (import.meta.main) await main();
