/**
 * One answer, every door (issue 13): the same question through the JSON API, the page, Slack
 * (really signed), plain text and MCP (the real SDK client, structured content and text), and
 * every number each door shows agrees with the API's at the precision that door shows it.
 */
import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { freshApp, seedAll, signSlack } from "./helpers.ts";
import { CLIENTS } from "./mcp-clients.ts";

const BASE = "http://calc.test";
const QUESTION = "flops=1e24&fit=epoch-2024,kaplan-2020&gpu=H100&gpus=1024";

interface Exact {
  fit: string;
  params: number;
  tokens: number;
  loss: number | null;
  training?: { days: number };
  intervals?: { params: [number, number] };
}

const SUFFIX: Record<string, number> = { "": 1, k: 1e3, M: 1e6, B: 1e9, T: 1e12 };

/** A number as a door shows it ("95.9B", "1.960", "28.6", "7.2e11"), with its precision. */
function shown(text: string): { value: number; tolerance: number } {
  const years = / years$/.test(text.trim());
  const match = /^([\d,]*\.?\d+)(e-?\d+)?([kMBT]?)\*?(?: days| years)?$/.exec(text.trim());
  if (!match) throw new Error(`not a number as shown: "${text}"`);
  const [, digits = "", exponent = "", suffix = ""] = match;
  const mantissa = Number(digits.replaceAll(",", ""));
  const scale = 10 ** Number(exponent.slice(1) || 0) * (SUFFIX[suffix] ?? 1) * (years ? 365.25 : 1);
  const decimals = digits.includes(".") ? (digits.split(".")[1]?.length ?? 0) : 0;
  const significant = digits.replace(/[.,]/g, "").replace(/^0+/, "").length;
  // Half a unit in the last place shown; counts without decimals show 3 significant digits.
  const last =
    decimals > 0 ? 10 ** -decimals : 10 ** (Math.floor(Math.log10(mantissa)) + 1 - significant);
  return { value: mantissa * scale, tolerance: 0.5 * last * scale * (1 + 1e-9) };
}

/** What each door showed, by "fit quantity": the same number must read the same everywhere. */
const SEEN = new Map<string, Map<string, string>>();

function expectAgrees(text: string | undefined, exact: number, what: string) {
  if (text === undefined) throw new Error(`${what}: not shown`);
  const [door = "", ...rest] = what.split(" ");
  const quantity = rest.join(" ").replace(/^text /, "");
  const doors = SEEN.get(quantity) ?? new Map<string, string>();
  doors.set(door, text.trim().replace(/\*$/, ""));
  SEEN.set(quantity, doors);
  const { value, tolerance } = shown(text);
  expect(Math.abs(value - exact), `${what}: shows ${text} for ${exact}`).toBeLessThanOrEqual(
    tolerance,
  );
}

let api: Exact[];

beforeAll(async () => {
  await seedAll();
  const res = await exports.default.fetch(`${BASE}/api/v1/allocate?${QUESTION}&include=exact`);
  api = ((await res.json()) as { allocations: Exact[] }).allocations;
});

describe("every door shows the API's numbers", () => {
  it("the page", async () => {
    const html = await (await exports.default.fetch(`${BASE}/?${QUESTION}`)).text();
    const dataText = (value: number) =>
      new RegExp(`<data value="${value}"[^>]*>([^<]+)</data>`).exec(html)?.[1];
    for (const a of api) {
      expectAgrees(dataText(a.params), a.params, `page ${a.fit} params`);
      expectAgrees(dataText(a.tokens), a.tokens, `page ${a.fit} tokens`);
      if (a.loss !== null) expectAgrees(dataText(a.loss), a.loss, `page ${a.fit} loss`);
      if (a.training)
        expectAgrees(dataText(a.training.days), a.training.days, `page ${a.fit} days`);
      if (a.intervals) {
        const [low, high] = a.intervals.params;
        const range = new RegExp(`data-low="${low}" data-high="${high}">80%: ([^–]+)–([^<]+)<`);
        const [, shownLow, shownHigh] = range.exec(html) ?? [];
        expectAgrees(shownLow, low, `page ${a.fit} interval low`);
        expectAgrees(shownHigh, high, `page ${a.fit} interval high`);
      }
    }
  });

  it("Slack", async () => {
    const body = new URLSearchParams({
      command: "/chinchilla",
      text: "1e24 fit epoch-2024,kaplan-2020 gpu H100 gpus 1024",
      user_id: "U1",
    }).toString();
    const timestamp = String(Math.floor(Date.now() / 1000));
    const { app } = freshApp();
    const res = await app.request(
      "/slack/commands",
      {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          "x-slack-request-timestamp": timestamp,
          "x-slack-signature": await signSlack("doors-secret", timestamp, body),
        },
        body,
      },
      { ...env, SLACK_SIGNING_SECRET: "doors-secret" },
    );
    const message = (await res.json()) as {
      blocks: { type: string; text?: { text: string }; fields?: { text: string }[] }[];
    };
    for (const a of api) {
      const section = message.blocks.find((b) => b.text?.text.includes(`\`${a.fit}\``));
      const field = (title: string) =>
        section?.fields?.find((f) => f.text.startsWith(`*${title}*`))?.text.split("\n")[1];
      expectAgrees(field("Parameters")?.split(" ")[0], a.params, `Slack ${a.fit} params`);
      expectAgrees(field("Tokens"), a.tokens, `Slack ${a.fit} tokens`);
      if (a.loss !== null)
        expectAgrees(field("Loss")?.split(" ")[0], a.loss, `Slack ${a.fit} loss`);
      if (a.training) {
        const time = field("Training time")?.split(" on ")[0];
        expectAgrees(time, a.training.days, `Slack ${a.fit} days`);
      }
    }
  });

  it("plain text", async () => {
    const res = await exports.default.fetch(`${BASE}/api/v1/allocate?${QUESTION}&format=text`);
    const lines = (await res.text()).split("\n");
    const header = lines.find((line) => line.startsWith("fit "));
    const columns = header?.trim().split(/\s{2,}/) ?? [];
    for (const a of api) {
      // A table row, or (when a row cannot fit 80 columns) a block of "name value" pairs.
      const row = lines.find((line) => line.startsWith(`${a.fit} `));
      const at = lines.indexOf(a.fit);
      const block = lines.slice(at + 1, at + 3).join(" ");
      const cells = row?.trim().split(/\s{2,}/) ?? [];
      const pick = (name: string) =>
        row ? cells[columns.indexOf(name)] : new RegExp(`${name} ([^,]+?)(,|$)`).exec(block)?.[1];
      expectAgrees(pick("params"), a.params, `text ${a.fit} params`);
      expectAgrees(pick("tokens"), a.tokens, `text ${a.fit} tokens`);
      if (a.loss !== null) expectAgrees(pick("loss"), a.loss, `text ${a.fit} loss`);
      if (a.training) expectAgrees(pick("time"), a.training.days, `text ${a.fit} days`);
    }
  });

  it("MCP: structured content and text", async () => {
    const spec = CLIENTS[1];
    if (!spec) throw new Error("no client");
    const client = await spec.connect();
    const result = await client.callTool({
      name: "compute_optimal_allocation",
      arguments: { flops: "1e24", fits: ["epoch-2024", "kaplan-2020"], gpu: "H100", gpus: 1024 },
    });
    const structured = result.structuredContent as {
      fits: {
        fit: string;
        params: number;
        tokens: number;
        loss: number | null;
        trainingDays?: number;
      }[];
    };
    const text = result.content[0]?.text ?? "";
    for (const a of api) {
      const f = structured.fits.find((row) => row.fit === a.fit);
      for (const key of ["params", "tokens"] as const) {
        expect(Math.abs((f?.[key] ?? 0) / a[key] - 1), `MCP ${a.fit} ${key}`).toBeLessThan(5e-4);
      }
      const line = text.split("\n").find((l) => l.startsWith(`${a.fit}: `)) ?? "";
      expectAgrees(/N ([^ ,]+)/.exec(line)?.[1], a.params, `MCP ${a.fit} params`);
      expectAgrees(/D ([^ ,]+)/.exec(line)?.[1], a.tokens, `MCP ${a.fit} tokens`);
      if (a.loss !== null) expectAgrees(/L ([^ ,]+)/.exec(line)?.[1], a.loss, `MCP ${a.fit} loss`);
      if (a.training) {
        expectAgrees(
          /([\d.,]+ (?:days|years))/.exec(line)?.[1],
          a.training.days,
          `MCP ${a.fit} days`,
        );
        expect(Math.abs((f?.trainingDays ?? 0) / a.training.days - 1)).toBeLessThan(5e-4);
      }
      if (a.intervals) {
        const [, low, high] = /N [^ ]+ \(([^-]+)-([^)]+)\)/.exec(line) ?? [];
        expectAgrees(low, a.intervals.params[0], `MCP ${a.fit} interval low`);
        expectAgrees(high, a.intervals.params[1], `MCP ${a.fit} interval high`);
      }
    }
    await client.close();
  });

  it("shows each number the same way in every door (one precision, one format)", () => {
    expect(SEEN.size).toBeGreaterThan(6);
    for (const [quantity, doors] of SEEN) {
      expect(new Set(doors.values()).size, `${quantity}: ${JSON.stringify([...doors])}`).toBe(1);
    }
  });
});
