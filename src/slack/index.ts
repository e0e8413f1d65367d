import type { Register } from "../types.ts";

/** The Slack slash command, `POST /slack/commands` (issue 4). Placeholder. */
export const registerSlack: Register = () => {};
