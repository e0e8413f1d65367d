import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { AllocateAnswerJson } from "../../src/api/lean.ts";
import { DEFAULT_FIT_IDS, DEFAULT_FITS } from "../../src/core/fits/defaults.ts";
import { parametricLossOf } from "../../src/core/fitting/parametric.ts";
import {
  formatCount,
  formatFlops,
  formatGrouped,
  formatScientific,
  significant,
} from "../../src/core/format.ts";
import { type AllocateAnswer, answerAllocate } from "../../src/service/allocate.ts";
import type { DataPlanAnswer, InferencePlanAnswer } from "../../src/service/plans.ts";
import {
  answerMessage,
  type Block,
  SLACK_LIMITS,
  type SlackMessage,
} from "../../src/slack/blocks.ts";
import { parseCommandText } from "../../src/slack/command.ts";
import { importSigningKey, MAX_BODY_BYTES, verifySlackSignature } from "../../src/slack/verify.ts";
import { type ErrorEnvelope, freshApp, hasNoNonFinite, seedAll, signSlack } from "./helpers.ts";

const SECRET = "test-secret";
const URL_BASE = "http://calc.test";
const PATH = "/slack/commands";

// Slack's worked example, verbatim from docs.slack.dev/authentication/verifying-requests-from-slack
// ("Validating a request"); the same vector is in slackapi/python-slack-sdk's signature tests.
const DOC_SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
const DOC_TIMESTAMP = "1531420618";
const DOC_BODY =
  "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
const DOC_SIGNATURE = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";

const encoder = new TextEncoder();

function slashBody(text: string, command = "/chinchilla"): string {
  return new URLSearchParams({
    token: "deprecated",
    team_id: "T0001",
    channel_id: "C0001",
    user_id: "U0001",
    command,
    text,
    response_url: "https://hooks.slack.com/commands/T0001/1/x",
    trigger_id: "1.2.3",
  }).toString();
}

/** The real KV binding behind a proxy that counts reads: zero reads means nothing was computed. */
function countingKv() {
  const reads = { count: 0 };
  const kv = new Proxy(env.FITS, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        reads.count += 1;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { kv, reads };
}

interface SendOptions {
  body?: BodyInit;
  headers?: Record<string, string>;
  bindings?: Partial<Cloudflare.Env>;
  now?: () => number;
  method?: string;
}

async function send({ body, headers = {}, bindings = {}, now, method = "POST" }: SendOptions) {
  const { kv, reads } = countingKv();
  const { app, logs } = freshApp(now ? { now } : {});
  const res = await app.request(
    `${URL_BASE}${PATH}`,
    { method, headers: { "content-type": "application/x-www-form-urlencoded", ...headers }, body },
    { ...env, FITS: kv, SLACK_SIGNING_SECRET: SECRET, ...bindings },
  );
  return { res, reads, logs };
}

async function signedHeaders(body: string, timestamp = String(Math.floor(Date.now() / 1000))) {
  return {
    "x-slack-request-timestamp": timestamp,
    "x-slack-signature": await signSlack(SECRET, timestamp, body),
  };
}

/** Sends `text` as a correctly signed command and returns the JSON message. */
async function command(text: string, bindings: Partial<Cloudflare.Env> = {}, name?: string) {
  const body = slashBody(text, name);
  const { res, reads } = await send({ body, headers: await signedHeaders(body), bindings });
  const raw = await res.text();
  expect(res.status, raw).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/application\/json/);
  expect(hasNoNonFinite(raw)).toBe(true);
  return { message: JSON.parse(raw) as SlackMessage, reads };
}

async function expectRefused(
  res: Response,
  reads: { count: number },
  status: number,
  reason?: RegExp,
) {
  const raw = await res.text();
  expect(res.status, raw).toBe(status);
  const body = JSON.parse(raw) as ErrorEnvelope;
  if (reason) expect(body.error.message).toMatch(reason);
  expect(reads.count, "the fit registry was read for a refused request").toBe(0);
}

async function apiJson<T>(path: string): Promise<T> {
  const { app } = freshApp();
  const res = await app.request(`${URL_BASE}${path}`, {}, env);
  expect(res.status, path).toBe(200);
  return (await res.json()) as T;
}

const apiAnswer = (query: string) => apiJson<AllocateAnswerJson>(`/api/v1/allocate?${query}`);

function textsOf(message: SlackMessage): string[] {
  return [
    message.text,
    ...(message.blocks ?? []).flatMap((block) =>
      block.type === "context"
        ? block.elements.map((e) => e.text)
        : [
            block.text.text,
            ...(block.type === "section" ? (block.fields ?? []) : []).map((f) => f.text),
          ],
    ),
  ];
}

/** Slack's Block Kit limits for a message (clients.md A4). */
function expectWithinSlackLimits(message: SlackMessage) {
  const blocks = message.blocks ?? [];
  expect(blocks.length).toBeGreaterThan(0);
  expect(blocks.length).toBeLessThanOrEqual(50);
  expect(message.text.length).toBeGreaterThan(0);
  expect(message.text.length).toBeLessThanOrEqual(4000);
  for (const block of blocks) {
    if (block.type === "header") {
      expect(block.text.type).toBe("plain_text");
      expect(block.text.text.length).toBeGreaterThan(0);
      expect(block.text.text.length).toBeLessThanOrEqual(150);
    } else if (block.type === "section") {
      expect(block.text.text.length).toBeGreaterThan(0);
      expect(block.text.text.length).toBeLessThanOrEqual(3000);
      expect(block.fields?.length ?? 0).toBeLessThanOrEqual(10);
      for (const field of block.fields ?? []) {
        expect(field.text.length).toBeGreaterThan(0);
        expect(field.text.length).toBeLessThanOrEqual(2000);
      }
    } else {
      expect(block.elements.length).toBeGreaterThan(0);
      expect(block.elements.length).toBeLessThanOrEqual(10);
      for (const element of block.elements) expect(element.text.length).toBeLessThanOrEqual(3000);
    }
  }
  // Every "<" opens a link; user text arrives escaped.
  for (const text of textsOf(message)) {
    expect(text.replace(/<https?:\/\/[^\s<>|]+\|[^<>]+>/g, "")).not.toMatch(/[<>]/);
  }
}

function fitSection(message: SlackMessage, fit: string): Extract<Block, { type: "section" }> {
  const section = message.blocks?.find(
    (b): b is Extract<Block, { type: "section" }> =>
      b.type === "section" && b.text.text.includes(`(\`${fit}\`)`),
  );
  if (!section) throw new Error(`no section for ${fit}`);
  return section;
}

/** Asserts every fit's fields show the API's numbers for the same question. */
function expectSameNumbersAsApi(message: SlackMessage, api: AllocateAnswerJson) {
  expect(api.allocations.length).toBeGreaterThan(0);
  for (const a of api.allocations) {
    const fields = fitSection(message, a.fit).fields?.map((f) => f.text) ?? [];
    expect(fields[0]).toBe(`*Parameters*\n${formatCount(a.params)} (${a.parameterConvention})`);
    expect(fields[1]).toBe(`*Tokens*\n${formatCount(a.tokens)}`);
    expect(fields[2]).toBe(`*Tokens per parameter*\n${significant(a.tokensPerParam)}`);
    expect(fields[3]).toBe(
      a.loss === null ? "*Loss*\n— (no loss law)" : `*Loss*\n${a.loss.toFixed(3)} nats/token`,
    );
    if (api.query.question !== "flops")
      expect(fields[4]).toBe(`*Compute*\n${formatFlops(a.flops)}`);
  }
}

beforeAll(async () => {
  await seedAll();
});

describe("Slack's documented signing example", () => {
  it("is reproduced by the test's own signer", async () => {
    expect(await signSlack(DOC_SECRET, DOC_TIMESTAMP, DOC_BODY)).toBe(DOC_SIGNATURE);
    expect(encoder.encode(DOC_BODY).byteLength).toBe(362);
  });

  it("verifies with a clock near its timestamp, within ±300 s on both sides", async () => {
    const key = await importSigningKey(DOC_SECRET);
    const headers = { timestamp: DOC_TIMESTAMP, signature: DOC_SIGNATURE };
    const at = (offset: number) =>
      verifySlackSignature(key, headers, encoder.encode(DOC_BODY), Number(DOC_TIMESTAMP) + offset);
    expect(await at(0)).toEqual({ ok: true });
    expect(await at(300)).toEqual({ ok: true });
    expect(await at(-300)).toEqual({ ok: true });
    expect(await at(301)).toMatchObject({ ok: false, reason: expect.stringMatching(/301 s old/) });
    expect(await at(-301)).toMatchObject({ ok: false, reason: expect.stringMatching(/future/) });
    const tampered = await verifySlackSignature(
      key,
      headers,
      encoder.encode(`${DOC_BODY}x`),
      Number(DOC_TIMESTAMP),
    );
    expect(tampered).toMatchObject({ ok: false, reason: "signature does not match" });
  });

  it("is accepted by the Worker with an injected clock and refused as stale with the real one", async () => {
    const headers = {
      "x-slack-request-timestamp": DOC_TIMESTAMP,
      "x-slack-signature": DOC_SIGNATURE,
    };
    const bindings = { SLACK_SIGNING_SECRET: DOC_SECRET, SLACK_COMMAND: "/webhook-collect" };
    const accepted = await send({
      body: DOC_BODY,
      headers,
      bindings,
      now: () => Number(DOC_TIMESTAMP) * 1000 + 42_000,
    });
    expect(accepted.res.status).toBe(200);
    const message = (await accepted.res.json()) as SlackMessage;
    // The example's text is empty, so the answer is the usage, under the configured name.
    expect(message.response_type).toBe("ephemeral");
    expect(message.text).toContain("`/webhook-collect 1e24`");

    const stale = await send({ body: DOC_BODY, headers, bindings });
    await expectRefused(stale.res, stale.reads, 401, /old/);
  });
});

describe("refusals: nothing is computed", () => {
  const now = 1_800_000_000;
  const clock = () => now * 1000;
  const body = slashBody("1e24");

  it("a correctly signed request does read the registry (the counter works)", async () => {
    const { res, reads } = await send({
      body,
      headers: await signedHeaders(body, String(now)),
      now: clock,
    });
    expect(res.status).toBe(200);
    expect(reads.count).toBeGreaterThan(0);
  });

  it("refuses a signature made with another secret", async () => {
    const timestamp = String(now);
    const { res, reads } = await send({
      body,
      headers: {
        "x-slack-request-timestamp": timestamp,
        "x-slack-signature": await signSlack("another-secret", timestamp, body),
      },
      now: clock,
    });
    await expectRefused(res, reads, 401, /does not match/);
  });

  it("refuses a tampered body", async () => {
    const headers = await signedHeaders(body, String(now));
    const { res, reads } = await send({ body: slashBody("1e25"), headers, now: clock });
    await expectRefused(res, reads, 401, /does not match/);
  });

  it("refuses stale and future timestamps, correctly signed", async () => {
    for (const [offset, reason] of [
      [-301, /301 s old/],
      [-86_400, /old/],
      [301, /future/],
      [86_400, /future/],
    ] as const) {
      const headers = await signedHeaders(body, String(now + offset));
      const { res, reads } = await send({ body, headers, now: clock });
      await expectRefused(res, reads, 401, reason);
    }
  });

  it("accepts timestamps exactly 300 s away on either side", async () => {
    for (const offset of [-300, 300]) {
      const headers = await signedHeaders(body, String(now + offset));
      const { res } = await send({ body, headers, now: clock });
      expect(res.status).toBe(200);
    }
  });

  it("refuses missing headers", async () => {
    const signed = await signedHeaders(body, String(now));
    const cases: Record<string, string>[] = [
      {},
      { "x-slack-signature": signed["x-slack-signature"] },
      { "x-slack-request-timestamp": signed["x-slack-request-timestamp"] },
    ];
    for (const headers of cases) {
      const { res, reads } = await send({ body, headers, now: clock });
      await expectRefused(res, reads, 401, /missing/);
    }
  });

  it("refuses garbage headers and a wrong version prefix", async () => {
    const timestamp = String(now);
    const good = await signSlack(SECRET, timestamp, body);
    const cases: [Record<string, string>, RegExp][] = [
      [{ "x-slack-request-timestamp": "soon", "x-slack-signature": good }, /Unix time/],
      [{ "x-slack-request-timestamp": "1.8e9", "x-slack-signature": good }, /Unix time/],
      [{ "x-slack-request-timestamp": `-${timestamp}`, "x-slack-signature": good }, /Unix time/],
      [{ "x-slack-request-timestamp": "", "x-slack-signature": good }, /./],
      [{ "x-slack-request-timestamp": timestamp, "x-slack-signature": "garbage" }, /version/],
      [
        { "x-slack-request-timestamp": timestamp, "x-slack-signature": `v0=${"z".repeat(64)}` },
        /hex/,
      ],
      [{ "x-slack-request-timestamp": timestamp, "x-slack-signature": good.slice(0, -1) }, /hex/],
      [{ "x-slack-request-timestamp": timestamp, "x-slack-signature": `${good}00` }, /hex/],
      [
        { "x-slack-request-timestamp": timestamp, "x-slack-signature": good.replace("v0=", "v1=") },
        /version/,
      ],
      [{ "x-slack-request-timestamp": timestamp, "x-slack-signature": good.slice(3) }, /version/],
    ];
    for (const [headers, reason] of cases) {
      const { res, reads } = await send({ body, headers, now: clock });
      await expectRefused(res, reads, 401, reason);
    }
  });

  it("refuses an oversized body by its Content-Length, even correctly signed", async () => {
    const big = slashBody(`1e24 ${"x".repeat(MAX_BODY_BYTES)}`);
    const { res, reads } = await send({
      body: big,
      headers: await signedHeaders(big, String(now)),
      now: clock,
    });
    await expectRefused(res, reads, 413, /over 8192 bytes/);
  });

  it("stops reading an endless streamed body at the limit", async () => {
    let pulled = 0;
    const chunk = encoder.encode("text=".padEnd(1024, "9"));
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += chunk.byteLength;
        controller.enqueue(chunk);
      },
    });
    const { res, reads } = await send({
      body: endless,
      headers: await signedHeaders("", String(now)),
      now: clock,
    });
    await expectRefused(res, reads, 413, /over 8192 bytes/);
    expect(pulled).toBeLessThan(MAX_BODY_BYTES + 4 * chunk.byteLength);
  });

  it("refuses everything, and logs why once, when no signing secret is configured", async () => {
    const { kv, reads } = countingKv();
    const { app, logs } = freshApp();
    for (let i = 0; i < 3; i++) {
      const res = await app.request(
        `${URL_BASE}${PATH}`,
        { method: "POST", headers: await signedHeaders(body), body },
        { ...env, FITS: kv, SLACK_SIGNING_SECRET: undefined },
      );
      await expectRefused(res, reads, 401, /not configured/);
    }
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(/SLACK_SIGNING_SECRET is not set/);
  });

  it("never logs the secret", async () => {
    const { logs } = await send({ body, headers: await signedHeaders(body) });
    const refused = await send({ body, headers: { "x-slack-signature": "v0=00" } });
    expect([...logs, ...refused.logs].join("\n")).not.toContain(SECRET);
  });
});

describe("ssl_check", () => {
  it("answers Slack's certificate check with an empty 200 and computes nothing", async () => {
    const { res, reads } = await send({ body: "ssl_check=1&token=deprecated" });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("");
    expect(reads.count).toBe(0);
    const get = await send({ method: "GET", headers: {} });
    expect(get.res.status).toBe(405);
    const { app } = freshApp();
    const viaGet = await app.request(`${URL_BASE}${PATH}?ssl_check=1`, {}, env);
    expect(viaGet.status).toBe(200);
    expect(await viaGet.text()).toBe("");
  });
});

describe("the command language", () => {
  const forms: [text: string, apiQuery: string][] = [
    ["1e24", "flops=1e24"],
    ["5000 PF-days", `flops=${encodeURIComponent("5000 PF-days")}`],
    ["1M H100-hours @ 40% MFU", `flops=${encodeURIComponent("1M H100-hours @ 40% MFU")}`],
    ["1024 H100 x 30 days", `flops=${encodeURIComponent("1024 H100 x 30 days")}`],
    ["params 70B", "params=70B"],
    ["tokens 2T", "tokens=2T"],
    ["loss 2.0", "loss=2.0"],
    ["70 billion parameters", `params=${encodeURIComponent("70 billion parameters")}`],
    ["2T tokens", `tokens=${encodeURIComponent("2T tokens")}`],
    ["params=70B", "params=70B"],
    ["Loss: 2.0", "loss=2.0"],
    ["flops 2e24 FLOPs", `flops=${encodeURIComponent("2e24 FLOPs")}`],
    ["10²⁴", `flops=${encodeURIComponent("10²⁴")}`],
    ["3.8×10^25", `flops=${encodeURIComponent("3.8×10^25")}`],
    ["１e24", `flops=${encodeURIComponent("１e24")}`],
    ["1e24 fit chinchilla-approach3, epoch-2024", "flops=1e24&fit=chinchilla-approach3,epoch-2024"],
    ["fits kaplan-2020 params 1.5B", "params=1.5B&fit=kaplan-2020"],
  ];

  for (const [text, apiQuery] of forms) {
    it(`answers "${text}" with the API's numbers`, async () => {
      const { message } = await command(text);
      const api = await apiAnswer(apiQuery);
      expect(message.response_type).toBe("ephemeral");
      expectWithinSlackLimits(message);
      expectSameNumbersAsApi(message, api);
      const header = message.blocks?.[0];
      expect(header?.type).toBe("header");
      expect(message.blocks?.[1]?.type === "section" && message.blocks[1].text.text).toContain(
        api.query.interpretation.replaceAll("&", "&amp;"),
      );
      if (api.headline) expect(message.text).toContain(api.headline.text);
    });
  }

  it("shows the usage for help, empty text and public alone", async () => {
    for (const text of ["help", "HELP", "", "   ", "public", "help public"]) {
      const { message, reads } = await command(text);
      expect(message.response_type).toBe("ephemeral");
      expect(message.text).toContain("*Usage:*");
      expect(message.text).toContain("`/chinchilla params 70B`");
      expect(reads.count).toBe(0);
    }
  });

  it("posts to the channel only with public, wherever it is", async () => {
    for (const text of ["1e24 public", "public 1e24", "PUBLIC params 70B", "tokens 2T public"]) {
      expect((await command(text)).message.response_type).toBe("in_channel");
    }
    expect((await command("1e24")).message.response_type).toBe("ephemeral");
  });

  it("answers invalid text with 200, the error and the usage, ephemerally", async () => {
    const cases: [string, RegExp][] = [
      ["banana", /could not read a number/],
      ["inference 2T", /inference: give a budget or a target loss/],
      ["params", /params: needs a value/],
      ["params 70B tokens 2T", /exactly one of/],
      ["params 70B params 80B", /params: given twice/],
      ["1e24 fit nope", /unknown fit "nope"/],
      ["loss 0", /greater than zero/],
      ["-5", /greater than zero/],
      ["1e99", /outside the supported range/],
      ["1e999", /overflows/],
      ["1M Z999-hours", /unknown GPU/],
      ["🚀 to the moon 🚀", /could not read a number/],
      [`1e24 ${"y".repeat(300)}`, /at most 200 are read/],
      ["x".repeat(600), /the text is 600 characters; at most 500/],
      ["loss 1.0 fit chinchilla-approach3 public", /no selected fit can answer/],
    ];
    for (const [text, problem] of cases) {
      const { message } = await command(text);
      expect(message.response_type, text).toBe("ephemeral");
      expect(message.blocks).toBeUndefined();
      expect(message.text, text).toMatch(problem);
      expect(message.text).toContain("*Usage:*");
      expect(message.text.length).toBeLessThan(4000);
    }
  });

  it("escapes &, < and > from the user's text", async () => {
    const { message } = await command("<@U123> & <https://evil.example|click> 1e24");
    expect(message.text).toContain("&lt;@U123&gt; &amp; &lt;https://evil.example|click&gt;");
    expect(message.text).not.toContain("<@U123>");
    expect(message.text).not.toContain("<https://evil");
  });

  it("links to the permalink page on the request's host", async () => {
    const { message } = await command("5000 PF-days fit epoch-2024");
    const readAs = message.blocks?.[1];
    expect(readAs?.type === "section" && readAs.text.text).toContain(
      `<${URL_BASE}/?flops=5000+PF-days&amp;fit=epoch-2024|Open in the calculator>`,
    );
  });

  it("carries each fit's warnings in their short form, with the API's numbers", async () => {
    const { message } = await command("1e26 fit chinchilla-approach2");
    const api = await apiAnswer("flops=1e26&fit=chinchilla-approach2");
    const warning = api.warnings[0];
    expect(warning?.code).toBe("extrapolation");
    expect(warning?.fits).toEqual(["chinchilla-approach2"]);
    // 1e26 / 3e21 (the top of approach 2's IsoFLOP budgets, Hoffmann et al. §3.2) = 33,333x.
    expect(warning?.factor).toBeCloseTo(1e26 / 3e21, -1); // 6 significant digits
    const line = fitSection(message, "chinchilla-approach2").text.text.split("\n")[1];
    expect(line).toBe(`_${formatScientific(Number(warning?.factor), 2)}x above its data_`);
    expect(line).toMatch(/3\.3e4x above its data/);
    const inside = await command("1e20 fit chinchilla-approach2");
    expect(fitSection(inside.message, "chinchilla-approach2").text.text).not.toContain("\n");
  });

  it("lists the fits a question skips", async () => {
    const { message } = await command("loss 2.0");
    const api = await apiAnswer("loss=2.0");
    expect(api.skipped.length).toBeGreaterThan(0);
    const contexts = (message.blocks ?? []).filter((b) => b.type === "context");
    const notAnswered = contexts
      .map((b) => b.elements[0]?.text ?? "")
      .find((t) => t.startsWith("Not answered"));
    for (const s of api.skipped) expect(notAnswered).toContain(`\`${s.fit}\``);
  });

  it("answers only the configured command name", async () => {
    const renamed = { SLACK_COMMAND: "/scaling" };
    const ok = await command("1e24", renamed, "/scaling");
    expect(ok.message.blocks?.length).toBeGreaterThan(0);
    const help = await command("help", renamed, "/scaling");
    expect(help.message.text).toContain("`/scaling params 70B`");
    const other = await command("1e24", renamed, "/chinchilla");
    expect(other.message.response_type).toBe("ephemeral");
    expect(other.message.text).toMatch(/answers \/scaling, not \/chinchilla/);
    expect(other.reads.count).toBe(0);
  });
});

describe("Block Kit limits", () => {
  it("holds for every fit alone and for all fits, for every question kind", async () => {
    for (const question of ["1e24", "1e6", "1e36", "params 70B", "tokens 2T", "loss 2.0"]) {
      const all = await command(question);
      expectWithinSlackLimits(all.message);
      for (const fit of DEFAULT_FIT_IDS) {
        const body = slashBody(`${question} fit ${fit}`);
        const { res } = await send({ body, headers: await signedHeaders(body) });
        expect(res.status).toBe(200);
        const message = (await res.json()) as SlackMessage;
        if (message.blocks) expectWithinSlackLimits(message);
        else expect(message.text).toMatch(/no selected fit can answer/);
      }
    }
  });

  it("caps an answer with many fits at 50 blocks and says how many were left out", async () => {
    const entries = DEFAULT_FITS.map((fit) => ({ fit, origin: { store: "bundled" as const } }));
    const registry = { entries, byId: new Map(entries.map((e) => [e.fit.id, e])), loadedAt: 0 };
    const api = answerAllocate(registry, { flops: "1e24" });
    const many: AllocateAnswer = {
      ...api,
      allocations: Array.from({ length: 80 }, (_, i) => {
        const a = api.allocations[i % api.allocations.length];
        if (!a) throw new Error("no allocations");
        return {
          ...a,
          fit: `${a.fit}-${i}`,
          label: `${a.label} <&> ${"long ".repeat(100)}`,
          source: `Someone et al. 20${String(i).padStart(2, "0")}, ${"a paper ".repeat(20)}`,
          sourceUrl: `https://example.org/${"paper/".repeat(10)}${i}?a=1&b=2`,
        };
      }),
    };
    const message = answerMessage(many, { public: true, permalink: `${URL_BASE}/?flops=1e24` });
    expectWithinSlackLimits(message);
    expect(message.blocks).toHaveLength(SLACK_LIMITS.blocks);
    const shown = (message.blocks ?? []).filter(
      (b) => b.type === "section" && (b.fields?.length ?? 0) > 0,
    ).length;
    const note = message.blocks?.find(
      (b) => b.type === "context" && b.elements[0]?.text.startsWith("…and"),
    );
    expect(note?.type === "context" && note.elements[0]?.text).toContain(
      `…and ${80 - shown} more fits`,
    );
  });
});

describe("parseCommandText", () => {
  it("bounds its input and reads every clause", () => {
    expect(parseCommandText("x".repeat(501))).toMatchObject({ kind: "invalid" });
    expect(parseCommandText("params 70B fit a, b public")).toEqual({
      kind: "allocate",
      request: { params: "70B", fit: "a,b" },
      public: true,
    });
    expect(parseCommandText("1e24 FLOPs")).toEqual({
      kind: "allocate",
      request: { flops: "1e24 FLOPs" },
      public: false,
    });
  });
});

/** The section holding a plan's numbers: the only one with fields. */
function planFields(message: SlackMessage): string[] {
  const sections = (message.blocks ?? []).filter(
    (b): b is Extract<Block, { type: "section" }> => b.type === "section" && b.fields !== undefined,
  );
  expect(sections).toHaveLength(1);
  return sections[0]?.fields?.map((f) => f.text) ?? [];
}

function readSection(message: SlackMessage): string {
  const block = message.blocks?.[1];
  return block?.type === "section" ? block.text.text : "";
}

// Every door shows a loss at 3 decimals.
const nats = (loss: number) => `${loss.toFixed(3)} nats/token`;
const query = (params: Record<string, string>) => new URLSearchParams(params).toString();

describe("inference-aware plans: /chinchilla 1e24 inference 2T", () => {
  const forms: [text: string, params: Record<string, string>][] = [
    ["1e24 inference 2T", { flops: "1e24", inferenceTokens: "2T" }],
    ["loss 2.0 inference 2T", { loss: "2.0", inferenceTokens: "2T" }],
    ["5000 PF-days serving 500B tokens", { flops: "5000 PF-days", inferenceTokens: "500B tokens" }],
    ["1e23 inference 0", { flops: "1e23", inferenceTokens: "0" }],
    [
      "inferenceTokens=20T loss 1.95 fit epoch-2024",
      { loss: "1.95", inferenceTokens: "20T", fit: "epoch-2024" },
    ],
  ];

  for (const [text, params] of forms) {
    it(`answers "${text}" with the numbers of GET /api/v1/plan/inference`, async () => {
      const { message } = await command(text);
      const api = await apiJson<InferencePlanAnswer>(`/api/v1/plan/inference?${query(params)}`);
      expect(message.response_type).toBe("ephemeral");
      expectWithinSlackLimits(message);
      const co = api.computeOptimal;
      expect(planFields(message)).toEqual([
        `*Parameters*\n${formatCount(api.params)}`,
        `*Tokens*\n${formatCount(api.tokens)}`,
        `*Tokens per parameter*\n${significant(api.tokensPerParam)}`,
        `*Loss*\n${nats(api.loss)}`,
        `*Training compute*\n${formatFlops(api.trainingFlops)}`,
        `*Inference compute*\n${formatFlops(api.inferenceFlops)}`,
        `*Total compute*\n${formatFlops(api.totalFlops)}`,
        `*Saving*\n${formatFlops(api.savingFlops)} (${significant(100 * api.savingFraction)}% of the compute-optimal total)`,
        `*Compute-optimal instead*\n${formatCount(co.params)} parameters on ${formatCount(co.tokens)} tokens, ${formatFlops(co.totalFlops)} in total`,
      ]);
      expect(message.blocks?.[0]?.type).toBe("header");
      expect(readSection(message)).toContain(api.query.interpretation);
      const permalink = new URL(`${URL_BASE}/`);
      for (const [name, value] of Object.entries(params)) permalink.searchParams.set(name, value);
      expect(readSection(message)).toContain(
        `<${permalink.href.replaceAll("&", "&amp;")}|Open in the calculator>`,
      );
      expect(message.text).toContain(
        `${formatCount(api.params)} parameters on ${formatCount(api.tokens)} tokens`,
      );
      const context = message.blocks?.at(-1);
      expect(context?.type === "context" && context.elements.at(-1)?.text).toMatch(
        new RegExp(
          `^Sources: <${api.sourceUrl.replaceAll(".", "\\.")}\\|.+> · <https://arxiv\\.org/abs/2401\\.00448\\|Sardana et al\\. 2024>$`,
        ),
      );
    });
  }

  it("with no inference demand trains the compute-optimal model and saves nothing", async () => {
    const api = await apiJson<InferencePlanAnswer>(
      "/api/v1/plan/inference?flops=1e23&inferenceTokens=0",
    );
    // The plan is the compute-optimal one, up to the minimiser's tolerance.
    expect(Math.abs(api.savingFlops)).toBeLessThan(1e-6 * api.totalFlops);
    const fields = planFields((await command("1e23 inference 0")).message);
    expect(fields[0]).toBe(`*Parameters*\n${formatCount(api.computeOptimal.params)}`);
  });

  it("posts to the channel with public", async () => {
    expect((await command("public 1e24 inference 2T")).message.response_type).toBe("in_channel");
  });
});

describe("data-constrained plans: /chinchilla 1e24 unique 500B", () => {
  const forms: [text: string, params: Record<string, string>][] = [
    ["1e24 unique 500B", { flops: "1e24", uniqueTokens: "500B" }],
    ["1e22 unique 1B", { flops: "1e22", uniqueTokens: "1B" }],
    [
      "5000 PF-days uniqueTokens=100B fit muennighoff-2023",
      { flops: "5000 PF-days", uniqueTokens: "100B", fit: "muennighoff-2023" },
    ],
  ];

  for (const [text, params] of forms) {
    it(`answers "${text}" with the numbers of GET /api/v1/plan/data`, async () => {
      const { message } = await command(text);
      const api = await apiJson<DataPlanAnswer>(`/api/v1/plan/data?${query(params)}`);
      expectWithinSlackLimits(message);
      const u = api.unlimited;
      expect(planFields(message)).toEqual([
        `*Parameters*\n${formatCount(api.params)}`,
        `*Tokens*\n${formatCount(api.tokens)}`,
        `*Tokens per parameter*\n${significant(api.tokensPerParam)}`,
        `*Epochs*\n${significant(api.epochs)}`,
        `*Loss*\n${nats(api.loss)}`,
        `*Loss with unlimited data*\n${nats(u.loss)} (${formatCount(u.params)} parameters on ${formatCount(u.tokens)} tokens)`,
        `*Loss penalty*\n+${significant(api.lossPenalty)} nats/token`,
      ]);
      const section = message.blocks?.find((b) => b.type === "section" && b.fields) as Extract<
        Block,
        { type: "section" }
      >;
      for (const { message } of api.warnings) expect(section.text.text).toContain(`_${message}_`);
      const permalink = new URL(`${URL_BASE}/`);
      for (const [name, value] of Object.entries(params)) permalink.searchParams.set(name, value);
      expect(readSection(message)).toContain(permalink.href.replaceAll("&", "&amp;"));
      expect(message.text).toContain(`${significant(api.epochs)} epochs`);
    });
  }

  it("warns about many epochs when unique data is scarce", async () => {
    const api = await apiJson<DataPlanAnswer>("/api/v1/plan/data?flops=1e22&uniqueTokens=1B");
    expect(api.warnings.length).toBeGreaterThan(0);
  });
});

describe("training time: gpu, gpus, mfu, price", () => {
  /** The training fields of one allocation, from the API's numbers. */
  function trainingFieldsOf(a: AllocateAnswerJson["allocations"][number]): string[] {
    const t = a.training;
    if (!t) throw new Error(`no training time for ${a.fit}`);
    // Every door: 3 significant digits of days, or of years from two years on.
    const duration =
      t.days >= 730
        ? `${significant(t.days / 365.25, 3)} years`
        : `${formatGrouped(t.days, 3)} days`;
    const time = `*Training time*\n${duration} on ${formatGrouped(t.gpus)} GPU${t.gpus === 1 ? "" : "s"} (${formatCount(t.gpuHours)} GPU-hours)`;
    return t.cost === undefined ? [time] : [time, `*Training cost*\n${formatCount(t.cost)}`];
  }

  const forms: [text: string, apiQuery: Record<string, string>, hardware: RegExp][] = [
    [
      "1e24 gpu H100 gpus 1024",
      { flops: "1e24", gpu: "H100", gpus: "1024" },
      /1,024 × NVIDIA H100 SXM at 40% MFU \(default\)/,
    ],
    [
      "params 70B gpu A100 gpus 512 mfu 50% price $2",
      { params: "70B", gpu: "A100", gpus: "512", mfu: "50%", pricePerGpuHour: "2" },
      /512 × NVIDIA A100 SXM at 50% MFU, 2 per GPU-hour$/m,
    ],
    [
      "1M H100-hours @ 45% MFU",
      { flops: "1M H100-hours @ 45% MFU" },
      /1 × NVIDIA H100 SXM at 45% MFU/,
    ],
  ];

  for (const [text, apiQuery, hardware] of forms) {
    it(`"${text}" adds each fit's training days as the API does`, async () => {
      const { message } = await command(text);
      const api = await apiAnswer(query(apiQuery));
      expectWithinSlackLimits(message);
      expectSameNumbersAsApi(message, api);
      const base = api.query.question === "flops" ? 4 : 5;
      for (const a of api.allocations) {
        const fields = fitSection(message, a.fit).fields?.map((f) => f.text) ?? [];
        expect(fields.slice(base)).toEqual(trainingFieldsOf(a));
      }
      expect(readSection(message)).toMatch(hardware);
    });
  }

  it("keeps the hardware in the permalink", async () => {
    const { message } = await command("1e24 gpu H100 gpus 1024 fit epoch-2024");
    expect(readSection(message)).toContain(
      `<${URL_BASE}/?flops=1e24&amp;gpu=H100&amp;gpus=1024&amp;fit=epoch-2024|Open in the calculator>`,
    );
  });
});

describe("fits made from the user's runs", () => {
  /** A known law (Hoffmann et al. 2022 eq. 10, unrounded; scaling-laws.md §2) on 3 budgets. */
  const LAW = { E: 1.693374, A: 406.401, B: 410.7228, alpha: 0.33917084, beta: 0.2849083 };
  const runs = [1e18, 1e19, 1e20].flatMap((flops) =>
    [0.5, 1, 2].map((factor) => {
      const params = Math.sqrt(flops / 120) * factor;
      const tokens = flops / (6 * params);
      return { params, tokens, loss: parametricLossOf(LAW, params, tokens) };
    }),
  );

  it("answers allocate and inference questions under a user- fit id", async () => {
    const { app } = freshApp();
    const res = await app.request(
      `${URL_BASE}/api/v1/fits`,
      {
        method: "POST",
        headers: { "content-type": "application/json", "cf-connecting-ip": "192.0.2.88" },
        body: JSON.stringify({ runs, name: "slack test runs" }),
      },
      env,
    );
    expect([200, 201]).toContain(res.status);
    const { id } = (await res.json()) as { id: string };
    expect(id).toMatch(/^user-/);

    const { message } = await command(`1e22 fit ${id}, epoch-2024`);
    expectWithinSlackLimits(message);
    expectSameNumbersAsApi(message, await apiAnswer(`flops=1e22&fit=${id},epoch-2024`));

    const plan = await command(`1e22 inference 1T fit ${id}`);
    const api = await apiJson<InferencePlanAnswer>(
      `/api/v1/plan/inference?flops=1e22&inferenceTokens=1T&fit=${id}`,
    );
    expect(api.fit).toBe(id);
    expect(planFields(plan.message)[0]).toBe(`*Parameters*\n${formatCount(api.params)}`);
  });
});

describe("plan commands that cannot be answered", () => {
  it("answer with 200, the problem and the usage, ephemerally", async () => {
    const cases: [string, RegExp][] = [
      ["1e24 inference 2T unique 500B", /not both/],
      ["params 70B inference 2T", /params: not with this plan/],
      ["1e24 unique 500B gpus 8", /gpu: required/],
      ["loss 2.0 unique 500B", /loss: not with this plan/],
      ["unique 500B", /unique: give a training budget/],
      ["1e24 inference 2T inference 3T", /inference: given twice/],
      ["1e24 inference -2T", /inferenceTokens/],
      ["1e24 unique 0", /uniqueTokens/],
      ["loss 1.0 inference 2T", /irreducible/],
      ["1e24 inference 2T fit kaplan-2020", /needs a fit with a parametric loss law/],
      ["1e24 inference 2T fit epoch-2024,chinchilla-approach3", /exactly one fit/],
      ["1e24 unique 500B fit epoch-2024", /needs a fit with a repeated-data law/],
      ["1e24 gpu Z999", /unknown GPU/],
      ["1e24 gpus 8", /gpu: required/],
      ["1e24 gpu H100 mfu 150%", /mfu/],
      ["1e24 gpu H100 price $lots", /pricePerGpuHour/],
      ["1e24 gpu", /could not read/],
    ];
    for (const [text, problem] of cases) {
      const { message } = await command(text);
      expect(message.response_type, text).toBe("ephemeral");
      expect(message.blocks, text).toBeUndefined();
      expect(message.text, text).toMatch(problem);
      expect(message.text).toContain("*Usage:*");
      expect(message.text.length).toBeLessThan(4000);
    }
  });

  it("lists the new forms in the help", async () => {
    const { message } = await command("help");
    for (const form of [
      "`/chinchilla 1e24 inference 2T`",
      "`/chinchilla loss 2.0 inference 2T`",
      "`/chinchilla 1e24 unique 500B`",
      "`gpu H100 gpus 1024`",
      "`user-…`",
    ]) {
      expect(message.text).toContain(form);
    }
  });
});

describe("Block Kit limits for plans", () => {
  it("hold for every fit and for extreme questions, or the fit's problem is told", async () => {
    const questions = [
      "1e24 inference 2T",
      "1e36 inference 1e20",
      "loss 1.8 inference 1",
      "1e24 unique 500B",
      "1e36 unique 1",
      "1e6 unique 1e30",
    ];
    for (const question of questions) {
      for (const fit of ["", ...DEFAULT_FIT_IDS]) {
        const text = fit ? `${question} fit ${fit}` : question;
        const { message } = await command(text);
        if (message.blocks) expectWithinSlackLimits(message);
        else expect(message.text, text).toMatch(/Could not answer/);
      }
    }
  });
});

describe("parseCommandText for plans and hardware", () => {
  it("reads each plan's clauses", () => {
    expect(parseCommandText("1e24 inference 2T fit a public")).toEqual({
      kind: "inference",
      request: { flops: "1e24", loss: undefined, inferenceTokens: "2T", fit: "a" },
      public: true,
    });
    expect(parseCommandText("loss 2.0 serving 2T tokens")).toMatchObject({
      kind: "inference",
      request: { loss: "2.0", inferenceTokens: "2T tokens" },
    });
    expect(parseCommandText("5000 PF-days unique 500B")).toMatchObject({
      kind: "data",
      request: { flops: "5000 PF-days", uniqueTokens: "500B" },
    });
    expect(parseCommandText("1e24 gpu H100 gpus 1024 mfu 40% price $2.5")).toEqual({
      kind: "allocate",
      request: { flops: "1e24", gpu: "H100", gpus: "1024", mfu: "40%", pricePerGpuHour: "2.5" },
      public: false,
    });
    expect(parseCommandText("1M H100-hours @ 40% MFU")).toEqual({
      kind: "allocate",
      request: { flops: "1M H100-hours @ 40% MFU" },
      public: false,
    });
  });
});

describe("replays (issue 12)", () => {
  it("refuses an identical signed request replayed inside the 5-minute window, once answered", async () => {
    const { app } = freshApp();
    const body = slashBody("1e24");
    const headers = {
      "content-type": "application/x-www-form-urlencoded",
      ...(await signedHeaders(body)),
    };
    const bindings = { ...env, SLACK_SIGNING_SECRET: SECRET };
    const first = await app.request(
      `${URL_BASE}${PATH}`,
      { method: "POST", headers, body },
      bindings,
    );
    expect(first.status).toBe(200);
    const replay = await app.request(
      `${URL_BASE}${PATH}`,
      { method: "POST", headers, body },
      bindings,
    );
    expect(replay.status).toBe(401);
    const envelope = (await replay.json()) as ErrorEnvelope;
    expect(envelope.error.code).toBe("invalid_signature");
    expect(envelope.error.message).toMatch(/already answered/);
    // A new command (a new body, so a new signature) is answered.
    const other = slashBody("1e23");
    const fresh = await app.request(
      `${URL_BASE}${PATH}`,
      {
        method: "POST",
        headers: { ...headers, ...(await signedHeaders(other)) },
        body: other,
      },
      bindings,
    );
    expect(fresh.status).toBe(200);
  });
});

describe("plans on hardware (issue 13)", () => {
  it("adds the plan's training time as the plan API does", async () => {
    const { message } = await command("1e24 inference 2T gpu H100 gpus 1024");
    const api = await apiJson<InferencePlanAnswer>(
      "/api/v1/plan/inference?flops=1e24&inferenceTokens=2T&gpu=H100&gpus=1024",
    );
    const days = api.training?.plan.days ?? Number.NaN;
    const fields = (message.blocks ?? []).flatMap((b) =>
      b.type === "section" ? (b.fields ?? []).map((f) => f.text) : [],
    );
    const time = fields.find((f) => f.startsWith("*Training time*"));
    // Every door: 3 significant digits of days.
    expect(time).toContain(`${formatGrouped(days, 3)} days on 1,024 GPUs`);
  });
});
