import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { findSecret, signSlackRequest, slashCommandBody } from "../../src/cli/slack-request.ts";

describe("slack-request CLI", () => {
  it("signs Slack's documented example exactly", () => {
    // docs.slack.dev/authentication/verifying-requests-from-slack, "Validating a request".
    const body =
      "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    expect(signSlackRequest("8f742231b10e8888abcd99yyyzzz85a5", "1531420618", body)).toBe(
      "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
    );
  });

  it("builds a form body Slack-style, with the command and text", () => {
    const form = new URLSearchParams(slashCommandBody("/chinchilla", "1M H100-hours @ 40% MFU"));
    expect(form.get("command")).toBe("/chinchilla");
    expect(form.get("text")).toBe("1M H100-hours @ 40% MFU");
    expect(form.get("response_url")).toMatch(/^https:\/\//);
  });

  it("takes the secret from the environment first, then .dev.vars", () => {
    const dir = mkdtempSync(join(tmpdir(), "slack-request-"));
    const devVars = join(dir, ".dev.vars");
    expect(findSecret({}, devVars)).toBeUndefined();
    writeFileSync(devVars, '# local secrets\nOTHER=1\nSLACK_SIGNING_SECRET="from-file"\n');
    expect(findSecret({}, devVars)).toBe("from-file");
    expect(findSecret({ SLACK_SIGNING_SECRET: "from-env" }, devVars)).toBe("from-env");
    writeFileSync(devVars, "SLACK_SIGNING_SECRET=\n");
    expect(findSecret({}, devVars)).toBeUndefined();
  });
});

describe("Slack app manifest", () => {
  it("declares /chinchilla at the Worker's /slack/commands with only the commands scope", () => {
    const manifest = readFileSync("docs/slack-app-manifest.yaml", "utf8");
    expect(manifest).toMatch(/^ {4}- command: \/chinchilla$/m);
    expect(manifest).toMatch(
      /^ {6}url: https:\/\/YOUR-WORKER\.example\.workers\.dev\/slack\/commands$/m,
    );
    const scopes = /^ {2}scopes:\n((?: {4,}.*\n)+)/m.exec(manifest)?.[1] ?? "";
    expect(
      scopes
        .trim()
        .split("\n")
        .map((line) => line.trim()),
    ).toEqual(["bot:", "- commands"]);
  });
});
