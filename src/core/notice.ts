import { z } from "zod";

/** What an answer's warnings can say, each a stable code that doors may shorten or group. */
export const NOTICE_CODES = [
  "extrapolation",
  "kaplan-contradiction",
  "loss-withheld",
  "non-embedding-parameters",
  "compute-only-law",
  "unique-tokens-ignored",
  "repeated-data",
] as const;

export type NoticeCode = (typeof NOTICE_CODES)[number];

/**
 * A warning as data: a stable `code`, a sentence for people (`message`), a short form for tight
 * doors (`summary`, e.g. Slack), and the numbers it is about as fields of their own.
 */
export const NoticeSchema = z
  .object({
    code: z.enum(NOTICE_CODES),
    message: z.string(),
    summary: z.string(),
  })
  .catchall(z.union([z.number(), z.string(), z.array(z.number()), z.array(z.string())]));

export type Notice = z.infer<typeof NoticeSchema>;

/** A notice with its fields. */
export function notice(
  code: NoticeCode,
  message: string,
  summary: string,
  fields: Record<string, number | string | number[]> = {},
): Notice {
  return { ...fields, code, message, summary };
}
