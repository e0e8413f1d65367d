/**
 * Slack slash-command latency: really signed requests (HMAC-SHA256 with the bench secret that
 * bench/workerd.capnp binds as SLACK_SIGNING_SECRET), sent one after another on one keep-alive
 * connection, as Slack sends them. The Worker refuses a signed request it has already answered
 * (a replay), so each command is a new one: its own trigger_id, as Slack gives every command.
 */
import http from "node:http";
import { signSlackRequest, slashCommandBody } from "../src/cli/slack-request.ts";
import { percentile, round } from "./stats.ts";

/** Must equal the SLACK_SIGNING_SECRET text binding in bench/workerd.capnp. */
export const BENCH_SLACK_SECRET = "bench-signing-secret";
export const SLACK_PATH = "/slack/commands";

export interface SignedCommand {
  path: string;
  body: string;
  /** Unix seconds; the Worker refuses timestamps more than 300 s from its clock. */
  timestamp: string;
  signature: string;
}

let commands = 0;

/**
 * A `/chinchilla <text>` command signed now, as Slack would sign it, with a trigger_id of its
 * own: no two calls give the same signed request.
 */
export function signedCommand(text: string, nowMs = Date.now()): SignedCommand {
  const form = new URLSearchParams(slashCommandBody("/chinchilla", text));
  form.set("trigger_id", `${process.pid}.${commands++}.bench`);
  const body = form.toString();
  const timestamp = String(Math.floor(nowMs / 1000));
  return {
    path: SLACK_PATH,
    body,
    timestamp,
    signature: signSlackRequest(BENCH_SLACK_SECRET, timestamp, body),
  };
}

export function slackHeaders(command: SignedCommand): Record<string, string> {
  return {
    "content-type": "application/x-www-form-urlencoded",
    "content-length": String(Buffer.byteLength(command.body)),
    "x-slack-request-timestamp": command.timestamp,
    "x-slack-signature": command.signature,
  };
}

function send(
  agent: http.Agent,
  base: string,
  command: SignedCommand,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      `${base}${command.path}`,
      { method: "POST", agent, headers: slackHeaders(command), timeout: 10_000 },
      (response) => {
        let text = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => {
          text += chunk;
        });
        response.on("end", () => resolve({ status: response.statusCode ?? 0, text }));
      },
    );
    request.on("timeout", () => request.destroy(new Error("Slack request timed out (10 s)")));
    request.on("error", reject);
    request.end(command.body);
  });
}

/**
 * Throws unless the answer is HTTP 200 with Block Kit blocks: an answer, not a refusal (401) or
 * an error message (200 with text only).
 */
export function checkSlackAnswer(answer: { status: number; text: string }): void {
  let blocks: unknown;
  try {
    blocks = (JSON.parse(answer.text) as { blocks?: unknown }).blocks;
  } catch {
    // reported below
  }
  if (answer.status !== 200 || !Array.isArray(blocks) || blocks.length === 0) {
    throw new Error(
      `signed Slack command answered ${answer.status} without a Block Kit answer:\n` +
        answer.text.slice(0, 500),
    );
  }
}

export interface SlackTimings {
  slackP50Ms: number;
  slackP99Ms: number;
  slackRequests: number;
}

/**
 * Sends `count` signed `/chinchilla 1e24` commands one at a time (each a new command); latencies
 * are client-side.
 */
export async function slackLatency(base: string, count: number): Promise<SlackTimings> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const latencies: number[] = [];
  try {
    checkSlackAnswer(await send(agent, base, signedCommand("1e24")));
    for (let i = 0; i < count; i++) {
      const command = signedCommand("1e24");
      const started = performance.now();
      const answer = await send(agent, base, command);
      latencies.push(performance.now() - started);
      if (answer.status !== 200) checkSlackAnswer(answer);
    }
  } finally {
    agent.destroy();
  }
  return {
    slackP50Ms: round(percentile(latencies, 0.5), 2),
    slackP99Ms: round(percentile(latencies, 0.99), 2),
    slackRequests: count,
  };
}
